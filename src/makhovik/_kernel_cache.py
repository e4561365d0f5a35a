"""Drop numba's cached kernels when a source they were compiled from has changed.

numba caches each compiled function beside its source file and checks only that file's
time stamp when it loads it. A kernel that calls kernels of another module keeps its
compiled copy of them, and one that reads a module-level constant of another module keeps
the constant's value: after ``kernels.py`` (or a module of codes) changes, ``engine.py``'s
cached week would still run the old code. So the package records a stamp of the sources
kernels are compiled from, beside the cache, and on import clears every cached kernel when
the stamp differs; the next run then compiles afresh instead of mixing versions.

The stamp is a hash of the *contents* of the kernel modules (those defining ``@njit``
functions) and of every package module they import from, followed through the imports:
editing a module no kernel reads (the command line, the evidence, the report, the
scenario loader) recompiles nothing, and a fresh ``git checkout`` of the same sources
(new time stamps, same contents) keeps the cache.

Only the default cache beside the code (``__pycache__``) is managed; with
``NUMBA_CACHE_DIR`` set, or where the package directory is read-only, nothing is done.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

__all__ = ["clear_if_stale", "sources_stamp", "kernel_sources", "is_cold", "COMPILE_NOTE"]

ROOT = Path(__file__).parent
STAMP = ROOT / "__pycache__" / "numba-sources.stamp"
_KERNEL = re.compile(r"^\s*@(njit|numba\.njit|overload)\b|^\s*@structref\.register", re.M)
_FROM = re.compile(r"^\s*from\s+(\.+)([\w.]*)\s+import\s+\(?([\w\s,]+)\)?", re.M)


def _imports(f: Path, text: str, root: Path) -> set[Path]:
    """The package modules a module imports from (relative imports: ``from .x import y``, ``from . import a``)."""
    out = set()
    for dots, mod, names in _FROM.findall(text):
        base = f.parent
        for _ in range(len(dots) - 1):
            base = base.parent
        target = base.joinpath(*mod.split(".")) if mod else base
        for cand in (target.with_suffix(".py"), target / "__init__.py"):
            if cand.is_file():
                out.add(cand)
        for name in re.findall(r"\w+", names):  # ``from . import alarm``: a submodule
            sub = target / f"{name}.py"
            if sub.is_file():
                out.add(sub)
    return {p for p in out if root in p.parents}


def kernel_sources(root: Path = ROOT) -> list[Path]:
    """The modules defining kernels and every package module they import from, followed through the imports."""
    texts = {f: f.read_text(encoding="utf-8") for f in root.rglob("*.py")}
    todo = [f for f, t in texts.items() if _KERNEL.search(t)]
    seen = set(todo)
    while todo:
        f = todo.pop()
        for d in _imports(f, texts[f], root):
            if d not in seen and d in texts:
                seen.add(d)
                todo.append(d)
    return sorted(seen)


def sources_stamp(root: Path = ROOT) -> str:
    """A hash of the contents of :func:`kernel_sources` (with their paths in the package)."""
    h = hashlib.sha1()
    for f in kernel_sources(root):
        h.update(f"{f.relative_to(root)}\0".encode())
        h.update(f.read_bytes())
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
COMPILE_NOTE = ("compiling the model's kernels with numba, once after installing or upgrading (about 90 s on a "
                "2-core machine; later runs start in a second or two)")


def is_cold(root: Path = ROOT) -> bool:
    """Whether no compiled kernel is cached yet (a fresh install, or the sources changed): the next run compiles."""
    where = os.environ.get("NUMBA_CACHE_DIR")
    base = Path(where) if where else root
    try:
        return next(base.rglob("*.nbi"), None) is None
    except OSError:  # pragma: no cover - an unreadable cache folder: numba will compile
        return True
