"""The flywheel (C13, C14, C17): interrogations name associates along ties; named agents' arrest hazard rises.

- C13: the military purge spreads to party cadre along ``cross_faction`` ties (senior
  commanders to regional cadre) once the Tukhachevsky group is arrested.
- C14: every arrested cadre is interrogated the week of the arrest and names each
  neighbour along a tie of type *t* with probability ``flywheel.naming[t]`` x intensity.
  Each naming adds one unit of compromising material; a named free agent's weekly arrest
  hazard is ``1 - exp(-hazard_per_name x names x intensity x (1 - immunity[rank]))``.
  The realised reproduction number R_eff (arrests caused per arrested cadre, by the week
  of the naming agent's arrest) is an output.
- C17: cascade arrests are uncontrolled by construction (cause ``cascade``).
- Each week a free suspect's file is shelved with probability ``flywheel.shelve_rate``: his
  namings stop counting until he is named again (the January 1938 plenum on "errors in
  expulsions"; 77,000 reinstated in the party in 1938). Without it a naming is for ever.

Targeted arrests seed the cascade: sanctioned by the centre (``centre.sanction``) or
initiated by the regionals against the factions they are hostile to (C6, C7).

Intensity is ``precampaign_intensity`` before the mass-operations decision,
``campaign_intensity`` during the campaign and ``post_stop_intensity`` once the stop bites.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numba import njit

from ..codes import FREE, N_CADRE_FACTIONS, RANKS, TIE_TYPES, Cause, Faction, Rank, TieType
from ..kernels import (
    ArrestCols,
    add_names,
    arrest_free,
    draw_free,
    file_names,
    hazard_hits,
    merge_ties,
    name_along_ties,
    take_uniform,
)
from ..world.ties import group_order
from . import centre, nkvd

__all__ = ["CLAIMS", "intensity", "Run", "Week", "run", "week_inputs", "arrests", "hazards", "within_capacity",
           "sanctioned", "shelve", "Interrogation", "interrogation", "interrogate", "naming", "reproduction",
           "cascade_submodel", "CascadeRun"]

CLAIMS = ("C13", "C14", "C17")
REGIONALS, CENTER = int(Faction.REGIONALS), int(Faction.CENTER)
CADRE = N_CADRE_FACTIONS
ORDERED, REGIONAL_CAUSE, CASCADE_CAUSE = int(Cause.ORDERED), int(Cause.REGIONAL), int(Cause.CASCADE)
TOP_RANK = len(RANKS) - 1
NO_RANK = 1 << 30  # a gate no rank reaches
_NO_TIMES = np.empty(0, np.float32)


def intensity(ctx) -> float:
    """Interrogation intensity of this week's phase."""
    st, f = ctx.state, ctx.params.flywheel
    if st.stopped():
        return f.post_stop_intensity
    if st.happened("decision"):
        return f.campaign_intensity
    return f.precampaign_intensity


@njit(cache=True, nogil=True)
def _listed(lo, hi, min_rank, h, status, rank, rng):  # pragma: no cover - compiled
    """A list of the centre's sanction: Poisson(``h`` x eligible) free agents of rank >= ``min_rank`` among
    ``lo .. hi - 1``, drawn uniformly without replacement."""
    pool = np.empty(hi - lo, np.int64)
    m = 0
    for a in range(lo, hi):
        if status[a] == FREE and rank[a] >= min_rank:
            pool[m] = a
            m += 1
    return take_uniform(pool, m, rng.poisson(min(h, 1.0) * m) if m else 0, rng)


@njit(cache=True, nogil=True)
def _targets(h, min_rank, free_count, lo, hi, status, rank, immunity, region, whole, rng):  # pragma: no cover
    """This week's targeted arrests: the centre's sanction lists (``c = 0``; :func:`_listed`, the senior cadre of
    rank >= ``min_rank`` only) then arrests on regional initiative (``c = 1``: Poisson(``h[1, g]`` x free members)
    free agents of faction ``g`` drawn uniformly, :func:`~makhovik.kernels.draw_free`, in the regions only); each
    thinned by the immunity of its rank (C4). Returns the agents and their causes, in that order.
    """
    G = lo.size
    lists = []
    n_all = 0
    for g in range(G):
        got = _listed(lo[g], hi[g], min_rank, h[0, g], status, rank, rng) if h[0, g] > 0 else np.empty(0, np.int64)
        lists.append(got)
        n_all += got.size
    k = np.zeros(G, np.int64)
    for g in range(G):
        if h[1, g] > 0 and free_count[g] > 0:
            k[g] = rng.poisson(min(h[1, g], 1.0) * free_count[g])
    idx = np.empty(n_all + k.sum(), np.int64)
    causes = np.empty(idx.size, np.int8)
    n = 0
    for g in range(G):
        for a in lists[g]:
            if rng.random() < immunity[rank[a]]:
                continue
            idx[n] = a
            causes[n] = ORDERED
            n += 1
    for g in range(G):
        if k[g] == 0:
            continue
        for a in draw_free(lo[g], hi[g], k[g], free_count[g], status, rank, TOP_RANK, whole, False, rng):
            if rng.random() < immunity[rank[a]] or region[a] < 0:
                continue
            idx[n] = a
            causes[n] = REGIONAL_CAUSE
            n += 1
    return idx[:n], causes[:n]


@njit(cache=True, nogil=True)
def within_capacity(cand, left, region, expansion, scale, rng):  # pragma: no cover - compiled
    """Which candidates for arrest the NKVD has the capacity to take this week, in order; ``left`` (by region, in
    simulated mass agents: a person is ``scale`` of one) is what remains and is drawn down in place.

    A cadre agent of a region costs its persons (``expansion``) x ``scale`` of its region's capacity; one of the
    central apparatus (region < 0) costs as much of every region's, in proportion to what each has left. Where less
    is left than the cost, the arrest is made with probability left / cost (the last, fractional place).

    Examples
    --------
    >>> import numpy as np
    >>> left = np.array([2.0, 0.0])
    >>> got = within_capacity(np.array([0, 1, 2, 3]), left, np.array([0, 0, 1, -1]), np.ones(4), 1.0,
    ...                       np.random.default_rng(0))
    >>> got.tolist(), left.tolist()
    ([True, True, False, False], [0.0, 0.0])
    """
    ok = np.zeros(cand.size, np.bool_)
    total = left.sum()
    for i in range(cand.size):
        a = cand[i]
        cost = expansion[a] * scale
        r = region[a]
        have = left[r] if r >= 0 else total
        if have <= 0 or (have < cost and rng.random() >= have / cost):
            continue
        if r >= 0:
            left[r] = max(left[r] - cost, 0.0)
            total = max(total - min(cost, have), 0.0)
        else:
            f = max(1.0 - cost / have, 0.0)
            for q in range(left.size):
                left[q] *= f
            total *= f
        ok[i] = True
    return ok


class Run(NamedTuple):
    """The arrays and rules of the flywheel's arrests that stay the same all run (:func:`run`; arrays change in place)."""

    free_count: np.ndarray  # free agents of each cadre faction
    lo: np.ndarray  # each cadre faction's range of agents
    hi: np.ndarray
    region: np.ndarray
    whole: np.ndarray
    kompromat: np.ndarray  # the namings each cadre agent has against it
    is_suspect: np.ndarray  # whether it is on the suspects' list
    immunity: np.ndarray  # by rank
    cols: ArrestCols
    hostile: np.ndarray  # the regionals' hostility toward each faction
    scale: float  # a person is this much of a simulated mass agent: the unit of the NKVD's capacity
    guard: np.ndarray  # the top regionals the centre removes from their posts before an arrest (decline)


class Week(NamedTuple):
    """This week's part of the flywheel's arrests (:func:`week_inputs`)."""

    intensity: float
    sanction: centre.Sanction
    regional: float  # regional_rate x the regionals' zeal
    per_name: float  # the cascade's hazard per naming, times the intensity
    gate_rank: int  # the lowest rank a cascade or regional arrest of which waits for the centre's list (elite_sanction)
    list_week: bool  # whether the centre signs a list this week
    approval: float  # the probability it puts a named or targeted cadre at the gate's ranks on it
    own: float  # the same for a member of its own group (centre.list_own)
    shelve: float  # the weekly probability a free suspect's file is shelved


def run(ctx) -> Run:
    """The flywheel's :class:`Run`, made once a run."""
    st, w = ctx.state, ctx.world
    if ctx.params.decline.remove_before_list:
        st.guard[ctx.index.top_regionals] = True
    return Run(st.free_count[:CADRE], w.faction_start[:CADRE], w.faction_end[:CADRE], w.region, st.whole, st.kompromat,
               st.is_suspect, st.immunity, st.arrest_cols, ctx.index.hostility[REGIONALS].copy(), float(w.scale),
               st.guard)


def week_inputs(ctx, pr, inten: float) -> Week:
    """This week's :class:`Week`: the targeted arrests are sanctioned by the centre or on regional initiative; the
    cascade arrests the named with a hazard that rises with the times they were named."""
    c = ctx.params.centre
    gate = {"follows": NO_RANK, "lists": ctx.params.nkvd.list_min_rank, "both": int(Rank.TOP)}[c.elite_sanction]
    return Week(inten, centre.sanction_args(ctx, pr), c.regional_rate * pr.regional_zeal,
                ctx.params.flywheel.hazard_per_name * inten, gate, nkvd.list_weeks(ctx) > 0, c.list_approval,
                c.list_own, ctx.params.flywheel.shelve_rate)


@njit(cache=True, nogil=True)
def sanctioned(cand, causes, rank, faction, wk, rng):  # pragma: no cover - compiled
    """Which of the week's cascade and regional candidates for arrest may be taken (C8, C12; DESIGN's "elite
    arrests" row): those below ``wk.gate_rank`` always; those at or above it only in a list week, each put on the
    centre's list with probability ``wk.approval``, or ``wk.own`` for a member of the centre's own group (the others
    stay suspects, for a later list). The centre's own list names (cause ``ordered``) pass.

    Examples
    --------
    A member, a senior cadre named in the cascade and one on the centre's own list, at a gate at the senior rank; in a
    week without a list, then in a list week where the centre approves every name:

    >>> import numpy as np
    >>> from typing import NamedTuple
    >>> class Gate(NamedTuple):
    ...     gate_rank: int
    ...     list_week: bool
    ...     approval: float
    ...     own: float
    >>> rank, causes = np.array([1, 3, 4]), np.array([CASCADE_CAUSE, CASCADE_CAUSE, ORDERED], np.int8)
    >>> faction = np.full(3, int(Faction.REGIONALS))
    >>> rng = np.random.default_rng(0)
    >>> sanctioned(np.arange(3), causes, rank, faction, Gate(3, False, 1.0, 0.0), rng).tolist()
    [True, False, True]
    >>> sanctioned(np.arange(3), causes, rank, faction, Gate(3, True, 1.0, 0.0), rng).tolist()
    [True, True, True]

    The same senior cadre of the centre's own group, with ``own`` 0, stays off the list:

    >>> sanctioned(np.arange(3), causes, rank, np.full(3, int(Faction.CENTER)), Gate(3, True, 1.0, 0.0), rng).tolist()
    [True, False, True]
    """
    ok = np.ones(cand.size, np.bool_)
    for i in range(cand.size):
        if causes[i] != ORDERED and rank[cand[i]] >= wk.gate_rank:
            p = wk.own if faction[cand[i]] == CENTER else wk.approval
            ok[i] = wk.list_week and rng.random() < p
    return ok


@njit(cache=True, nogil=True)
def arrests(run, wk, week, suspects, left, rng):  # pragma: no cover - compiled
    """The week's arrests of cadre by the flywheel: targeted (:func:`_targets`) at the hazards of :func:`hazards`,
    then the cascade draw over the named (:func:`~makhovik.kernels.hazard_hits`), each within what is ``left`` of
    the NKVD's capacity by region (:func:`within_capacity`, drawn down in place; the named it cannot take stay
    suspects). One arrest for the week: an agent drawn twice counts for the centre's sanction. A guarded top regional
    (``run.guard``: in post, under ``decline.remove_before_list``) whom the week would arrest is not arrested but
    returned, for the centre to remove from his posts first. Returns both arrested lists, the suspects to keep and
    the guarded to remove."""
    c = run.cols
    h = hazards(wk, run.hostile)
    idx, causes = _targets(h, wk.sanction.min_rank, run.free_count, run.lo, run.hi, c.status, c.rank, run.immunity,
                           run.region, run.whole, rng)
    on_list = sanctioned(idx, causes, c.rank, c.faction, wk, rng)
    idx, causes = idx[on_list], causes[on_list]
    moved = idx[run.guard[idx]]  # the centre removes a guarded top regional first (decline.remove_before_list)
    idx, causes = idx[~run.guard[idx]], causes[~run.guard[idx]]
    ok = within_capacity(idx, left, c.region, c.expansion, run.scale, rng)
    targeted = arrest_free(idx[ok], causes[ok], week, c)
    keep, hit = hazard_hits(suspects, run.kompromat, c.rank, run.immunity, wk.per_name, c.status, rng)
    hit = hit[sanctioned(hit, np.full(hit.size, CASCADE_CAUSE, np.int8), c.rank, c.faction, wk, rng)]
    moved = np.concatenate((moved, hit[run.guard[hit]]))
    hit = hit[~run.guard[hit]]
    hit = hit[within_capacity(hit, left, c.region, c.expansion, run.scale, rng)]
    cascaded = arrest_free(hit, np.full(1, CASCADE_CAUSE, np.int8), week, c)
    return targeted, cascaded, shelve(keep, run.kompromat, run.is_suspect, c.status, wk.shelve, rng), moved


@njit(cache=True, nogil=True)
def shelve(keep, kompromat, is_suspect, status, rate, rng):  # pragma: no cover - compiled
    """The suspects still free after the week's arrests, less those whose files are shelved this week, each with
    probability ``rate``: their namings no longer count against them (kompromat 0) until they are named again.

    Examples
    --------
    >>> import numpy as np
    >>> k, sus, status = np.array([2.0, 1.0, 3.0], np.float32), np.ones(3, bool), np.array([0, 1, 0], np.int8)
    >>> shelve(np.arange(3), k, sus, status, 1.0, np.random.default_rng(0)).tolist(), k.tolist(), sus.tolist()
    ([1], [0.0, 1.0, 0.0], [False, True, False])
    """
    if rate <= 0.0:
        return keep
    out = np.empty(keep.size, np.int64)
    n = 0
    for s in keep:
        if status[s] == FREE and rng.random() < rate:
            kompromat[s] = 0.0
            is_suspect[s] = False
            continue
        out[n] = s
        n += 1
    return out[:n]


@njit(cache=True, nogil=True)
def hazards(wk, hostile):  # pragma: no cover - compiled
    """The weekly hazards of targeted arrests, [centre's sanction, regional initiative] x cadre faction: the
    centre's (:func:`~makhovik.mechanisms.centre.sanction`, for a list week: the weeks since the last list at once)
    and the regional rate x the regionals' hostility toward each faction (not their own), times the intensity."""
    h = np.zeros((2, CADRE))
    if wk.intensity > 0:
        s = centre.sanction(wk.sanction)
        for g in range(CADRE):
            h[0, g] = s[g] * wk.intensity
            h[1, g] = wk.regional * wk.intensity * hostile[g]
        h[1, REGIONALS] = 0.0
    return h


PATRONAGE = int(TieType.PATRONAGE)


def _whole_classes(world, rng) -> tuple[np.ndarray, ...]:
    """Whole-tier cadre grouped by the class a naming from below may land on.

    Two tables of ``(key, order, sorted_keys)``: for patronage ties the organisation and rank of
    the patron, for the other ties the faction.
    """
    w, nc = world, world.n_cadre
    whole = np.flatnonzero(w.whole)
    tables = []
    for key in (w.org.astype(np.int64) * len(RANKS) + w.rank[:nc], w.faction[:nc].astype(np.int64)):
        order = whole[group_order(key[whole], int(key.max(initial=0)) + 1, False, rng)]  # a stable sort
        tables += [key, order, key[order]]
    return tuple(tables)


@njit(cache=True, nogil=True)
def _from_below(src, dst, typ, qs, patronage, expansion, key_p, order_p, sorted_p, key_f, order_f, sorted_f,
                rng):  # pragma: no cover - compiled
    """Namings from below (see :func:`interrogation_static`) for pairs of any tie type; returns ``(src, target)``."""
    n = np.empty(src.size, np.int64)
    for i in range(src.size):
        n[i] = rng.poisson(qs[typ[i]] * expansion[src[i]])
    out_s = np.empty(n.sum(), np.int64)
    out_t = np.empty(n.sum(), np.int64)
    m = 0
    for i in range(src.size):
        if n[i] == 0:
            continue
        pat = typ[i] == patronage
        k = key_p[dst[i]] if pat else key_f[dst[i]]
        sk = sorted_p if pat else sorted_f
        lo = np.searchsorted(sk, k, "left")
        width = np.searchsorted(sk, k, "right") - lo
        for _ in range(n[i]):
            out_s[m] = src[i]
            if width == 0:  # the tie's end became whole by promotion and its class has no one else
                out_t[m] = dst[i]
            else:
                j = lo + int(rng.random() * width)
                out_t[m] = order_p[j] if pat else order_f[j]
            m += 1
    return out_s, out_t


class Interrogation(NamedTuple):
    """The ties and columns the interrogations read and write, the same all run (:func:`interrogation`)."""

    indptr: np.ndarray  # the merged CSR of every tie type
    indices: np.ndarray
    types: np.ndarray
    whole: np.ndarray
    status: np.ndarray
    patronage: int  # the code of the patronage ties
    expansion: np.ndarray
    key_p: np.ndarray  # whole-tier classes for namings from below along patronage ties (organisation and rank) ...
    order_p: np.ndarray
    sorted_p: np.ndarray
    key_f: np.ndarray  # ... and along the other ties (faction)
    order_f: np.ndarray
    sorted_f: np.ndarray
    named_by: np.ndarray
    kompromat: np.ndarray
    is_suspect: np.ndarray


def interrogation(ctx) -> Interrogation:
    """The interrogations' :class:`Interrogation`, made once a run; the namings' probabilities (:func:`naming`)
    and the prisoners come each week.

    Each newly arrested cadre is interrogated and names neighbours along its ties. Between agents
    of the same tier, or from a whole-tier prisoner, each neighbour is named with probability
    ``q`` = ``naming[tie] x intensity``. A scaled prisoner stands for ``1/scale`` prisoners, each
    with a tie of this kind into the whole tier (the elite kept whole); they name Poisson(``q /
    scale``) times in all, each time a random whole agent of the same class as the tie's end (the
    same organisation and rank for a patron, the same faction otherwise; the end itself where it
    was promoted into a class of none). The expected naming of every whole agent is then the same
    at every scale, and it does not come in lumps where a small scale leaves few clients per
    patron. The first to name an agent is its namer (``named_by``).
    """
    st = ctx.state
    indptr, indices, types = ctx.world.merged_ties(TIE_TYPES)
    return Interrogation(indptr, indices, types, st.whole, st.status, PATRONAGE, st.exp,
                         *_whole_classes(ctx.world, ctx.rng), st.named_by, st.kompromat, st.is_suspect)


def naming(ctx, inten: float) -> np.ndarray:
    """The probability of a naming along each tie type at this intensity (one of the phases': ``ctx.index.naming``)."""
    return ctx.index.naming[inten]


@njit(cache=True, nogil=True)
def interrogate(it, qs, arrested, rng):  # pragma: no cover - compiled
    """The interrogation of the prisoners ``arrested`` (see :func:`interrogation`): namings along ties and from
    below, at the probabilities ``qs`` by tie type (:func:`naming`), filed. Returns the newly named and the ties
    read."""
    got = name_along_ties(it.indptr, it.indices, it.types, qs, arrested, it.whole, it.status, rng)
    src, dst = got.src, got.dst
    if got.up_src.size:
        s2, d2 = _from_below(got.up_src, got.up_dst, got.up_typ, qs, it.patronage, it.expansion, it.key_p, it.order_p, it.sorted_p,
                             it.key_f, it.order_f, it.sorted_f, rng)
        src, dst = np.concatenate((src, s2)), np.concatenate((dst, d2))
    new, _ = file_names(src, dst, it.status, it.named_by, it.kompromat, it.is_suspect)
    return new, got.read


def reproduction(world, state) -> tuple[np.ndarray, np.ndarray]:
    """Realised R_eff of the cadre cascade by week.

    For each week *w*: the number of cascade arrests whose first namer was arrested in *w*,
    divided by the number of cadre arrested in *w* (NaN where nobody was).

    Returns
    -------
    r_eff, arrests : ndarray, ndarray
        Per-week reproduction number and cadre arrests.
    """
    return _reproduction(state.arrest_week, state.cause, state.named_by, int(state.n_weeks))


@njit(cache=True, nogil=True)
def _reproduction(arrest_week, cause, named_by, n_weeks):  # pragma: no cover - compiled
    counts = np.zeros(n_weeks, np.int64)
    kids = np.zeros(n_weeks, np.int64)
    for a in range(named_by.size):  # the cadre
        w = arrest_week[a]
        if w < 0:
            continue
        if w < n_weeks:
            counts[w] += 1
        if cause[a] == CASCADE_CAUSE and named_by[a] >= 0:
            parent = arrest_week[named_by[a]]
            if 0 <= parent < n_weeks:
                kids[parent] += 1
    r = np.full(n_weeks, np.nan)
    for w in range(n_weeks):
        if counts[w] > 0:
            r[w] = kids[w] / counts[w]
    return r, counts


@dataclass
class CascadeRun:
    """What :func:`cascade_submodel` returns: arrest week per agent (-1: never) and the ties it read."""

    arrest_week: np.ndarray
    edges_read: int

    @property
    def size(self) -> int:
        """Agents arrested, seeds included."""
        return int(np.count_nonzero(self.arrest_week >= 0))

    def by_week(self, weeks: int) -> np.ndarray:
        """Arrests in each week."""
        aw = self.arrest_week[self.arrest_week >= 0]
        return np.bincount(aw, minlength=weeks)[:weeks]


def cascade_submodel(ties, naming: dict[str, float], hazard_per_name: float, immunity: np.ndarray,
                     seeds: np.ndarray, weeks: int, rng) -> CascadeRun:
    """The flywheel alone (C14), on a network whose agents are all individuals.

    ``ties`` is a dict of CSR matrices by tie type, or a :class:`~makhovik.world.World` (whose
    ties are merged into one CSR once and kept for the next call).

    The same kernels and the same order as in the engine's week: first the week's hazard
    draw over the named (:func:`~makhovik.kernels.hazard_hits`), then everyone arrested
    that week (the ``seeds`` in week 0) is interrogated and names each free neighbour along
    a tie of type *t* with probability ``naming[t]`` (:func:`~makhovik.kernels.name_along_ties`);
    each naming adds one unit of compromising material. A named free agent is arrested with
    probability ``1 - exp(-hazard_per_name x names x (1 - immunity))``, ``immunity`` given per
    agent (in the engine, the immunity of the agent's rank).
    ``benchmarks/mesa_reference.py`` implements the same rules in Mesa.

    Examples
    --------
    A chain 0-1-2 with certain naming and a certain arrest: one step a week.

    >>> import numpy as np
    >>> from makhovik.world.ties import to_csr
    >>> chain = {"t": to_csr(np.array([0, 1]), np.array([1, 2]), 3)}
    >>> run = cascade_submodel(chain, {"t": 1.0}, 50.0, np.zeros(3), np.array([0]), 4, np.random.default_rng(0))
    >>> run.arrest_week.tolist(), run.size
    ([0, 1, 2], 3)
    """
    if hasattr(ties, "merged_ties"):  # a World: its ties merged once and kept
        names = list(TIE_TYPES)
        indptr, indices, types = ties.merged_ties(names)
    else:
        names = list(ties)
        indptr, indices, types = merge_ties(ties, names)
    n = indptr.size - 1
    status = np.zeros(n, np.int8)
    arrest_week = np.full(n, -1, np.int64)
    kompromat = np.zeros(n, np.float32)
    whole = np.ones(n, bool)
    rank = np.arange(n)  # the kernel reads immunity[rank]: one entry per agent here
    suspects = np.empty(0, np.int64)
    is_suspect = np.zeros(n, bool)
    frontier = np.unique(np.asarray(seeds, np.int64))
    qs = np.array([min(float(naming.get(t, 0.0)), 1.0) for t in names])
    edges = 0
    for t in range(weeks):
        if t > 0:
            suspects, frontier = hazard_hits(suspects, kompromat, rank, immunity, hazard_per_name, status, rng)
        status[frontier] = 1
        arrest_week[frontier] = t
        got = name_along_ties(indptr, indices, types, qs, frontier, whole, status, rng)
        edges += got.read
        suspects = np.concatenate([suspects, add_names(got.dst, _NO_TIMES, kompromat, is_suspect)])
    return CascadeRun(arrest_week, edges)
