"""Ties as one symmetric CSR matrix per tie type, built with array operations only."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numba import njit

from ..kernels import below

__all__ = [
    "to_csr",
    "expansion_pairs",
    "patronage_edges",
    "clique_csr",
    "random_pairs",
    "dense_pairs",
]


def to_csr(i: np.ndarray, j: np.ndarray, n: int) -> sp.csr_array:
    """Symmetric 0/1 CSR matrix from an edge list (self-loops dropped, duplicates merged).

    Examples
    --------
    >>> m = to_csr(np.array([0, 1, 1]), np.array([1, 2, 2]), 3)
    >>> m.toarray().tolist()
    [[0, 1, 0], [1, 0, 1], [0, 1, 0]]
    """
    indptr, indices = _edges_csr(np.asarray(i, dtype=np.int64), np.asarray(j, dtype=np.int64), int(n))
    return _csr(indptr, indices, n)


@njit(cache=True, nogil=True)
def _edges_csr(i, j, n):  # pragma: no cover - compiled
    """CSR arrays of the symmetric matrix of edges ``i[e]-j[e]``: rows sorted, duplicates and self-loops dropped."""
    indptr = np.zeros(n + 1, np.int64)
    for e in range(i.size):
        if i[e] != j[e]:
            indptr[i[e] + 1] += 1
            indptr[j[e] + 1] += 1
    for r in range(n):
        indptr[r + 1] += indptr[r]
    fill = indptr[:-1].copy()
    indices = np.empty(indptr[n], np.int32)
    for e in range(i.size):
        a, b = i[e], j[e]
        if a != b:
            indices[fill[a]] = b
            fill[a] += 1
            indices[fill[b]] = a
            fill[b] += 1
    k = 0  # compact in place: row r is written at k <= where it is read
    for r in range(n):
        lo, hi = indptr[r], indptr[r + 1]
        indptr[r] = k
        if hi - lo > 1:
            _sort_small(indices[lo:hi])
        for e in range(lo, hi):
            if e == lo or indices[e] != indices[e - 1]:
                indices[k] = indices[e]
                k += 1
    indptr[n] = k
    return indptr, indices[:k].copy()


def patronage_edges(org: np.ndarray, rank: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Patronage trees: each agent is the client of a random agent of the next rank up in its organisation.

    Where an organisation has no one at the next rank, the patron comes from the nearest
    rank above that is filled. The organisation's top rank has no patron.
    """
    org = np.asarray(org, dtype=np.int64)
    rank = np.asarray(rank, dtype=np.int64)
    if not (org >= 0).any():
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return _patrons(org, rank, int(org.max()) + 1, int(rank.max()) + 1, rng)


@njit(cache=True, nogil=True)
def _patrons(org, rank, n_org, n_rank, rng):  # pragma: no cover - compiled
    """:func:`patronage_edges`: clients in agent order, each with a patron drawn uniformly (one draw each)."""
    idx = np.flatnonzero(org >= 0)
    key = np.full(org.size, -1, np.int64)
    key[idx] = org[idx] * n_rank + rank[idx]
    order = idx[group_order(key[idx], n_org * n_rank, False, rng)]  # by (org, rank), in agent order within
    starts = np.zeros(n_org * n_rank + 1, np.int64)  # members of (org, rank) k are order[starts[k]:starts[k + 1]]
    starts[1:] = np.cumsum(np.bincount(key[idx], minlength=n_org * n_rank))
    # nearest filled rank strictly above, per (org, rank); -1 where none
    nxt = np.full(n_org * n_rank, -1, np.int64)
    for o in range(n_org):
        running = -1
        for k in range(n_rank - 1, -1, -1):
            nxt[o * n_rank + k] = running
            if starts[o * n_rank + k + 1] > starts[o * n_rank + k]:
                running = k
    clients = np.empty(org.size, np.int64)
    patrons = np.empty(org.size, np.int64)
    n = 0
    for a in range(org.size):
        if key[a] < 0:
            continue
        pr = nxt[key[a]]
        if pr < 0:
            continue
        k = org[a] * n_rank + pr
        clients[n] = a
        patrons[n] = order[starts[k] + int(np.floor(rng.random() * (starts[k + 1] - starts[k])))]
        n += 1
    return clients[:n], patrons[:n]


def clique_csr(group: np.ndarray, size: int, rng: np.random.Generator, n: int | None = None) -> sp.csr_array:
    """Workplace cliques as a symmetric CSR matrix: agents of one group in random cliques of ``size``.

    Agents are shuffled within their group (organisation x rank band) and cut into runs of
    ``size`` (the last run of a group may be smaller); everyone in a run is tied to
    everyone else in it. Agents with a negative group take no part. The matrix is written
    row by row (each row is its clique less itself), never as an edge list, so a world
    with tens of millions of workplace ties builds in a fraction of a second.

    Examples
    --------
    >>> m = clique_csr(np.array([0, 0, 0, 1, 1, -1]), 3, np.random.default_rng(0))
    >>> m.toarray().tolist()
    [[0, 1, 1, 0, 0, 0], [1, 0, 1, 0, 0, 0], [1, 1, 0, 0, 0, 0], [0, 0, 0, 0, 1, 0], [0, 0, 0, 1, 0, 0], [0, 0, 0, 0, 0, 0]]
    """
    group = np.asarray(group, dtype=np.int64)
    n = group.size if n is None else int(n)
    if size < 2 or np.count_nonzero(group >= 0) < 2:
        return _csr(np.zeros(n + 1, np.int64), np.empty(0, np.int32), n)
    return _csr(*_cliques(group, int(size), int(group.max()) + 1, n, rng), n)


@njit(cache=True, nogil=True)
def _cliques(group, size, n_groups, n, rng):  # pragma: no cover - compiled
    """CSR arrays of :func:`clique_csr`: shuffle within groups, cut into runs of ``size``, tie each run."""
    idx = np.flatnonzero(group >= 0)
    order = group_order(group[idx], n_groups, True, rng)
    agents = idx[order]  # by group, random within a group
    bounds = np.empty(agents.size + 1, np.int64)  # where each clique starts in ``agents``
    nb = 0
    run = 0
    for i in range(agents.size):
        if i == 0 or group[agents[i]] != group[agents[i - 1]] or run == size:
            bounds[nb] = i
            nb += 1
            run = 0
        run += 1
    bounds[nb] = agents.size
    bounds = bounds[: nb + 1]
    indptr = np.zeros(n + 1, np.int64)
    for c in range(nb):
        for i in range(bounds[c], bounds[c + 1]):
            indptr[agents[i] + 1] = bounds[c + 1] - bounds[c] - 1
    for r in range(n):
        indptr[r + 1] += indptr[r]
    indices = np.empty(indptr[n], np.int32)
    _fill_cliques(agents, bounds, indptr, indices)
    return indptr, indices


@njit(cache=True, nogil=True)
def group_order(key, n_keys, shuffle, rng):  # pragma: no cover - compiled
    """Positions of ``key`` (values ``0 .. n_keys - 1``) grouped by key in increasing order: a counting sort,
    stable, or in random order within each group with ``shuffle``."""
    start = np.zeros(n_keys + 1, np.int64)
    for v in key:
        start[v + 1] += 1
    for k in range(n_keys):
        start[k + 1] += start[k]
    fill = start[:-1].copy()
    out = np.empty(key.size, np.int64)
    for i in range(key.size):
        out[fill[key[i]]] = i
        fill[key[i]] += 1
    if shuffle:
        for k in range(n_keys):
            lo = start[k]
            for i in range(start[k + 1] - 1, lo, -1):  # Fisher-Yates within the group
                j = lo + below(i - lo + 1, rng)
                out[i], out[j] = out[j], out[i]
    return out


def _csr(indptr: np.ndarray, indices: np.ndarray, n: int) -> sp.csr_array:
    """A 0/1 CSR matrix on the given arrays as they are (scipy's constructor would copy int32 indices to int64)."""
    m = sp.csr_array((n, n), dtype=np.int8)
    m.indptr, m.indices, m.data = indptr, indices, np.ones(indices.size, np.int8)
    return m


@njit(cache=True, nogil=True)
def _sort_small(a):  # pragma: no cover - compiled
    """Sort in place: insertion sort for the few entries of most rows (numba's sort costs ~0.15 us to enter)."""
    if a.size > 16:
        a.sort()
        return
    for x in range(1, a.size):
        v = a[x]
        y = x - 1
        while y >= 0 and a[y] > v:
            a[y + 1] = a[y]
            y -= 1
        a[y + 1] = v


@njit(cache=True, nogil=True)
def _fill_cliques(agents, bounds, indptr, indices):  # pragma: no cover - compiled
    """Write each clique member's row: the clique's other members, in increasing order."""
    width = 0
    for c in range(bounds.size - 1):
        width = max(width, bounds[c + 1] - bounds[c])
    buf = np.empty(width, agents.dtype)
    for c in range(bounds.size - 1):
        lo, hi = bounds[c], bounds[c + 1]
        members = buf[: hi - lo]
        members[:] = agents[lo:hi]
        _sort_small(members)
        for a in members:
            k = indptr[a]
            for b in members:
                if b != a:
                    indices[k] = b
                    k += 1


def expansion_pairs(
    left: np.ndarray, right: np.ndarray, n_true: float, expansion: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``n_true`` person-level ties between two sets, represented among agents of mixed tiers.

    An agent stands for ``expansion`` persons (1 in a whole tier, 1/scale in a scaled one).
    A person-level tie joins persons drawn uniformly from each set, and it is represented by
    a tie between their agents with probability ``1 / max(expansion)`` of its ends. Then an
    agent's number of ties to whole-tier agents, and the persons it reaches in scaled tiers,
    are the same at every scale: a network among the elite kept whole neither thickens nor
    thins as ``--scale`` moves. The represented ties of each class (whole-whole,
    whole-scaled, scaled-whole, scaled-scaled) are counted first and only they are drawn.
    With ``left is right`` the ties are within one set.
    """
    left = np.asarray(left, dtype=np.int64)
    right = np.asarray(right, dtype=np.int64)
    if left.size == 0 or right.size == 0 or n_true <= 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    lw, ls = left[expansion[left] <= 1.0], left[expansion[left] > 1.0]
    rw, rs = right[expansion[right] <= 1.0], right[expansion[right] > 1.0]
    pl = float(expansion[lw].sum() if lw.size else 0.0) / float(expansion[left].sum())
    pr = float(expansion[rw].sum() if rw.size else 0.0) / float(expansion[right].sum())
    src, dst = [], []
    for a, b, pa, pb in ((lw, rw, pl, pr), (lw, rs, pl, 1 - pr), (ls, rw, 1 - pl, pr), (ls, rs, 1 - pl, 1 - pr)):
        if a.size == 0 or b.size == 0:
            continue
        keep = 1.0 / max(float(expansion[a[0]]), float(expansion[b[0]]))
        k = rng.poisson(n_true * pa * pb * keep)
        src.append(a[rng.integers(0, a.size, k)])
        dst.append(b[rng.integers(0, b.size, k)])
    if not src:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(src), np.concatenate(dst)


def dense_pairs(members: np.ndarray, density: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Each unordered pair of ``members`` tied with probability ``density`` (one entry per pair: to_csr makes
    it symmetric).

    Examples
    --------
    >>> a, b = dense_pairs(np.arange(4), 1.0, np.random.default_rng(0))
    >>> sorted(zip(a.tolist(), b.tolist()))
    [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]
    """
    members = np.asarray(members, dtype=np.int64)
    i, j = np.triu_indices(members.size, k=1)
    keep = rng.random(i.size) < density
    return members[i[keep]], members[j[keep]]


def random_pairs(members: np.ndarray, mean_degree: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Erdős–Rényi-like ties among ``members`` with the given mean degree."""
    members = np.asarray(members, dtype=np.int64)
    m = int(round(members.size * mean_degree / 2))
    if members.size < 2 or m <= 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    a = rng.integers(0, members.size, m)
    b = rng.integers(0, members.size, m)
    return members[a], members[b]
