"""Figures of one run: weekly arrests and executions by track with the events marked; faction power; control and R_eff."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["run_figure", "MARKED_EVENTS"]

#: Events drawn as vertical lines (exogenous shocks are always drawn).
MARKED_EVENTS = (
    "mass_operations_decision", "mass_operations_start", "ukraine_replacement_attempt", "strategy_switch",
    "top_removal_begins", "postyshev_arrested", "kosior_arrested", "eikhe_arrested", "stop_order", "stop_effective",
)


def run_figure(result, path: str | Path, dpi: int = 110) -> Path:
    """Write the run figure (PNG, or any format matplotlib knows by the suffix) and return its path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    wk = result.totals(by=("track",), freq="W")
    wk["date"] = pd.to_datetime(wk["date"])
    fig, axes = plt.subplots(3, 1, figsize=(11, 10), sharex=True,
                             gridspec_kw={"height_ratios": [3, 2, 1.4]})
    ax = axes[0]
    colors = {"mass": "#b2182b", "elite": "#2166ac"}
    for track, g in wk.groupby("track"):
        ax.plot(g["date"], g["arrests"], color=colors.get(track, "k"), lw=1.4, label=f"arrests, {track} track")
        ax.plot(g["date"], g["executions"], color=colors.get(track, "k"), lw=1.0, ls="--",
                label=f"executions, {track} track")
    ax.set_yscale("symlog", linthresh=100)
    ax.set_ylabel("persons per week")
    hyp = result.scenario.hypothesis.name
    ax.set_title(f"{result.scenario.name} — hypothesis '{hyp}', scale {result.scenario.world.scale:g}, seed {result.seed}")
    ev = result.events
    ev = ev[(ev["kind"] == "exogenous") | ev["event"].isin(MARKED_EVENTS)].drop_duplicates("event")
    top = ax.get_ylim()[1]
    for date, grp in ev.groupby("date", sort=True):  # events of one week share a line and a label
        d = pd.Timestamp(date)
        endo = (grp["kind"] == "endogenous").any()
        for a in axes:
            a.axvline(d, color="#444" if endo else "#999", lw=0.8, ls="-" if endo else ":")
        label = "; ".join(grp["event"].str.replace("_", " "))
        ax.text(d, top, " " + label, rotation=90, va="top", ha="right", fontsize=7,
                color="#222" if endo else "#777")
    ax.legend(loc="upper left", fontsize=8)

    ax = axes[1]
    pw = result.power.copy()
    pw["date"] = pd.to_datetime(pw["date"])
    for fac, g in pw.groupby("faction", sort=False):
        ax.plot(g["date"], g["share"], lw=1.3, label=fac)
    ax.set_ylabel("power share")
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left", fontsize=8, ncol=4)

    ax = axes[2]
    se = result.series.copy()
    se["date"] = pd.to_datetime(se["date"])
    ax.plot(se["date"], se["control_index"], color="k", lw=1.3, label="control index")
    ax.plot(se["date"], se["r_eff"].rolling(4, min_periods=1).mean(), color="#e08214", lw=1.1,
            label="R_eff of the cadre cascade (4-week mean)")
    ax.axhline(1.0, color="#e08214", lw=0.6, ls=":")
    ax.set_ylim(0, max(1.6, float(se["r_eff"].quantile(0.98)) if se["r_eff"].notna().any() else 1.6))
    ax.legend(loc="upper left", fontsize=8)
    ax.set_xlabel("simulated week")
    fig.text(0.01, 0.005, "Dotted lines: exogenous events; solid: events the model produced. "
             "Simulated counts expanded to scale 1.", fontsize=7, color="#555")
    fig.tight_layout(rect=(0, 0.015, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path
