"""The NKVD machine: capacity, limits by category, requests, troikas, albums, sanction lists, its own purge.

Carries the machinery through which every claim acts, and in particular:

- C12, C13: the elite track. Cadre of rank >= ``nkvd.list_min_rank`` are sentenced only
  through central sanction lists (the Military Collegium), signed every
  ``list_interval_weeks``; lower cadre go to troikas.
- Mass track, Order 00447: weekly arrest capacity per region is ``capacity_per_staff`` x the
  region's free NKVD officers, less what the week's arrests of cadre took (they come first); arrests stay within ``(1 + overfulfil)`` x the region's
  limits (category 1 + 2); troikas sentence after ``troika_lag_weeks`` on average, at most
  ``troika_throughput`` x the region's initial limits a week (a queue: the rest wait), within
  the category limits. Regions near their limit request more (size scaled by the
  regionals' zeal); the centre approves with ``centre.approval_prob``.
- The first wave: Order 00447's capacity surges at its start and decays to its usual
  (``first_wave_boost``, ``first_wave_weeks``): the lists registered after the decision.
- National operations: no limits; arrests take ``arrest_share`` of the registered pool
  per week within ``national_capacity_share`` of capacity; sentences go through the
  central album review (``album_capacity``) until the special troikas take over. They run
  until the stop takes effect: the end of Order 00447 (``operations_ended``) does not end them.
- Routine cases go on all along at ``routine_rate``, times ``post_stop_routine`` once the stop has taken effect
  (arrests under a procurator's sanction).
- The purge of the NKVD's own cadres: when a chief falls, his senior officers and those
  tied to the opposition are named (``purge_naming``); arrested officers take capacity
  with them until recruits replace them (``recruitment_weeks``).

Mass agents of one block (a contingent in a region) are exchangeable, so they are taken
in order: each block keeps three pointers (registered, arrested, processed) and every
arrest or sentence is a slice. Work per week is proportional to the blocks and the
arrests, never to the population.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from ..codes import DETAINED, FREE, Cause
from ..kernels import deal_codes, round_one, split_draws, take_slices
from ..state import STATUS_OF_SENTENCE

__all__ = [
    "CLAIMS",
    "Run",
    "Week",
    "Layout",
    "Blocks",
    "Regions",
    "Agents",
    "CadreRules",
    "run",
    "week_inputs",
    "week",
    "log_requests",
    "open_limits",
    "central_review",
    "chief_change",
    "stop_takes_effect",
    "capacity",
    "capacity_per_officer",
    "cadre_room",
    "list_weeks",
    "recruit",
    "first_wave",
]

CLAIMS = ("C12", "C13")
CAT1, CAT2, RELEASE = 1, 2, 3
NO_RANK = 1 << 30  # a list threshold no rank reaches
NEVER = 1 << 30  # the week of what has not been scheduled


@njit(cache=True, nogil=True)
def capacity(per_officer, officers):  # pragma: no cover - compiled
    """Weekly mass-arrest capacity of each region, in simulated agents: ``per_officer`` (:func:`capacity_per_officer`)
    x the free officers (by region; or weeks x regions).

    ``capacity_per_staff`` x free NKVD officers is a capacity in persons; a mass agent stands
    for 1/scale persons, so the capacity in agents is that times the scale. The officers of a
    region are its share of ``world.nkvd_staff`` (by region weight) times the share of its
    simulated officers still free, so that capacity does not jump with the few agents a
    small region gets at a small scale.
    """
    return per_officer * officers


def capacity_per_officer(ctx) -> np.ndarray:
    """Weekly capacity per free simulated officer, by region, in simulated agents (:func:`capacity`)."""
    f0 = ctx.state.nkvd_free0
    per_free = np.zeros(f0.shape)
    np.divide(ctx.params.nkvd.capacity_per_staff * ctx.index.nkvd_staff * ctx.world.scale, f0, out=per_free, where=f0 > 0)
    return per_free


def open_limits(ctx) -> None:
    """The kulak operation starts: the initial Order 00447 limits come into force."""
    st = ctx.state
    st.lim1[:] = st.lim_initial1
    st.lim2[:] = st.lim_initial2
    st.ordered_room[:] = st.lim_initial1 + st.lim_initial2


def _limit_use(st) -> np.ndarray:
    return st.arrested_00447


@njit(cache=True, nogil=True)
def _add_limits(lim1, lim2, r, amount, cat1_share):  # pragma: no cover - compiled
    """Raise region ``r``'s limits by ``amount``, ``cat1_share`` of it in category 1."""
    lim1[r] += amount * cat1_share
    lim2[r] += amount * (1 - cat1_share)


def central_review(ctx, appetite: float, act: str = "review") -> None:
    """The centre raises, by its own decision, the limits of the regions near them (their Order 00447 arrests at
    ``request_threshold`` of their limits or more) by ``central_increase`` x its appetite x their initial limits:
    one act for all of them (``act``: a periodic ``review``, or the ``decree`` that extends the operations, as
    Pb 57/48 of 31 Jan 1938 did for 22 regions). The regions below their limits get nothing, so the limits bind."""
    st, p = ctx.state, ctx.params
    lim = st.lim1 + st.lim2
    near = (lim > 0) & (_limit_use(st) >= p.nkvd.request_threshold * lim)
    add = p.centre.central_increase * appetite * (st.lim_initial1 + st.lim_initial2) * near
    if add.sum() <= 0:
        return
    for r in np.flatnonzero(add):
        _add_limits(st.lim1, st.lim2, r, add[r], p.nkvd.request_cat1_share)
    st.ordered_room += add
    ctx.emit("central_limit_increase", f"{act}: +{add.sum() / ctx.world.scale:,.0f} in {int(np.count_nonzero(add))} "
                                       "regions")


@njit(cache=True, nogil=True)
def _requests(week, run, size_factor, rng):  # pragma: no cover - compiled
    """Regions near their limits ask for more: a region whose 00447 arrests reach ``request_threshold`` x its limits,
    and that has not asked for ``request_interval`` weeks, asks for ``size_factor`` x its initial limits; the centre
    approves with ``approval``. Returns each request's region, size (simulated agents) and answer."""
    g = run.regions
    R = g.lim1.size
    where = np.empty(R, np.int64)
    size = np.empty(R)
    ok = np.empty(R, np.bool_)
    n = 0
    for r in range(R):
        lim = g.lim1[r] + g.lim2[r]
        if lim <= 0 or g.arrested[r] < run.request_threshold * lim or week - run.last_request[r] < run.request_interval:
            continue
        s = size_factor * (run.lim_initial1[r] + run.lim_initial2[r])
        if s <= 0:
            continue
        run.last_request[r] = week
        where[n], size[n], ok[n] = r, s, rng.random() < run.approval
        if ok[n]:
            _add_limits(g.lim1, g.lim2, r, s, run.request_cat1_share)
            g.approved_room[r] += s
        n += 1
    return where[:n], size[:n], ok[:n]


_DETAINED = np.array([DETAINED], np.int8)
_ORDERED = np.array([Cause.ORDERED], np.int8)
_ROUTINE = np.array([Cause.ROUTINE], np.int8)
_KULAK_CAUSES = np.array([Cause.ORDERED, Cause.APPROVED, Cause.OVER_LIMIT], np.int8)
_TROIKA_CODES = np.array([CAT1, CAT2, RELEASE], np.int8)
_ALBUM_CODES = np.array([CAT1, CAT2], np.int8)
_RELEASE = np.array([RELEASE], np.int8)

# The mass track in compiled kernels. Blocks are given as ``B`` (block numbers) with ``order``
# and ``seg``: ``B[order]`` lists them region by region, region r at ``seg[r]:seg[r + 1]``
# (see :func:`_layout`). Agent columns are updated in place by take_slices.


@njit(cache=True, nogil=True)
def _register(B, on, reg_ptr, block_end, rate, rng):  # pragma: no cover - compiled
    """This week's registrations: each unregistered member of a block in operation with probability ``rate``."""
    for i in range(B.size):
        if on[i]:
            b = B[i]
            reg_ptr[b] += rng.binomial(block_end[b] - reg_ptr[b], rate)


@njit(cache=True, nogil=True)
def _gaps(B, ahead, behind):  # pragma: no cover - compiled
    """``ahead[b] - behind[b]`` for each block ``b`` of ``B``: e.g. registered not yet arrested, or pending."""
    out = np.empty(B.size, np.int64)
    for i in range(B.size):
        out[i] = ahead[B[i]] - behind[B[i]]
    return out


@njit(cache=True, nogil=True)
def _by_region(B, order, seg, x):  # pragma: no cover - compiled
    """Sum of ``x`` (one entry per block of ``B``) over the blocks of each region."""
    out = np.zeros(seg.size - 1, np.int64)
    for r in range(seg.size - 1):
        for i in range(seg[r], seg[r + 1]):
            out[r] += x[order[i]]
    return out


@njit(cache=True, nogil=True)
def _national_arrests(B, order, seg, on, K, share, arrest_share, reg_ptr, arr_ptr, block_end, rate,
                      status, arrest_week, cause, week, rng):  # pragma: no cover - compiled
    """National operations: each registered member of a block in operation with ``arrest_share``, within
    ``share`` of the region's capacity ``K`` (which keeps the rest, in place)."""
    _register(B, on, reg_ptr, block_end, rate, rng)
    want = np.zeros(B.size, np.int64)
    for i in range(B.size):
        if on[i]:
            want[i] = rng.binomial(reg_ptr[B[i]] - arr_ptr[B[i]], arrest_share[B[i]])
    k_r = _by_region(B, order, seg, want)
    for r in range(seg.size - 1):
        has = False
        for i in range(seg[r], seg[r + 1]):
            has |= on[order[i]]
        if has:
            k_r[r] = min(k_r[r], round_one(K[r] * share, rng))
            K[r] *= 1.0 - share
    ks = split_draws(want[order], seg, k_r, rng)
    return take_slices(arr_ptr, B[order], ks, _ORDERED, status, _DETAINED, arrest_week, week, cause)


@njit(cache=True, nogil=True)
def _kulak_arrests(B, order, seg, K, overfulfil, lim1, lim2, arrested, ordered_room, approved_room, reg_ptr,
                   arr_ptr, block_end, rate, status, arrest_week, cause, week, rng):  # pragma: no cover - compiled
    """Order 00447: the region's capacity, within (1 + overfulfil) x its limits; each arrest is counted
    against the limits the centre set (``ordered``), then those approved on request, then over them."""
    _register(B, np.ones(B.size, np.bool_), reg_ptr, block_end, rate, rng)
    avail = _gaps(B, reg_ptr, arr_ptr)
    avail_r = _by_region(B, order, seg, avail)
    R = seg.size - 1
    k_r = np.zeros(R, np.int64)
    split = np.zeros((R, 3), np.int64)
    for r in range(R):
        room = round_one((1 + overfulfil) * (lim1[r] + lim2[r]) - arrested[r], rng)
        k = max(min(round_one(K[r], rng), room, avail_r[r]), 0)
        # the room's fractional last place (scale < 1) counts as inside it, as the rounding of room allows
        n_ord = min(max(int(np.ceil(ordered_room[r] - arrested[r])), 0), k)
        n_app = min(max(int(np.ceil(ordered_room[r] + approved_room[r] - arrested[r])) - n_ord, 0), k - n_ord)
        k_r[r] = k
        split[r, 0], split[r, 1], split[r, 2] = n_ord, n_app, k - n_ord - n_app
    if k_r.sum() == 0:
        return np.zeros(8, np.int64)
    causes = deal_codes(split, _KULAK_CAUSES, rng)
    ks = split_draws(avail[order], seg, k_r, rng)
    for r in range(R):
        arrested[r] += k_r[r]
    return take_slices(arr_ptr, B[order], ks, causes, status, _DETAINED, arrest_week, week, cause)


@njit(cache=True, nogil=True)
def _troika_sentences(B, order, seg, lag, cap, cat1, release_rate, overfulfil, lim1, lim2, used1, used2, arr_ptr,
                      sen_ptr, status, sentence_week, sentence, week, rng):  # pragma: no cover - compiled
    """Order 00447 troikas: each pending case decided with probability 1/lag, at most ``cap[r]`` cases a week in
    region r (the troika's throughput: the rest wait), within the category limits."""
    pend = _gaps(B, arr_ptr, sen_ptr)
    if pend.sum() == 0:
        return
    P = _by_region(B, order, seg, pend)
    R = seg.size - 1
    split = np.zeros((R, 3), np.int64)
    for r in range(R):
        k = min(rng.binomial(P[r], 1.0 / lag), round_one(cap[r], rng))
        room1 = round_one((1 + overfulfil) * lim1[r] - used1[r], rng)
        room2 = round_one((1 + overfulfil) * lim2[r] - used2[r], rng)
        n1 = min(rng.binomial(k, cat1), room1)
        n2 = min(k - n1, room2)
        n1 += min(k - n1 - n2, room1 - n1)
        split[r, 0], split[r, 1], split[r, 2] = n1, n2, rng.binomial(P[r] - n1 - n2, release_rate)
        used1[r] += n1
        used2[r] += n2
    cats = deal_codes(split, _TROIKA_CODES, rng)
    ks = split_draws(pend[order], seg, split.sum(axis=1), rng)
    take_slices(sen_ptr, B[order], ks, cats, status, STATUS_OF_SENTENCE, sentence_week, week, sentence)


@njit(cache=True, nogil=True)
def _album_sentences(B, lag, cap, cat1_share, arr_ptr, sen_ptr, status, sentence_week, sentence, week,
                     rng):  # pragma: no cover - compiled
    """National cases: each pending case decided with probability 1/lag, at most ``cap`` (< 0: no cap) a week."""
    pend = _gaps(B, arr_ptr, sen_ptr)
    total = pend.sum()
    if total == 0:
        return
    k = rng.binomial(total, 1.0 / lag)
    if cap >= 0:
        k = min(k, cap)
    ks = split_draws(pend, np.array([0, B.size]), np.array([k]), rng)
    split = np.zeros((B.size, 2), np.int64)
    for i in range(B.size):
        n1 = rng.binomial(ks[i], cat1_share[B[i]])
        split[i, 0], split[i, 1] = n1, ks[i] - n1
    take_slices(sen_ptr, B, ks, deal_codes(split, _ALBUM_CODES, rng), status, STATUS_OF_SENTENCE,
                sentence_week, week, sentence)


@njit(cache=True, nogil=True)
def _ordinary_sentences(B, p, cat1_share, arr_ptr, sen_ptr, status, sentence_week, sentence, week,
                        rng):  # pragma: no cover - compiled
    """Ordinary procedure: each pending case decided with probability ``p``, category 1 with ``cat1_share``
    of its block (one entry: the same for all)."""
    ks = _gaps(B, arr_ptr, sen_ptr)
    for i in range(B.size):
        ks[i] = rng.binomial(ks[i], p)
    cats = np.empty(ks.sum(), np.int8)
    n = 0
    for i in range(B.size):
        c1 = cat1_share[0] if cat1_share.size == 1 else cat1_share[B[i]]
        for _ in range(ks[i]):
            cats[n] = CAT1 if rng.random() < c1 else CAT2
            n += 1
    take_slices(sen_ptr, B, ks, cats, status, STATUS_OF_SENTENCE, sentence_week, week, sentence)


@njit(cache=True, nogil=True)
def _routine_arrests(B, rate, arr_ptr, block_end, status, arrest_week, cause, week, rng):  # pragma: no cover
    """Routine cases: each member of a routine block not yet arrested with probability ``rate``."""
    ks = _gaps(B, block_end, arr_ptr)
    for i in range(B.size):
        ks[i] = rng.binomial(ks[i], rate)
    return take_slices(arr_ptr, B, ks, _ROUTINE, status, _DETAINED, arrest_week, week, cause)


class Layout(NamedTuple):
    """Blocks by region: ``blocks[order]`` lists them region by region, region r at ``seg[r]:seg[r + 1]``."""

    blocks: np.ndarray
    order: np.ndarray
    seg: np.ndarray


def _layout(ctx, B: np.ndarray) -> Layout:
    """The blocks ``B`` with their order by region and each region's range in it."""
    reg = ctx.world.block_region[B]
    order = np.argsort(reg, kind="stable")
    seg = np.searchsorted(reg[order], np.arange(ctx.world.n_regions + 1)).astype(np.int64)
    return Layout(B, order, seg)


def _started_national(ctx) -> np.ndarray:
    """Which national blocks (of ``ctx.index.b_nat``) are in an operation now: from each one's start until the
    stop takes effect (the end of Order 00447 does not end them)."""
    st, w = ctx.state, ctx.world
    if ctx.index.b_nat.size == 0 or st.stopped():
        return np.zeros(ctx.index.b_nat.size, bool)
    if ctx.national_start[0] != len(st.flags):  # each block's start week, as the flags have it (only ever added to)
        weeks = np.array([st.flags.get(f"national_{name}_start", NEVER) for name in w.contingent_names], np.int64)
        ctx.national_start = (len(st.flags), weeks[w.block_contingent[ctx.index.b_nat]])
    return ctx.national_start[1] <= st.week


@njit(cache=True, nogil=True)
def _cadre_sentences(pc, week, p_list, p_other, p_release, list_min_rank, c1_list, c1_other, rank, arrest_week,
                     status, sentence, sentence_week, rng):  # pragma: no cover - compiled
    """Decide the cases of the detained cadre ``pc``; returns those still pending.

    A cadre of rank >= ``list_min_rank`` is sentenced with probability ``p_list`` if arrested
    before this week (the lists carry the past weeks' arrests), category 1 with ``c1_list``;
    others with ``p_other``, category 1 with ``c1_other``. Those not sentenced are released
    with ``p_release``.
    """
    keep = np.empty(pc.size, np.int64)
    n = 0
    for i in range(pc.size):
        a = pc[i]
        if status[a] != DETAINED:
            continue
        listed = rank[a] >= list_min_rank
        prob = (p_list if arrest_week[a] < week else 0.0) if listed else p_other
        if rng.random() < prob:
            cat = CAT1 if rng.random() < (c1_list if listed else c1_other) else CAT2
        elif rng.random() < p_release:
            cat = RELEASE
        else:
            keep[n] = a
            n += 1
            continue
        sentence[a] = cat
        sentence_week[a] = week
        status[a] = STATUS_OF_SENTENCE[cat]
    return keep[:n]


def chief_change(ctx, why: str) -> None:
    """A new NKVD chief: the outgoing chief's senior officers and those tied to the opposition are named."""
    st = ctx.state
    cand = ctx.index.nkvd_exposed
    cand = cand[st.status[cand] == FREE]
    named = cand[ctx.rng.random(cand.size) < ctx.params.nkvd.purge_naming]
    ctx.add_kompromat(named)
    ctx.emit("nkvd_purge", f"{why}: {named.size} officers named")


def stop_takes_effect(ctx) -> None:
    """The stop bites: no new mass arrests; a share of the pending detainees is released."""
    st, p, rng = ctx.state, ctx.params.nkvd, ctx.rng
    B = ctx.index.b_campaign
    pend = st.arr_ptr[B] - st.sen_ptr[B]
    ks = rng.binomial(pend, p.post_stop_release)
    take_slices(st.sen_ptr, B, ks, _RELEASE, st.status, STATUS_OF_SENTENCE, st.sentence_week, st.week, st.sentence)
    pc = st.pending_cadre
    pc = pc[st.status[pc] == DETAINED]
    rel = rng.random(pc.size) < p.post_stop_release
    st.sentence_slice(pc[rel], np.full(int(rel.sum()), RELEASE, np.int8))
    st.pending_cadre = pc[~rel]


def _limit_requests_allowed(ctx) -> bool:
    st = ctx.state
    return (ctx.params.centre.limit_mode in ("requests", "both") and st.happened("op00447_start")
            and not st.happened("ops_ended") and not st.happened("stop_order"))


@njit(cache=True, nogil=True)
def _arrests(week, run, K, on, kulak_on, wave, routine_rate, rng):  # pragma: no cover - compiled
    """The week's mass arrests within the regions' capacities ``K``: national operations (the blocks ``on``),
    Order 00447 (when ``kulak_on``, on the capacity they leave times ``wave``, the first wave's surge), routine cases
    at ``routine_rate`` (and their sentences). Returns the arrests by cause code."""
    b, g, a = run.blocks, run.regions, run.agents
    counts = np.zeros(8, np.int64)
    nat, kul, routine = run.national, run.kulak, run.routine
    if on.any():
        counts += _national_arrests(nat.blocks, nat.order, nat.seg, on, K, run.national_share, run.arrest_share,
                                    b.reg_ptr, b.arr_ptr, b.end, run.registration_rate, a.status, a.arrest_week,
                                    a.cause, week, rng)
    if kulak_on and kul.blocks.size:
        counts += _kulak_arrests(kul.blocks, kul.order, kul.seg, K * wave, run.overfulfil, g.lim1, g.lim2, g.arrested,
                                 g.ordered_room, g.approved_room, b.reg_ptr, b.arr_ptr, b.end, run.registration_rate,
                                 a.status, a.arrest_week, a.cause, week, rng)
    if routine.size:
        counts += _routine_arrests(routine, routine_rate, b.arr_ptr, b.end, a.status, a.arrest_week, a.cause,
                                   week, rng)
        _ordinary_sentences(routine, run.routine_p, run.cat1_share, b.arr_ptr, b.sen_ptr, a.status, a.sentence_week,
                            a.sentence, week, rng)
    return counts


@njit(cache=True, nogil=True)
def _sentences(week, run, wk, album_cap, pending, rng):  # pragma: no cover - compiled
    """The week's sentences: troikas and albums (``album_cap`` < 0: no cap; ordinary courts after the stop), then
    the cadre (:func:`_cadre_sentences`, with the week's rules ``wk.cadre``). Returns the cadre still pending."""
    b, g, a = run.blocks, run.regions, run.agents
    kul, nat = run.kulak, run.national.blocks
    if wk.stopped:
        _ordinary_sentences(run.campaign, 1.0 / run.troika_lag, np.full(1, run.ordinary_cat1), b.arr_ptr, b.sen_ptr,
                            a.status, a.sentence_week, a.sentence, week, rng)
    else:
        if kul.blocks.size:
            _troika_sentences(kul.blocks, kul.order, kul.seg, run.troika_lag, run.troika_cap, run.troika_cat1,
                              run.release_rate,
                              run.overfulfil, g.lim1, g.lim2, g.used1, g.used2, b.arr_ptr, b.sen_ptr, a.status,
                              a.sentence_week, a.sentence, week, rng)
        if nat.size:
            _album_sentences(nat, run.troika_lag, album_cap, run.cat1_share, b.arr_ptr, b.sen_ptr, a.status,
                             a.sentence_week, a.sentence, week, rng)
    if pending.size == 0:
        return pending
    c = wk.cadre
    return _cadre_sentences(pending, week, c.p_list, c.p_other, c.p_release, c.min_rank, c.c1_list, c.c1_other,
                            a.rank, a.arrest_week, a.status, a.sentence, a.sentence_week, rng)


class CadreRules(NamedTuple):
    """This week's rules for cadre cases (:func:`_cadre_rules`)."""

    p_list: float  # the probability a listed case (rank >= min_rank, arrested before this week) is signed now
    p_other: float  # the weekly probability another case is decided
    p_release: float  # the weekly probability an undecided case is released
    min_rank: int  # the lowest rank whose cases go to the central lists
    c1_list: float  # category 1 on the lists
    c1_other: float  # category 1 otherwise


def _lists_from(ctx) -> int:
    """The week of the first sanction list (``nkvd.lists_from``)."""
    return (ctx.params.nkvd.lists_from - ctx.scenario.calendar.start).days // 7


def list_weeks(ctx) -> int:
    """The weeks this week's sanction list covers: ``nkvd.list_interval_weeks`` in a week one is signed (every that
    many weeks, from ``nkvd.lists_from``), 0 in the others; one definition for the centre's sanction, the gate of the
    elite arrests and the lists' sentences."""
    n = ctx.params.nkvd.list_interval_weeks
    return n if ctx.state.week % n == 0 and ctx.state.week >= _lists_from(ctx) else 0


def _cadre_rules(ctx) -> CadreRules:
    """This week's rules for cadre cases: central lists for the elite (C12, C13), troikas or ordinary courts for the others."""
    st, p = ctx.state, ctx.params.nkvd
    lag = 1.0 / p.cadre_lag_weeks
    if st.stopped():  # ordinary procedure for all, no lists, no releases but those of the stop itself
        return CadreRules(lag, lag, 0.0, NO_RANK, p.ordinary_cat1, p.ordinary_cat1)
    n = list_weeks(ctx)
    p_list = min(1.0, n * lag) if n else 0.0
    # troikas judge cadre only during the campaign; before it, ordinary procedure
    c1_other = p.cadre_cat1 if st.happened("decision") else p.ordinary_cat1
    # before the first list, no case waits for one: ordinary procedure for every rank
    min_rank = p.list_min_rank if st.week >= _lists_from(ctx) else NO_RANK
    return CadreRules(p_list, lag, p.release_rate, min_rank, p.list_cat1, c1_other)


class Blocks(NamedTuple):
    """Each mass block's pointers (registered, arrested, processed) and end: its agents are taken in order."""

    reg_ptr: np.ndarray
    arr_ptr: np.ndarray
    sen_ptr: np.ndarray
    end: np.ndarray


class Regions(NamedTuple):
    """Order 00447 by region: limits by category, sentences used, arrests counted, the parts set and approved."""

    lim1: np.ndarray
    lim2: np.ndarray
    used1: np.ndarray
    used2: np.ndarray
    arrested: np.ndarray
    ordered_room: np.ndarray
    approved_room: np.ndarray


class Agents(NamedTuple):
    """The agent columns the NKVD writes (and the cadre's ranks it reads)."""

    status: np.ndarray
    arrest_week: np.ndarray
    cause: np.ndarray
    sentence_week: np.ndarray
    sentence: np.ndarray
    rank: np.ndarray


class Run(NamedTuple):
    """The NKVD machine's arrays and rules that stay the same all run (:func:`run`; arrays change in place)."""

    per_officer: np.ndarray  # capacity per free officer, by region (capacity_per_officer)
    officers: np.ndarray  # free NKVD officers by region, in persons (recruits among them)
    establishment: np.ndarray  # the officers by region at the start, whom recruitment replaces
    recruit: float  # the share of the vacancies filled each week
    national: Layout  # the national operations' blocks
    kulak: Layout  # Order 00447's blocks
    routine: np.ndarray  # the routine contingent's blocks
    campaign: np.ndarray  # the blocks of the mass operations (00447 and national)
    national_share: float
    registration_rate: float
    overfulfil: float
    routine_p: float  # weekly probability a routine case is decided
    cat1_share: np.ndarray  # by block
    arrest_share: np.ndarray  # by block
    request_threshold: float
    request_interval: float
    request_cat1_share: float
    approval: float
    lim_initial1: np.ndarray
    lim_initial2: np.ndarray
    last_request: np.ndarray
    album_cap: float  # the album's weekly throughput, in simulated agents
    troika_lag: float
    troika_cap: np.ndarray  # by region, the cases its troika can decide a week (simulated agents)
    troika_cat1: float
    release_rate: float
    ordinary_cat1: float
    blocks: Blocks
    regions: Regions
    agents: Agents


class Week(NamedTuple):
    """This week's part of the NKVD machine (:func:`week_inputs`)."""

    started: np.ndarray  # which national blocks are in an operation
    kulak_on: bool
    wave: float  # the first wave's surge of Order 00447's capacity (first_wave_boost, decaying)
    requests_on: bool
    request_size: float  # request_size x the regionals' zeal
    capped: bool  # whether the album caps the national sentences (not while the special troikas sit)
    stopped: bool
    routine_rate: float  # the routine contingent's weekly arrest hazard (``post_stop_routine`` x after the stop)
    cadre: CadreRules


@njit(cache=True, nogil=True)
def cadre_room(run):  # pragma: no cover - compiled
    """This week's capacity by region for the arrests of cadre, which come first (:func:`capacity`); unbounded
    where a region has no officers at all to bound it (a hand-made world without an NKVD)."""
    room = capacity(run.per_officer, run.officers)
    for q in range(room.size):
        if run.establishment[q] <= 0:
            room[q] = np.inf
    return room


@njit(cache=True, nogil=True)
def recruit(run):  # pragma: no cover - compiled
    """A week of recruitment: ``recruit`` of each region's vacancies (the establishment less its free officers) are
    filled. The recruits are capacity, not agents: new men, with no ties to name or be named along.

    Examples
    --------
    >>> import numpy as np
    >>> class R(NamedTuple):
    ...     officers: np.ndarray
    ...     establishment: np.ndarray
    ...     recruit: float
    >>> r = R(np.array([10.0, 100.0]), np.array([100.0, 100.0]), 0.1)
    >>> recruit(r)
    >>> r.officers.tolist()
    [19.0, 100.0]
    """
    for q in range(run.officers.size):
        gap = run.establishment[q] - run.officers[q]
        if gap > 0:
            run.officers[q] += run.recruit * gap


@njit(cache=True, nogil=True)
def week(t, run, wk, pending, room, left, rng):  # pragma: no cover - compiled
    """One week of the NKVD machine in week ``t``: mass arrests within the capacity (:func:`_arrests`), limit
    requests (:func:`_requests`) and sentences (:func:`_sentences`); ``pending`` the cadre whose cases are open;
    of the ``room`` for cadre arrests (:func:`cadre_room`) they left ``left``. Returns the arrests by cause, the
    requests, and the cadre still pending."""
    # the capacity after this week's arrests of officers so far, less what the cadre arrests took
    K = capacity(run.per_officer, run.officers)
    for q in range(K.size):
        if np.isfinite(room[q]):
            K[q] = max(K[q] - (room[q] - left[q]), 0.0)
    recruit(run)
    counts = _arrests(t, run, K, wk.started, wk.kulak_on, wk.wave, wk.routine_rate, rng)
    if wk.requests_on:
        req = _requests(t, run, wk.request_size, rng)
    else:
        req = (np.empty(0, np.int64), np.empty(0), np.empty(0, np.bool_))
    cap = round_one(run.album_cap, rng) if wk.capped else -1
    return counts, req, _sentences(t, run, wk, cap, pending, rng)


def run(ctx) -> Run:
    """The NKVD machine's :class:`Run`, made once a run."""
    st, p = ctx.state, ctx.params.nkvd
    return Run(capacity_per_officer(ctx), st.nkvd_free, st.nkvd_free0, -np.expm1(-1.0 / p.recruitment_weeks),
               _layout(ctx, ctx.index.b_nat), _layout(ctx, ctx.index.b_00447),
               ctx.index.b_routine, ctx.index.b_campaign, p.national_capacity_share, p.registration_rate, p.overfulfil,
               1.0 / p.routine_lag_weeks, ctx.index.cat1_share, ctx.index.arrest_share, p.request_threshold,
               float(p.request_interval_weeks), p.request_cat1_share, ctx.params.centre.approval_prob,
               st.lim_initial1, st.lim_initial2, st.last_request, p.album_capacity * ctx.index.national_size,
               p.troika_lag_weeks, p.troika_throughput * (st.lim_initial1 + st.lim_initial2), p.troika_cat1,
               p.release_rate, p.ordinary_cat1,
               Blocks(st.reg_ptr, st.arr_ptr, st.sen_ptr, ctx.world.block_start + ctx.world.block_size),
               Regions(st.lim1, st.lim2, st.used1, st.used2, st.arrested_00447, st.ordered_room, st.approved_room),
               Agents(st.status, st.arrest_week, st.cause, st.sentence_week, st.sentence, st.rank))


def week_inputs(ctx, pr) -> Week:
    """This week's :class:`Week`: the national operations going on, whether Order 00447 is, whether regions may
    request limits and how much, whether the albums are capped, whether the stop has taken effect, the routine
    arrest hazard, and the rules for cadre cases."""
    st, p = ctx.state, ctx.params.nkvd
    stopped = st.stopped()
    kulak_on = st.happened("op00447_start") and not st.happened("ops_ended") and not stopped
    return Week(_started_national(ctx), kulak_on, first_wave(ctx) if kulak_on else 1.0, _limit_requests_allowed(ctx),
                p.request_size * pr.regional_zeal, st.week > st.special_troikas_until and not stopped,
                stopped, p.routine_rate * (p.post_stop_routine if stopped else 1.0), _cadre_rules(ctx))


def first_wave(ctx) -> float:
    """The first wave of Order 00447 (the contingents registered on the lists the 2 July 1937 decision asked for,
    taken by every operational group at once): the capacity for the kulak operation is ``1 + (first_wave_boost - 1)
    x exp(-weeks since its start / first_wave_weeks)`` times its usual.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> ctx = NS(state=NS(week=12, flags={"op00447_start": 10}),
    ...          params=NS(nkvd=NS(first_wave_boost=3.0, first_wave_weeks=2.0)))
    >>> round(first_wave(ctx), 3)  # two weeks in, one e-folding: 1 + 2 / e
    1.736
    """
    p = ctx.params.nkvd
    since = ctx.state.week - ctx.state.flags["op00447_start"]
    return 1.0 + (p.first_wave_boost - 1.0) * float(np.exp(-since / p.first_wave_weeks))


def log_requests(ctx, requests: tuple) -> None:
    """Log the week's limit requests (region, size in agents, approved) in the event log."""
    if ctx.log_requests:
        for r, s, yes in zip(*(x.tolist() for x in requests), strict=True):
            ctx.emit("limit_request", f"{ctx.world.region_names[r]}: +{s / ctx.world.scale:,.0f} "
                     f"{'approved' if yes else 'refused'}")
