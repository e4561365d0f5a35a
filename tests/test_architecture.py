"""docs/architecture.md holds: its picture names what the engine runs, in the engine's order; its excerpt of the
compiled week is the engine's code; its worked example of a new mechanism compiles and passes its own tests."""

from __future__ import annotations

import importlib
import inspect
import re
import sys
import typing
from pathlib import Path

import numba

import makhovik.engine as engine
from makhovik.mechanisms import alarm, centre, control, decline, flywheel, nkvd, pressure
from makhovik.state import State

DOC = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"
MODULES = {m.__name__.rsplit(".", 1)[1]: m for m in (alarm, centre, control, decline, flywheel, nkvd, pressure)}


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def _picture() -> str:
    return _blocks("")[0]


def test_the_pictures_compiled_week_is_the_engines_in_its_order():
    part = _picture().split("one compiled call")[1].split("── Python")[0]
    rows = re.findall(r"^\s+\d?\s+(\w+)\.(\w+)\s+(\w+)\.(\w+)", part, re.M)
    assert [(m, f) for m, f, _, _ in rows] == [("decline", "week"), ("flywheel", "arrests"), ("nkvd", "week"),
                                               ("flywheel", "interrogate"), ("alarm", "prosecutions")]
    for mod, fn, smod, struct in rows:
        assert callable(getattr(MODULES[mod], fn)) and isinstance(getattr(MODULES[smod], struct), type)
    # the run structures in the picture are the Machine's fields' types, in the Machine's order
    hints = typing.get_type_hints(engine.Machine, vars(engine), vars(engine))  # not the fields named like modules
    types = [hints[f] for f in engine.Machine._fields[:5]]
    assert [f"{s}.{t}" for _, _, s, t in rows] == [f"{t.__module__.rsplit('.', 1)[1]}.{t.__qualname__}" for t in types]
    # and the compiled week calls them in that order
    src = inspect.getsource(engine._machine_week)
    at = [src.index(f"{m}.{f}(") for m, f, _, _ in rows]
    assert at == sorted(at)


def test_the_excerpt_of_the_compiled_week_is_the_engines_code():
    excerpt = _blocks("python")[0]
    src = inspect.getsource(engine._machine_week)
    for line in excerpt.splitlines():
        if line.strip() and line.strip() != "...":
            assert line.strip() in src, line


def test_the_pictures_python_steps_exist():
    for mod, fn in re.findall(r"\b(alarm|pressure|centre|decline|control|nkvd)\.(\w+)\(", _picture()):
        assert callable(getattr(MODULES[mod], fn)), f"{mod}.{fn}"


def test_the_ownership_table_names_what_each_module_has():
    rows = [r for r in DOC.read_text(encoding="utf-8").splitlines() if re.match(r"\| `\w+` \|", r)]
    assert len(rows) == len(MODULES)
    for row in rows:
        mod = MODULES[re.match(r"\| `(\w+)`", row).group(1)]
        for name in re.findall(r"`(\w+)`", row)[1:]:
            assert hasattr(mod, name), f"{mod.__name__}.{name}"


def test_the_worked_example_mechanism_compiles_and_passes_its_tests(tmp_path, monkeypatch):
    blocks = {b.splitlines()[0].split(":")[0].lstrip("# "): b for b in _blocks("python") if b.startswith("# ")}
    (tmp_path / "procuracy.py").write_text(blocks["procuracy.py"])
    (tmp_path / "test_procuracy.py").write_text(blocks["test_procuracy.py"])
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("procuracy", "test_procuracy"):
        sys.modules.pop(name, None)
    tests = importlib.import_module("test_procuracy")
    ran = [name for name, fn in vars(tests).items() if name.startswith("test_") and (fn() or True)]
    assert ran == ["test_cases_held_long_enough_are_freed", "test_no_review_changes_nothing",
                   "test_the_released_share_is_binomial"]
    # the structures are read by name inside the compiled rule: it was compiled, not run as Python
    assert importlib.import_module("procuracy").week.signatures or numba.config.DISABLE_JIT
    # and the state the example's run() and week_inputs() read exists in the model
    assert callable(State.stopped)
    src = inspect.getsource(State)
    assert all(f"self.{f} = " in src for f in ("status", "arrest_week", "sentence", "sentence_week"))
