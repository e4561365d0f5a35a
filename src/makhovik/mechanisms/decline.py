"""Self-consumption and decline (C18, C19, C20): cascades reach the regionals' own networks; the centre removes their weakened top.

- C18: the share of the regional first secretaries in post at the start who have been
  arrested (``regional_heads_lost`` in the series) is an outcome.
- C19: with ``decline.top_removal``, once the regionals' strength (rank-weighted free membership)
  falls below ``decline.top_removal_power_ratio`` of its start, the centre removes the top
  regionals (rank 5, or members of the 1934 CC) at ``decline.top_removal_rate`` per week each:
  first from their posts (moved, their rank kept, their posts filled; the event
  ``NAME_removed`` for a named agent), then, each week with probability
  1 / ``removal_lag_weeks``, the arrest it orders, as Eikhe, Kosior and Postyshev were moved
  before they were arrested. Without ``top_removal`` the top falls only as other cadre do.
- With ``decline.remove_before_list``, a top regional in post is never arrested there: the week
  that would arrest him (the centre's list, or a cascade naming it approves) has the centre remove
  him from his posts instead (:func:`remove`, from the engine), and his arrest follows after the
  removal lag. Removal is then the centre's targeting, not the regionals' weakness (DESIGN's
  "why it ends").
- C20: the decline itself comes from depletion of the registers, from the collapse of
  regional pressure after the top is removed, or from a stop order (``centre``).

Vacated party posts are filled every week: by a centre appointee after the centre's
strategy switch when ``centre.appointments`` is set (C16), else by the highest-ranked
free regional of the organisation.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from ..codes import FREE, Cause, Faction, Rank
from ..kernels import draw_free, generator, promote_agent
from ..world.agents import CC_1934

__all__ = ["CLAIMS", "top_regionals", "step", "remove", "Posts", "posts", "week", "fill_post", "appointees", "heads_lost"]

CLAIMS = ("C16", "C18", "C19", "C20")
REGIONALS, CENTER = int(Faction.REGIONALS), int(Faction.CENTER)
TOP = int(Rank.TOP)  # the rank of a post's holder


def top_regionals(world) -> np.ndarray:
    """The regional top: regionals of Politburo rank or in the 1934 CC."""
    nc = world.n_cadre
    f = world.faction[:nc]
    return np.flatnonzero((f == REGIONALS) & ((world.rank[:nc] >= Rank.POLITBURO) | ((world.bodies & CC_1934) > 0)))


def heads_lost(state, n_weeks: int) -> np.ndarray:
    """Share of the first secretaries in post at the start who are no longer free, at the end of each week (C18).

    A first secretary who is no longer free was arrested: the share at week *t* counts the
    arrest weeks up to *t*, so the whole series is read from the arrest weeks after the run.
    """
    h = state.head0
    if h.size == 0:
        return np.zeros(n_weeks)
    aw = state.arrest_week[h].astype(np.int64)
    aw = aw[(aw >= 0) & (aw < n_weeks)]
    return np.cumsum(np.bincount(aw, minlength=n_weeks)[:n_weeks]) / h.size


def step(ctx, pr) -> None:
    """Top removal (C19): removals from post, and the arrests of those removed. The posts the week's arrests vacate
    are filled by the engine's compiled week (:func:`week`, C16); those of the removed, here."""
    st, d = ctx.state, ctx.params.decline
    if d.top_removal and st.happened("decision") and not st.happened("top_removal"):
        s = pr.strength[REGIONALS]
        if s < d.top_removal_power_ratio:
            ctx.emit("top_removal_begins", f"regional strength at {s:.2f} of its start")
            st.flags["top_removal"] = st.week
    if st.removed_list.size:  # those removed before this week
        r = st.removed_list[st.status[st.removed_list] == FREE]
        go = ctx.rng.random(r.size) < 1.0 / d.removal_lag_weeks
        st.removed_list = r[~go]
        st.arrest_cadre(r[go], Cause.ORDERED)
    if st.happened("top_removal") and not st.stopped():
        top = ctx.index.top_regionals
        top = top[(st.status[top] == FREE) & ~st.removed[top]]
        for a in top[ctx.rng.random(top.size) < d.top_removal_rate]:
            remove(ctx, int(a))


def remove(ctx, agent: int) -> None:
    """Remove a top regional from his posts: moved (his rank kept, as Kosior went to the Sovnarkom and Eikhe to a
    commissariat), his posts filled (:func:`fill_post`), his arrest to come (:func:`step`)."""
    st = ctx.state
    st.removed[agent] = True
    st.guard[agent] = False  # out of post: his arrest may come as any other's too
    st.removed_list = np.append(st.removed_list, agent)
    for o in np.flatnonzero(st.org_head == agent):
        fill_post(ctx, int(o), appointee=appointees(ctx))
    for label, idx in ctx.world.named.items():
        if idx == agent:
            ctx.emit(f"{label}_removed", f"agent {agent}")


class Posts(NamedTuple):
    """What the filling of vacated posts reads and writes, the same all run (:func:`posts`; arrays change in place)."""

    party_orgs: np.ndarray  # the party organisations, whose heads are refilled each week
    lo: int  # the centre's range of agents (its appointees come from there)
    hi: int
    free_count: np.ndarray  # free agents by faction
    members: np.ndarray  # each organisation's members: organisation o's are members[ptr[o]:ptr[o + 1]]
    ptr: np.ndarray
    faction: np.ndarray
    free_fr: np.ndarray
    expansion: np.ndarray
    whole: np.ndarray
    rank: np.ndarray
    status: np.ndarray
    org_head: np.ndarray


def posts(ctx) -> Posts:
    """The run's :class:`Posts`."""
    st, w = ctx.state, ctx.world
    return Posts(ctx.index.party_orgs, int(w.faction_start[CENTER]), int(w.faction_end[CENTER]), st.free_count,
                 ctx.index.org_order, ctx.index.org_ptr, w.faction, st.free_fr, st.exp, st.whole, st.rank, st.status, st.org_head)


def appointees(ctx) -> bool:
    """Whether vacated posts go to centre appointees now: after the switch, when ``centre.appointments`` is set."""
    return bool(ctx.params.centre.appointments and ctx.state.happened("switch"))


@njit(cache=True, nogil=True)
def week(p, appointee, rng):  # pragma: no cover - compiled
    """Fill every party post whose head is no longer free (:func:`fill_post`), with centre appointees when
    ``appointee`` (C16)."""
    _fill_posts(p, p.party_orgs, True, appointee, rng)


def fill_post(ctx, org: int, appointee: bool) -> int:
    """Put a new head into party organisation ``org``; returns the agent (or -1 if nobody is left).

    With ``appointee`` the centre sends one of its own (C16): a free individual of the centre
    below the top ranks; otherwise, or when none is left, the highest-ranked free regional of
    the organisation below the top is promoted (among equals an individual before a scaled
    agent, then the first in agent order).
    """
    _fill_posts(ctx.machine.posts, np.array([org], np.int64), False, appointee, ctx.krng)
    return int(ctx.state.org_head[org])


@njit(cache=True, nogil=True)
def _fill_posts(p, orgs, vacated_only, appointee, rng):  # pragma: no cover - compiled
    """:func:`fill_post` for each of ``orgs`` in turn; with ``vacated_only``, only for those whose head is no longer
    free."""
    status, rank, faction, whole, org_head = p.status, p.rank, p.faction, p.whole, p.org_head
    n_free = p.free_count[CENTER]  # promotions do not change it
    rng = generator(rng)
    for o in orgs:
        if vacated_only and (org_head[o] < 0 or status[org_head[o]] == FREE):
            continue
        agent = -1
        if appointee:
            cand = draw_free(p.lo, p.hi, 1, n_free, status, rank, TOP - 1, whole, True, rng)
            if cand.size:
                agent = cand[0]
        if agent < 0:
            best_rank, best_whole = -1, False
            for a in p.members[p.ptr[o]:p.ptr[o + 1]]:
                if status[a] != FREE or faction[a] != REGIONALS or rank[a] >= TOP:
                    continue
                if rank[a] > best_rank or (rank[a] == best_rank and whole[a] and not best_whole):
                    agent, best_rank, best_whole = a, rank[a], whole[a]
        if agent < 0:
            org_head[o] = -1
            continue
        promote_agent(agent, TOP, faction, p.free_fr, p.expansion, whole, rank)
        org_head[o] = agent
