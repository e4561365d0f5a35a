"""Run independent tasks on local processes, in order, with optional progress."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor

__all__ = ["map_local", "default_workers"]


def default_workers() -> int:
    """One worker per available core."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def map_local(fn: Callable, tasks: Iterable, workers: int | None = None,
              progress: Callable[[int, int], None] | None = None) -> list:
    """``[fn(t) for t in tasks]`` on ``workers`` processes (in this process when 1), results in task order."""
    tasks = list(tasks)
    workers = default_workers() if workers is None else workers
    out = []
    if workers <= 1 or len(tasks) <= 1:
        for i, t in enumerate(tasks):
            out.append(fn(t))
            if progress:
                progress(i + 1, len(tasks))
        return out
    with ProcessPoolExecutor(max_workers=min(workers, len(tasks))) as pool:
        for i, r in enumerate(pool.map(fn, tasks)):
            out.append(r)
            if progress:
                progress(i + 1, len(tasks))
    return out
