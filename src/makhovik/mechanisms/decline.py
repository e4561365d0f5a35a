"""Self-consumption and decline (C18, C19, C20): cascades reach the regionals' own networks; the centre removes their weakened top.

- C18: the share of the regional first secretaries in post at the start who have been
  arrested (``regional_heads_lost`` in the series) is an outcome.
- C19: once the regionals' strength (rank-weighted free membership) falls below
  ``decline.top_removal_power_ratio`` of its start, the centre removes the top regionals (rank 5, or members of the 1934 CC) at
  ``decline.top_removal_rate`` per week each (arrests it orders).
- C20: the decline itself comes from depletion of the registers, from the collapse of
  regional pressure after the top is removed, or from a stop order (``centre``).

Vacated party posts are filled every week: by a centre appointee after the centre's
strategy switch when ``centre.appointments`` is set (C16), else by the highest-ranked
free regional of the organisation.
"""

from __future__ import annotations

import numpy as np

from ..scenario.schema import FACTIONS
from ..state import FREE, Cause
from ..world.agents import CC_1934

__all__ = ["CLAIMS", "top_regionals", "step", "fill_post", "heads_lost"]

CLAIMS = ("C16", "C18", "C19", "C20")
REGIONALS, CENTER = FACTIONS.index("regionals"), FACTIONS.index("center")
TOP = 4


def top_regionals(world) -> np.ndarray:
    """The regional top: regionals of rank 5 or in the 1934 CC."""
    nc = world.n_cadre
    f = world.faction[:nc]
    return np.flatnonzero((f == REGIONALS) & ((world.rank[:nc] >= 5) | ((world.bodies & CC_1934) > 0)))


def heads_lost(ctx) -> float:
    """Share of the first secretaries in post at the start who are no longer free (C18)."""
    h = ctx.state.head0
    return float(np.count_nonzero(ctx.state.status[h] != FREE) / h.size) if h.size else 0.0


def step(ctx, pr) -> None:
    """Top removal (C19) and filling of vacated posts (C16)."""
    st, d = ctx.state, ctx.params.decline
    if st.happened("decision") and not st.happened("top_removal"):
        s = pr.strength[REGIONALS]
        if s < d.top_removal_power_ratio:
            ctx.emit("top_removal_begins", f"regional strength at {s:.2f} of its start")
            st.flags["top_removal"] = st.week
    if st.happened("top_removal") and not st.stopped():
        top = ctx.top_regionals
        top = top[st.status[top] == FREE]
        hit = top[ctx.rng.random(top.size) < d.top_removal_rate]
        st.arrest_cadre(hit, Cause.ORDERED)
    party = ctx.party_orgs
    head = st.org_head[party]
    for o in party[(head >= 0) & (st.status[head] != FREE)]:  # vacated: the head was arrested
        fill_post(ctx, int(o), appointee=ctx.params.centre.appointments and st.happened("switch"))


def fill_post(ctx, org: int, appointee: bool) -> int:
    """Put a new head into party organisation ``org``; returns the agent (or -1 if nobody is left).

    With ``appointee`` the centre sends one of its own (C16); otherwise the highest-ranked
    free regional of the organisation is promoted.
    """
    st, w = ctx.state, ctx.world
    agent = -1
    if appointee:
        cand = ctx.sample_free(CENTER, 1, max_rank=3, whole_only=True)
        if cand.size:
            agent = int(cand[0])
    if agent < 0:
        members = ctx.org_members(org)
        members = members[(st.status[members] == FREE) & (w.faction[members] == REGIONALS) & (st.rank[members] < TOP)]
        if members.size:
            # the highest rank, and among equals an individual (whole tier) before a scaled agent
            agent = int(members[np.lexsort((~st.whole[members], -st.rank[members]))[0]])
    if agent < 0:
        st.org_head[org] = -1
        return -1
    st.promote(agent, TOP)
    st.org_head[org] = agent
    return agent
