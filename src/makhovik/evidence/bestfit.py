"""The best fit of one hypothesis: the parameter set inside its priors closest to the record.

ABC-SMC (:mod:`.calibrate`) answers "which parameters are plausible"; this answers a narrower
question the fidelity check needs: *can* the hypothesis reproduce the record at some parameter
set inside its priors, and where? It minimises :func:`~.observables.total_distance` (the same
distance the calibration uses) of the median of ``replicates`` runs, over the priors' box, by
CMA-ES (the ``cma`` package).

Every evaluation uses the same replicate seeds (common random numbers), so the objective is a
deterministic function of the parameters and two parameter sets are compared on the same draws;
the best point is then rerun on fresh seeds (:func:`posterior_predictive`) so the fit reported
is not the fit to the noise of the seeds it was chosen on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._rng import children
from ..errors import MakhovikError, ScenarioError
from ..scenario import load_scenario
from ..scenario.schema import Scenario
from .calibrate import Prior, priors_of
from .observables import Observable, observables, simulated_values, total_distance

__all__ = ["BestFit", "best_fit", "posterior_predictive", "search_seeds", "median_values"]


def search_seeds(seed: int, replicates: int) -> list:
    """The seeds of the replicates every parameter set of a search with ``seed`` is run on (and of its search)."""
    return children(np.random.SeedSequence(seed).spawn(2)[1], replicates)


def median_values(scenario: Scenario, seeds: list, names: list[str]) -> dict[str, float]:
    """Each observable's median over runs of ``scenario`` on ``seeds``."""
    from ..engine import simulate

    runs = [simulated_values(simulate(scenario, seed=s, log_requests=False), names) for s in seeds]
    return {k: float(np.nanmedian([r[k] for r in runs])) for k in names}


class _Objective:
    """Unit-cube parameters -> total distance of the median of the replicates (picklable)."""

    def __init__(self, data: dict, priors: list[Prior], scale: float, seeds: list, obs: list[Observable]):
        self.data, self.priors, self.scale, self.seeds, self.obs = data, priors, scale, seeds, obs

    def overrides(self, u) -> dict:
        start = self.data["calendar"]["start"]
        return {p.path: p.value(p.from_unit(float(x)), start) for p, x in zip(self.priors, u, strict=True)}

    def values(self, u) -> dict[str, float]:
        scn = load_scenario(self.data, overrides=self.overrides(u), scale=self.scale, warn=False)
        return median_values(scn, self.seeds, [o.name for o in self.obs])

    def __call__(self, u) -> float:
        return total_distance(self.values(u), self.obs)


@dataclass
class BestFit:
    """The closest parameter set found for one hypothesis."""

    hypothesis: str
    parameters: dict  # path -> value (dates as ISO strings), every calibrated parameter
    distance: float  # total distance of the replicates' medians at ``parameters``, on the search's seeds
    values: dict[str, float]  # those medians
    evaluations: int  # parameter sets tried
    elapsed_s: float
    history: list[float]  # best distance after each generation
    scale: float = 0.01
    replicates: int = 2
    seed: int = 1937

    def overrides(self) -> list[str]:
        """``path=value`` strings that set the best fit on the command line (``--set``)."""
        return [f"{k}={v}" for k, v in self.parameters.items()]

    def scenario(self, base: Scenario, scale: float | None = None) -> Scenario:
        """``base`` (the scenario searched) at the best fit, at ``scale`` (the search's, by default)."""
        return load_scenario(base.model_dump(mode="python"), overrides=self.parameters,
                             scale=self.scale if scale is None else scale, warn=False)


def best_fit(
    scenario: Scenario,
    scale: float | None = None,
    replicates: int = 2,
    evaluations: int = 2000,
    population: int | None = None,
    seed: int = 1937,
    workers: int | None = None,
    obs: list[Observable] | None = None,
    progress: Callable[[int, float, int], None] | None = None,
) -> BestFit:
    """Search the hypothesis's priors for the parameters whose runs come closest to the record.

    The search is CMA-ES (the ``cma`` package) on the priors' box mapped to the unit cube, from
    the scenario's own values, with an initial step of a quarter of each prior's width.

    Parameters
    ----------
    scenario
        The scenario with its hypothesis (:func:`makhovik.load_scenario`); its
        ``calibration.parameters`` and their priors are the search space
        (:func:`~.calibrate.priors_of`), the rest stays as it is.
    scale
        Model scale; the scenario's ``calibration.scale`` by default.
    replicates
        Runs per parameter set (the same seeds for all); the distance is that of their medians.
    evaluations
        Parameter sets to try at most (each costs ``replicates`` runs).
    population
        Parameter sets per generation; CMA-ES's default (4 + 3 ln n for n parameters) if None.
    seed
        Seeds the search and the replicates' seeds.
    workers
        Local processes; all cores by default.
    obs
        The observables to fit; the archival ones by default (held-out ones are not fitted).
    progress
        Called after each generation as ``progress(generation, best_distance, evaluations)``.

    Raises
    ------
    ScenarioError
        For a hypothesis with nothing to calibrate, or a budget below one generation.
    """
    try:
        import cma
    except ImportError as exc:  # pragma: no cover - the extra is part of the test install
        raise MakhovikError("the best-fit search needs cma: pip install 'makhovik[calibrate]'") from exc

    from ..execute.local import default_workers

    if int(replicates) < 1:
        raise ScenarioError("--replicates", f"expected a whole number >= 1, got {replicates}")
    scn = scenario
    priors = priors_of(scn)
    if not priors:
        raise ScenarioError("calibration.parameters", "expected at least one parameter to search")
    n = len(priors)
    pop = int(population) if population is not None else 4 + int(3 * np.log(n))
    if pop < 2:
        raise ScenarioError("--population", f"expected a whole number >= 2, got {population}")
    if int(evaluations) < pop:
        raise ScenarioError("--evaluations", f"expected at least one generation ({pop} parameter sets), "
                                             f"got {evaluations}")
    sc = float(scale if scale is not None else scn.calibration.scale)
    obs = observables() if obs is None else obs
    search_seed = np.random.SeedSequence(seed).spawn(2)[0]
    data = scn.model_dump(mode="python")
    f = _Objective(data, priors, sc, search_seeds(seed, replicates), obs)
    x0 = [min(max((_number(_at(data, p.path), p, scn.calendar.start) - p.lo) / (p.hi - p.lo), 0.0), 1.0)
          for p in priors]
    opts = {"bounds": [0.0, 1.0], "popsize": pop, "verbose": -9, "seed": int(search_seed.generate_state(1)[0]) + 1,
            "maxfevals": int(evaluations), "tolfun": 0.0, "tolx": 0.0}
    if n == 1:  # cma 4.5 fails to cap the one coordinate's step at a third of the range (its scaling is a scalar)
        opts["maxstd"] = np.inf
    es = cma.CMAEvolutionStrategy(x0, 0.25, opts)
    n_workers = default_workers() if workers is None else workers
    history: list[float] = []
    best_x, best_d, done = np.asarray(x0), float("inf"), 0
    t0 = time.perf_counter()
    pool = ProcessPoolExecutor(max_workers=n_workers) if n_workers > 1 else None
    try:
        while not es.stop() and done + pop <= evaluations:
            xs = es.ask()
            ds = list(pool.map(f, xs)) if pool is not None else [f(x) for x in xs]
            es.tell(xs, ds)
            done += len(xs)
            i = int(np.argmin(ds))
            if ds[i] < best_d:
                best_x, best_d = np.asarray(xs[i]), float(ds[i])
            history.append(best_d)
            if progress:
                progress(len(history), best_d, done)
    finally:
        if pool is not None:
            pool.shutdown()
    return BestFit(scn.hypothesis.name, f.overrides(best_x), best_d, f.values(best_x), done,
                   time.perf_counter() - t0, history, sc, int(replicates), int(seed))


def _at(data: dict, path: str):
    node = data
    for k in path.split("."):
        node = node[k]
    return node


def _number(v, prior: Prior, start) -> float:
    """A parameter's value on its prior's axis (dates as days after the calendar's start)."""
    import datetime as dt

    return float((v - start).days) if isinstance(v, dt.date) else float(v)


def posterior_predictive(fit: BestFit, scenario: Scenario, runs: int = 20, seed: int = 1938,
                         scale: float | None = None, workers: int | None = None, progress=None) -> pd.DataFrame:
    """Every observable over ``runs`` fresh replications at the best fit (one row each, the table
    :func:`~.compare.compare_table` summarises): seeds other than the search's, so the fit it shows is
    not a fit to the noise of the seeds the parameters were chosen on."""
    from .compare import ensemble_values

    return ensemble_values(fit.scenario(scenario, scale), runs=runs, seed=seed, workers=workers, progress=progress)
