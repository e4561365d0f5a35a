"""Generated bad inputs, and the contract each must meet: one line naming the field, or a valid scenario.

:func:`cases` makes reproducible mutations of the built-in scenario and its hypothesis
overlays, at the level of the YAML text (syntax errors, duplicated keys, bytes that are not
UTF-8, alias bombs, foreign tags, deep nesting, impossible dates, truncation) and of the
parsed structure (wrong types, missing and unknown keys, bad numbers, NaN and infinity, bad
and out-of-range dates, empty and re-nested containers, broken events, long strings, rich
markup), and ``--set`` overrides of every parameter with bad values. :func:`check` loads a
case the way the command line does and returns what breaks the contract:

- a refusal is a :class:`~makhovik.errors.ScenarioError`: one line of at most 500
  characters, naming a field (a path into the scenario, a flag, or the file);
- nothing else escapes (no other exception, no hang: each case within :data:`SECONDS`);
- an accepted scenario is one a run can use: every number finite and not negative, the
  calendar a Monday start within 1900-2100, events inside it, names of bounded length.

``tests/test_bad_input.py`` runs a few hundred cases in CI; ``tools/fuzz_inputs.py`` runs as
many as one likes (``--n 10000``) and reports the failures one line each.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import random
import re
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

__all__ = ["Case", "cases", "check", "SECONDS"]

#: Longest a case may take to load or be refused (the slowest valid load is about 50 ms).
SECONDS = 5.0
_ROOTS = {"name", "description", "hypothesis", "calendar", "world", "ties", "mechanisms", "events", "calibration"}
_FLAGS = {"scenario", "hypothesis", "--set", "--scale", "--out", "--seed", "--hold-out"}

_WRONG = [None, True, "abc", [], {}, [1, 2, 3], {"a": 1}, -1, 0, 1e308, "1e5", "", "null", [None]]
_NUMBERS = [-1, -0.5, -1e-9, 0, 1.5, 2, 1e9, 1e12, 1e308, math.nan, math.inf, -math.inf, "abc", "1,5", "0x10", True,
            [0.5], {"v": 1}]
_DATES = ["1937-13-01", "1937-02-30", "yesterday", "1937/01/01", "", 19370101, 1937.5, dt.date(1850, 1, 7),
          dt.date(9999, 12, 27), dt.date(1, 1, 1), dt.date(2300, 1, 6), dt.date(1936, 1, 8), dt.date(1941, 6, 22),
          dt.date(1935, 1, 1)]
_DATE_PATHS = ["calendar.start", "calendar.end", "mechanisms.centre.initiative_date", "mechanisms.centre.stop_date"]
_STRINGS = ["[/x]", "[bold red]boom", "[/]", "line1\nline2", "a\rb", "\u202eevil", "\x1b[31mred", "x" * 300,
            "é" * 20_000, "<script>alert(1)</script>"]


@dataclass
class Case:
    """One generated input: files to write, and what the command line is given."""

    id: int
    what: str
    files: dict[str, bytes] = field(default_factory=dict)
    scenario: str = "great-terror"
    hypothesis: str | None = None
    sets: list[str] = field(default_factory=list)
    scale: float | None = 0.001


def _texts() -> tuple[str, dict[str, str]]:
    root = resources.files("makhovik") / "scenarios" / "great-terror"
    base = (root / "base.yaml").read_text(encoding="utf-8")
    hyps = {p.name: p.read_text(encoding="utf-8") for p in (root / "hypotheses").iterdir() if p.name.endswith(".yaml")}
    return base, hyps


def _nodes(d, path=()):
    """(path, value) of every node below ``d`` (mappings and lists), depth first."""
    if isinstance(d, dict):
        for k, v in d.items():
            yield (*path, k), v
            yield from _nodes(v, (*path, k))
    elif isinstance(d, list):
        for i, v in enumerate(d):
            yield (*path, i), v
            yield from _nodes(v, (*path, i))


def _set(d, path, value) -> None:
    for k in path[:-1]:
        d = d[k]
    d[path[-1]] = value


def _ensure(d, path) -> None:
    for k in path[:-1]:
        if not isinstance(d.get(k), dict):
            d[k] = {}
        d = d[k]


class _Maker:
    def __init__(self, seed: int):
        import yaml

        self.rng = random.Random(seed)
        self.base_text, self.hyps = _texts()
        self.base = yaml.safe_load(self.base_text)
        self.hyp_data = {k: yaml.safe_load(v) for k, v in self.hyps.items()}
        from .scenario import parameter_table

        self.params = [r["path"] for r in parameter_table() if r["unit"] not in ("", "choice")]

    def pick(self, d, want=lambda p, v: True):
        c = [(p, v) for p, v in _nodes(d) if want(p, v)]
        return self.rng.choice(c) if c else (None, None)

    def structure(self, d) -> str:
        r = self.rng
        kind = r.choice(["type", "missing", "unknown", "number", "date", "empty", "nest", "event", "string", "prior"])
        if kind == "type":
            p, v = self.pick(d)
            if p is None:
                return self.structure(d)
            _set(d, p, copy.deepcopy(r.choice(_WRONG)))
        elif kind == "missing":
            p, _ = self.pick(d, lambda p, v: isinstance(p[-1], str))
            if p is None:
                return self.structure(d)
            parent = d
            for k in p[:-1]:
                parent = parent[k]
            del parent[p[-1]]
        elif kind == "unknown":
            p, v = self.pick(d, lambda p, v: isinstance(v, dict))
            target = v if v is not None else d
            keys = [k for k in target if isinstance(k, str)]
            new = (r.choice(keys) + r.choice(["s", "_", "x"])) if keys and r.random() < 0.5 else \
                r.choice(["foo", "[/foo]", "über", "1", "__class__", "a\rb"])
            target[new] = r.choice([1, "x", [1], {"a": 1}])
        elif kind == "number":
            path = tuple(r.choice(self.params).split("."))
            _ensure(d, path)
            _set(d, path, r.choice(_NUMBERS))
        elif kind == "date":
            if r.random() < 0.3 and isinstance(d.get("events"), list) and d["events"] and \
                    isinstance(d["events"][0], dict):
                d["events"][r.randrange(len(d["events"]))] = {**d["events"][0], "date": r.choice(_DATES)}
            else:
                path = tuple(r.choice(_DATE_PATHS).split("."))
                _ensure(d, path)
                _set(d, path, r.choice(_DATES))
        elif kind == "empty":
            p, _ = self.pick(d, lambda p, v: isinstance(v, dict | list))
            if p is None:
                return self.structure(d)
            _set(d, p, copy.deepcopy(r.choice([{}, [], "", None, [None], [{}]])))
        elif kind == "nest":
            p, v = self.pick(d, lambda p, v: len(p) >= 2)
            if p is None:
                return self.structure(d)
            _set(d, p, r.choice([{"value": v}, [v]]))
        elif kind == "event":
            ev = d.setdefault("events", [])
            if not isinstance(ev, list):
                return kind
            e = {"id": "fz", "date": dt.date(1937, 6, 7), "kind": "show_trial", "faction": "rightists", "defendants": 3}
            ev.append(r.choice([copy.deepcopy(ev[0]) if ev else e, {**e, "kind": "purge"},
                                {k: x for k, x in e.items() if k != "faction"}, {**e, "faction": "mass"},
                                {**e, "defendants": -5}, {**e, "defendants": 10**9}, {**e, "date": dt.date(1945, 5, 9)},
                                {k: x for k, x in e.items() if k != "id"}, "trial", {**e, "faction": "rightist"}]))
        elif kind == "string":
            s = r.choice(_STRINGS)
            where = r.choice(["name", "description", "key", "value"])
            if where == "key":
                p, v = self.pick(d, lambda p, v: isinstance(v, dict))
                (v if v is not None else d)[s] = 1
            elif where == "value":
                p, _ = self.pick(d, lambda p, v: not isinstance(v, dict | list))
                if p is None:
                    return self.structure(d)
                _set(d, p, s)
            else:
                d[where] = s
        else:  # a malformed prior
            cal = d.setdefault("calibration", {})
            if isinstance(cal, dict):
                cal["parameters"] = {r.choice(self.params + ["mechanisms.nkvd.bogus"]):
                                     r.choice([[0.1, 0.2, 0.3], [0.5, 0.1], ["a", "b"], [math.nan, 1], 5, "x",
                                               ["1937-01-01", "1938-01-01"]])}
        return kind

    def text(self, text: str) -> tuple[str, bytes]:
        r = self.rng
        kind = r.choice(["syntax", "dupkey", "nonutf8", "control", "bomb", "tag", "deep", "date", "truncate", "tiny"])
        lines = text.split("\n")
        i = r.randrange(len(lines))
        if kind == "syntax":
            lines.insert(i, r.choice(["\tkey: 1", "  : :", "zz: [1, 2", "zz: {a: 1", "zz: 'open", "---\nname: other",
                                      "zz: *nosuch", "%YAML 9.9\n---"]))
            out = "\n".join(lines)
        elif kind == "dupkey":
            j = next((k for k in range(i, len(lines)) if ":" in lines[k] and not lines[k].lstrip().startswith("#")), 0)
            lines.insert(j + 1, lines[j])
            out = "\n".join(lines)
        elif kind == "nonutf8":
            return kind, (text + "\ndescription: caf").encode() + r.choice([b"\xe9", b"\xff\xfe", b"\xc3"]) + b"\n"
        elif kind == "control":  # characters YAML does not allow in a stream
            at = r.randrange(len(text))
            out = text[:at] + r.choice(["\x00", "\x07", "\x1b", "\ufffe", "\x7f"]) + text[at:]
        elif kind == "bomb":
            depth = r.choice([4, 6, 8])
            names = "abcdefgh"
            chain = ["&a [" + ",".join(["lol"] * 9) + "]"] + \
                [f"&{names[k]} [" + ",".join([f"*{names[k - 1]}"] * 9) + "]" for k in range(1, depth)]
            out = text + "\nbomb:\n" + "".join(f"  l{k}: {c}\n" for k, c in enumerate(chain))
        elif kind == "tag":
            out = text + "\n" + r.choice(["x: !!python/object/apply:os.system ['true']", "x: !custom 1",
                                          "x: !!binary aGVsbG8=", "x: !!set {a, b}", "name: !!float abc"])
        elif kind == "deep":
            n = r.choice([50, 1000, 5000])
            out = text + "\ndeep: " + "[" * n + "]" * n
        elif kind == "date":
            out = text.replace("end: 1939-12-31", "end: " + r.choice(["1939-13-31", "1939-02-30", "0000-01-01"]), 1) \
                if "end: 1939-12-31" in text else text + "\ncalendar:\n  end: 1939-13-31"
        elif kind == "truncate":
            out = text[: r.randrange(1, max(2, len(text)))]
        else:
            out = r.choice(["", "null", "[]", "42", "name:", "- a\n- b", "name: x\n"])
        return kind, out.encode()

    def set_case(self) -> list[str]:
        r = self.rng
        path = r.choice(self.params + ["world.bogus", "mechanisms.nkvd", "events.0.date", "events.99.date",
                                       "world.contingents.polish.region_weights.Belorussian SSR", ""])
        value = r.choice(["abc", "-1", ".nan", ".inf", "-.inf", "1e400", "[1, 2, 3]", "{a: 1}", "1937-13-01",
                          "2300-01-01", "0001-01-01", "[/x]", "&a [*a]", "[" * 200 + "]" * 200, "", "null", "1e9"])
        return [f"{path}={value}" if r.random() < 0.95 else path]

    def make(self, i: int) -> Case:
        r = self.rng
        if r.random() < 0.2:
            sets = self.set_case()
            return Case(i, f"--set {sets[0][:60]}", sets=sets)
        overlay = r.random() < 0.35
        name = r.choice(sorted(self.hyps)) if overlay else "base.yaml"
        text, data = (self.hyps[name], self.hyp_data[name]) if overlay else (self.base_text, self.base)
        if r.random() < 0.45:
            kind, raw = self.text(text)
        else:
            import yaml

            d = copy.deepcopy(data)
            kind = self.structure(d)
            raw = yaml.safe_dump(d, allow_unicode=True, sort_keys=False).encode()
        if overlay:
            return Case(i, f"overlay {name}: {kind}", files={"h.yaml": raw}, hypothesis="h.yaml")
        return Case(i, f"scenario: {kind}", files={"s.yaml": raw}, scenario="s.yaml")


def cases(n: int, seed: int = 0) -> list[Case]:
    """``n`` generated inputs, the same for the same seed."""
    m = _Maker(seed)
    return [m.make(i) for i in range(n)]


def _meaningless(scn) -> list[str]:
    """Why an accepted scenario would make a run meaningless (empty: it is usable)."""
    bad = []
    data = scn.model_dump(mode="python")
    for path, v in _nodes(data):
        p = ".".join(str(x) for x in path)
        if isinstance(v, float) and not math.isfinite(v):
            bad.append(f"{p} = {v} is not finite")
        elif isinstance(v, int | float) and not isinstance(v, bool) and v < 0:
            bad.append(f"{p} = {v} is negative")
        elif isinstance(v, dt.date) and not dt.date(1900, 1, 1) <= v <= dt.date(2100, 12, 31):
            bad.append(f"{p} = {v} lies outside 1900-2100")
        elif isinstance(v, str) and len(v) > 5000:
            bad.append(f"{p} holds {len(v):,} characters")
    c = scn.calendar
    if c.start.weekday() != 0:
        bad.append(f"calendar.start {c.start} is not a Monday")
    bad += [f"events: {e.id} on {e.date} lies outside the calendar" for e in scn.events if not c.start <= e.date <= c.end]
    return bad


def _top_keys(case: Case) -> set[str]:
    """The top-level keys a case's files give (an unknown one is named by itself), and its ``--set`` paths' heads."""
    keys = {s.split("=", 1)[0].split(".")[0] for s in case.sets}
    for raw in case.files.values():
        for line in raw.decode("utf-8", "replace").splitlines():
            m = re.match(r"^([^\s#:'\"-][^:]*|'[^']*'|\"[^\"]*\"):", line)
            if m:
                keys.add(m.group(1).strip("'\""))
    return keys


def check(case: Case, folder: Path) -> dict:
    """Load ``case`` as ``makhovik run`` does (files written into ``folder``); return its outcome and any breach.

    The result has ``outcome`` (``accepted`` or ``refused``), ``message``, ``seconds`` and
    ``breach``: empty when the contract holds, else why not.
    """
    from .cli import _load
    from .errors import ScenarioError

    folder.mkdir(parents=True, exist_ok=True)
    for name, raw in case.files.items():
        (folder / name).write_bytes(raw)
    scenario = str(folder / case.scenario) if case.scenario in case.files else case.scenario
    hypothesis = str(folder / case.hypothesis) if case.hypothesis else None
    out = {"id": case.id, "what": case.what, "outcome": None, "message": "", "breach": ""}
    t0 = time.perf_counter()
    try:
        scn = _load(scenario, hypothesis, case.scale, case.sets)
        out["outcome"] = "accepted"
        bad = _meaningless(scn)
        if bad:
            out["breach"] = "accepted a meaningless scenario: " + "; ".join(bad[:3])
    except ScenarioError as exc:
        msg = str(exc)
        out.update(outcome="refused", message=msg)
        head = exc.field.split(".")[0]
        if "\n" in msg or "\r" in msg or len(msg) > 500:
            out["breach"] = f"a message of {len(msg)} characters or several lines"
        elif not exc.field or (head not in _ROOTS | _top_keys(case) and exc.field not in _FLAGS
                               and not exc.field.startswith("-")):
            out["breach"] = f"a message naming no field: {msg[:120]}"
    except Exception as exc:  # noqa: BLE001 - what the contract forbids, reported as such
        out.update(outcome="crash", message=f"{type(exc).__name__}: {str(exc)[:200]}",
                   breach=f"an uncaught {type(exc).__name__}")
    out["seconds"] = round(time.perf_counter() - t0, 3)
    if out["seconds"] > SECONDS and not out["breach"]:
        out["breach"] = f"took {out['seconds']} s"
    return out
