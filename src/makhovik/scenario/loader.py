"""Loading scenarios: YAML files, hypothesis overlays, ``--set`` overrides, hashing.

Merge rules for an overlay over a base (also documented in ``docs/scenarios.md``):

1. Mappings merge key by key, recursively.
2. Any other value in the overlay (a number, a string, a date, a list) replaces
   the base value whole.
3. A key set to ``null`` in the overlay removes the key, so the schema default applies.
4. ``events`` is the one list merged by identity: an overlay event with the id of a
   base event replaces it; ``{id: X, remove: true}`` deletes it; new ids are appended.
5. The overlay's ``hypothesis`` block replaces the base's.
"""

from __future__ import annotations

import copy
import hashlib
import json
import warnings
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import (
    ScenarioError,
    ScenarioWarning,
    did_you_mean,
    format_validation_error,
    short_repr,
)
from .schema import Scenario, prior_warnings
from .yamlio import YAMLSyntaxError, parse

__all__ = [
    "builtin_scenarios",
    "builtin_hypotheses",
    "load_scenario",
    "merge",
    "apply_overrides",
    "scenario_hash",
    "read_yaml",
]


def _scenarios_root() -> Path:
    return Path(str(resources.files("makhovik") / "scenarios"))


def builtin_scenarios() -> list[str]:
    """Names of the scenarios shipped in the package."""
    root = _scenarios_root()
    return sorted(p.name for p in root.iterdir() if (p / "base.yaml").is_file())


def builtin_hypotheses(scenario: str | Path = "great-terror") -> list[str]:
    """Names of the hypothesis overlays beside a scenario."""
    base = _resolve_base(scenario)
    hdir = base.parent / "hypotheses"
    return sorted(p.stem for p in hdir.glob("*.yaml")) if hdir.is_dir() else []


def read_yaml(path: Path, what: str = "scenario") -> dict:
    """Read a YAML mapping, turning every failure into a one-line :class:`ScenarioError` (see :mod:`.yamlio`)."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ScenarioError(what, f"cannot read {path}: {exc.strerror or exc}") from None
    data = parse(raw, Path(path).name, what)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError(what, f"expected a YAML mapping at the top of {path}, got {type(data).__name__}")
    return data


def _resolve_base(scenario: str | Path) -> Path:
    p = Path(scenario)
    if p.suffix in {".yaml", ".yml"}:
        if not p.is_file():
            raise ScenarioError("scenario", f"no such file {p}")
        return p
    if p.is_dir() and (p / "base.yaml").is_file():
        return p / "base.yaml"
    builtin = _scenarios_root() / str(scenario) / "base.yaml"
    if builtin.is_file():
        return builtin
    names = builtin_scenarios()
    raise ScenarioError("scenario", f"expected a built-in scenario ({', '.join(names)}) or a path to a YAML file, "
                                    f"got {short_repr(str(scenario))}{did_you_mean(str(scenario), names)}")


def _resolve_hypothesis(base: Path, hypothesis: str | Path) -> Path:
    p = Path(hypothesis)
    if p.suffix in {".yaml", ".yml"}:
        if not p.is_file():
            raise ScenarioError("hypothesis", f"no such file {p}")
        return p
    cand = base.parent / "hypotheses" / f"{hypothesis}.yaml"
    if cand.is_file():
        return cand
    known = sorted(q.stem for q in (base.parent / "hypotheses").glob("*.yaml"))
    raise ScenarioError(
        "hypothesis", f"expected one of {', '.join(known) or '(none)'} or a path to a YAML overlay, got "
                      f"{short_repr(str(hypothesis))}{did_you_mean(str(hypothesis), known)}"
    )


def merge(base: dict, overlay: dict) -> dict:
    """Merge an overlay mapping over a base mapping (rules in the module docstring).

    Examples
    --------
    >>> merge({"a": {"x": 1, "y": 2}, "l": [1]}, {"a": {"y": 3}, "l": [2, 3]})
    {'a': {'x': 1, 'y': 3}, 'l': [2, 3]}
    >>> merge({"a": 1, "b": 2}, {"b": None})
    {'a': 1}
    """
    out = copy.deepcopy(base)
    for key, val in overlay.items():
        if val is None:
            out.pop(key, None)
        elif key == "events" and isinstance(val, list) and isinstance(out.get(key), list):
            out[key] = _merge_events(out[key], val)
        elif isinstance(val, dict) and isinstance(out.get(key), dict) and key != "hypothesis":
            out[key] = merge(out[key], val)
        else:
            out[key] = copy.deepcopy(val)
    return out


def _merge_events(base: list, overlay: list) -> list:
    out = [copy.deepcopy(e) for e in base]
    index = {e.get("id"): i for i, e in enumerate(out) if isinstance(e, dict)}
    removed: set = set()
    for k, ev in enumerate(overlay):
        if not isinstance(ev, dict) or "id" not in ev:
            raise ScenarioError(f"events.{k}", "expected a mapping with an 'id'")
        if ev.get("remove"):
            removed.add(ev["id"])
        elif ev["id"] in index:
            out[index[ev["id"]]] = copy.deepcopy(ev)
        else:
            out.append(copy.deepcopy(ev))
    return [e for e in out if not (isinstance(e, dict) and e.get("id") in removed)]


def apply_overrides(data: dict, overrides: list[str] | dict[str, Any] | None) -> dict:
    """Apply ``path.to.param=value`` overrides (values parsed as YAML) to a scenario mapping.

    Examples
    --------
    >>> apply_overrides({"world": {"scale": 1.0}}, ["world.scale=0.01"])
    {'world': {'scale': 0.01}}
    """
    if not overrides:
        return data
    out = copy.deepcopy(data)
    items = overrides.items() if isinstance(overrides, dict) else [_split(o) for o in overrides]
    for path, value in items:
        value = copy.deepcopy(value)  # a later override below this one must not reach the caller's mapping
        keys = path.split(".")
        if not all(keys):
            raise ScenarioError(path or "--set", "expected a dotted path like mechanisms.nkvd.overfulfil")
        node: Any = out
        for i, key in enumerate(keys[:-1]):
            node = _child(node, key, ".".join(keys[: i + 1]), create=True)
        last = keys[-1]
        if isinstance(node, list):
            idx = _index(node, last, path)
            node[idx] = value
        elif isinstance(node, dict):
            node[last] = value
        else:
            raise ScenarioError(path, "expected a mapping or list above this key")
    return out


def _split(item: str) -> tuple[str, Any]:
    if "=" not in item:
        raise ScenarioError("--set", f"expected path.to.param=value, got {item!r}")
    path, raw = item.split("=", 1)
    path = path.strip()
    try:
        value = parse(raw, f"--set {path}", path or "--set") if raw.strip() else ""
    except YAMLSyntaxError:  # not YAML at all: the text itself (validation names the field if it is wrong)
        value = raw
    return path, value


def _index(node: list, key: str, path: str) -> int:
    try:
        idx = int(key)
    except ValueError:
        raise ScenarioError(path, f"expected an integer index into a list of {len(node)}") from None
    if not -len(node) <= idx < len(node):
        raise ScenarioError(path, f"expected an index below {len(node)}")
    return idx


def _child(node: Any, key: str, path: str, create: bool) -> Any:
    if isinstance(node, list):
        return node[_index(node, key, path)]
    if not isinstance(node, dict):
        raise ScenarioError(path, "expected a mapping here, not a value")
    if key not in node or node[key] is None:
        if not create:
            raise ScenarioError(path, "no such field")
        node[key] = {}
    return node[key]


def validate(data: dict) -> Scenario:
    """Validate a scenario mapping into a frozen :class:`Scenario` (one-line errors)."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise format_validation_error(exc, Scenario) from None


def _resolved(data: dict) -> dict:
    """A scenario mapping with every schema default filled in (validated: its errors name the field)."""
    return validate(data).model_dump(mode="python")


def load_scenario(
    scenario: str | Path | dict = "great-terror",
    hypothesis: str | Path | None = None,
    overrides: list[str] | dict[str, Any] | None = None,
    scale: float | None = None,
    warn: bool = True,
) -> Scenario:
    """Load a scenario, merge a hypothesis overlay over it, apply overrides, validate.

    The overlay is merged over the scenario with every schema default filled in, so an
    overlay that sets one entry of a mapping (``pressure.punitive: {nkvd: 1.0}``) keeps the
    other entries, as merge rule 1 says.

    Parameters
    ----------
    scenario : str, Path or dict
        A built-in name (``great-terror``), a path to a YAML file, or a mapping.
    hypothesis : str or Path, optional
        A built-in overlay name (``seed``, ``center``, ``interaction``) or a path to one.
    overrides : list of str or dict, optional
        ``path.to.param=value`` strings (or a mapping path -> value).
    scale : float, optional
        Shorthand for ``world.scale``.
    warn : bool
        Issue a :class:`~makhovik.errors.ScenarioWarning` for each value outside its prior and
        for a scale below 0.01 (:func:`~makhovik.scenario.schema.prior_warnings`).

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        With the field path and what was expected.

    Examples
    --------
    >>> s = load_scenario("great-terror", hypothesis="center", scale=0.01)
    >>> s.hypothesis.name, s.world.scale
    ('center', 0.01)
    """
    if isinstance(scenario, dict):
        data, base_path = copy.deepcopy(scenario), None
    else:
        base_path = _resolve_base(scenario)
        data = read_yaml(base_path)
    if hypothesis is not None:
        if base_path is None and not str(hypothesis).endswith((".yaml", ".yml")):
            raise ScenarioError("hypothesis", "expected a path to a YAML overlay for an in-memory scenario")
        hpath = _resolve_hypothesis(base_path or Path("."), hypothesis)
        overlay = read_yaml(hpath, what="hypothesis")
        data = merge(_resolved(data), overlay)
    if overrides:
        try:  # fill schema defaults first, so an override can index into a default list
            data = Scenario.model_validate(data).model_dump(mode="python", exclude_unset=False)
        except ValidationError:
            pass
    if scale is not None:
        data = apply_overrides(data, {"world.scale": scale})
    data = apply_overrides(data, overrides)
    scn = validate(data)
    if warn:
        for w in prior_warnings(scn):
            warnings.warn(w, ScenarioWarning, stacklevel=2)
    return scn


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the scenario's canonical JSON: equal scenarios, equal hashes."""
    blob = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()
