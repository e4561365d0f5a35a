"""The one place where seeds become random generators."""

from __future__ import annotations

import numpy as np

from .errors import ScenarioError

__all__ = ["check_random_state", "spawn", "children"]


def _seed_sequence(seed) -> np.random.SeedSequence:
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if seed is None:
        return np.random.SeedSequence()
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise TypeError(f"seed: expected None, an int, a SeedSequence or a Generator, got {type(seed).__name__}")
    if seed < 0:
        raise ScenarioError("seed", f"expected a whole number >= 0, got {int(seed)}")
    return np.random.SeedSequence(int(seed))


def check_random_state(seed=None) -> np.random.Generator:
    """Normalise ``None | int | SeedSequence | Generator`` into a ``numpy.random.Generator``.

    A ``SeedSequence`` is used as it is, never spawned from: the caller's object is not changed.

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
    return np.random.Generator(np.random.PCG64(_seed_sequence(seed)))


def children(seed, n: int) -> list[np.random.SeedSequence]:
    """The ``n`` seed sequences ``SeedSequence.spawn(n)`` would give, without changing the caller's sequence.

    ``spawn`` counts the children it has made inside the parent, so calling it twice on one
    object gives different children: a function given the same seed twice would not give the
    same result. These are the children ``spawn`` would make next, worked out from the
    parent's state; the parent is left as it was.

    Examples
    --------
    >>> ss = np.random.SeedSequence(5)
    >>> a, b = children(ss, 2), children(ss, 2)
    >>> [x.spawn_key for x in a] == [x.spawn_key for x in b] == [(0,), (1,)], ss.n_children_spawned
    (True, 0)
    """
    ss = _seed_sequence(seed)
    k = ss.n_children_spawned
    return [np.random.SeedSequence(ss.entropy, spawn_key=(*ss.spawn_key, k + i), pool_size=ss.pool_size)
            for i in range(n)]


def spawn(seed: int | None, n: int) -> list[np.random.SeedSequence]:
    """Independent seed sequences for ``n`` replications of one seed."""
    return children(seed, n)
