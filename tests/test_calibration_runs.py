"""Calibration runs as a user runs them: reproducible for any number of workers, the same after a kill and --resume,
and refusing a resume that does not match what is stored."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import pandas as pd
import pytest
from typer.testing import CliRunner

from makhovik.cli import app

runner = CliRunner()


def _cmd(out, *extra, workers="1"):
    return [sys.executable, "-m", "makhovik.cli", "calibrate", "-H", "seed", "-H", "center", "--populations", "3",
            "--population-size", "10", "--scale", "0.001", "--workers", workers, "--seed", "11", "--out", str(out),
            *extra]


def _same(a, b) -> None:
    pd.testing.assert_frame_equal(pd.read_csv(a / "model_probabilities.csv"), pd.read_csv(b / "model_probabilities.csv"))
    assert json.loads((a / "calibration.json").read_text())["epsilons"] == \
        json.loads((b / "calibration.json").read_text())["epsilons"]
    for h in ("seed", "center"):
        pd.testing.assert_frame_equal(pd.read_parquet(a / f"posterior_{h}.parquet"),
                                      pd.read_parquet(b / f"posterior_{h}.parquet"))


def test_killed_and_resumed_equals_uninterrupted_and_workers_do_not_matter(tmp_path):
    import pyabc

    whole, killed, two = tmp_path / "whole", tmp_path / "killed", tmp_path / "two"
    subprocess.run(_cmd(whole), check=True, capture_output=True, timeout=600)
    p = subprocess.Popen(_cmd(killed), stderr=subprocess.PIPE, text=True)
    for line in p.stderr:
        if line.startswith("generation 1:"):  # the kill lands in generation 2
            p.send_signal(signal.SIGKILL)
            break
    p.wait(timeout=60)
    stored = pyabc.History("sqlite:///" + str((killed / "calibration.db").resolve())).n_populations
    assert stored == 2 and not (killed / "calibration.json").exists()
    r = subprocess.run(_cmd(killed, "--resume"), capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-1000:]
    assert "2 generations stored, 1 more" in r.stderr
    _same(whole, killed)
    subprocess.run(_cmd(two, workers="2"), check=True, capture_output=True, timeout=600)
    _same(whole, two)


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    out = tmp_path_factory.mktemp("cal") / "c"
    r = runner.invoke(app, ["calibrate", "-H", "seed", "-H", "center", "--populations", "1", "--population-size", "4",
                            "--scale", "0.001", "--workers", "1", "--out", str(out)])
    assert r.exit_code == 0, r.output
    return out


@pytest.mark.parametrize("args, says", [
    (["-H", "center", "-H", "seed"], "-H (the hypotheses, in order): it has seed, center, this command gives center, seed"),
    (["--seed", "5"], "--seed: it has 1937, this command gives 5"),
    (["--population-size", "8"], "--population-size: it has 4, this command gives 8"),
    (["--set", "mechanisms.nkvd.overfulfil=0.3"], "the scenarios"),
    (["--scale", "0.002"], "--scale: it has 0.001, this command gives 0.002"),
])
def test_a_resume_that_does_not_match_is_refused(stored, args, says):
    before = (stored / "calibration.db").read_bytes()
    r = runner.invoke(app, ["calibrate", "--populations", "2", "--workers", "1", "--out", str(stored), "--resume", *args])
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    assert r.exit_code == 2 and len(lines) == 1 and lines[0].startswith("error: --resume: expected the stored "
                                                                        "calibration's"), r.output
    assert says in lines[0]
    assert (stored / "calibration.db").read_bytes() == before


def test_a_resume_with_nothing_given_uses_the_stored_settings(stored):
    r = runner.invoke(app, ["calibrate", "--populations", "0", "--out", str(stored), "--resume"])
    assert r.exit_code == 0, r.output
    assert "1 generations stored, summarising them" in r.stderr and "seed, center" in r.stderr


def test_calibrate_checks_everything_before_it_starts(tmp_path):
    out = tmp_path / "c"
    r = runner.invoke(app, ["calibrate", "--populations", "1", "--population-size", "4", "--scale", "0.001",
                            "--set", "calibration.parameters={mechanisms.nkvd.overfulfil: [0.1, 0.2, 0.3]}",
                            "--out", str(out)])
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    assert r.exit_code == 2 and len(lines) == 1, r.output
    assert lines[0].startswith("error: calibration.parameters.mechanisms.nkvd.overfulfil: Tuple should have at most 2")
    assert not out.exists()
    (out / "x").mkdir(parents=True)
    r = runner.invoke(app, ["calibrate", "--populations", "1", "--out", str(out)])
    assert r.exit_code == 2 and "--force" in r.stderr and not (out / "calibration.db").exists()
    r = runner.invoke(app, ["calibrate", "--populations", "1", "--out", str(out), "--resume", "--force"])
    assert r.exit_code == 2 and "not both" in r.stderr


def test_hypotheses_from_files_in_other_folders_and_the_largest_seed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "hyp").mkdir()
    (tmp_path / "hyp" / "mine.yaml").write_text("hypothesis: {name: mine, summary: a test}\n")
    r = runner.invoke(app, ["calibrate", "-H", "seed", "-H", "hyp/mine.yaml", "--populations", "1",
                            "--population-size", "4", "--scale", "0.001", "--workers", "1", "--seed", str(2**32 - 1),
                            "--out", "cal"])
    assert r.exit_code == 0, r.output
    summary = json.loads((tmp_path / "cal" / "calibration.json").read_text())
    assert summary["hypotheses"] == ["seed", "mine"] and summary["seed"] == 2**32 - 1
    assert (tmp_path / "cal" / summary["posterior_files"]["mine"]).exists()
    r = runner.invoke(app, ["calibrate", "--populations", "1", "--population-size", "4", "--scale", "0.001",
                            "--workers", "1", "--out", "cal", "--force"])
    assert r.exit_code == 0, r.output
    assert json.loads((tmp_path / "cal" / "calibration.json").read_text())["hypotheses"] == ["seed", "center",
                                                                                             "interaction"]
    assert not (tmp_path / "cal" / "posterior_mine.parquet").exists()  # the earlier calibration's, replaced


def test_the_report_escapes_every_string_from_the_user(tmp_path, monkeypatch):
    """A hypothesis file named like a tag, with a name that is a script, never reaches the page as markup; a
    calibration.json edited by hand is refused, not rendered."""
    monkeypatch.chdir(tmp_path)
    evil = "<img src=x onerror=alert(1)>.yaml"
    (tmp_path / evil).write_text("hypothesis: {name: '<script>alert(1)</script>', summary: '<b>x</b>'}\n")
    r = runner.invoke(app, ["calibrate", "-H", "seed", "-H", evil, "--populations", "1", "--population-size", "4",
                            "--scale", "0.001", "--workers", "1", "--out", "cal"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["report", "cal", "--draws", "2", "--scale-runs", "0", "--workers", "1", "--quiet"])
    assert r.exit_code == 0, r.output
    page = (tmp_path / "cal" / "report" / "index.html").read_text()
    assert "<script" not in page and "<img src=x" not in page and "<b>x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    summary = json.loads((tmp_path / "cal" / "calibration.json").read_text())
    (tmp_path / "cal" / "calibration.json").write_text(json.dumps({**summary, "prior_width": "<script>x</script>"}))
    r = runner.invoke(app, ["report", "cal", "--draws", "2", "--scale-runs", "0", "--workers", "1", "--quiet"])
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    assert r.exit_code == 2 and len(lines) == 1 and "prior_width" in lines[0], r.output
    (tmp_path / "cal" / "calibration.json").write_text(json.dumps({**summary, "posterior_files": {"seed": "../x.parquet"}}))
    r = runner.invoke(app, ["report", "cal", "--draws", "2", "--scale-runs", "0", "--workers", "1", "--quiet"])
    assert r.exit_code == 2 and "posterior_*.parquet" in r.stderr
