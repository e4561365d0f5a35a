"""Errors that name the offending field and what was expected."""

from __future__ import annotations

__all__ = ["MakhovikError", "ScenarioError", "format_validation_error"]


class MakhovikError(Exception):
    """Base class of every error Makhovik raises on purpose."""


class ScenarioError(MakhovikError, ValueError):
    """A scenario, overlay or flag is malformed.

    Parameters
    ----------
    field : str
        Dotted path of the offending field (``mechanisms.nkvd.troika_lag_weeks``).
    expected : str
        What was expected there, in words.
    """

    def __init__(self, field: str, expected: str):
        self.field = field
        self.expected = expected
        super().__init__(f"{field}: {expected}")


def format_validation_error(exc) -> ScenarioError:
    """Turn the first error of a pydantic ``ValidationError`` into a :class:`ScenarioError`."""
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err.get("loc", ())) or "<scenario>"
    msg = err.get("msg", "invalid value")
    if err.get("type") == "extra_forbidden":
        msg = "unknown field (see `makhovik schema` for the allowed fields)"
    elif "input" in err and not isinstance(err["input"], dict | list):
        msg = f"{msg}, got {err['input']!r}"
    return ScenarioError(loc, msg)
