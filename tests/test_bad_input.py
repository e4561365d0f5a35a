"""A suite of generated bad inputs (makhovik.fuzz): every one refused in one line naming the field, or a usable scenario.

A few hundred cases here, each loaded as ``makhovik run`` loads it; ``tools/fuzz_inputs.py --n 10000`` runs more.
Accepted cases are run too (a few, at a tiny scale): nothing may fail after validation.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

import makhovik
from makhovik import fuzz
from makhovik.cli import app
from makhovik.testing import check_invariants

N_CASES = 400
CASES = fuzz.cases(N_CASES, seed=20261203)


def test_the_cases_cover_every_kind_of_mutation():
    kinds = {c.what.split(":")[-1].strip() if not c.what.startswith("--set") else "--set" for c in CASES}
    assert {"syntax", "dupkey", "nonutf8", "control", "bomb", "tag", "deep", "date", "truncate", "type", "missing", "unknown",
            "number", "empty", "nest", "event", "string", "prior", "--set"} <= kinds


def test_generated_inputs_keep_the_contract(tmp_path):
    outcomes = [fuzz.check(c, tmp_path / str(c.id)) for c in CASES]
    breaches = [f"{o['id']} {o['what']}: {o['breach']} ({o['message'][:100]})" for o in outcomes if o["breach"]]
    assert not breaches, "\n".join(breaches[:20])
    refused = sum(o["outcome"] == "refused" for o in outcomes)
    assert refused > N_CASES // 2 and refused < N_CASES  # mostly bad, and some mutations leave a valid scenario


@pytest.fixture(scope="module")
def accepted(tmp_path_factory):
    from makhovik.cli import _load

    out = []
    for c in CASES:
        d = tmp_path_factory.mktemp(f"case{c.id}")
        if fuzz.check(c, d)["outcome"] == "accepted":
            scenario = str(d / c.scenario) if c.scenario in c.files else c.scenario
            out.append((c, _load(scenario, str(d / c.hypothesis) if c.hypothesis else None, c.scale, c.sets)))
    return out


def test_accepted_inputs_run_and_keep_the_invariants(accepted, tmp_path):
    from makhovik.io import write_run

    assert len(accepted) >= 10
    for c, scn in accepted[:10]:
        res = makhovik.simulate(scn, seed=1)
        write_run(res, tmp_path / str(c.id), figure=False)
        assert check_invariants(res) == [], c.what


def test_refused_inputs_through_the_command_line(tmp_path):
    """A sample of refused cases through the real command: exit 2, one line on stderr, nothing in --out."""
    runner = CliRunner()
    sample = [c for c in CASES if fuzz.check(c, tmp_path / f"c{c.id}")["outcome"] == "refused"][::10][:30]
    for c in sample:
        d = tmp_path / f"c{c.id}"
        args = ["run", str(d / c.scenario) if c.scenario in c.files else c.scenario, "--scale", "0.001", "--quiet",
                "--out", str(d / "out")]
        if c.hypothesis:
            args += ["-H", str(d / c.hypothesis)]
        for s in c.sets:
            args += ["--set", s]
        r = runner.invoke(app, args)
        lines = [x for x in r.stderr.splitlines() if x.strip()]
        assert r.exit_code == 2 and len(lines) == 1 and lines[0].startswith("error: "), (c.what, r.output)
        assert not (d / "out").exists(), c.what


def test_the_console_script_refuses_in_one_line():
    """The installed entry point itself (not the test runner): exit code 2 and one line for a generated bad file."""
    p = subprocess.run([sys.executable, "-m", "makhovik.cli", "run", "--set", "calendar.start=1936-01-07", "--quiet"],
                       capture_output=True, text=True, timeout=120)
    lines = [x for x in p.stderr.splitlines() if x.strip()]
    assert p.returncode == 2 and lines == ["error: calendar.start: expected a Monday (weeks run Monday to Sunday), "
                                           "1936-01-07 is a Tuesday"]
