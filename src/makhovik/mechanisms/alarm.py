"""Alarm and precedent (C3, C4, C5): conspiracy signals raise the leadership's alarm; each prosecution lowers immunity.

- C3: a show trial of former Trotskyists and Zinovievites adds ``alarm.trial_alarm`` to the
  centre's alarm about the defendants' faction.
- C4: every prosecution of an agent of rank *k* multiplies the immunity of ranks up to *k*
  by ``1 - alarm.precedent_step``: the more who fell at a rank, the less that rank protects.
- C5: when Yagoda's link is exposed, the alarm about rightists and leftists rises by
  ``alarm.link_alarm`` times the density of rightist/leftist ties into the NKVD.

Alarm decays with half-life ``alarm.half_life_weeks``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from ..codes import FACTIONS, Faction

__all__ = ["CLAIMS", "decay", "shock", "Precedent", "precedent", "prosecutions", "link_density", "init"]

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
    whole: np.ndarray  # who is an individual (a prosecution of a representative agent sets no precedent)
    rank: np.ndarray  # by cadre agent
    factor: float  # 1 - precedent_step (1: no precedent)


def precedent(ctx) -> Precedent:
    """The run's :class:`Precedent`."""
    st = ctx.state
    return Precedent(st.immunity, st.whole, st.rank, 1.0 - ctx.params.alarm.precedent_step)


@njit(cache=True, nogil=True)
def prosecutions(p, arrested):  # pragma: no cover - compiled
    """Lower immunity after the prosecutions of this week's ``arrested`` (C4): each prosecution of an individual at
    rank *k* multiplies the immunity of every rank <= *k* by ``p.factor`` (a precedent set at the top reaches
    everyone below).

    Examples
    --------
    >>> import numpy as np
    >>> p = Precedent(np.array([0, 0, .5, .5, .5, .5]), np.ones(2, bool), np.array([3, 5]), 0.5)
    >>> prosecutions(p, np.array([0, 1]))
    >>> p.immunity.tolist()
    [0.0, 0.0, 0.125, 0.125, 0.25, 0.25]
    """
    if p.factor >= 1.0:
        return
    ranks = np.empty(arrested.size, np.int64)
    n = 0
    for a in arrested:
        if p.whole[a]:
            ranks[n] = p.rank[a]
            n += 1
    _lower(p.immunity, ranks[:n], p.factor)


@njit(cache=True, nogil=True)
def _lower(immunity, ranks, factor):  # pragma: no cover - compiled
    """Multiply ``immunity[k]`` by ``factor`` once for each of ``ranks`` at or above ``k``."""
    n = np.zeros(immunity.size, np.int64)
    for r in ranks:
        n[r] += 1
    above = 0
    for k in range(immunity.size - 1, -1, -1):  # prosecutions at rank >= k
        above += n[k]
        immunity[k] *= factor ** above


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
