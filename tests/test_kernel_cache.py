"""The guard against cached kernels of changed sources (numba checks only each function's own file)."""

import os
import shutil
from pathlib import Path

from makhovik._kernel_cache import ROOT, clear_if_stale, kernel_sources, sources_stamp


def _tree(tmp_path):
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "a.py").write_text("from numba import njit\nfrom .c import K\n\n\n@njit(cache=True)\ndef f(x):\n"
                                   "    return x + K\n")
    (tmp_path / "b.py").write_text("y = 2\n")  # no kernel reads it
    (tmp_path / "c.py").write_text("K = 1\n")  # a constant the kernel reads
    kernels = [tmp_path / "__pycache__" / n for n in ("a.f-5.py311.nbi", "a.f-5.py311.1.nbc")]
    for k in kernels:
        k.write_bytes(b"compiled")
    return kernels


def _edit(f: Path, text: str) -> None:
    f.write_text(text)
    os.utime(f, ns=(f.stat().st_atime_ns, f.stat().st_mtime_ns + 10**9))


def test_cached_kernels_go_when_a_source_they_read_changes(tmp_path, monkeypatch):
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    kernels = _tree(tmp_path)
    stamp = tmp_path / "__pycache__" / "stamp"
    assert kernel_sources(tmp_path) == [tmp_path / "a.py", tmp_path / "c.py"]
    assert clear_if_stale(tmp_path, stamp)  # no stamp yet: whatever is cached is of unknown sources
    assert not any(k.exists() for k in kernels) and stamp.read_text() == sources_stamp(tmp_path)
    for k in kernels:
        k.write_bytes(b"compiled")
    _edit(tmp_path / "b.py", "y = 3\n")  # a module no kernel reads: nothing to recompile
    os.utime(tmp_path / "a.py", ns=(0, 10**18))  # a new time stamp, the same contents (a fresh checkout)
    assert not clear_if_stale(tmp_path, stamp)
    assert all(k.exists() for k in kernels)
    _edit(tmp_path / "c.py", "K = 2\n")  # the constant compiled into the kernel
    assert clear_if_stale(tmp_path, stamp)
    assert not any(k.exists() for k in kernels)


def test_editing_a_module_without_kernels_recompiles_nothing(tmp_path):
    """On the package itself: the command line, the evidence and the loader are not in the stamp; the kernels, the
    state they update and the modules they import are."""
    pkg = tmp_path / "makhovik"
    shutil.copytree(ROOT, pkg, ignore=shutil.ignore_patterns("__pycache__"))
    names = {str(f.relative_to(pkg)) for f in kernel_sources(pkg)}
    assert {"kernels.py", "engine.py", "state.py", "mechanisms/nkvd.py", "world/ties.py"} <= names
    assert not names & {"cli.py", "claims.py", "io.py", "evidence/calibrate.py", "scenario/loader.py", "fuzz.py"}
    before = sources_stamp(pkg)
    for f in ("cli.py", "claims.py", "evidence/calibrate.py", "scenario/loader.py", "report/html.py"):
        _edit(pkg / f, (pkg / f).read_text() + "\n# edited\n")
    assert sources_stamp(pkg) == before
    _edit(pkg / "state.py", (pkg / "state.py").read_text() + "\n# edited\n")
    assert sources_stamp(pkg) != before


def test_a_cache_dir_set_by_the_user_is_left_alone(tmp_path, monkeypatch):
    kernels = _tree(tmp_path)
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert not clear_if_stale(tmp_path, tmp_path / "__pycache__" / "stamp")
    assert all(k.exists() for k in kernels)
