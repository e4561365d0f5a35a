"""Checks every run must pass; users run them on their own hypotheses and mechanisms.

:func:`check_invariants` holds a run's tables against what they must satisfy, each
invariant computed here from the tables themselves (and the scenario and the data pack),
not by the code that produced them: the agents table against the sizes the scenario asks
for, the statuses against the sentences, the weekly table against a count of the agents
made here, the executions against the category-1 sentences, the persons against the
expansion, and the weekly arrests against the ledger the engine keeps as it arrests
(``series.arrested_persons``). ``tests/test_operations.py`` plants violations of each kind
and checks that they are reported.

Examples
--------
>>> import makhovik
>>> from makhovik.testing import check_invariants
>>> res = makhovik.simulate(makhovik.load_scenario("great-terror", scale=0.001, warn=False), seed=3)
>>> check_invariants(res)
[]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .codes import STATUSES
from .scenario import load_scenario

__all__ = ["check_invariants", "check_hypothesis"]

_STATUS_OF = {"cat1": "executed", "cat2": "camp", "released": "released"}
_MEASURES = ["arrests", "cat1", "cat2", "executions", "releases"]


def check_invariants(result) -> list[str]:
    """Return the invariants a result violates (an empty list when it is sound).

    - agents are conserved: the agents table has one row per agent, numbered 0 .. n-1, and
      holds what the scenario and the data pack ask for (each contingent's
      ``round(pool x scale)`` agents, the 1934 CC and the 17th Congress whole);
    - every status is a known one, and statuses, sentences and weeks agree both ways: a free
      agent was never arrested, every other agent was, within the run; an executed agent has
      a category-1 sentence, a camp one a category-2 sentence, a released one a release, a
      detained one none; no sentence before its arrest;
    - the weekly table has no negative count and equals, week by week (and for arrests
      week by faction and region), a count of the agents table; executions are the
      category-1 sentences ``exec_lag_weeks`` earlier, group by group; cumulative sentences
      never exceed cumulative arrests;
    - ``expansion`` is 1/scale in the scaled tier and 1 in the whole one, and the persons
      arrested each week equal the engine's ledger (``series.arrested_persons``);
    - the series are finite (R_eff may be undefined in a week without arrests), power shares
      sum to 1, immunity lies in [0, 1];
    - Order 00447 arrests and sentences stay within (1 + overfulfil) x the final limits.
    """
    bad: list[str] = []
    scn = result.scenario
    n_weeks = scn.calendar.n_weeks
    a = result.agents
    n = int(result.world_summary["agents"])
    if len(a) != n or not np.array_equal(a.index.to_numpy(), np.arange(len(a))):
        bad.append(f"agents not conserved: {len(a)} rows numbered {_span(a.index)} for {n} agents")
    bad += _composition(a, scn)
    status = a["status"]
    codes = status.cat.codes.to_numpy() if isinstance(status.dtype, pd.CategoricalDtype) else None
    if codes is None or list(status.cat.categories) != list(STATUSES) or np.any((codes < 0) | (codes >= 5)):
        bad.append("agents with a status that is none of free, detained, camp, executed, released")
        return bad  # the other checks read the statuses
    st = np.asarray(STATUSES, object)[codes]
    sent = _labels(a["sentence"])
    aw, sw = a["arrest_week"].to_numpy(np.int64), a["sentence_week"].to_numpy(np.int64)
    arrested = aw >= 0
    if np.any(aw >= n_weeks) or np.any(sw >= n_weeks):
        bad.append("arrest or sentence weeks beyond the run")
    if np.any((st == "free") & arrested):
        bad.append("free agents with an arrest")
    if np.any((st != "free") & ~arrested):
        bad.append("agents detained, sentenced or released without an arrest")
    for s_, st_ in _STATUS_OF.items():
        if np.any((sent == s_) != (st == st_)):
            bad.append(f"status {st_} and sentence {s_} disagree (one without the other)")
    if np.any((st == "detained") & (sent != "none")):
        bad.append("detained agents with a sentence")
    if np.any((sw >= 0) != (sent != "none")):
        bad.append("sentence weeks without sentences, or sentences without a week")
    if np.any((sw >= 0) & (sw < aw)):
        bad.append("sentenced before arrest")
    bad += _weekly_against_agents(result, aw, sw, sent, n_weeks)
    bad += _persons(result, n_weeks)
    bad += _series(result)
    bad += _limits(result)
    return bad


def _labels(column: pd.Series) -> np.ndarray:
    """A categorical column's labels as an array (without converting every row to a string)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        return np.where(codes >= 0, np.asarray(column.cat.categories, object)[codes], "")
    return column.astype(str).to_numpy()


def _span(index) -> str:
    return f"{index.min()}..{index.max()}" if len(index) else "none"


def _composition(a: pd.DataFrame, scn) -> list[str]:
    """The agents table holds the tiers the scenario and the data pack ask for."""
    from .world.inputs import elite_sizes

    bad = []
    sizes = elite_sizes()
    for col, key in (("cc_1934", "cc_1934"), ("delegate_17", "delegates_17")):
        if int(a[col].sum()) != sizes[key]:
            bad.append(f"agents not conserved: {int(a[col].sum())} agents flagged {col}, the data pack has "
                       f"{sizes[key]}")
    counts = a["contingent"].value_counts()
    for name, c in scn.world.contingents.items():
        want = int(round(c.pool * scn.world.scale))
        if int(counts.get(name, 0)) != want:
            bad.append(f"agents not conserved: contingent {name} has {int(counts.get(name, 0))} agents, "
                       f"round(pool x scale) = {want}")
    return bad


def _weekly_against_agents(result, aw, sw, sent, n_weeks) -> list[str]:
    """The weekly table against a count of the agents table made here (week by week; arrests by group too)."""
    bad = []
    w = result.weekly
    if (w[_MEASURES] < 0).any().any():
        bad.append("negative weekly counts (cumulative counts not monotone)")
    lag = result.scenario.mechanisms.nkvd.exec_lag_weeks
    by = w.groupby("week")[_MEASURES].sum().reindex(range(n_weeks), fill_value=0)
    ew = np.where((sent == "cat1") & (sw >= 0), sw + lag, -1)
    mine = {"arrests": aw, "cat1": np.where(sent == "cat1", sw, -1), "cat2": np.where(sent == "cat2", sw, -1),
            "releases": np.where(sent == "released", sw, -1), "executions": ew}
    for m, weeks in mine.items():
        weeks = weeks[(weeks >= 0) & (weeks < n_weeks)]
        if not np.array_equal(np.bincount(weeks, minlength=n_weeks)[:n_weeks], by[m].to_numpy()):
            bad.append(f"weekly {m} differ from the agents' {m} week by week")
    a = result.agents
    key = ["faction", "region"]
    mine_g = a.loc[aw >= 0, key].astype(str).assign(week=aw[aw >= 0]).value_counts().sort_index()
    theirs = w.loc[w["arrests"] > 0].astype({k: str for k in key}).groupby(["week", *key])["arrests"].sum()
    mine_g.index = mine_g.index.reorder_levels(["week", *key])
    if not mine_g.sort_index().astype(np.int64).equals(theirs.sort_index().astype(np.int64).rename("count")):
        bad.append("weekly arrests differ from the agents' arrests by week, faction and region")
    cum = by.cumsum()
    if (cum["cat1"] + cum["cat2"] + cum["releases"] > cum["arrests"]).any():
        bad.append("cumulative sentences and releases exceed cumulative arrests in some week")
    g = ["track", "operation", "faction", "region", "tier"]
    ww = w.groupby([*g, "week"], observed=True)[["cat1", "executions"]].sum()
    due = ww["cat1"].reset_index()
    due["week"] += lag
    due = due[due["week"] < n_weeks].set_index([*g, "week"])["cat1"]
    joined = ww["executions"].to_frame().join(due.rename("due"), how="outer").fillna(0)
    if (joined["executions"] != joined["due"]).any():
        bad.append(f"executions differ from the category-1 sentences {lag} weeks earlier in "
                   f"{int((joined['executions'] != joined['due']).sum())} group-weeks")
    return bad


def _persons(result, n_weeks) -> list[str]:
    """Expansion by tier, and the persons arrested each week against the engine's ledger."""
    bad = []
    w = result.weekly
    scale = result.scenario.world.scale
    want = np.where(w["tier"].astype(str) == "whole", 1.0, 1.0 / scale)
    if not np.allclose(w["expansion"].to_numpy(float), want, rtol=1e-12):
        bad.append("expansion is not 1/scale in the scaled tier and 1 in the whole tier")
    ledger = result.series.get("arrested_persons")
    if ledger is not None:
        persons = (w["arrests"] * w["expansion"]).groupby(w["week"]).sum().reindex(range(n_weeks), fill_value=0.0)
        if not np.allclose(persons.to_numpy(), ledger.to_numpy(float), rtol=1e-9, atol=1e-6):
            bad.append("persons arrested by week differ from the engine's ledger (series.arrested_persons)")
    return bad


def _series(result) -> list[str]:
    bad = []
    ser = result.series
    num = ser.select_dtypes("number")
    arr = num.to_numpy(float)
    nonfinite = ~np.isfinite(arr)
    if "r_eff" in num:  # undefined in a week without arrests (documented)
        j = list(num.columns).index("r_eff")
        nonfinite[:, j] &= ~np.isnan(arr[:, j])
    if nonfinite.any():
        bad.append(f"non-finite values in series: {list(num.columns[nonfinite.any(0)])}")
    pw = ser[[c for c in ser.columns if c.startswith("power_")]].sum(axis=1)
    if len(pw) and not np.allclose(pw, 1, atol=1e-6):
        bad.append(f"power shares sum to {pw.min():.4f}..{pw.max():.4f}, not 1")
    imm = ser[[c for c in ser.columns if c.startswith("immunity_")]]
    if ((imm < 0) | (imm > 1)).any().any():
        bad.append("immunity outside [0, 1]")
    return bad


def _limits(result) -> list[str]:
    bad = []
    over = result.scenario.mechanisms.nkvd.overfulfil
    lim = result.limits
    tol = 1e-6
    if np.any(lim["arrested"] > (1 + over) * (lim["limit_cat1"] + lim["limit_cat2"]) + 1 + tol):
        bad.append("Order 00447 arrests exceed the limits")
    if np.any(lim["used_cat1"] > (1 + over) * lim["limit_cat1"] + 1 + tol):
        bad.append("category-1 sentences exceed the limits")
    if np.any(lim["used_cat2"] > (1 + over) * lim["limit_cat2"] + 1 + tol):
        bad.append("category-2 sentences exceed the limits")
    return bad


def check_hypothesis(overlay, scenario: str = "great-terror", seed: int = 1, scale: float = 0.001) -> list[str]:
    """Load a hypothesis overlay over a scenario, run it small, and check its invariants and claims block.

    Returns the problems found (empty when the overlay is sound).
    """
    from .claims import CLAIM_IDS
    from .engine import simulate

    scn = load_scenario(scenario, hypothesis=overlay, scale=scale, warn=False)
    bad = [f"hypothesis.claims.{k}: unknown claim id" for k in scn.hypothesis.claims if k not in CLAIM_IDS]
    if not scn.hypothesis.claims:
        bad.append("hypothesis.claims: expected the claims the overlay encodes and how")
    return bad + check_invariants(simulate(scn, seed=seed))
