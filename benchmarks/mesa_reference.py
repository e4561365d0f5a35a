"""The cascade sub-model (the flywheel alone, C14) written in Mesa 3, the way a modeller would.

Same rules and parameters as :func:`makhovik.mechanisms.flywheel.cascade_submodel`:
each week, first every named free agent is arrested with probability
``1 - exp(-hazard_per_name x names x (1 - immunity))``; then everyone arrested that week
(the seeds in week 0) names each free neighbour along a tie of type *t* with probability
``naming[t]``, and each naming adds one name to the neighbour's file.

Agents are ``mesa.Agent`` objects holding their neighbours per tie type; the week runs as
two stages over the model's ``AgentSet`` (``do("assess")`` then ``do("interrogate")``), so
that within a week the update is synchronous as in Makhovik. Randomness comes from the
model's own ``random.Random``: the two implementations share rules, not random streams,
so they are compared statistically (``benchmarks/run.py``).
"""

from __future__ import annotations

import math

import mesa
import numpy as np

FREE, DETAINED = 0, 1


class Cadre(mesa.Agent):
    def __init__(self, model, immunity: float):
        super().__init__(model)
        self.status = FREE
        self.names = 0
        self.arrest_week = -1
        self.immunity = immunity
        self.ties: dict[str, list[Cadre]] = {}

    def assess(self) -> None:
        """Stage 1: a named free agent may be arrested."""
        if self.status != FREE or self.names == 0:
            return
        m = self.model
        rate = m.hazard_per_name * self.names * (1.0 - self.immunity)
        if m.random.random() < 1.0 - math.exp(-rate):
            self.arrest(m.week)

    def arrest(self, week: int) -> None:
        self.status = DETAINED
        self.arrest_week = week

    def interrogate(self) -> None:
        """Stage 2: arrested this week, name free neighbours along each tie type."""
        m = self.model
        if self.arrest_week != m.week:
            return
        for tie, neighbours in self.ties.items():
            q = m.naming.get(tie, 0.0)
            if q <= 0:
                continue
            for other in neighbours:
                m.edges_read += 1
                if m.random.random() < q and other.status == FREE:
                    other.names += 1


class CascadeModel(mesa.Model):
    """The flywheel on a given network (CSR matrices by tie type, as Makhovik builds them)."""

    def __init__(self, ties: dict, naming: dict[str, float], hazard_per_name: float, immunity: np.ndarray,
                 seeds: np.ndarray, seed: int | None = None):
        super().__init__(seed=seed)
        self.naming = dict(naming)
        self.hazard_per_name = float(hazard_per_name)
        self.week = 0
        self.edges_read = 0
        n = next(iter(ties.values())).shape[0]
        self.cadre = [Cadre(self, float(immunity[i])) for i in range(n)]
        for tie, m in ties.items():
            indptr, indices = m.indptr.tolist(), m.indices.tolist()
            for i, a in enumerate(self.cadre):
                a.ties[tie] = [self.cadre[j] for j in indices[indptr[i]:indptr[i + 1]]]
        for i in np.unique(seeds):
            self.cadre[int(i)].arrest(0)
        self.agents.do("interrogate")

    def step(self) -> None:
        self.week += 1
        self.agents.do("assess")
        self.agents.do("interrogate")

    def arrest_week(self) -> np.ndarray:
        return np.array([a.arrest_week for a in self.cadre])


def run(ties, naming, hazard_per_name, immunity, seeds, weeks: int, seed: int | None = None) -> CascadeModel:
    """Build the model and run ``weeks`` weeks (week 0 is the seeds' interrogation)."""
    model = CascadeModel(ties, naming, hazard_per_name, immunity, seeds, seed=seed)
    for _ in range(weeks - 1):
        model.step()
    return model
