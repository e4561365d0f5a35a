"""The one place where seeds become random generators."""

from __future__ import annotations

import numpy as np

__all__ = ["check_random_state", "spawn"]


def check_random_state(seed=None) -> np.random.Generator:
    """Normalise ``None | int | SeedSequence | Generator`` into a ``numpy.random.Generator``.

    Examples
    --------
    >>> g = check_random_state(7)
    >>> g is check_random_state(g)
    True
    >>> int(check_random_state(7).integers(100)) == int(check_random_state(7).integers(100))
    True
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, int | np.integer | np.random.SeedSequence):
        ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        return np.random.Generator(np.random.PCG64(ss))
    raise TypeError(f"seed: expected None, an int, a SeedSequence or a Generator, got {type(seed).__name__}")


def spawn(seed: int | None, n: int) -> list[np.random.SeedSequence]:
    """Independent seed sequences for ``n`` replications of one seed."""
    return np.random.SeedSequence(seed).spawn(n)
