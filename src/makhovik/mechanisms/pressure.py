"""Factional pressure (C2, C6-C11): each faction presses the centre in proportion to its power, hostility and taste for repression.

- C2: power is shared among several factions; every pressure term is a sum over them.
- C6, C7: ``pressure.hostility.regionals`` toward rightists and technocrats.
- C8: the centre's own hostility toward rightists and technocrats.
- C9, C10: competitive elections (the centre's ``election_preference``) threaten the
  regionals, whose punitive preference rises by ``election_fear`` as the elections approach.
- C11: ``pressure.punitive.left_conservatives``: punitive methods as the general answer.

Power of a faction = the centre's office (``centre_authority``, for the centre only) plus the
rank-weighted number of its free members (``rank_power``), so arrests weaken a faction. A
faction's *strength* is its rank-weighted free membership relative to the start: the
regionals' zeal (their limit requests and initiative) scales with it.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

from ..codes import FACTIONS, Faction

__all__ = ["CLAIMS", "Pressures", "Run", "run", "pressures", "power", "election_factor", "compute", "hostility_matrix",
           "weight"]

CLAIMS = ("C2", "C6", "C7", "C8", "C9", "C10", "C11")
NF = len(FACTIONS)
CENTER, REGIONALS, MASS = int(Faction.CENTER), int(Faction.REGIONALS), int(Faction.MASS)


class Pressures(NamedTuple):
    """This week's pressures on the centre."""

    power: np.ndarray  # [NF] power shares, mass = 0
    strength: np.ndarray  # [NF] each faction's rank-weighted free membership relative to its start
    mass: float  # pressure for mass repression
    target: np.ndarray  # [NF] share of repression pressure aimed at each faction, 0-1
    regional_zeal: float  # the regionals' punitive drive times their remaining power (relative)


class Run(NamedTuple):
    """What the pressures are worked out from, the same all run (:func:`run`; arrays change in place)."""

    free_fr: np.ndarray  # free persons by faction and rank
    rank_power: np.ndarray  # the power of a free person of each rank
    authority: float  # the centre's power by office
    punitive: np.ndarray  # each faction's base preference for repression
    hostility: np.ndarray  # faction x faction
    alarm: np.ndarray  # the leadership's alarm about each faction
    inv_weight0: np.ndarray  # 1 / each faction's rank-weighted free membership at the start (0 for none)


def run(ctx) -> Run:
    """The run's :class:`Run`, with strength measured against the factions' weight at the start."""
    p = ctx.params.pressure
    rank_power = np.asarray(p.rank_power, float)
    weight0 = _weight(ctx.state.free_fr, rank_power)
    inv_weight0 = np.zeros(NF)
    np.divide(1.0, weight0, out=inv_weight0, where=weight0 > 0)
    base = np.zeros(NF)
    for f, v in p.punitive.items():
        base[FACTIONS.index(f)] = v
    return Run(ctx.state.free_fr, rank_power, p.centre_authority, base, ctx.index.hostility, ctx.state.alarm, inv_weight0)


def weight(ctx) -> np.ndarray:
    """Rank-weighted free membership of each faction (persons, expanded to scale 1)."""
    return _weight(ctx.state.free_fr, ctx.pressure.rank_power)


def power(ctx, raw: np.ndarray | None = None) -> np.ndarray:
    """Power shares of the factions (sum 1 over the cadre factions, 0 for the mass), from ``weight`` if given."""
    return _power(weight(ctx) if raw is None else raw, ctx.params.pressure.centre_authority)


@njit(cache=True, nogil=True)
def _weight(free_fr, rank_power):  # pragma: no cover - compiled
    raw = free_fr @ rank_power
    raw[MASS] = 0.0
    return raw


@njit(cache=True, nogil=True)
def _power(raw, authority):  # pragma: no cover - compiled
    total = raw.sum()
    out = (1.0 - authority) * (raw / total if total > 0 else raw)
    out[CENTER] += authority
    return out


@njit(cache=True, nogil=True)
def pressures(run, election):  # pragma: no cover - compiled
    """Power, mass pressure, strength, target shares and the regionals' zeal (see :func:`compute`); the punitive
    preferences are the base ones with the regionals' times ``election`` (:func:`election_factor`)."""
    u = run.punitive.copy()
    u[REGIONALS] *= election
    raw = _weight(run.free_fr, run.rank_power)
    P = _power(raw, run.authority)
    drive = P * u
    denom = drive.sum()
    target = (drive @ run.hostility) / denom if denom > 0 else np.zeros(raw.size)
    strength = raw * run.inv_weight0
    return P, strength, denom * (1.0 + run.alarm.sum()), target, min(u[REGIONALS], 1.0) * strength[REGIONALS]


def election_factor(ctx) -> float:
    """Multiplier of the regionals' punitive preference from the coming elections (C9, C10).

    ``1 + election_fear * election_preference * exp(-(weeks to the elections) / horizon)``
    before the elections, 1 after them or when the scenario has none.
    """
    w_e = ctx.index.election_week
    if w_e is None or ctx.state.week >= w_e:
        return 1.0
    p = ctx.params.pressure
    prox = math.exp(-(w_e - ctx.state.week) / p.election_horizon_weeks)
    return 1.0 + p.election_fear * ctx.params.centre.election_preference * prox


def compute(ctx) -> Pressures:
    """Power, mass pressure and targeted pressure for this week (:func:`pressures`)."""
    return Pressures(*pressures(ctx.pressure, election_factor(ctx)))  # (numba boxes a NamedTuple slower)


def hostility_matrix(params) -> np.ndarray:
    """The hostility mapping as an NF x NF matrix (row: who, column: toward whom)."""
    H = np.zeros((NF, NF))
    for f, row in params.pressure.hostility.items():
        for g, v in row.items():
            H[FACTIONS.index(f), FACTIONS.index(g)] = v
    return H


