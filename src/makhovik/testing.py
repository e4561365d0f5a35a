"""Checks every run must pass; users run them on their own hypotheses and mechanisms.

Examples
--------
>>> import makhovik
>>> from makhovik.testing import check_invariants
>>> res = makhovik.simulate(makhovik.load_scenario("great-terror", scale=0.001), seed=3)
>>> check_invariants(res)
[]
"""

from __future__ import annotations

import numpy as np

from .scenario import load_scenario

__all__ = ["check_invariants", "check_hypothesis"]


def check_invariants(result) -> list[str]:
    """Return the invariants a result violates (an empty list when it is sound).

    - agents are conserved: one row per agent, every status accounted for;
    - an agent is arrested at most once, sentenced at most once, never before arrest;
    - statuses agree with sentences (free and detained agents have no sentence);
    - the weekly table adds up to the agents' arrest and sentence records;
    - cumulative counts are monotone (no negative weekly counts);
    - Order 00447 arrests and sentences stay within (1 + overfulfil) x the final limits.
    """
    bad: list[str] = []
    a = result.agents
    n = result.world_summary["agents"]
    if len(a) != n:
        bad.append(f"agents not conserved: {len(a)} rows for {n} agents")
    aw, sw = a["arrest_week"].to_numpy(), a["sentence_week"].to_numpy()
    status, sent = a["status"].astype(str).to_numpy(), a["sentence"].astype(str).to_numpy()
    if np.any((sw >= 0) & (aw < 0)):
        bad.append("sentenced without arrest")
    if np.any((sw >= 0) & (sw < aw)):
        bad.append("sentenced before arrest")
    if np.any((status == "free") & (aw >= 0)):
        bad.append("free agents with an arrest")
    if np.any(np.isin(status, ["free", "detained"]) & (sent != "none")):
        bad.append("free or detained agents with a sentence")
    expect = {"cat1": "executed", "cat2": "camp", "released": "released"}
    for s_, st_ in expect.items():
        if np.any((sent == s_) & (status != st_)):
            bad.append(f"sentence {s_} without status {st_}")
    w = result.weekly
    measures = ["arrests", "cat1", "cat2", "executions", "releases"]
    if (w[measures] < 0).any().any():
        bad.append("negative weekly counts (cumulative counts not monotone)")
    if int(w["arrests"].sum()) != int((aw >= 0).sum()):
        bad.append("weekly arrests do not add up to the agents' arrests")
    if int(w["cat1"].sum()) != int((sent == "cat1").sum()) or int(w["cat2"].sum()) != int((sent == "cat2").sum()):
        bad.append("weekly sentences do not add up to the agents' sentences")
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

    scn = load_scenario(scenario, hypothesis=overlay, scale=scale)
    bad = [f"hypothesis.claims.{k}: unknown claim id" for k in scn.hypothesis.claims if k not in CLAIM_IDS]
    if not scn.hypothesis.claims:
        bad.append("hypothesis.claims: expected the claims the overlay encodes and how")
    return bad + check_invariants(simulate(scn, seed=seed))
