"""Drop numba's cached kernels when any source file of the package has changed.

numba caches each compiled function beside its source file and checks only that file's
time stamp when it loads it. A kernel that calls kernels of another module keeps its
compiled copy of them: after ``kernels.py`` changes (a ``git pull`` or an edit in an
editable install), ``engine.py``'s cached week would still run the old code. So the
package records a stamp of all its sources (names, sizes, modification times) beside the
cache, and on import clears every cached kernel when the stamp differs: the next run then
compiles afresh (about half a minute) instead of mixing versions.

Only the default cache beside the code (``__pycache__``) is managed; with
``NUMBA_CACHE_DIR`` set, or where the package directory is read-only, nothing is done.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

__all__ = ["clear_if_stale", "sources_stamp", "is_cold", "COMPILE_NOTE"]

ROOT = Path(__file__).parent
STAMP = ROOT / "__pycache__" / "numba-sources.stamp"


def sources_stamp(root: Path = ROOT) -> str:
    """A hash of the package's Python sources: relative names, sizes and modification times."""
    h = hashlib.sha1()
    for f in sorted(root.rglob("*.py")):
        st = f.stat()
        h.update(f"{f.relative_to(root)}:{st.st_size}:{st.st_mtime_ns};".encode())
    return h.hexdigest()


def clear_if_stale(root: Path = ROOT, stamp_file: Path = STAMP) -> bool:
    """Remove the cached kernels under ``root`` if its sources changed since the stamp was written.

    Returns whether anything was removed.
    """
    if os.environ.get("NUMBA_CACHE_DIR"):
        return False
    stamp = sources_stamp(root)
    try:
        if stamp_file.read_text() == stamp:
            return False
    except OSError:
        pass
    removed = False
    try:
        for f in list(root.rglob("__pycache__/*.nbi")) + list(root.rglob("__pycache__/*.nbc")):
            f.unlink(missing_ok=True)
            removed = True
        stamp_file.parent.mkdir(exist_ok=True)
        stamp_file.write_text(stamp)
    except OSError:  # a read-only install: numba cannot cache there either
        return removed
    return removed


#: What the command line says before a run that must compile the kernels first (measured: see README, Speed).
COMPILE_NOTE = ("compiling the model's kernels with numba, once after installing or upgrading (about 70 s on a "
                "2-core machine; later runs start in a second or two)")


def is_cold(root: Path = ROOT) -> bool:
    """Whether no compiled kernel is cached yet (a fresh install, or the sources changed): the next run compiles."""
    where = os.environ.get("NUMBA_CACHE_DIR")
    base = Path(where) if where else root
    try:
        return next(base.rglob("*.nbi"), None) is None
    except OSError:  # pragma: no cover - an unreadable cache folder: numba will compile
        return True
