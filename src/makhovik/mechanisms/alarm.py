"""Alarm and precedent (C3, C4, C5): conspiracy signals raise the leadership's alarm; each prosecution lowers immunity.

- C3: a show trial of former Trotskyists and Zinovievites adds ``alarm.trial_alarm`` to the
  centre's alarm about the defendants' faction.
- C4: precedent, by rank and by show trial, saturating. The immunity of rank *k* is its initial
  value times ``floor + (1 - floor) x (1 - trial_precedent)^trials x 0.5^(share_k / precedent_half)``:
  ``share_k`` is the share of the individuals at rank *k* or above at the start who have been
  prosecuted, ``trials`` the show trials so far, ``floor`` = ``alarm.precedent_floor`` the part of
  the immunity no precedent removes. The more who fell at a rank, the less that rank protects,
  down to the floor: a precedent set at the top reaches every rank below, and the senior tier's
  thousands do not wear its immunity to nothing.
- C5: when Yagoda's link is exposed, the alarm about rightists and leftists rises by
  ``alarm.link_alarm`` times the density of rightist/leftist ties into the NKVD.

Alarm decays with half-life ``alarm.half_life_weeks``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from ..codes import FACTIONS, Faction

__all__ = ["CLAIMS", "decay", "shock", "Precedent", "precedent", "prosecutions", "show_trial", "link_density", "init"]

CLAIMS = ("C3", "C4", "C5")
_RIGHTISTS, _LEFTISTS, _NKVD = int(Faction.RIGHTISTS), int(Faction.LEFTISTS), int(Faction.NKVD)


def init(ctx) -> None:
    """Initial immunity by rank."""
    ctx.state.immunity[:] = ctx.params.alarm.immunity


def decay(ctx) -> None:
    """One week of exponential decay of every faction's alarm."""
    ctx.state.alarm *= 0.5 ** (1.0 / ctx.params.alarm.half_life_weeks)


def shock(ctx, faction: str, amount: float) -> None:
    """Add ``amount`` to the centre's alarm about ``faction``."""
    ctx.state.alarm[FACTIONS.index(faction)] += amount


class Precedent(NamedTuple):
    """What the precedents of the week's prosecutions change and read (:func:`prosecutions`), the same all run."""

    immunity: np.ndarray  # by rank, changed in place
    initial: np.ndarray  # by rank, at the start
    whole: np.ndarray  # who is an individual (a prosecution of a representative agent sets no precedent)
    rank: np.ndarray  # by cadre agent
    prosecuted: np.ndarray  # individuals prosecuted at each rank, changed in place
    base: np.ndarray  # individuals at each rank or above at the start
    trials: np.ndarray  # one entry: the show trials so far, changed in place
    floor: float  # the share of the initial immunity no precedent removes
    half: float  # the share of a rank's individuals prosecuted that halves the removable immunity
    trial_factor: float  # 1 - trial_precedent


def precedent(ctx) -> Precedent:
    """The run's :class:`Precedent`."""
    st, p = ctx.state, ctx.params.alarm
    ranks = st.rank[st.whole[:st.rank.size]]
    base = np.cumsum(np.bincount(ranks, minlength=st.immunity.size)[::-1])[::-1].astype(np.float64)
    return Precedent(st.immunity, st.immunity.copy(), st.whole, st.rank, np.zeros(st.immunity.size, np.int64), base,
                     np.zeros(1, np.int64), p.precedent_floor, p.precedent_half, 1.0 - p.trial_precedent)


@njit(cache=True, nogil=True)
def _update(p):  # pragma: no cover - compiled
    """Set the immunity of every rank from the precedents so far (the module's C4)."""
    above = 0
    for k in range(p.immunity.size - 1, -1, -1):  # prosecutions at rank >= k
        above += p.prosecuted[k]
        share = above / p.base[k] if p.base[k] > 0 else 0.0
        left = p.trial_factor ** p.trials[0] * 0.5 ** (share / p.half)
        p.immunity[k] = p.initial[k] * (p.floor + (1.0 - p.floor) * left)


@njit(cache=True, nogil=True)
def prosecutions(p, arrested):  # pragma: no cover - compiled
    """Lower immunity after the prosecutions of this week's ``arrested`` (C4): each individual counts at its rank,
    and the immunity of every rank follows from the individuals prosecuted at it and above (:func:`_update`).

    Examples
    --------
    Two ranks of two individuals each (one at rank 4, one at rank 5, two below); one prosecution at rank 4 is a
    quarter of the individuals at rank 1 or above and half of those at rank 4 or above; with the removable part
    halved by each quarter, and a floor of half the initial immunity:

    >>> import numpy as np
    >>> z = np.zeros(6, np.int64)
    >>> p = Precedent(np.full(6, .8), np.full(6, .8), np.ones(4, bool), np.array([1, 1, 4, 5]), z,
    ...               np.array([4., 4, 2, 2, 2, 1]), np.zeros(1, np.int64), 0.5, 0.25, 1.0)
    >>> prosecutions(p, np.array([2]))
    >>> p.immunity.round(3).tolist()
    [0.6, 0.6, 0.5, 0.5, 0.5, 0.8]
    """
    for a in arrested:
        if p.whole[a]:
            p.prosecuted[p.rank[a]] += 1
    if arrested.size:
        _update(p)


def show_trial(ctx) -> None:
    """A show trial: the precedent it sets takes ``trial_precedent`` of the removable immunity of every rank (C3,
    C4); its defendants' own prosecutions count at their rank besides."""
    m = ctx.machine.precedent
    m.trials[0] += 1
    _update(m)


def link_density(world) -> float:
    """Share of former rightists and leftists (persons) with at least one tie into the NKVD (C5).

    Counted in persons so that it does not move with the scale. An agent of a scaled tier is
    a representative person: its ties are one person's ties. A whole-tier person's tie to a
    scaled NKVD agent is drawn with probability ``scale`` and stands for ``1/scale``
    person-level ties, so for the whole tier the ties to scaled agents are known only on
    average: a whole-tier person without a tie to a whole-tier officer counts
    ``1 - exp(-lambda)``, ``lambda`` the mean person-level ties of the whole tier to the
    scaled officers. At scale 1 this is the plain share with a tie.
    """
    m = world.ties["cross_faction"]
    return _link_density(world.faction, world.whole, m.indptr, m.indices, float(world.scale))


@njit(cache=True, nogil=True)
def _link_density(faction, whole, indptr, indices, scale):  # pragma: no cover - compiled
    """:func:`link_density` from the cadre's factions and tiers and the cross-faction ties (CSR)."""
    right, left, nkvd = _RIGHTISTS, _LEFTISTS, _NKVD
    persons = 0.0  # the opposition's persons
    scaled_hits = 0.0  # scaled oppositionists with a tie to an officer, in persons
    whole_hits = 0  # whole-tier oppositionists with a tie to a whole-tier officer
    n_whole = 0
    ties_to_scaled = 0  # the whole tier's ties to scaled officers
    for a in range(whole.size):
        if faction[a] != right and faction[a] != left:
            continue
        to_whole, to_scaled = 0, 0
        for e in range(indptr[a], indptr[a + 1]):
            j = indices[e]
            if faction[j] == nkvd:
                if whole[j]:
                    to_whole += 1
                else:
                    to_scaled += 1
        if whole[a]:
            persons += 1.0
            n_whole += 1
            ties_to_scaled += to_scaled
            whole_hits += to_whole > 0
        else:
            persons += 1.0 / scale
            if to_whole + to_scaled > 0:
                scaled_hits += 1.0 / scale
    if persons == 0.0:
        return 0.0
    hits = scaled_hits
    if n_whole:  # a whole-tier person without a whole-tier officer: the chance of a tie among the scaled
        lam = ties_to_scaled / n_whole * scale
        hits += whole_hits + (n_whole - whole_hits) * -np.expm1(-lam)
    return hits / persons
