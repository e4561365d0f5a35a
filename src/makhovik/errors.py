"""Errors that name the offending field and what was expected, and warnings about values outside their priors."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable

__all__ = ["MakhovikError", "ScenarioError", "ScenarioWarning", "format_validation_error", "one_line", "did_you_mean",
           "short_repr"]

#: The longest field path and explanation a message carries (longer ones are cut with an ellipsis).
FIELD_CHARS = 160
EXPECTED_CHARS = 320


class MakhovikError(Exception):
    """Base class of every error Makhovik raises on purpose."""

    def __str__(self) -> str:
        return one_line(super().__str__(), FIELD_CHARS + EXPECTED_CHARS)


class ScenarioError(MakhovikError, ValueError):
    """A scenario, overlay or flag is malformed.

    The message is always one line of bounded length: control characters (a carriage return
    in a key, say) are shown escaped and long values are cut.

    Parameters
    ----------
    field : str
        Dotted path of the offending field (``mechanisms.nkvd.troika_lag_weeks``), or the flag
        (``--seed``) or the file (``scenario``) at fault.
    expected : str
        What was expected there, in words.

    Examples
    --------
    >>> str(ScenarioError("mechanisms.nkvd.a\\rb", "unknown field"))
    'mechanisms.nkvd.a\\\\rb: unknown field'
    """

    def __init__(self, field: str, expected: str):
        self.field = one_line(str(field), FIELD_CHARS)
        self.expected = one_line(str(expected), EXPECTED_CHARS)
        super().__init__(f"{self.field}: {self.expected}")


class ScenarioWarning(UserWarning):
    """A value that is physically possible but outside its prior, or a scale where results are unreliable."""


_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def one_line(text: str, limit: int) -> str:
    """``text`` on one line (control and line-separator characters escaped), cut to ``limit`` characters.

    Examples
    --------
    >>> one_line("a\\nb", 10)
    'a\\\\nb'
    >>> one_line("x" * 20, 8)
    'xxxxxxx…'
    """
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    s = "".join(out)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def short_repr(value, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters: an error echoes what it got, never a whole long value."""
    import datetime as dt

    r = value.isoformat() if isinstance(value, dt.date) else repr(value)
    return r if len(r) <= limit else r[: limit - 1] + "…"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest of ``choices``, or an empty string.

    Examples
    --------
    >>> did_you_mean("overfulfill", ["overfulfil", "release_rate"])
    "; did you mean 'overfulfil'?"
    >>> did_you_mean("zzz", ["overfulfil"])
    ''
    """
    hit = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f"; did you mean {hit[0]!r}?" if hit else ""


def _fields_at(root, loc: tuple) -> list[str] | None:
    """The field names of the model at ``loc`` (a path into ``root``'s tree of pydantic models), if any."""
    from typing import Union, get_args, get_origin

    from pydantic import BaseModel

    node = root
    for part in loc:
        if isinstance(node, type) and issubclass(node, BaseModel):
            f = node.model_fields.get(str(part))
            if f is None:
                return None
            node = f.annotation
        else:
            origin = get_origin(node)
            args = [a for a in get_args(node) if a is not type(None)]
            if origin in (Union, type(int | None)) and args:
                node = args[0]
                if isinstance(node, type) and issubclass(node, BaseModel):
                    f = node.model_fields.get(str(part))
                    if f is None:
                        return None
                    node = f.annotation
                    continue
                origin, args = get_origin(node), list(get_args(node))
            if origin in (dict, list, tuple) and args:
                node = args[-1]  # a key or an index: the value's type
            else:
                return None
    while get_origin(node) is not None and not (isinstance(node, type) and issubclass(node, BaseModel)):
        args = [a for a in get_args(node) if a is not type(None)]
        if not args:
            return None
        node = args[-1]
    if isinstance(node, type) and issubclass(node, BaseModel):
        return list(node.model_fields)
    return None


def format_validation_error(exc, root=None) -> ScenarioError:
    """Turn the first error of a pydantic ``ValidationError`` into a one-line :class:`ScenarioError`.

    ``root`` is the model validated (the :class:`~makhovik.scenario.schema.Scenario`); with it an
    unknown field gets the closest known one as a suggestion.
    """
    err = exc.errors()[0]
    loc = tuple(err.get("loc", ()))
    field = ".".join(str(p) for p in loc) or "scenario"
    msg = err.get("msg", "invalid value")
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    ctx = err.get("ctx") or {}
    if isinstance(ctx.get("field"), str):  # a validator naming a field below the one validated
        field = f"{field}.{ctx['field']}" if loc else ctx["field"]
    if err.get("type") == "extra_forbidden":
        known = _fields_at(root, loc[:-1]) if root is not None and loc else None
        msg = "unknown field" + (did_you_mean(loc[-1], known) if known else "") + \
            " (`makhovik params` lists the fields)"
    elif err.get("type") not in ("value_error", "field_error") and "input" in err \
            and not isinstance(err["input"], dict | list):  # our own validators say what they got
        msg = f"{msg}, got {short_repr(err['input'])}"
    return ScenarioError(field, msg)
