"""Scenario loading, overlays and their merge rules, overrides, errors that name the field."""

import json
import re

import pytest

from makhovik.errors import ScenarioError
from makhovik.scenario import (
    apply_overrides,
    builtin_hypotheses,
    builtin_scenarios,
    json_schema,
    load_scenario,
    merge,
    parameter_table,
    scenario_hash,
)
from makhovik.scenario.schema import Scenario


def test_builtins_are_listed():
    assert "great-terror" in builtin_scenarios()
    assert builtin_hypotheses("great-terror") == ["center", "interaction", "seed"]


def test_merge_rules():
    base = {"a": {"x": 1, "y": 2}, "l": [1, 2], "k": 3, "hypothesis": {"name": "b", "claims": {"C1": "x"}},
            "events": [{"id": "e1", "date": 1}, {"id": "e2", "date": 2}]}
    over = {"a": {"y": 9}, "l": [7], "k": None, "hypothesis": {"name": "h"},
            "events": [{"id": "e1", "date": 5}, {"id": "e2", "remove": True}, {"id": "e3", "date": 3}]}
    out = merge(base, over)
    assert out["a"] == {"x": 1, "y": 9}  # mappings merge
    assert out["l"] == [7]  # lists replace
    assert "k" not in out  # null removes
    assert out["hypothesis"] == {"name": "h"}  # hypothesis block replaces
    assert out["events"] == [{"id": "e1", "date": 5}, {"id": "e3", "date": 3}]  # events merge by id
    assert base["a"] == {"x": 1, "y": 2}  # inputs untouched


def test_hypotheses_differ_where_design_says():
    s, c, i = (load_scenario("great-terror", hypothesis=h).mechanisms.centre for h in ("seed", "center", "interaction"))
    assert (s.initiative, c.initiative, i.initiative) == ("pressure", "schedule", "schedule")
    assert (s.limit_mode, c.limit_mode, i.limit_mode) == ("requests", "central", "both")
    assert s.appetite_initial < c.appetite_initial
    assert s.ukraine_attempt and not c.ukraine_attempt and not i.ukraine_attempt
    assert (s.stop_rule, c.stop_rule, i.stop_rule) == ("pressure", "schedule", "either")


_PATH = re.compile(r"\b((?:centre|nkvd|alarm|pressure|flywheel|decline|control|ties)(?:\.[a-z_0-9]+)+)")
_STATED = re.compile(r"\s*(?:(=|>|<)\s*([\w.\-]+)|(?:low |high )?\(([\d.]+)\)|([\d.]+)\b)")


def _resolve(scenario, path):
    node = scenario.model_dump(mode="json")
    if path.split(".")[0] not in node:
        node = node["mechanisms"]
    for key in path.split("."):
        node = node[key] if isinstance(node, dict) else node[int(key)]
    return node


def _statements(text):
    """Each parameter a claim text names, with what it says of it: ``a.b = v``, ``a.b > v``, ``a.b (v)``, ``a.b v``."""
    for m in _PATH.finditer(text):
        said = _STATED.match(text, m.end())
        if said is None or not any(said.groups()):
            yield m.group(1), None, None
        elif said.group(1):
            yield m.group(1), said.group(1), said.group(2)
        else:
            yield m.group(1), "=", said.group(3) or said.group(4)


def test_overlay_states_its_claims():
    """Every parameter an overlay's claim text names exists, and every value it states is the value it sets."""
    checked = 0
    for h in ("seed", "center", "interaction"):
        s = load_scenario("great-terror", hypothesis=h)
        info = s.hypothesis
        assert info.name == h and info.summary and info.claims
        assert all(k.startswith("C") for k in info.claims)
        for claim, text in info.claims.items():
            for path, op, value in _statements(text):
                actual = _resolve(s, path)  # a KeyError names a parameter the text invents
                if op is None:
                    continue
                checked += 1
                if isinstance(actual, (int, float)) and not isinstance(actual, bool):
                    ok = {"=": actual == float(value), ">": actual > float(value), "<": actual < float(value)}[op]
                else:
                    ok = op == "=" and str(actual).lower() == value.lower()
                assert ok, f"{h} {claim}: the text says {path} {op} {value}, the overlay sets {actual!r}"
    assert checked >= 20


def test_overrides_and_scale():
    s = load_scenario("great-terror", scale=0.05, overrides=["mechanisms.nkvd.overfulfil=0.25",
                                                             "mechanisms.alarm.immunity.5=0.5"])
    assert s.world.scale == 0.05
    assert s.mechanisms.nkvd.overfulfil == 0.25
    assert s.mechanisms.alarm.immunity[5] == 0.5
    assert apply_overrides({"a": {"b": 1}}, {"a.c": [1]}) == {"a": {"b": 1, "c": [1]}}
    sets = {"a": {"b": {"c": 1}}, "a.b.c": 2}  # a later override below an earlier one: the caller's value stays
    assert apply_overrides({}, sets) == {"a": {"b": {"c": 2}}} and sets["a"] == {"b": {"c": 1}}


@pytest.mark.parametrize("sets, field", [
    (["mechanisms.nkvd.troika_lag_weeks=abc"], "mechanisms.nkvd.troika_lag_weeks"),
    (["mechanisms.nkvd.overfulfil=-1"], "mechanisms.nkvd.overfulfil"),
    (["world.bogus=1"], "world.bogus"),
    (["calendar.end=1937-13-01"], "calendar.end"),
    (["mechanisms.centre.initiative=whenever"], "mechanisms.centre.initiative"),
    (["world.scale=0"], "world.scale"),
    (["mechanisms.alarm.immunity=[1, 2]"], "mechanisms.alarm.immunity"),
    (["mechanisms.pressure.hostility.regionals.kulaks=1"], "mechanisms.pressure.hostility.regionals.kulaks"),
    (["noequals"], "--set"),
    (["mechanisms.alarm.immunity.9=0.1"], "mechanisms.alarm.immunity.9"),
])
def test_bad_values_name_the_field(sets, field):
    with pytest.raises(ScenarioError) as e:
        load_scenario("great-terror", overrides=sets)
    assert e.value.field == field
    assert "\n" not in str(e.value)


def test_bad_files_name_the_problem(tmp_path):
    with pytest.raises(ScenarioError, match="^hypothesis: expected one of center, interaction, seed"):
        load_scenario("great-terror", hypothesis="stalinist")
    with pytest.raises(ScenarioError, match="^scenario:"):
        load_scenario("no-such-scenario")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nmechanisms: [1, 2\n")
    with pytest.raises(ScenarioError, match="expected valid YAML"):
        load_scenario(bad)
    bad.write_text("- just\n- a list\n")
    with pytest.raises(ScenarioError, match="expected a YAML mapping"):
        load_scenario(bad)
    bad.write_text("name: x\nmechanisms:\n  nkvd:\n    troika_lag_weeks: 0\n")
    with pytest.raises(ScenarioError) as e:
        load_scenario(bad)
    assert e.value.field == "mechanisms.nkvd.troika_lag_weeks"


def test_user_overlay_file(tmp_path):
    f = tmp_path / "mine.yaml"
    f.write_text("hypothesis: {name: mine, summary: test, claims: {C1: 'x'}}\n"
                 "mechanisms: {centre: {resistance: 2.5}}\n")
    s = load_scenario("great-terror", hypothesis=f)
    assert s.hypothesis.name == "mine" and s.mechanisms.centre.resistance == 2.5


STRUCTURAL = {"name", "description", "hypothesis.name", "hypothesis.summary", "hypothesis.claims", "calendar.start",
              "calendar.end", "world.regions", "world.named", "world.contingents", "events",
              "calibration.parameters", "calibration.held_out"}


def test_every_parameter_has_unit_and_prior():
    rows = parameter_table()
    assert all(r["description"] for r in rows), [r["path"] for r in rows if not r["description"]][:3]
    for r in rows:
        if r["path"] in STRUCTURAL:
            continue
        assert r["unit"] and r["prior"] is not None, r["path"]
        if r["unit"] != "choice":
            lo, hi = r["prior"]
            assert lo <= hi, r["path"]
    assert len([r for r in rows if r["path"] not in STRUCTURAL]) > 80


def _within(value, prior, path):
    if isinstance(value, dict):
        for k, v in value.items():
            _within(v, prior, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _within(v, prior, f"{path}.{i}")
    else:
        lo, hi = prior
        assert lo <= value <= hi, (path, value, prior)


def test_defaults_lie_in_their_priors():
    for h in (None, "seed", "center", "interaction"):
        s = load_scenario("great-terror", hypothesis=h).model_dump(mode="json")
        for r in parameter_table():
            if r["prior"] is None:
                continue
            node = s
            for k in r["path"].split("."):
                node = node[k]
            if r["unit"] == "choice":
                assert node in r["prior"], (r["path"], node)
            else:
                _within(node, r["prior"], r["path"])
    # contingents carry their own priors, field by field
    from makhovik.scenario.schema import Contingent

    for name, c in load_scenario("great-terror").world.contingents.items():
        for field, info in Contingent.model_fields.items():
            extra = info.json_schema_extra or {}
            if "prior" in extra:
                _within(getattr(c, field), extra["prior"], f"world.contingents.{name}.{field}")


def test_json_schema_and_hash():
    sch = json_schema()
    json.dumps(sch)
    assert "mechanisms" in sch["properties"]
    a = load_scenario("great-terror", hypothesis="seed")
    b = load_scenario("great-terror", hypothesis="seed")
    c = load_scenario("great-terror", hypothesis="center")
    d = load_scenario("great-terror", hypothesis="seed", overrides=["mechanisms.nkvd.overfulfil=0.21"])
    e = load_scenario("great-terror", hypothesis="seed", overrides=["mechanisms.nkvd.overfulfil=0.2"])  # its value
    assert scenario_hash(a) == scenario_hash(b) == scenario_hash(e)
    assert len({scenario_hash(a), scenario_hash(c), scenario_hash(d)}) == 3  # one parameter changes the hash
    # every hard bound pydantic enforces is in the schema a user sees, with the same value
    bound_key = {"Ge": ("ge", "minimum"), "Le": ("le", "maximum"), "Gt": ("gt", "exclusiveMinimum"),
                 "Lt": ("lt", "exclusiveMaximum")}
    n = 0
    for model in _models(Scenario):
        props = sch["$defs"][model.__name__]["properties"] if model is not Scenario else sch["properties"]
        for name, info in model.model_fields.items():
            for m in info.metadata:
                attr, key = bound_key.get(type(m).__name__, (None, None))
                if key is not None:
                    want = getattr(m, attr)
                    if hasattr(want, "isoformat"):  # a date: JSON Schema's bounds for a "format: date" string
                        key, want = "format" + key[0].upper() + key[1:], want.isoformat()
                    prop = props[info.alias or name]
                    got = next((o[key] for o in [prop, *prop.get("anyOf", [])] if key in o), None)  # or optional
                    assert got == want, f"{model.__name__}.{name}: schema {key} {got!r}, validation {want!r}"
                    n += 1
    assert n > 100


def _models(root):
    """The pydantic models a scenario is made of, found through its fields' annotations."""
    import typing

    from pydantic import BaseModel

    seen, todo = [], [root]
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        seen.append(m)
        for info in m.model_fields.values():
            stack = [info.annotation]
            while stack:
                t = stack.pop()
                if isinstance(t, type) and issubclass(t, BaseModel):
                    todo.append(t)
                stack.extend(typing.get_args(t))
    return seen


def test_the_documented_example_hypothesis_works(tmp_path):
    """The overlay shown in docs/scenarios.md loads, runs and passes the conformance checks."""
    import re
    from pathlib import Path

    from makhovik.testing import check_hypothesis

    doc = (Path(__file__).parents[1] / "docs" / "scenarios.md").read_text()
    block = re.search(r"```yaml\n# my-hypothesis.yaml\n(.*?)```", doc, re.S).group(1)
    f = tmp_path / "my-hypothesis.yaml"
    f.write_text(block)
    assert check_hypothesis(f) == []


def test_no_default_is_a_date_the_model_is_scored_on():
    """A default date within a week of a record date that an observable scores would put the answer in the input
    (the centre's stop date once defaulted to 17 Nov 1938). Events are the model's inputs and are exempt."""
    import datetime as dt

    from makhovik.evidence.observables import observables

    scored = {dt.date.fromordinal(int(x)) for o in observables() if o.kind == "date" for x in (o.lo, o.hi)}
    assert dt.date(1938, 11, 17) in scored

    def dates(x, path=""):
        if isinstance(x, dict):
            for k, v in x.items():
                yield from dates(v, f"{path}.{k}" if path else str(k))
        elif isinstance(x, list):
            for i, v in enumerate(x):
                yield from dates(v, f"{path}.{i}")
        elif isinstance(x, dt.date):
            yield path, x

    for h in (None, "seed", "center", "interaction"):
        data = load_scenario("great-terror", hypothesis=h).model_dump(mode="python", exclude={"events"})
        near = [(p, d) for p, d in dates(data) if any(abs((d - r).days) <= 7 for r in scored)]
        assert near == [], f"{h}: {near}"
