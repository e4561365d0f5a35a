#!/usr/bin/env python3
"""Where each hypothesis stands against the record, and why: the misfit diagnosis's measurements in one table.

Usage: python tools/fidelity.py [-H seed,center,interaction] [--runs 4] [--scale 0.01] [--set path=value ...]

For each hypothesis, the median over ``--runs`` seeded runs of the observables the fidelity issue
names (with the record's range) and of the internal quantities that explain them
(``../shared/research/misfit-diagnosis.md``): cadre-track arrests from 1 Oct 1936 to 1 Nov 1938,
senior-and-above arrests by cause, NKVD officers lost and capacity in June 1938 against its start,
the Order 00447 limits' final multiples and the share used, the share convicted by 1 Nov 1938.
"""

from __future__ import annotations

import argparse
import datetime as dt
import warnings

KEYS = ("kosior_removed", "eikhe_removed", "postyshev_removed", "op00447_limit_cat1_multiple", "convicted_1937", "convicted_1938", "executed_1937", "executed_1938", "arrested_1937", "arrested_1938",
        "convicted_1936-10_to_1938-11", "op00447_convicted", "op00447_arrested_1937-08-15", "cc_1934_repressed",
        "delegates_17_repressed", "arrested_outside_mass_ops_1936-10_to_1938-11", "mass_operations_start",
        "kosior_arrested", "stop_order")


def diagnostics(res) -> dict[str, float]:
    """The internal quantities of one run that explain its fit."""
    import numpy as np
    import pandas as pd

    w = res.weekly
    d = pd.to_datetime(w["date"])
    win = (d >= "1936-10-01") & (d < "1938-11-01")
    persons = w["arrests"] * w["expansion"]
    a = res.agents
    senior = a["rank"].isin(["senior", "top", "politburo"]) & (a["status"] != "free")
    by_cause = a.loc[senior, "cause"].value_counts()
    n_senior = max(int(senior.sum()), 1)
    nk = a["faction"] == "nkvd"
    s = res.series.set_index(pd.to_datetime(res.series["date"]))["capacity"]
    lim = res.limits
    conv = (w["cat1"] + w["cat2"]) * w["expansion"]
    return {
        "cadre_track_window": float(persons[win & (w["operation"] == "cadre")].sum()),
        "senior_arrested": float(senior.sum()),
        "senior_share_cascade": float(by_cause.get("cascade", 0)) / n_senior,
        "senior_share_ordered": float(by_cause.get("ordered", 0)) / n_senior,
        "nkvd_lost_share": float((nk & (a["status"] != "free")).sum() / max(int(nk.sum()), 1)),
        "capacity_june38_vs_start": float(s.loc["1938-06"].mean() / s.iloc[0]),
        "limit_cat1_multiple": float(lim["limit_cat1"].sum() / lim["initial_cat1"].sum()),
        "limit_cat2_multiple": float(lim["limit_cat2"].sum() / lim["initial_cat2"].sum()),
        "limit_used": float((lim["used_cat1"] + lim["used_cat2"]).sum() / (lim["limit_cat1"] + lim["limit_cat2"]).sum()),
        "share_convicted_window": float(conv[win].sum() / max(float(persons[win].sum()), 1.0)),
        "control_campaign": float(np.nanmean(res.series.set_index(pd.to_datetime(res.series["date"]))
                                             ["control_index"].loc["1937-08":"1938-10"])),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-H", "--hypotheses", default="seed,center,interaction")
    ap.add_argument("--runs", type=int, default=4)
    ap.add_argument("--scale", type=float, default=0.01)
    ap.add_argument("--set", action="append", default=[], help="path=value override (repeatable)")
    a = ap.parse_args()
    warnings.simplefilter("ignore")
    import numpy as np
    import pandas as pd

    import makhovik
    from makhovik.evidence.observables import observables, simulated_values

    obs = {o.name: o for o in observables()}
    rows = {}
    for h in a.hypotheses.split(","):
        sc = makhovik.load_scenario("great-terror", hypothesis=h, scale=a.scale, overrides=a.set)
        vals = []
        for seed in range(1, a.runs + 1):
            res = makhovik.simulate(sc, seed=seed)
            v = simulated_values(res, list(KEYS))
            v.update(diagnostics(res))
            vals.append(v)
        rows[h] = pd.DataFrame(vals).median()
    table = pd.DataFrame(rows)

    def fmt(name, x):
        o = obs.get(name)
        if o is not None and o.kind == "date":
            return str(dt.date.fromordinal(int(x))) if np.isfinite(x) else "never"
        return f"{x:,.3f}" if abs(x) < 10 else f"{x:,.0f}"

    record = {k: obs[k].describe_range() if k in obs else "" for k in table.index}
    out = pd.DataFrame({h: [fmt(k, table.at[k, h]) for k in table.index] for h in table.columns}, index=table.index)
    out["record"] = pd.Series(record)
    with pd.option_context("display.width", 200, "display.max_colwidth", 40):
        print(out.to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
