"""Prior and posterior predictive runs: parameter draws, their simulations, observables and claim statements."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._rng import children
from ..execute.local import map_local
from ..scenario import load_scenario
from .audit import statement_flags
from .calibrate import Prior, priors_of
from .observables import simulated_values, total_distance

__all__ = ["prior_draws", "posterior_draws", "run_draws", "observable_values", "claim_flags", "rejection_check",
           "discrimination", "KS_DISCRIMINATES"]

#: The largest pairwise Kolmogorov-Smirnov statistic at which an observable counts as telling two hypotheses apart.
KS_DISCRIMINATES = 0.6


def _overrides(priors: list[Prior], values: dict[str, float], start) -> dict:
    return {p.path: p.value(values[p.path], start) for p in priors if p.path in values}


def _priors(data: dict) -> tuple[list[Prior], object]:
    scn = load_scenario(data, warn=False)
    return priors_of(scn), scn.calendar.start


def prior_draws(scenarios: dict[str, dict], n: int, seed: int) -> list[dict]:
    """``n`` draws: hypotheses equally likely, parameters uniform within their priors.

    ``scenarios`` maps each hypothesis's label to its resolved scenario (as calibrated).
    """
    rng = np.random.default_rng(seed)
    labels = list(scenarios)
    priors = {h: _priors(scenarios[h]) for h in labels}
    out = []
    for i in range(n):
        h = labels[i % len(labels)]
        pri, start = priors[h]
        vals = {p.path: float(rng.uniform(p.lo, p.hi)) for p in pri}
        out.append({"hypothesis": h, "overrides": _overrides(pri, vals, start)})
    return out


def posterior_draws(scenarios: dict[str, dict], probabilities: dict[str, float], posteriors: dict[str, pd.DataFrame],
                    n: int, seed: int) -> list[dict]:
    """``n`` draws from the posterior: hypotheses by their probability, particles by their weight."""
    rng = np.random.default_rng(seed)
    hyps = [h for h in probabilities if probabilities[h] > 0 and h in posteriors and len(posteriors[h])]
    if not hyps:
        return []
    p = np.array([probabilities[h] for h in hyps])
    picks = rng.choice(len(hyps), size=n, p=p / p.sum())
    priors = {h: _priors(scenarios[h]) for h in hyps}
    out = []
    for k in picks:
        h = hyps[k]
        df = posteriors[h]
        w = df["weight"].to_numpy(float)
        row = df.iloc[int(rng.choice(len(df), p=w / w.sum()))]
        pri, start = priors[h]
        out.append({"hypothesis": h, "overrides": _overrides(pri, row.to_dict(), start)})
    return out


def _one(task) -> dict:
    from ..engine import simulate

    data, draw, scale, seed = task
    scn = load_scenario(data, overrides=draw["overrides"], scale=scale, warn=False)
    res = simulate(scn, seed=seed, log_requests=False)
    vals = simulated_values(res)
    flags = statement_flags(res, draw["hypothesis"])
    return {"hypothesis": draw["hypothesis"], **{f"obs:{k}": v for k, v in vals.items()},
            **{f"claim:{k}": v for k, v in flags.items()}, "distance": total_distance(vals),
            **{f"par:{k}": v for k, v in draw["overrides"].items()}}


def run_draws(scenarios: dict[str, dict], draws: list[dict], scale: float, seed: int, workers: int | None = None,
              progress=None) -> pd.DataFrame:
    """Simulate each draw once; one row per draw with observables (``obs:``), statements (``claim:``), distance."""
    seeds = children(seed, len(draws))
    rows = map_local(_one, [(scenarios[d["hypothesis"]], d, scale, s) for d, s in zip(draws, seeds, strict=True)],
                     workers=workers, progress=progress)
    return pd.DataFrame(rows)


def observable_values(df: pd.DataFrame) -> pd.DataFrame:
    """The observable columns of a predictive table, named as the observables."""
    cols = [c for c in df.columns if c.startswith("obs:")]
    return df[cols].rename(columns=lambda c: c[4:]).astype(float)


def claim_flags(df: pd.DataFrame) -> pd.DataFrame:
    cols = [c for c in df.columns if c.startswith("claim:")]
    return df[cols].rename(columns=lambda c: c[6:]).astype(bool)



def rejection_check(prior: pd.DataFrame, epsilon, hypotheses: list[str], z: float = 1.645) -> pd.DataFrame:
    """Model selection by plain rejection: the share of each hypothesis's prior runs within a tolerance.

    With the hypotheses equally likely a priori, each one's posterior probability at the
    tolerance ``epsilon`` is proportional to that share (the rejection-ABC estimate of its
    evidence). It needs no sequential importance weights, so it is a check on ABC-SMC's
    model probabilities. ``epsilon`` may be one tolerance or several (one row per hypothesis
    and tolerance). Shares come with Wilson intervals (``z`` = 1.645: 90%); ``separated``
    marks a hypothesis whose interval lies wholly above every other's at that tolerance.

    Examples
    --------
    >>> df = pd.DataFrame({"hypothesis": ["a"] * 4 + ["b"] * 4, "distance": [1, 1, 1, 5, 1, 5, 5, 5]})
    >>> r = rejection_check(df, 2.0, ["a", "b"])
    >>> r["within"].tolist(), r["probability"].round(2).tolist()
    ([3, 1], [0.75, 0.25])
    """
    out = []
    for eps in np.atleast_1d(np.asarray(epsilon, dtype=float)):
        rows = []
        for h in hypotheses:
            d = prior.loc[prior["hypothesis"] == h, "distance"].to_numpy(dtype=float)
            n, k = d.size, int(np.count_nonzero(d <= eps))
            p = k / n if n else float("nan")
            if n:
                c = p + z * z / (2 * n)
                r = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
                lo, hi = (c - r) / (1 + z * z / n), (c + r) / (1 + z * z / n)
            else:
                lo = hi = float("nan")
            rows.append({"epsilon": float(eps), "hypothesis": h, "runs": n, "within": k, "share": p,
                         "share_lo": lo, "share_hi": hi})
        df = pd.DataFrame(rows)
        total = df["share"].sum()
        df["probability"] = df["share"] / total if total > 0 else np.nan
        df["separated"] = [bool(r["share_lo"] > df.drop(index=i)["share_hi"].max()) if len(df) > 1 else False
                           for i, r in df.iterrows()]
        out.append(df)
    return pd.concat(out, ignore_index=True)


def discrimination(prior: pd.DataFrame) -> pd.DataFrame:
    """How far each observable tells the hypotheses apart over their priors (prior predictive runs).

    For each observable: the share of its variance between the hypotheses (the variance of the
    hypotheses' means, each weighted by its runs, over the total variance: 0 when every
    hypothesis gives the same distribution's mean, 1 when the runs of each are all alike and
    differ only between hypotheses) and the largest Kolmogorov-Smirnov statistic between the
    runs of two hypotheses, with the pair. An observable discriminates when that statistic is
    at least ``KS_DISCRIMINATES``. Rows sorted by the statistic, largest first.

    Examples
    --------
    Two hypotheses whose runs of ``a`` do not overlap and of ``b`` are the same:

    >>> import pandas as pd
    >>> df = pd.DataFrame({"hypothesis": ["x"] * 3 + ["y"] * 3, "obs:a": [1, 2, 3, 11, 12, 13],
    ...                    "obs:b": [1, 2, 3, 1, 2, 3]})
    >>> discrimination(df)[["observable", "between_share", "ks_max", "pair", "discriminates"]]
      observable  between_share  ks_max pair  discriminates
    0          a          0.974     1.0  x-y           True
    1          b          0.000     0.0  x-y          False
    """
    from itertools import combinations

    from scipy.stats import ks_2samp

    vals = observable_values(prior)
    hyp = prior["hypothesis"].to_numpy()
    labels = list(dict.fromkeys(hyp))
    rows = []
    for name in vals.columns:
        x = vals[name].to_numpy(float)
        ok = np.isfinite(x)
        groups = {h: x[ok & (hyp == h)] for h in labels}
        total = np.var(x[ok]) if ok.sum() > 1 else 0.0
        mean = x[ok].mean() if ok.any() else np.nan
        between = sum(g.size * (g.mean() - mean) ** 2 for g in groups.values() if g.size) / max(ok.sum(), 1)
        best, pair = 0.0, ""
        for a, b in combinations(labels, 2):
            if groups[a].size and groups[b].size:
                ks = float(ks_2samp(groups[a], groups[b]).statistic)
                if ks > best or not pair:
                    best, pair = ks, f"{a}-{b}"
        rows.append({"observable": name, "between_share": round(float(between / total), 3) if total > 0 else 0.0,
                     "ks_max": round(best, 3), "pair": pair, "discriminates": best >= KS_DISCRIMINATES})
    return pd.DataFrame(rows).sort_values("ks_max", ascending=False, kind="stable").reset_index(drop=True)
