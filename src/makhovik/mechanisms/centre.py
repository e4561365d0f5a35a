"""The centre's decisions (C1, C8, C9, C15, C16): initiative, the Ukrainian attempt, the strategy switch, limits, extension, stop.

- C1: who starts the mass operations. ``centre.initiative``: ``pressure`` (the centre yields
  when the pressure for mass repression reaches ``centre.resistance``), ``schedule`` (it
  decides at ``centre.initiative_date``, a parameter with a wide prior, never the
  historical date), or ``either``. The decision is the endogenous event
  ``mass_operations_decision``; the kulak operation starts ``launch_lag_weeks`` later
  (``mass_operations_start``), each national operation after its own lag.
- C8: ``centre.target_weight``: whom the centre itself wants gone; its sanctioned arrests
  mix this wish with the factions' pressure by ``centre.yield_to_pressure``.
- C9: ``centre.appetite_initial`` (low: the centre prefers elections to terror) and
  ``centre.election_preference``.
- C15: with ``centre.ukraine_attempt`` the centre, once pressure reaches
  ``ukraine_attempt_pressure`` x resistance, tries to replace the Ukrainian leadership;
  it succeeds with probability P_centre / (P_centre + ukraine_entrenchment x P_regionals).
- C16: ``centre.switch``: what moves the centre to ``appetite_after_switch``; after the
  switch, with ``centre.appointments``, vacated posts go to its appointees.

Limits: regional requests are approved with ``centre.approval_prob`` (drawn in the NKVD's
week, :mod:`.nkvd`); under
``limit_mode`` ``central`` or ``both`` the centre reviews limits every
``review_interval_weeks`` and raises those of the regions near them. At the end of each
planned period the centre extends Order 00447 if its drive reaches ``extend_threshold``,
with a block decree (``central`` or ``both``) for the regions near their limits: the
others' limits stay, and bind; otherwise Order 00447 ends (``operations_ended``) and the
national operations go on to the stop. The stop comes by
``centre.stop_rule``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from ..codes import FREE, Faction, Institution, Rank
from ..world.inputs import UKRAINE
from . import control, nkvd

__all__ = ["CLAIMS", "appetite", "step", "Sanction", "sanction", "sanction_args", "drive"]

CLAIMS = ("C1", "C8", "C9", "C15", "C16")
CENTER, REGIONALS, MASS = int(Faction.CENTER), int(Faction.REGIONALS), int(Faction.MASS)


def appetite(ctx) -> float:
    """The centre's appetite for repression this week (C9, C16)."""
    c = ctx.params.centre
    return c.appetite_after_switch if ctx.state.happened("switch") else c.appetite_initial


def drive(ctx, pr) -> float:
    """The centre's drive to go on: its appetite mixed with the pressure it yields to."""
    c = ctx.params.centre
    y = c.yield_to_pressure
    return (1 - y) * appetite(ctx) + y * pr.mass / c.resistance


class Sanction(NamedTuple):
    """What the centre's sanction of arrests depends on this week (:func:`sanction`)."""

    rate: float  # elite_rate x the centre's appetite x the weeks the list covers (0 but in a list week)
    min_rank: int  # the lowest rank the lists name (nkvd.list_min_rank)
    yield_to_pressure: float
    target_weight: np.ndarray  # the centre's own wish to remove each faction
    target: np.ndarray  # the factions' pressure on each faction (pressure.Pressures.target)
    alarm: np.ndarray  # the leadership's alarm about each faction


def sanction_args(ctx, pr) -> Sanction:
    """This week's :class:`Sanction`: the centre signs its lists of senior cadre every ``nkvd.list_interval_weeks``
    (C8, C12), each list the weeks since the last at once (:func:`nkvd.list_weeks <makhovik.mechanisms.nkvd.list_weeks>`)."""
    c = ctx.params.centre
    return Sanction(c.elite_rate * appetite(ctx) * nkvd.list_weeks(ctx), ctx.params.nkvd.list_min_rank, c.yield_to_pressure,
                    ctx.index.target_weight, pr.target, ctx.state.alarm)


@njit(cache=True, nogil=True)
def sanction(s):  # pragma: no cover - compiled
    """The hazard of a name on this week's sanction list for a free senior member of each faction, before immunity (C8):
    ``rate x ((1 - yield) x own wish + yield x the factions' pressure) x (1 + alarm)``; none for the mass."""
    h = s.rate * ((1 - s.yield_to_pressure) * s.target_weight + s.yield_to_pressure * s.target) * (1.0 + s.alarm)
    h[MASS] = 0.0
    return h


def _switch(ctx, why: str) -> None:
    if not ctx.state.happened("switch"):
        ctx.state.flags["switch"] = ctx.state.week
        ctx.emit("strategy_switch", why)


def _decide(ctx, why: str) -> None:
    st = ctx.state
    st.flags["decision"] = st.week
    ctx.emit("mass_operations_decision", why)
    if ctx.params.centre.switch == "initiative":
        _switch(ctx, "the centre's own decision")
    lag = int(round(ctx.params.centre.launch_lag_weeks))
    st.flags["op00447_start"] = st.week + lag
    ctx.schedule(st.week + lag, "mass_operations_start", "Order 00447 limits in force", action=nkvd.open_limits)
    for name in ctx.world.contingent_names:
        spec = ctx.scenario.world.contingents[name]
        if spec.operation == "national":
            wk = st.week + int(round(spec.launch_lag_weeks))
            st.flags[f"national_{name}_start"] = wk
            ctx.schedule(wk, f"national_{name}_start", f"national operation: {name}")


def _ukraine_attempt(ctx, pr) -> None:
    st, c = ctx.state, ctx.params.centre
    st.flags["ukraine_attempt"] = st.week
    pc, prg = pr.power[CENTER], pr.power[REGIONALS]
    p = pc / (pc + c.ukraine_entrenchment * prg) if pc + prg > 0 else 0.0
    ok = bool(ctx.rng.random() < p)
    ctx.emit("ukraine_replacement_attempt", f"{'succeeded' if ok else 'failed'} (p = {p:.2f})")
    if ok:
        from .decline import fill_post

        w = ctx.world
        ukr = {i for i, r in enumerate(w.region_republic) if r == UKRAINE}
        for o in np.flatnonzero(w.org_kind == Institution.PARTY):
            if int(w.org_region[o]) in ukr and st.org_head[o] >= 0:
                old = int(st.org_head[o])
                if st.status[old] == FREE:  # removed from post, not arrested: a senior cadre at most
                    st.promote(old, min(int(st.rank[old]), int(Rank.SENIOR)))
                fill_post(ctx, int(o), appointee=True)
    elif c.switch == "ukraine_failure":
        _switch(ctx, "the Ukrainian replacement attempt failed")


def _week(ctx, date) -> int:
    return (date - ctx.scenario.calendar.start).days // 7


def step(ctx, pr) -> None:
    """This week's decisions of the centre."""
    st, c = ctx.state, ctx.params.centre
    t = st.week
    if c.ukraine_attempt and not st.happened("ukraine_attempt") and not st.happened("stop_order"):
        if pr.mass >= c.ukraine_attempt_pressure * c.resistance:
            _ukraine_attempt(ctx, pr)
    if not st.happened("decision"):
        by_pressure = c.initiative in ("pressure", "either") and pr.mass >= c.resistance
        by_schedule = c.initiative in ("schedule", "either") and t >= _week(ctx, c.initiative_date)
        if by_pressure or by_schedule:
            _decide(ctx, f"pressure {pr.mass:.2f} >= resistance {c.resistance:.2f}" if by_pressure
                    else "the centre's own schedule")
        return
    if st.happened("stop_order"):
        return
    start = st.flags["op00447_start"]
    if t > start and not st.happened("ops_ended"):
        since = t - start
        if c.limit_mode in ("central", "both") and since % c.review_interval_weeks == 0:
            nkvd.central_review(ctx, appetite(ctx))
        if since % c.planned_duration_weeks == 0:
            d = drive(ctx, pr)
            if d >= c.extend_threshold:
                ctx.emit("operations_extended", f"drive {d:.2f} >= {c.extend_threshold:.2f}")
                if c.limit_mode in ("central", "both"):
                    nkvd.central_review(ctx, appetite(ctx), act="decree")
            else:
                st.flags["ops_ended"] = t
                ctx.emit("operations_ended", f"drive {d:.2f} < {c.extend_threshold:.2f}")
    by_schedule = c.stop_rule in ("schedule", "either") and t >= _week(ctx, c.stop_date)
    by_pressure = (c.stop_rule in ("pressure", "either") and st.happened("top_removal")
                   and t - start >= c.stop_min_weeks and pr.mass < c.stop_pressure)
    if by_schedule or by_pressure:
        lat = control.stop_latency(st.control, ctx.params)
        st.flags["stop_order"] = t
        st.flags["stop_effective"] = t + lat
        ctx.emit("stop_order", ("the centre's own schedule" if by_schedule else
                                f"pressure {pr.mass:.2f} < {c.stop_pressure:.2f}") +
                 f"; control {st.control:.2f}, latency {lat} weeks")
        ctx.schedule(t + lat, "stop_effective", "mass operations end; troikas abolished",
                     action=nkvd.stop_takes_effect)
        nkvd.chief_change(ctx, "new NKVD chief at the stop")
