"""Is the calibration scale good enough? The observables at the calibration scale against a larger one."""

from __future__ import annotations

import pandas as pd

from ..scenario import load_scenario
from .compare import ensemble_values
from .observables import observables, synthetic_targets

__all__ = ["scale_check"]


def scale_check(scenario: dict, overrides: dict | None, scales: tuple[float, float], runs: int,
                seed: int, workers: int | None = None) -> pd.DataFrame:
    """Median of every observable at two scales, and their difference in the observable's distance units.

    ``scenario`` is a hypothesis's resolved scenario (a mapping, as calibrated), ``overrides``
    its posterior parameters. An observable is ``stable`` when the medians differ by less than
    one distance unit (for counts, about 25%; for shares of a body, five points; for dates, 30 days).
    """
    med = []
    for sc in scales:
        scn = load_scenario(scenario, overrides=overrides or None, scale=sc, warn=False)
        med.append(ensemble_values(scn, runs, seed=seed, workers=workers).median())
    rows = []
    refs = synthetic_targets(med[1].to_dict(), observables())  # the larger scale as the target
    for o, ref in zip(observables(), refs, strict=True):
        a, b = float(med[0][o.name]), float(med[1][o.name])
        d = ref.distance(a)
        rows.append({"observable": o.name, "group": o.group, f"median_scale_{scales[0]:g}": a,
                     f"median_scale_{scales[1]:g}": b, "difference_units": d, "stable": d < 1.0})
    return pd.DataFrame(rows)
