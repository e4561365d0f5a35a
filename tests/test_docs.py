"""Every example in the README and the docs runs, and does what its text says."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

import makhovik
from makhovik.cli import app

REPO = Path(__file__).resolve().parents[1]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
runner = CliRunner()


def _blocks(path: Path, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", path.read_text(encoding="utf-8"), re.S)


def _commands(block: str) -> list[str]:
    """The makhovik commands of a shell block (continuation lines joined, comments and env settings dropped)."""
    out = []
    for line in block.replace("\\\n", " ").splitlines():
        line = line.split("  #")[0].strip()
        words = shlex.split(line) if line else []
        while words and re.fullmatch(r"[A-Z_]+=\S*", words[0]):
            words = words[1:]
        if words and words[0] == "makhovik":
            out.append(shlex.join(words[1:]))
    return out


def test_the_readme_begins_with_the_two_commands():
    first = _blocks(REPO / "README.md", "bash")[0].strip().splitlines()
    assert len(first) == 2
    assert "pip install ." in first[0] and "makhovik run great-terror" in first[0]
    assert 'pip install ".[test]"' in first[1] and first[1].endswith(".venv/bin/pytest")  # non-editable, as CI
    assert "-e" not in first[1].split()


SHELL = [(p.name, c) for p in DOCS for b in _blocks(p, "bash") for c in _commands(b)]


@pytest.mark.parametrize(("doc", "command"), SHELL, ids=[f"{d}: {c[:60]}" for d, c in SHELL])
def test_every_documented_command_parses(doc, command):
    """Each command's options exist as written (checked by click with --help: nothing runs)."""
    r = runner.invoke(app, [*shlex.split(command), "--help"])
    assert r.exit_code == 0, r.output


def _console(path: Path) -> list[tuple[dict, str, list[str]]]:
    """(environment, command, expected stderr lines) of each ``$ makhovik`` line of the console blocks."""
    out = []
    for block in _blocks(path, "console"):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            cmd, *expected = chunk.strip("\n").splitlines()
            words = shlex.split(cmd)
            env = {}
            while re.fullmatch(r"[A-Z_]+=\S*", words[0]):
                k, v = words.pop(0).split("=", 1)
                env[k] = v
            out.append((env, shlex.join(words[1:]), expected))
    return out


CONSOLE = _console(REPO / "README.md")


@pytest.mark.parametrize(("env", "command", "expected"), CONSOLE, ids=[c[:60] for _, c, _ in CONSOLE])
def test_the_readme_shows_what_the_commands_print(monkeypatch, tmp_path, env, command, expected):
    monkeypatch.chdir(tmp_path)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    r = runner.invoke(app, shlex.split(command))
    lines = [x for x in r.stderr.splitlines() if x.strip() and not x.startswith("compiling the model's kernels")]
    assert lines == expected  # (the note on compiling shows only where the kernels' cache is empty)
    assert r.exit_code == (2 if expected[0].startswith("error") else 0)


def test_the_readme_python_example_runs():
    (code,) = _blocks(REPO / "README.md", "python")
    scope: dict = {}
    exec(compile(code, "README.md", "exec"), scope)  # noqa: S102 - the README's own example
    res = scope["res"]
    assert res.annual()["arrested"].sum() > 0 and len(res.events) > 0


def _scenarios_doc() -> tuple[str, str, str]:
    doc = REPO / "docs" / "scenarios.md"
    overlay = next(b for b in _blocks(doc, "yaml") if b.startswith("# my-hypothesis.yaml"))
    (shell,) = [b for b in _blocks(doc, "bash") if "my-hypothesis.yaml" in b]
    (code,) = _blocks(doc, "python")
    return overlay, shell, code


def test_the_documented_hypothesis_runs_and_does_what_the_text_says(tmp_path, monkeypatch):
    """docs/scenarios.md: its overlay runs with the command shown (at scale 0.01), passes the conformance check shown,
    merges key by key (setting the NKVD's punitive preference keeps every other faction's, rule 1), and does what it
    says: with the NKVD's preference raised and the centre's resistance lowered, the mass operations are decided
    before they are under the base scenario."""
    overlay, shell, code = _scenarios_doc()
    monkeypatch.chdir(tmp_path)
    Path("my-hypothesis.yaml").write_text(overlay)
    (command,) = _commands(shell)
    r = runner.invoke(app, [*shlex.split(command), "--scale", "0.01", "--quiet", "--no-figure"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "runs" / "nkvd" / "manifest.json").exists()
    exec(compile(code, "docs/scenarios.md", "exec"), {})  # noqa: S102 - asserts check_hypothesis(...) == []
    scn = makhovik.load_scenario("great-terror", hypothesis="my-hypothesis.yaml", scale=0.01)
    base = makhovik.load_scenario("great-terror", scale=0.01)
    punitive = scn.mechanisms.pressure.punitive
    assert punitive["nkvd"] == 1.0 and {k: v for k, v in punitive.items() if k != "nkvd"} == \
        {k: v for k, v in base.mechanisms.pressure.punitive.items() if k != "nkvd"}
    mine = [makhovik.simulate(scn, seed=s).event_date("mass_operations_decision") for s in (1, 2, 3)]
    theirs = [makhovik.simulate(base, seed=s).event_date("mass_operations_decision") for s in (1, 2, 3)]
    assert all(d is not None for d in mine) and max(mine) < min(d for d in theirs if d is not None)


def test_the_best_fit_example_in_the_evidence_doc_runs():
    (code,) = _blocks(REPO / "docs" / "evidence.md", "python")
    scope: dict = {}
    exec(compile(code, "docs/evidence.md", "exec"), scope)  # noqa: S102 - the doc's own example
    assert set(scope["fit"].parameters) == {"mechanisms.nkvd.routine_rate"} and scope["fit"].evaluations == 12
