"""Compiled kernels for the irregular work: walking the frontier's ties and moving block pointers.

Everything here is a pure function of its arguments (arrays in, arrays out, or arrays
updated in place where the docstring says so) and draws only from the
``numpy.random.Generator`` it is given, so a run keeps one generator from start to end.
The kernels are compiled by numba on first use and cached on disk.

- :func:`name_along_ties` — the cascade kernel (C14): every tie of every prisoner, of every
  type, is read once; a tie to a free agent of the same tier is a naming with the type's
  probability (:func:`name_neighbours`: one type).
- :func:`add_names` — file the namings: one unit of compromising material each; the newly
  named join the suspects.
- :func:`file_names` — the same for the namings of an interrogation, keeping the first namer.
- :func:`hazard_hits` — the weekly arrest draw over the named (suspects).
- :func:`split_draws` — draws without replacement from the blocks of each region (a
  multivariate hypergeometric split); :func:`deal_codes` — a region's sentences or causes,
  shuffled over its arrests; :func:`round_one` — unbiased rounding.
- :func:`take_slices` — arrests or sentences in a run of blocks: advance each block's
  pointer by ``k`` and write the slice of agents it passes over.
- :func:`arrest_free` — arrest the free among a list of cadre and keep the counters;
  :func:`sample_free`, :func:`draw_free` — distinct free agents drawn uniformly from a range
  (:func:`take_uniform`, the partial shuffle they and the sanction lists draw with);
  :func:`promote_agent` — a free agent into a post.
- :func:`csr_traverse` — the roofline: the least work that reads the same ties
  (``benchmarks/``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import config as numba_config
from numba import njit, types
from numba.experimental import structref
from numba.extending import overload, typeof_impl

__all__ = ["generator", "Pack", "Namings", "name_along_ties", "merge_ties", "name_neighbours", "add_names", "file_names", "hazard_hits", "split_draws", "deal_codes", "round_one", "below",
           "take_slices", "ArrestCols", "arrest_free", "sample_free", "draw_free", "take_uniform",
           "promote_agent", "csr_traverse"]

_GENERATOR = types.NumPyRandomGeneratorType("NumPyRandomGeneratorType")


@typeof_impl.register(np.random.Generator)
def _typeof_generator(val, c):
    """The numba type of every Generator is the same; numba builds it anew on each call (1.8 us), so kernels
    given a Generator (the world builder's, the cascade sub-model's) get it ready-made. The weekly kernels
    take the run's generator in a :class:`Pack`, which saves the rest of the cost."""
    return _GENERATOR


@structref.register
class _PackType(types.StructRef):
    def preprocess_fields(self, fields):
        return tuple((name, types.unliteral(t)) for name, t in fields)


class Pack(structref.StructRefProxy):
    """A tuple (of arrays, numbers, tuples) held by reference, for a kernel called again and again with it.

    Numba types and unboxes a tuple argument element by element on every call (about 10 us for
    the hundred-odd arrays of the engine's week); a pack, once made, in half a microsecond. The
    arrays are shared, not copied: changes in place are seen on both sides.

    A pack of one ``numpy.random.Generator`` is how the weekly kernels take the run's generator
    (``ctx.krng``; see :func:`generator`): given the Generator itself, numba looks up its bit
    generator's function pointers through ctypes on every call (about 5 us).

    Examples
    --------
    >>> import numpy as np
    >>> a = np.zeros(3)
    >>> p = Pack((a, 2.0))
    >>> a[0] = 1.0
    >>> float(p.items[0][0]), p.items[1]
    (1.0, 2.0)
    """

    def __new__(cls, items: tuple):
        return _pack(items)

    @property
    def items(self) -> tuple:
        return _pack_items(self)


structref.define_constructor(Pack, _PackType, ["items"])
structref.define_boxing(_PackType, Pack)
structref.define_attributes(_PackType)


@njit(cache=True)
def _pack(items):  # pragma: no cover - compiled
    return Pack(items)


@njit(cache=True)
def _pack_items(pack):  # pragma: no cover - compiled
    return pack.items


if numba_config.DISABLE_JIT:  # every kernel runs as Python (to step through the model): a pack is a plain holder

    class Pack:  # noqa: F811 - the pure-Python stand-in of the compiled pack above
        """A tuple held by reference (the same as the compiled :class:`Pack`, for ``NUMBA_DISABLE_JIT=1``)."""

        __slots__ = ("items",)

        def __init__(self, items: tuple):
            self.items = items


def generator(rng):
    """The Generator itself, given a Generator or a :class:`Pack` of one (in compiled code too).

    Kernels meant to take either call it on their argument first; both draw from the one state.

    Examples
    --------
    >>> import numpy as np
    >>> a, b = np.random.default_rng(5), np.random.default_rng(5)
    >>> packed = Pack((b,))
    >>> bool(round_one(0.5, a) == round_one(0.5, packed)), bool(a.random() == b.random())
    (True, True)
    >>> generator(packed) is b
    True
    """
    return rng.items[0] if isinstance(rng, Pack) else rng


@overload(generator)
def _generator_impl(rng):
    if isinstance(rng, _PackType):
        return lambda rng: rng.items[0]
    if isinstance(rng, types.NumPyRandomGeneratorType):
        return lambda rng: rng
    return None


@njit(cache=True, nogil=True)
def below(n, rng):  # pragma: no cover - compiled
    """A uniform integer in ``0 .. n - 1`` from one uniform double (bias below n / 2**53).

    About 2 ns against 35 for numba's ``Generator.integers``, which the kernels would otherwise
    call once for every agent they draw or shuffle.
    """
    return min(int(generator(rng).random() * n), n - 1)


_NAMINGS = 32  # hazard_hits keeps a table of probabilities for up to this many namings
_TABLED_RANKS = 64  # and for up to this many ranks
from .codes import DETAINED, FREE, Faction  # noqa: E402 - the codes compiled into the kernels

NKVD = int(Faction.NKVD)


class Namings(NamedTuple):
    """What one interrogation round along ties gives (:func:`name_along_ties`)."""

    src: np.ndarray  # the namer of each naming
    dst: np.ndarray  # the named
    typ: np.ndarray  # the tie type it went along
    up_src: np.ndarray  # pairs from a scaled tier into the whole (for the caller): the namer,
    up_dst: np.ndarray  # the whole agent named,
    up_typ: np.ndarray  # and the tie type
    read: int  # ties read (of the types that name)


@njit(cache=True, nogil=True)
def name_along_ties(indptr, indices, types, qs, rows, whole, status, rng):  # pragma: no cover - compiled
    """Namings by the prisoners ``rows`` along their ties of every type (:func:`merge_ties`: one CSR, each
    tie with its type in ``types``; None: every tie of type 0).

    For each tie (row, j) of a type *t* with ``qs[t] > 0``: if ``j`` is whole and the row is
    not (a naming from a scaled tier into the elite, handled by the caller), the pair goes to
    the second group of outputs; otherwise it is a naming with probability ``qs[t]`` if ``j``
    is free. Rows in order, each row's ties in order (type by type).

    Returns
    -------
    Namings
        The namings with their tie type, the pairs named from below with theirs, and the
        number of ties read (of the types that name).
    """
    total = 0
    for i in range(rows.size):
        total += indptr[rows[i] + 1] - indptr[rows[i]]
    src = np.empty(total, np.int64)
    dst = np.empty(total, np.int64)
    typ = np.empty(total, np.int8)
    usrc = np.empty(total, np.int64)
    udst = np.empty(total, np.int64)
    utyp = np.empty(total, np.int8)
    n = 0
    m = 0
    read = 0
    q, t = qs[0], 0  # one type (types is None): the same for every tie
    if types is None and q <= 0:
        return Namings(src[:0], dst[:0], typ[:0], usrc[:0], udst[:0], utyp[:0], 0)
    for i in range(rows.size):
        r = rows[i]
        wr = whole[r]
        for e in range(indptr[r], indptr[r + 1]):
            if types is not None:
                t = types[e]
                q = qs[t]
                if q <= 0:
                    continue
            read += 1
            j = indices[e]
            if not wr and whole[j]:  # a whole prisoner's ties need no lookup of the other end's tier
                usrc[m] = r
                udst[m] = j
                utyp[m] = t
                m += 1
            elif rng.random() < q and status[j] == FREE:  # the draw first: it is cheaper than a far read of status
                src[n] = r
                dst[n] = j
                typ[n] = t
                n += 1
    return Namings(src[:n], dst[:n], typ[:n], usrc[:m], udst[:m], utyp[:m], read)


def merge_ties(ties: dict, names) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All tie types in one CSR, ``(indptr, indices, types)``: row r's ties of each type of ``names`` in turn,
    each with the type's position in ``names``. A prisoner's ties are then read from one place in memory,
    not from one per type."""
    mats = [ties[t] for t in names]
    return _merge(tuple(np.asarray(m.indptr, np.int64) for m in mats), tuple(np.asarray(m.indices, np.int32) for m in mats))


@njit(cache=True, nogil=True)
def _merge(indptrs, indicess):  # pragma: no cover - compiled
    n = indptrs[0].size - 1
    indptr = np.zeros(n + 1, np.int64)
    for t in range(len(indptrs)):
        p = indptrs[t]
        for r in range(n):
            indptr[r + 1] += p[r + 1] - p[r]
    for r in range(n):
        indptr[r + 1] += indptr[r]
    indices = np.empty(indptr[n], np.int32)
    types = np.empty(indptr[n], np.int8)
    fill = indptr[:-1].copy()
    for t in range(len(indptrs)):
        p, x = indptrs[t], indicess[t]
        for r in range(n):
            k = fill[r]
            for e in range(p[r], p[r + 1]):
                indices[k] = x[e]
                types[k] = t
                k += 1
            fill[r] = k
    return indptr, indices, types


def name_neighbours(indptr, indices, rows, q, whole, status, rng):
    """:func:`name_along_ties` for one tie type (every ``typ`` 0): :class:`Namings`."""
    return name_along_ties(indptr, indices, None, np.array([float(q)]), rows, whole, status, rng)


@njit(cache=True, nogil=True)
def add_names(dst, times, kompromat, is_suspect):  # pragma: no cover - compiled
    """Add ``times[i]`` (or 1 where ``times`` is empty) to ``kompromat[dst[i]]``, in place.

    Returns the agents named for the first time (marked in ``is_suspect``), in order of naming.
    """
    new = np.empty(dst.size, np.int64)
    n = 0
    one = times.size == 0
    for i in range(dst.size):
        d = dst[i]
        kompromat[d] += 1.0 if one else times[i]
        if not is_suspect[d]:
            is_suspect[d] = True
            new[n] = d
            n += 1
    return new[:n]


@njit(cache=True, nogil=True)
def file_names(src, dst, status, named_by, kompromat, is_suspect):  # pragma: no cover - compiled
    """File the namings ``src[i]`` -> ``dst[i]`` of free agents, in place: each adds one unit of
    compromising material, and the first to name an agent is its namer (``named_by``).

    Returns the agents named for the first time (:func:`add_names`) and the namings filed.
    """
    keep = np.empty(dst.size, np.int64)
    n = 0
    for i in range(dst.size):
        d = dst[i]
        if status[d] != FREE:
            continue
        if named_by[d] < 0:
            named_by[d] = src[i]
        keep[n] = d
        n += 1
    return add_names(keep[:n], np.empty(0, np.float32), kompromat, is_suspect), n


@njit(cache=True, nogil=True)
def hazard_hits(suspects, kompromat, rank, immunity, per_name, status, rng):  # pragma: no cover - compiled
    """One week's arrest draw over the suspects.

    A free suspect with ``kompromat`` namings is arrested with probability
    ``1 - exp(-per_name * kompromat * (1 - immunity[rank]))``.

    Returns
    -------
    still_free, hit : ndarray, ndarray
        The suspects who are free at the start of the week (the list to keep), and those hit.
    """
    keep = np.empty(suspects.size, np.int64)
    hit = np.empty(suspects.size, np.int64)
    nk = 0
    nh = 0
    # the probability for each rank and whole number of namings, worked out once a call (most suspects share a
    # few); not where ``immunity`` is given per agent (``cascade_submodel``)
    tabled = immunity.size <= _TABLED_RANKS
    table = np.full((immunity.size if tabled else 0, _NAMINGS), np.nan)
    for i in range(suspects.size):
        s = suspects[i]
        if status[s] != FREE:
            continue
        keep[nk] = s
        nk += 1
        k, r = kompromat[s], rank[s]
        whole_number = tabled and k < _NAMINGS and k == int(k)
        p = table[r, int(k)] if whole_number else np.nan
        if p != p:
            p = -np.expm1(-(per_name * k * (1.0 - immunity[r])))
            if whole_number:
                table[r, int(k)] = p
        if rng.random() < p:
            hit[nh] = s
            nh += 1
    return keep[:nk], hit[:nh]


@njit(cache=True, nogil=True)
def split_draws(avail, ptr, k, rng):  # pragma: no cover - compiled
    """For each group ``r`` (entries ``ptr[r]:ptr[r + 1]`` of ``avail``), draw ``k[r]`` members without replacement.

    Exact (a multivariate hypergeometric split): members are drawn one by one, each block
    with probability proportional to what it still holds; when more than half are wanted,
    the members left behind are drawn instead. Returns the count taken from each block.
    """
    out = np.zeros_like(avail)
    for r in range(ptr.size - 1):
        lo, hi = ptr[r], ptr[r + 1]
        total = 0
        for j in range(lo, hi):
            total += avail[j]
        want = min(k[r], total)
        if want <= 0:
            continue
        keep_out = want > total // 2  # draw the complement
        n = total - want if keep_out else want
        got = np.zeros(hi - lo, avail.dtype)
        for _ in range(n):
            u = below(total, rng)
            j = 0
            while u >= avail[lo + j] - got[j]:
                u -= avail[lo + j] - got[j]
                j += 1
            got[j] += 1
            total -= 1
        for j in range(hi - lo):
            out[lo + j] = avail[lo + j] - got[j] if keep_out else got[j]
    return out


@njit(cache=True, nogil=True)
def deal_codes(counts, codes, rng):  # pragma: no cover - compiled
    """``counts[g, c]`` copies of ``codes[c]`` for every group ``g``, group after group, shuffled within each."""
    G, C = counts.shape
    total = 0
    for g in range(G):
        for c in range(C):
            total += max(counts[g, c], 0)
    out = np.empty(total, np.int8)
    pos = 0
    for g in range(G):
        start = pos
        for c in range(C):
            for _ in range(counts[g, c]):
                out[pos] = codes[c]
                pos += 1
        for i in range(pos - 1, start, -1):  # Fisher-Yates within the group
            j = start + below(i - start + 1, rng)
            out[i], out[j] = out[j], out[i]
    return out


@njit(cache=True, nogil=True)
def round_one(x, rng):  # pragma: no cover - compiled
    """Round a real to an integer, up with probability equal to the fraction (unbiased); negatives give 0."""
    if x <= 0.0:
        return 0
    base = np.floor(x)
    return int(base) + (1 if generator(rng).random() < x - base else 0)


@njit(cache=True, nogil=True)
def take_slices(ptr, blocks, ks, codes, status, new_status, week_col, week, code_col):  # pragma: no cover
    """Advance ``ptr[blocks[i]]`` by ``ks[i]`` and write the agents passed over, in place.

    The agents ``ptr[b] .. ptr[b] + k - 1`` of each block get ``status = new_status[code]``
    (or ``new_status[0]`` where ``new_status`` has one entry), ``week_col = week`` and
    ``code_col = code``, where the codes are consumed from ``codes`` in order (one entry:
    the same code for all). Returns the count written for each code value (0..7).
    """
    counts = np.zeros(8, np.int64)
    off = 0
    one_code = codes.size == 1
    one_status = new_status.size == 1
    for i in range(blocks.size):
        k = ks[i]
        if k <= 0:
            continue
        b = blocks[i]
        lo = ptr[b]
        for a in range(lo, lo + k):
            c = codes[0] if one_code else codes[off]
            off += 1
            status[a] = new_status[0] if one_status else new_status[c]
            week_col[a] = week
            code_col[a] = c
            counts[c] += 1
        ptr[b] = lo + k
    return counts


class ArrestCols(NamedTuple):
    """The columns and counters an arrest of cadre writes (:func:`arrest_free`); they change in place."""

    status: np.ndarray  # by agent
    arrest_week: np.ndarray
    cause: np.ndarray
    faction: np.ndarray
    rank: np.ndarray  # by cadre agent (promotions change it)
    expansion: np.ndarray  # persons an agent stands for
    region: np.ndarray
    org: np.ndarray
    free_fr: np.ndarray  # free persons by faction and rank
    free_count: np.ndarray  # free agents by faction
    nkvd_free: np.ndarray  # free NKVD officers by region, in persons
    org_lost: np.ndarray  # agents arrested by organisation
    cause_counts: np.ndarray  # persons arrested by cause


@njit(cache=True, nogil=True)
def arrest_free(idx, causes, week, cols):  # pragma: no cover - compiled
    """Arrest the free agents among ``idx`` this ``week``, in place; returns them in order of first listing.

    ``causes`` holds one code or one per entry (an agent listed twice is arrested for its first
    entry's cause). The agent columns of ``cols`` (:class:`ArrestCols`) are written and its counters
    kept: free persons and agents by faction, the free officers of the NKVD by region, the losses
    of each organisation, the persons arrested by cause.
    """
    status, arrest_week, cause_col, faction, rank = cols.status, cols.arrest_week, cols.cause, cols.faction, cols.rank
    expansion, region, org, free_fr, free_count = cols.expansion, cols.region, cols.org, cols.free_fr, cols.free_count
    nkvd_free, org_lost, cause_counts = cols.nkvd_free, cols.org_lost, cols.cause_counts
    out = np.empty(idx.size, np.int64)
    n = 0
    one = causes.size == 1
    for i in range(idx.size):
        a = idx[i]
        if status[a] != FREE:
            continue
        c = causes[0] if one else causes[i]
        status[a] = DETAINED
        arrest_week[a] = week
        cause_col[a] = c
        f = faction[a]
        free_fr[f, rank[a]] -= expansion[a]
        free_count[f] -= 1
        if f == NKVD and region[a] >= 0:
            nkvd_free[region[a]] -= expansion[a]
        org_lost[org[a]] += 1
        cause_counts[c] += expansion[a]
        out[n] = a
        n += 1
    return out[:n]


@njit(cache=True, nogil=True)
def sample_free(lo, hi, k, tries, status, rank, max_rank, rng):  # pragma: no cover - compiled
    """Up to ``k`` distinct free agents of rank <= ``max_rank`` among ``lo .. hi - 1``, from ``tries`` uniform draws."""
    out = np.empty(k, np.int64)
    n = 0
    for _ in range(tries):
        if n == k:
            break
        a = lo + below(hi - lo, rng)
        if status[a] != FREE or rank[a] > max_rank:
            continue
        dup = False
        for j in range(n):
            dup |= out[j] == a
        if not dup:
            out[n] = a
            n += 1
    return out[:n]


@njit(cache=True, nogil=True)
def draw_free(lo, hi, k, n_free, status, rank, max_rank, whole, whole_only, rng):  # pragma: no cover - compiled
    """Up to ``k`` distinct free agents of rank <= ``max_rank`` (and whole, with ``whole_only``) among
    ``lo .. hi - 1``, drawn uniformly; ``n_free`` is how many of the range are free.

    While a fifth or more of the range is free, draws positions at random (:func:`sample_free`,
    ``k / share x 1.5 + 10`` tries); otherwise, or with ``whole_only``, lists the eligible and
    takes ``min(k, eligible)`` of them without replacement.
    """
    if k <= 0 or hi <= lo or n_free <= 0:
        return np.empty(0, np.int64)
    frac = n_free / (hi - lo)
    if frac >= 0.2 and not whole_only:
        return sample_free(lo, hi, k, int(k / frac * 1.5) + 10, status, rank, max_rank, rng)
    pool = np.empty(hi - lo, np.int64)
    m = 0
    for a in range(lo, hi):
        if status[a] == FREE and rank[a] <= max_rank and (whole[a] or not whole_only):
            pool[m] = a
            m += 1
    return take_uniform(pool, m, k, rng).copy()


@njit(cache=True, nogil=True)
def take_uniform(pool, m, k, rng):  # pragma: no cover - compiled
    """``min(k, m)`` of ``pool[:m]`` drawn uniformly without replacement: a partial Fisher-Yates shuffle of
    ``pool`` in place, whose first entries are the draw (a view of them is returned)."""
    k = min(k, m)
    for i in range(k):
        j = i + below(m - i, rng)
        pool[i], pool[j] = pool[j], pool[i]
    return pool[:k]


@njit(cache=True, nogil=True)
def promote_agent(agent, new_rank, faction, free_fr, expansion, whole, rank):  # pragma: no cover - compiled
    """Move a free cadre agent to ``new_rank``, in place; it becomes an individual (expansion 1).

    One person moves; the other (expansion - 1) persons a scaled agent stood for stay at the
    old rank without an agent of their own, so power is continuous at every scale.
    """
    f = faction[agent]
    free_fr[f, rank[agent]] -= 1.0
    free_fr[f, new_rank] += 1.0
    expansion[agent] = 1.0
    whole[agent] = True
    rank[agent] = new_rank


@njit(cache=True, nogil=True)
def csr_traverse(indptr, indices, rows):  # pragma: no cover - compiled
    """Read every tie of ``rows`` once and fold the neighbours into a checksum (the roofline)."""
    acc = 0
    for i in range(rows.size):
        r = rows[i]
        for e in range(indptr[r], indptr[r + 1]):
            acc += indices[e]
    return acc
