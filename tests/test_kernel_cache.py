"""The guard against cached kernels of changed sources (numba checks only each function's own file)."""

import os

from makhovik._kernel_cache import clear_if_stale, sources_stamp


def _tree(tmp_path):
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "b.py").write_text("y = 2\n")
    kernels = [tmp_path / "__pycache__" / n for n in ("a.f-1.py311.nbi", "a.f-1.py311.1.nbc")]
    for k in kernels:
        k.write_bytes(b"compiled")
    return kernels


def test_cached_kernels_go_when_any_source_changes(tmp_path, monkeypatch):
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    kernels = _tree(tmp_path)
    stamp = tmp_path / "__pycache__" / "stamp"
    assert clear_if_stale(tmp_path, stamp)  # no stamp yet: whatever is cached is of unknown sources
    assert not any(k.exists() for k in kernels) and stamp.read_text() == sources_stamp(tmp_path)
    for k in kernels:
        k.write_bytes(b"compiled")
    assert not clear_if_stale(tmp_path, stamp)  # nothing changed: the cache stays
    assert all(k.exists() for k in kernels)
    b = tmp_path / "b.py"
    b.write_text("y = 3\n")  # another module than the kernels' own
    os.utime(b, ns=(b.stat().st_atime_ns, b.stat().st_mtime_ns + 10**9))
    assert clear_if_stale(tmp_path, stamp)
    assert not any(k.exists() for k in kernels)


def test_a_cache_dir_set_by_the_user_is_left_alone(tmp_path, monkeypatch):
    kernels = _tree(tmp_path)
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert not clear_if_stale(tmp_path, tmp_path / "__pycache__" / "stamp")
    assert all(k.exists() for k in kernels)
