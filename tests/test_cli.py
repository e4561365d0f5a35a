"""The command line end to end at a tiny scale."""

import json
import re
import subprocess
import sys

import pandas as pd
import pytest
from typer.testing import CliRunner

import makhovik
from makhovik.cli import app

runner = CliRunner()


def test_run_writes_every_output(tmp_path):
    out = tmp_path / "run"
    r = runner.invoke(app, ["run", "great-terror", "--hypothesis", "interaction", "--seed", "3", "--scale", "0.001",
                            "--set", "mechanisms.nkvd.overfulfil=0.2", "--out", str(out), "--quiet"])
    assert r.exit_code == 0, r.output
    assert "Annual totals" in r.output
    # the model's own 1937 totals (the same run in Python) beside the archival record's
    res = makhovik.simulate(makhovik.load_scenario("great-terror", hypothesis="interaction", scale=0.001,
                                                   overrides=["mechanisms.nkvd.overfulfil=0.2"]), seed=3)
    sim = res.annual().set_index("year").loc[1937]
    row = next(line for line in r.output.splitlines() if re.match(r"\W*1937\b", line))
    shown = [int(x.replace(",", "")) for x in re.findall(r"\d[\d,]*", row)[1:]]
    assert shown == [sim["arrested"], 918_671, sim["convicted"], 790_665, sim["executed"], 353_074]
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


def _err_lines(r) -> list[str]:
    return [x for x in r.stderr.splitlines() if x.strip()]


@pytest.mark.parametrize("args, starts", [
    (["run", "--seed", "abc"], "error: --seed: "),
    (["run", "--seed", "-5"], "error: --seed: expected a whole number from 0 to 4,294,967,295, got -5"),
    (["run", "--seed", str(2**70)], "error: --seed: expected a whole number from 0 to 4,294,967,295"),
    (["compare", "--seed", "-5", "--quiet"], "error: --seed: expected a whole number from 0 to 4,294,967,295"),
    (["calibrate", "--seed", "-5"], "error: --seed: expected a whole number from 0 to 4,294,967,295"),
    (["calibrate", "--seed", str(2**32)], "error: --seed: expected a whole number from 0 to 4,294,967,295"),
    (["report", ".", "--seed", "-1"], "error: --seed: expected a whole number from 0 to 4,294,967,295"),
    (["run", "--scale", "abc"], "error: --scale: "),
    (["run", "--scale", "1e-300", "--quiet"], "error: world.scale: expected at least 4e-05"),
    (["run", "--bogus"], "error: --bogus: unknown option"),
    (["compare", "--runs", "0"], "error: --runs: "),
    (["rnu"], "error: rnu: unknown command; did you mean 'run'?"),
    (["report"], "error: FOLDER: expected a value"),
    (["claims", "C21"], "error: CLAIM: expected a claim id"),
    (["run", "-H", "sede"], "error: hypothesis: expected one of center, interaction, seed or a path to a YAML "
                            "overlay, got 'sede'; did you mean 'seed'?"),
    (["run", "great-terorr"], "error: scenario: expected a built-in scenario (great-terror)"),
    (["run", "--set", "mechanisms.nkvd.overfulfill=0.2"], "error: mechanisms.nkvd.overfulfill: unknown field; did you "
                                                          "mean 'overfulfil'?"),
])
def test_flags_and_names_give_one_line_and_exit_2(args, starts):
    r = runner.invoke(app, args)
    assert r.exit_code == 2, r.output
    lines = _err_lines(r)
    assert len(lines) == 1 and lines[0].startswith(starts), lines
    assert "Usage" not in r.output and "╭" not in r.output


def test_rich_markup_in_user_strings_is_printed_as_text(tmp_path):
    key = tmp_path / "markup-key.yaml"
    key.write_text("mechanisms:\n  nkvd:\n    '[/x]': 1\n")
    r = runner.invoke(app, ["run", "-H", str(key), "--scale", "0.001", "--quiet", "--out", str(tmp_path / "o")])
    assert r.exit_code == 2 and _err_lines(r) == ["error: mechanisms.nkvd.[/x]: unknown field (`makhovik params` lists "
                                                  "the fields)"]
    name = tmp_path / "markup-name.yaml"
    name.write_text("hypothesis:\n  name: '[/x] [bold]'\n")
    r = runner.invoke(app, ["run", "-H", str(name), "--scale", "0.001", "--quiet", "--no-figure", "--out",
                            str(tmp_path / "o")])
    assert r.exit_code == 0, r.output
    assert "hypothesis [/x] [bold]:" in r.stdout


def test_long_values_and_control_characters_stay_on_one_bounded_line(tmp_path):
    f = tmp_path / "long.yaml"
    f.write_text('mechanisms:\n  nkvd:\n    "a\\rb": 1\n' + "hypothesis: {name: '" + "x" * 300 + "'}\n")
    r = runner.invoke(app, ["run", "-H", str(f), "--quiet"])
    assert r.exit_code == 2 and len(_err_lines(r)) == 1
    assert "a\\rb" in r.stderr or "name" in r.stderr
    r = runner.invoke(app, ["run", "--quiet", "--set", "description=" + "y" * 100_000])
    assert r.exit_code == 2 and len(_err_lines(r)) == 1 and len(r.stderr) < 700


def test_values_outside_their_priors_warn_once_the_input_is_valid(tmp_path):
    r = runner.invoke(app, ["run", "--scale", "0.005", "--quiet", "--no-figure", "--set", "mechanisms.nkvd.overfulfil=0.9",
                            "--out", str(tmp_path / "o")])
    assert r.exit_code == 0, r.output
    assert _err_lines(r) == ["warning: mechanisms.nkvd.overfulfil = 0.9 lies outside its prior [0, 0.5]",
                             "warning: world.scale = 0.005 is below 0.01: the army officer tier is too thin there for "
                             "the military losses, and totals are unreliable (README, Caveats)"]
    r = runner.invoke(app, ["run", "--scale", "0.005", "--quiet", "--set", "mechanisms.nkvd.overfulfil=-1"])
    assert r.exit_code == 2 and len(_err_lines(r)) == 1  # a refusal is never preceded by warnings


def _run(out, *extra):
    return runner.invoke(app, ["run", "--scale", "0.001", "--quiet", "--no-figure", "--out", str(out), *extra])


def test_force_replaces_makhovik_files_and_keeps_every_other(tmp_path):
    out = tmp_path / "o"
    assert _run(out).exit_code == 0
    (out / "notes.txt").write_text("mine")
    r = _run(out, "--seed", "5", "--force")
    assert r.exit_code == 0, r.output
    assert (out / "notes.txt").read_text() == "mine" and json.loads((out / "manifest.json").read_text())["seed"] == 5
    foreign = tmp_path / "thesis"
    foreign.mkdir()
    (foreign / "thesis.tex").write_text("keep")
    r = _run(foreign)
    assert r.exit_code == 2 and "--force" in r.stderr
    r = _run(foreign, "--force")
    assert r.exit_code == 0 and (foreign / "thesis.tex").read_text() == "keep" and (foreign / "weekly.parquet").exists()
    clash = tmp_path / "clash"
    clash.mkdir()
    (clash / "weekly.parquet").write_text("not a table of ours")
    r = _run(clash, "--force")
    assert r.exit_code == 2 and "was not written by Makhovik" in r.stderr
    assert (clash / "weekly.parquet").read_text() == "not a table of ours" and sorted(p.name for p in clash.iterdir()) == \
        ["weekly.parquet"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clash", "o", "thesis"]  # no temporary folder left


def test_out_is_never_the_working_folder_home_or_above(tmp_path, monkeypatch):
    here = tmp_path / "work" / "sub"
    here.mkdir(parents=True)
    (here / "notes.md").write_text("keep")
    (tmp_path / "work" / "other.md").write_text("keep")
    monkeypatch.chdir(here)
    monkeypatch.setenv("HOME", str(tmp_path / "work"))
    for target in (".", "..", "~", str(here), "/"):
        r = runner.invoke(app, ["run", "--scale", "0.001", "--quiet", "--force", "--out", target])
        assert r.exit_code == 2 and len(_err_lines(r)) == 1 and "a folder of its own" in r.stderr, (target, r.output)
    assert (here / "notes.md").read_text() == "keep" and (tmp_path / "work" / "other.md").read_text() == "keep"


def test_stale_temporary_folders_of_killed_writes_are_cleaned(tmp_path):
    from makhovik.io import PARTIAL

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        for name, pid in (("dead", dead.pid), ("alive", alive.pid)):
            d = tmp_path / f".o.{name}"
            d.mkdir()
            (d / PARTIAL).write_text(f"{pid}\n")
        (tmp_path / ".o.mine").mkdir()  # no marker: not Makhovik's, never touched
        assert _run(tmp_path / "o").exit_code == 0
        assert sorted(p.name for p in tmp_path.iterdir()) == [".o.alive", ".o.mine", "o"]
    finally:
        alive.kill()
