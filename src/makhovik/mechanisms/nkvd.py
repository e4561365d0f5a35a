"""The NKVD machine: capacity, limits by category, requests, troikas, albums, sanction lists, its own purge.

Carries the machinery through which every claim acts, and in particular:

- C12, C13: the elite track. Cadre of rank >= ``nkvd.list_min_rank`` are sentenced only
  through central sanction lists (the Military Collegium), signed every
  ``list_interval_weeks``; lower cadre go to troikas.
- Mass track, Order 00447: weekly arrest capacity per region is ``capacity_per_staff`` x the
  region's free NKVD officers; arrests stay within ``(1 + overfulfil)`` x the region's
  limits (category 1 + 2); troikas sentence after ``troika_lag_weeks`` on average, within
  the category limits. Regions near their limit request more (size scaled by the
  regionals' zeal); the centre approves with ``centre.approval_prob``.
- National operations: no limits; arrests take ``arrest_share`` of the registered pool
  per week within ``national_capacity_share`` of capacity; sentences go through the
  central album review (``album_capacity``) until the special troikas take over.
- Routine cases go on all along at ``routine_rate``.
- The purge of the NKVD's own cadres: when a chief falls, his senior officers and those
  tied to the opposition are named (``purge_naming``); arrested officers take capacity
  with them.

Mass agents of one block (a contingent in a region) are exchangeable, so they are taken
in order: each block keeps three pointers (registered, arrested, processed) and every
arrest or sentence is a slice. Work per week is proportional to the blocks and the
arrests, never to the population.
"""

from __future__ import annotations

import numpy as np

from ..kernels import split_draws, take_slices
from ..state import DETAINED, FREE, STATUS_OF_SENTENCE, Cause
from ..world.agents import OPERATIONS

__all__ = [
    "CLAIMS",
    "step",
    "open_limits",
    "central_review",
    "chief_change",
    "stop_takes_effect",
    "capacity",
    "stochastic_round",
]

CLAIMS = ("C12", "C13")
OP_ROUTINE, OP_00447, OP_NATIONAL = (OPERATIONS.index(x) for x in ("routine", "op00447", "national"))
CAT1, CAT2, RELEASE = 1, 2, 3


def stochastic_round(x: np.ndarray, rng) -> np.ndarray:
    """Round non-negative reals to integers, up with probability equal to the fraction (unbiased)."""
    x = np.maximum(np.asarray(x, dtype=float), 0.0)
    base = np.floor(x)
    return (base + (rng.random(x.shape) < (x - base))).astype(np.int64)


def capacity(ctx) -> np.ndarray:
    """Weekly mass-arrest capacity of each region, in simulated agents.

    ``capacity_per_staff`` x free NKVD officers is a capacity in persons; a mass agent stands
    for 1/scale persons, so the capacity in agents is that times the scale. The officers of a
    region are its share of ``world.nkvd_staff`` (by region weight) times the share of its
    simulated officers still free, so that capacity does not jump with the few agents a
    small region gets at a small scale.
    """
    st = ctx.state
    with np.errstate(invalid="ignore", divide="ignore"):
        free = np.where(st.nkvd_free0 > 0, st.nkvd_free / st.nkvd_free0, 0.0)
    return ctx.params.nkvd.capacity_per_staff * ctx.nkvd_staff * free * ctx.world.scale


def open_limits(ctx) -> None:
    """The kulak operation starts: the initial Order 00447 limits come into force."""
    st = ctx.state
    st.lim1[:] = st.lim_initial1
    st.lim2[:] = st.lim_initial2
    st.ordered_room[:] = st.lim_initial1 + st.lim_initial2


def _limit_use(st) -> np.ndarray:
    return st.arrested_00447


def _add_limits(st, r, amount: float, cat1_share: float) -> None:
    st.lim1[r] += amount * cat1_share
    st.lim2[r] += amount * (1 - cat1_share)


def central_review(ctx, appetite: float, force: bool = False) -> None:
    """The centre raises the limits of regions near them (or of all, when extending) by its own decision."""
    st, p = ctx.state, ctx.params
    lim = st.lim1 + st.lim2
    near = lim > 0
    if not force:
        near &= _limit_use(st) >= p.nkvd.request_threshold * lim
    add = p.centre.central_increase * appetite * (st.lim_initial1 + st.lim_initial2) * near
    if add.sum() <= 0:
        return
    for r in np.flatnonzero(add):
        _add_limits(st, r, add[r], p.nkvd.request_cat1_share)
    st.ordered_room += add
    ctx.emit("central_limit_increase", f"+{add.sum() / ctx.world.scale:,.0f} in {int(np.count_nonzero(add))} regions")


def _requests(ctx, pr) -> None:
    st, p = ctx.state, ctx.params
    lim = st.lim1 + st.lim2
    ready = (lim > 0) & (_limit_use(st) >= p.nkvd.request_threshold * lim)
    ready &= st.week - st.last_request >= p.nkvd.request_interval_weeks
    from .centre import approve  # the answer is the centre's

    for r in np.flatnonzero(ready):
        size = p.nkvd.request_size * pr.regional_zeal * (st.lim_initial1[r] + st.lim_initial2[r])
        if size <= 0:
            continue
        st.last_request[r] = st.week
        ok = approve(ctx)
        if ok:
            _add_limits(st, r, size, p.nkvd.request_cat1_share)
            st.approved_room[r] += size
        ctx.emit("limit_request", f"{ctx.world.region_names[r]}: +{size / ctx.world.scale:,.0f} "
                 f"{'approved' if ok else 'refused'}", log=ctx.log_requests)


def _take(ctx, avail: np.ndarray, k: int) -> np.ndarray:
    """Split ``k`` draws without replacement across blocks with ``avail`` members each."""
    if k <= 0:
        return np.zeros(avail.size, np.int64)
    if k >= avail.sum():
        return avail.astype(np.int64)
    return ctx.rng.multivariate_hypergeometric(avail.astype(np.int64), int(k), method="marginals")


_ARREST_STATUS = np.array([DETAINED], np.int8)


def _codes(c) -> np.ndarray:
    return np.array([c], np.int8) if np.isscalar(c) else np.asarray(c, np.int8)


def _arrest_blocks(ctx, blocks, ks, causes: np.ndarray | int) -> None:
    """Arrest ``ks[i]`` next registered agents of each block; ``causes`` is one code or a sequence over all."""
    st = ctx.state
    counts = take_slices(st.arr_ptr, np.asarray(blocks, np.int64), np.asarray(ks, np.int64), _codes(causes),
                         st.status, _ARREST_STATUS, st.arrest_week, st.week, st.cause)
    st.cause_counts += counts[: st.cause_counts.size] / ctx.world.scale


def _sentence_blocks(ctx, blocks, ks, cats: np.ndarray) -> None:
    """Sentence the ``ks[i]`` oldest pending agents of each block with the categories in ``cats`` (in order)."""
    st = ctx.state
    take_slices(st.sen_ptr, np.asarray(blocks, np.int64), np.asarray(ks, np.int64), _codes(cats),
                st.status, STATUS_OF_SENTENCE, st.sentence_week, st.week, st.sentence)


def _registration(ctx, blocks) -> None:
    st = ctx.state
    if blocks.size == 0:
        return
    end = ctx.world.block_start[blocks] + ctx.world.block_size[blocks]
    st.reg_ptr[blocks] += ctx.rng.binomial(end - st.reg_ptr[blocks], ctx.params.nkvd.registration_rate)


def _started_national(ctx) -> np.ndarray:
    """Which national blocks (of ``ctx.b_nat``) are in an operation now."""
    st, w = ctx.state, ctx.world
    if ctx.b_nat.size == 0 or st.happened("ops_ended") or st.stopped():
        return np.zeros(ctx.b_nat.size, bool)
    on = np.array([st.happened(f"national_{name}_start") for name in w.contingent_names], bool)
    return on[w.block_contingent[ctx.b_nat]]


def _layout(ctx, B: np.ndarray):
    """Blocks ``B`` ordered by region, with each one's region and place among its region's blocks (cached)."""
    cache = ctx.cache.setdefault("layout", {})
    key = id(B)
    if key not in cache:
        reg = ctx.world.block_region[B]
        order = np.argsort(reg, kind="stable")
        r = reg[order]
        first = np.searchsorted(r, r, "left")
        j = np.arange(r.size) - first
        cache[key] = (B, order, r, j, int(j.max()) + 1 if j.size else 0)
    return cache[key][1:]


def _split(ctx, B: np.ndarray, avail: np.ndarray, k_r: np.ndarray):
    """Draw ``k_r[r]`` agents without replacement from the blocks of each region (``avail`` in each block of ``B``).

    A multivariate hypergeometric split (:func:`~makhovik.kernels.split_draws`). Returns the
    blocks in region order and the count to take from each; the counts of a region follow
    one another, so codes listed region by region line up with them.
    """
    order, reg, j, J = _layout(ctx, B)
    mat = np.zeros((ctx.world.n_regions, J), np.int64)
    mat[reg, j] = avail[order]
    out = split_draws(mat, np.asarray(k_r, np.int64), ctx.rng)
    return B[order], out[reg, j]


def _shuffled_codes(ctx, counts: np.ndarray, codes) -> np.ndarray:
    """``counts[g, c]`` copies of ``codes[c]`` for every group ``g`` (a region, a block), group by group, shuffled within each."""
    G = counts.shape[0]
    seq = np.repeat(np.tile(np.asarray(codes, np.int8), G), counts.ravel())
    group = np.repeat(np.arange(G), counts.sum(axis=1))
    return seq[np.lexsort((ctx.rng.random(seq.size), group))]


def _mass_arrests(ctx) -> None:
    st, p, w, rng = ctx.state, ctx.params.nkvd, ctx.world, ctx.rng
    R = w.n_regions
    K = capacity(ctx)
    started = _started_national(ctx)
    if started.any():
        nat = ctx.b_nat
        _registration(ctx, nat[started])
        has_nat = np.bincount(w.block_region[nat[started]], minlength=R) > 0
        cap_nat = stochastic_round(K * p.national_capacity_share * has_nat, rng)
        want = np.where(started, rng.binomial(st.reg_ptr[nat] - st.arr_ptr[nat], ctx.arrest_share[nat]), 0)
        k_r = np.minimum(np.bincount(w.block_region[nat], want, minlength=R).astype(np.int64), cap_nat)
        _arrest_blocks(ctx, *_split(ctx, nat, want, k_r), Cause.ORDERED)
        K = K * np.where(has_nat, 1 - p.national_capacity_share, 1.0)
    if not st.happened("op00447_start") or st.happened("ops_ended") or st.stopped():
        return
    B = ctx.b_00447
    if B.size == 0:
        return
    _registration(ctx, B)
    avail = st.reg_ptr[B] - st.arr_ptr[B]
    room = stochastic_round((1 + p.overfulfil) * (st.lim1 + st.lim2) - st.arrested_00447, rng)
    k_r = np.minimum(np.minimum(stochastic_round(K, rng), room),
                     np.bincount(w.block_region[B], avail, minlength=R).astype(np.int64))
    if not k_r.any():
        return
    done = st.arrested_00447
    # the room's fractional last place (scale < 1) counts as inside it, as the rounding of room allows
    n_ord = np.clip(np.ceil(st.ordered_room - done), 0, k_r).astype(np.int64)
    n_app = np.clip(np.ceil(st.ordered_room + st.approved_room - done) - n_ord, 0, k_r - n_ord).astype(np.int64)
    causes = _shuffled_codes(ctx, np.stack([n_ord, n_app, k_r - n_ord - n_app], axis=1),
                             [Cause.ORDERED, Cause.APPROVED, Cause.OVER_LIMIT])
    _arrest_blocks(ctx, *_split(ctx, B, avail, k_r), causes)
    st.arrested_00447 += k_r


def _troikas(ctx) -> None:
    """Troika sentencing of Order 00447 cases within the category limits (before the stop)."""
    st, p, w, rng = ctx.state, ctx.params.nkvd, ctx.world, ctx.rng
    B = ctx.b_00447
    if B.size == 0 or st.stopped():
        return
    pend = st.arr_ptr[B] - st.sen_ptr[B]
    if pend.sum() == 0:
        return
    P_r = np.bincount(w.block_region[B], pend, minlength=w.n_regions).astype(np.int64)
    k = rng.binomial(P_r, 1.0 / p.troika_lag_weeks)
    room1 = stochastic_round((1 + p.overfulfil) * st.lim1 - st.used1, rng)
    room2 = stochastic_round((1 + p.overfulfil) * st.lim2 - st.used2, rng)
    n1 = np.minimum(rng.binomial(k, p.troika_cat1), room1)
    n2 = np.minimum(k - n1, room2)
    n1 = n1 + np.minimum(k - n1 - n2, room1 - n1)
    rel = rng.binomial(P_r - n1 - n2, p.release_rate)
    cats = _shuffled_codes(ctx, np.stack([n1, n2, rel], axis=1), [CAT1, CAT2, RELEASE])
    _sentence_blocks(ctx, *_split(ctx, B, pend, n1 + n2 + rel), cats)
    st.used1 += n1
    st.used2 += n2


def _albums(ctx) -> None:
    """Central album review (dvoika) of national cases, or special troikas in their window."""
    st, p, rng = ctx.state, ctx.params.nkvd, ctx.rng
    B = ctx.b_nat
    if B.size == 0 or st.stopped():
        return
    pend = st.arr_ptr[B] - st.sen_ptr[B]
    total = int(pend.sum())
    if total == 0:
        return
    k = int(rng.binomial(total, 1.0 / p.troika_lag_weeks))
    if st.week > st.special_troikas_until:
        k = min(k, int(stochastic_round(p.album_capacity * ctx.national_size, rng)))
    ks = _take(ctx, pend, k)
    n1 = rng.binomial(ks, ctx.cat1_share[B])
    _sentence_blocks(ctx, B, ks, _shuffled_codes(ctx, np.stack([n1, ks - n1], axis=1), [CAT1, CAT2]))


def _courts(ctx) -> None:
    """After the stop: pending mass cases go to ordinary procedure, mostly category 2."""
    st, p, rng = ctx.state, ctx.params.nkvd, ctx.rng
    B = ctx.b_campaign
    pend = st.arr_ptr[B] - st.sen_ptr[B]
    ks = rng.binomial(pend, 1.0 / p.troika_lag_weeks)
    if ks.sum() == 0:
        return
    cats = np.where(rng.random(int(ks.sum())) < p.ordinary_cat1, CAT1, CAT2).astype(np.int8)
    _sentence_blocks(ctx, B, ks, cats)


def _routine(ctx) -> None:
    st, p, w, rng = ctx.state, ctx.params.nkvd, ctx.world, ctx.rng
    B = ctx.b_routine
    if B.size == 0:
        return
    left = w.block_start[B] + w.block_size[B] - st.arr_ptr[B]
    _arrest_blocks(ctx, B, rng.binomial(left, p.routine_rate), Cause.ROUTINE)
    pend = st.arr_ptr[B] - st.sen_ptr[B]
    ks = rng.binomial(pend, 1.0 / p.routine_lag_weeks)
    if ks.sum():
        cats = np.where(rng.random(int(ks.sum())) < np.repeat(ctx.cat1_share[B], ks), CAT1, CAT2).astype(np.int8)
        _sentence_blocks(ctx, B, ks, cats)


def _cadre_sentencing(ctx) -> None:
    st, p, rng = ctx.state, ctx.params.nkvd, ctx.rng
    pc = st.pending_cadre
    pc = pc[st.status[pc] == DETAINED]
    if pc.size == 0:
        st.pending_cadre = pc
        return
    stopped = st.stopped()
    is_list = st.rank[pc] >= p.list_min_rank
    if stopped:
        prob = np.full(pc.size, 1.0 / p.cadre_lag_weeks)
    else:
        list_week = st.week % p.list_interval_weeks == 0
        p_list = min(1.0, p.list_interval_weeks / p.cadre_lag_weeks) if list_week else 0.0
        on_list = np.where(st.arrest_week[pc] < st.week, p_list, 0.0)  # lists carry last week's arrests
        prob = np.where(is_list, on_list, 1.0 / p.cadre_lag_weeks)
    sent = rng.random(pc.size) < prob
    rel = ~sent & (rng.random(pc.size) < (0.0 if stopped else p.release_rate))
    if stopped:
        c1 = np.full(pc.size, p.ordinary_cat1)
    else:  # troikas judge cadre only during the campaign; before it, ordinary procedure
        troika = p.cadre_cat1 if ctx.state.happened("decision") else p.ordinary_cat1
        c1 = np.where(is_list, p.list_cat1, troika)
    cat = np.where(rng.random(pc.size) < c1, CAT1, CAT2).astype(np.int8)
    st.sentence_slice(pc[sent], cat[sent])
    st.sentence_slice(pc[rel], np.full(int(rel.sum()), RELEASE, np.int8))
    st.pending_cadre = pc[~sent & ~rel]


def chief_change(ctx, why: str) -> None:
    """A new NKVD chief: the outgoing chief's senior officers and those tied to the opposition are named."""
    st = ctx.state
    cand = ctx.nkvd_exposed
    cand = cand[st.status[cand] == FREE]
    named = cand[ctx.rng.random(cand.size) < ctx.params.nkvd.purge_naming]
    ctx.add_kompromat(named)
    ctx.emit("nkvd_purge", f"{why}: {named.size} officers named")


def stop_takes_effect(ctx) -> None:
    """The stop bites: no new mass arrests; a share of the pending detainees is released."""
    st, p, rng = ctx.state, ctx.params.nkvd, ctx.rng
    B = ctx.b_campaign
    pend = st.arr_ptr[B] - st.sen_ptr[B]
    ks = rng.binomial(pend, p.post_stop_release)
    _sentence_blocks(ctx, B, ks, np.full(int(ks.sum()), RELEASE, np.int8))
    pc = st.pending_cadre
    pc = pc[st.status[pc] == DETAINED]
    rel = rng.random(pc.size) < p.post_stop_release
    st.sentence_slice(pc[rel], np.full(int(rel.sum()), RELEASE, np.int8))
    st.pending_cadre = pc[~rel]


def _limit_requests_allowed(ctx) -> bool:
    st = ctx.state
    return (ctx.params.centre.limit_mode in ("requests", "both") and st.happened("op00447_start")
            and not st.happened("ops_ended") and not st.happened("stop_order"))


def step(ctx, pr) -> None:
    """One week of the NKVD machine."""
    _mass_arrests(ctx)
    _routine(ctx)
    if _limit_requests_allowed(ctx):
        _requests(ctx, pr)
    if ctx.state.stopped():
        _courts(ctx)
    else:
        _troikas(ctx)
        _albums(ctx)
    _cadre_sentencing(ctx)

