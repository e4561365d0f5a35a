"""Compare an ensemble of runs with the archival record, observable by observable."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._rng import children
from ..execute.local import map_local
from .observables import Observable, observables, simulated_values, total_distance

__all__ = ["ensemble_values", "compare_table", "summary_distances"]


def _one(task) -> dict[str, float]:
    from ..engine import simulate

    scenario, seed = task
    return simulated_values(simulate(scenario, seed=seed, log_requests=False))


def ensemble_values(scenario, runs: int, seed: int | None = None, workers: int | None = None,
                    progress=None) -> pd.DataFrame:
    """Simulated values of every observable for ``runs`` replications (one row each).

    Replications draw from ``SeedSequence(seed).spawn(runs)``: the same seed gives the same table.

    Parameters
    ----------
    scenario : Scenario
        The scenario to replicate (:func:`makhovik.load_scenario`).
    runs : int
        Replications.
    seed : int, optional
        The ensemble's seed.
    workers : int, optional
        Local processes (:func:`makhovik.execute.map_local`); all cores by default.
    progress : callable, optional
        Called as runs finish.

    Returns
    -------
    DataFrame
        One row per run (index ``run``), one column per observable (:func:`simulated_values`).

    Examples
    --------
    >>> import makhovik
    >>> s = makhovik.load_scenario("great-terror", hypothesis="center", scale=0.001)
    >>> values = ensemble_values(s, runs=2, seed=1, workers=1)
    >>> values.shape, values.index.name
    ((2, 51), 'run')
    """
    seeds = children(seed, runs)
    rows = map_local(_one, [(scenario, s) for s in seeds], workers=workers, progress=progress)
    df = pd.DataFrame(rows)
    df.index.name = "run"
    return df


def compare_table(values: pd.DataFrame, obs: list[Observable] | None = None) -> pd.DataFrame:
    """Observable | archival range | simulated median and 90% band | distance of the median | share of runs in range.

    Parameters
    ----------
    values : DataFrame
        Simulated values, one row per run (:func:`ensemble_values`).
    obs : list of Observable, optional
        :func:`makhovik.evidence.observables.observables` by default.

    Returns
    -------
    DataFrame
        One row per observable with values: ``observable``, ``group``, ``kind``, ``archival``
        (the range in words), ``quality``, ``held_out``, ``sim_median``, ``sim_p05``, ``sim_p95``,
        ``simulated`` (in words), ``distance`` (of the median), ``in_range`` (share of runs).

    Examples
    --------
    >>> import pandas as pd
    >>> t = compare_table(pd.DataFrame({"executed_1937": [353074.0, 2 * 353074.0]}))
    >>> t[["observable", "archival", "sim_median", "in_range"]].to_dict("records")
    [{'observable': 'executed_1937', 'archival': '353,074', 'sim_median': 529611.0, 'in_range': 0.5}]
    """
    obs = observables() if obs is None else obs
    rows = []
    for o in obs:
        if o.name not in values:
            continue
        x = values[o.name].to_numpy(float)
        med, p05, p95 = np.percentile(x, [50, 5, 95])
        inside = np.mean([o.distance(v) == 0 for v in x])
        rows.append({
            "observable": o.name, "group": o.group, "kind": o.kind, "archival": o.describe_range(),
            "quality": o.quality, "held_out": o.held_out,
            "sim_median": med, "sim_p05": p05, "sim_p95": p95,
            "simulated": f"{o.format(med)} [{o.format(p05)}, {o.format(p95)}]",
            "distance": o.distance(med), "in_range": inside,
        })
    return pd.DataFrame(rows)


def summary_distances(values: pd.DataFrame, obs: list[Observable] | None = None) -> dict[str, float]:
    """Median over runs of the total distance on fitted and on held-out observables.

    Parameters
    ----------
    values : DataFrame
        Simulated values, one row per run.
    obs : list of Observable, optional
        :func:`makhovik.evidence.observables.observables` by default.

    Returns
    -------
    dict
        ``fitted`` and ``held_out``: the median of :func:`total_distance` over the runs.
    """
    obs = observables() if obs is None else obs
    fit = [total_distance(r, obs) for r in values.to_dict("records")]
    held = [total_distance(r, obs, held_out=True) for r in values.to_dict("records")]
    return {"fitted": float(np.median(fit)), "held_out": float(np.median(held))}
