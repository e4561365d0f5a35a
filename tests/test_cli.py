"""The command line end to end at a tiny scale."""

import json
import subprocess
import sys

import pandas as pd
import pytest
from typer.testing import CliRunner

from makhovik.cli import app

runner = CliRunner()


def test_run_writes_every_output(tmp_path):
    out = tmp_path / "run"
    r = runner.invoke(app, ["run", "great-terror", "--hypothesis", "interaction", "--seed", "3", "--scale", "0.001",
                            "--set", "mechanisms.nkvd.overfulfil=0.2", "--out", str(out), "--quiet"])
    assert r.exit_code == 0, r.output
    assert "Annual totals" in r.output and "918,671" in r.output  # the archival 1937 arrests beside the model's
    files = {p.name for p in out.iterdir()}
    assert {"weekly.parquet", "events.parquet", "series.parquet", "power.parquet", "agents.parquet",
            "limits.parquet", "manifest.json", "scenario.yaml", "run.png"} <= files
    man = json.loads((out / "manifest.json").read_text())
    assert man["seed"] == 3 and man["hypothesis"] == "interaction" and len(man["scenario_hash"]) == 64
    assert man["scale"] == 0.001 and "run_s" in man["timings_s"] and man["makhovik_version"]
    weekly = pd.read_parquet(out / "weekly.parquet")
    assert {"date", "track", "operation", "faction", "region", "arrests", "cat1", "cat2", "executions",
            "releases"} <= set(weekly.columns)
    assert set(weekly["track"].astype(str)) == {"mass", "elite"}
    ev = pd.read_parquet(out / "events.parquet")
    assert "mass_operations_decision" in set(ev["event"])
    assert (out / "run.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_same_seed_same_files(tmp_path):
    for d in ("a", "b"):
        r = runner.invoke(app, ["run", "--scale", "0.001", "--seed", "9", "--out", str(tmp_path / d), "--quiet",
                                "--no-figure"])
        assert r.exit_code == 0, r.output
    for name in ("weekly", "events", "agents"):
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "a" / f"{name}.parquet"),
                                      pd.read_parquet(tmp_path / "b" / f"{name}.parquet"))


@pytest.mark.parametrize("args, field", [
    (["--hypothesis", "nonsense"], "hypothesis"),
    (["--set", "mechanisms.flywheel.hazard_per_name=-2"], "mechanisms.flywheel.hazard_per_name"),
    (["--scale", "0"], "--scale"),
    (["--set", "world.regions=[{name: A}, {name: A}]"], "world.regions"),
    (["--set", "world.party_members=900000000"], "world: this world would take about"),
    (["--set", "world.party_members=2000000000000"], "world.party_members: Input should be less than or equal to"),
])
def test_bad_input_exits_2_and_writes_nothing(tmp_path, args, field):
    out = tmp_path / "never"
    r = runner.invoke(app, ["run", "--quiet", "--out", str(out), *args])
    assert r.exit_code == 2
    assert field in r.output
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary folder left either


def test_bad_scenario_file_exits_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: broken\ncalendar:\n  start: 1938-01-03\n  end: 1937-01-01\n")
    r = runner.invoke(app, ["run", str(bad), "--quiet"])
    assert r.exit_code == 2 and "calendar" in r.output


def test_non_empty_out_is_refused_without_force(tmp_path):
    (tmp_path / "keep.txt").write_text("x")
    r = runner.invoke(app, ["run", "--scale", "0.001", "--out", str(tmp_path), "--quiet"])
    assert r.exit_code == 2 and "--force" in r.output
    assert (tmp_path / "keep.txt").exists()


def test_schema_params_scenarios_claims():
    r = runner.invoke(app, ["schema"])
    assert r.exit_code == 0 and json.loads(r.output)["title"] == "Scenario"
    r = runner.invoke(app, ["params", "great-terror", "--hypothesis", "center", "--json"])
    rows = json.loads(r.output)
    row = next(x for x in rows if x["path"] == "mechanisms.centre.initiative")
    assert row["value"] == "schedule"
    r = runner.invoke(app, ["scenarios"])
    assert "great-terror" in r.output and "interaction" in r.output
    r = runner.invoke(app, ["claims"])
    assert r.exit_code == 0 and "C20" in r.output


def test_console_script_one_line_error_and_exit_code():
    p = subprocess.run([sys.executable, "-m", "makhovik.cli", "run", "--set", "mechanisms.nkvd.capacity_per_staff=x",
                        "--quiet"], capture_output=True, text=True, env={"COLUMNS": "200", "PATH": ""})
    assert p.returncode == 2
    lines = [x for x in p.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: mechanisms.nkvd.capacity_per_staff")


def test_out_parents_are_created(tmp_path):
    out = tmp_path / "runs" / "deep" / "seed"
    r = runner.invoke(app, ["run", "--scale", "0.001", "--out", str(out), "--quiet", "--no-figure"])
    assert r.exit_code == 0, r.output
    assert (out / "manifest.json").exists()
