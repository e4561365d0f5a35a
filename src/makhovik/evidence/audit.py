"""The claim audit: what the calibrated model says of each claim C1-C20.

Each claim that a run can show is turned into a *statement* about one simulated run
(for example C9: "the centre's appetite for repression in late June 1937 was below 0.5").
The audit draws runs from the prior (hypotheses equally likely, parameters from their
priors) and from the posterior (hypotheses by their posterior probability, parameters
from their posteriors), and compares the share of runs in which the statement holds.

Verdict thresholds (documented in docs/evidence.md):

- **supported**: posterior share >= 0.75 and the data raised the odds at least threefold
  (posterior odds / prior odds >= 3);
- **contradicted**: posterior share <= 0.25 and the odds fell at least threefold (<= 1/3);
- **cannot tell** otherwise: the data do not move the statement far enough, or the
  statement holds (or fails) under the prior already, so the fit adds nothing. Also when
  no hypothesis fits (the best posterior predictive distance above ``FIT_LIMIT``), when the
  posterior model probabilities are not stable (the leading hypothesis changes within the
  last three generations, or under the second prior set), and for claims the model cannot see
  (C12) or whose parameters calibration does not vary.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..claims import load_claims

__all__ = ["STATEMENTS", "verdict", "audit_table", "SUPPORT", "CONTRADICT", "ODDS", "FIT_LIMIT"]

SUPPORT, CONTRADICT, ODDS, FIT_LIMIT = 0.75, 0.25, 3.0, 3.0


@dataclass(frozen=True)
class Statement:
    """A claim as a yes/no statement about one run."""

    claim: str
    text: str
    test: Callable  # (result, hypothesis) -> bool


def _series_at(res, col: str, date: str) -> float:
    s = res.series
    d = dt.date.fromisoformat(date)
    row = s[s["date"] <= d]
    return float(row[col].iloc[-1]) if len(row) else float("nan")


def _event(res, name: str):
    return res.event_date(name)


def _detail(res, name: str) -> str:
    hit = res.events.loc[res.events["event"] == name, "detail"]
    return "" if hit.empty else str(hit.iloc[0])


def _share_cause(res, faction: str, cause: str) -> float:
    a = res.agents
    sel = (a["faction"] == faction) & (a["arrest_week"] >= 0)
    n = int(sel.sum())
    return float((a.loc[sel, "cause"] == cause).sum() / n) if n else 0.0


def _top_lost(res, faction: str) -> float:
    a = res.agents
    top = (a["faction"] == faction) & a["rank"].isin(["top", "politburo"])
    return float((a.loc[top, "status"] != "free").mean()) if top.any() else 0.0


def _mass_weekly(res) -> pd.Series:
    w = res.weekly
    m = w[(w["track"] == "mass") & (w["operation"] != "routine")]
    return (m["arrests"] * m["expansion"]).groupby(m["date"]).sum()


def _declined_after_top(res) -> bool:
    dates = [d for d in (_event(res, "kosior_arrested"), _event(res, "eikhe_arrested")) if d is not None]
    if len(dates) < 2:
        return False
    t = max(dates)
    s = _mass_weekly(res)
    idx = pd.Index(s.index)
    before = s[(idx < t) & (idx >= t - dt.timedelta(weeks=12))].sum()
    after = s[(idx >= t) & (idx < t + dt.timedelta(weeks=12))].sum()
    return bool(after < 0.5 * before)


def _control_fell(res) -> bool:
    s = res.series.set_index("date")["control_index"]
    idx = pd.Index(s.index)
    h2_37 = s[(idx >= dt.date(1937, 7, 1)) & (idx < dt.date(1938, 1, 1))].mean()
    h1_38 = s[(idx >= dt.date(1938, 1, 1)) & (idx < dt.date(1938, 7, 1))].mean()
    return bool(h1_38 < h2_37 - 0.05)


def _cascade_share(res) -> float:
    a = res.agents
    cadre = (a["contingent"] == "(cadre)") & (a["arrest_week"] >= 0)
    n = int(cadre.sum())
    return float((a.loc[cadre, "cause"] == "cascade").sum() / n) if n else 0.0


def _top_removed_then_arrested(res) -> bool:
    t = _event(res, "top_removal_begins")
    k, e = _event(res, "kosior_arrested"), _event(res, "eikhe_arrested")
    return t is not None and k is not None and e is not None and k >= t and e >= t


STATEMENTS: dict[str, Statement] = {s.claim: s for s in (
    Statement("C1", "the centre decided on the mass operations because pressure overcame its resistance",
              lambda r, h: _detail(r, "mass_operations_decision").startswith("pressure")),
    Statement("C4", "immunity of the top rank fell by half or more between January 1936 and January 1938",
              lambda r, h: _series_at(r, "immunity_top", "1938-01-03") <= 0.5 * _series_at(r, "immunity_top", "1936-01-06")),
    Statement("C5", "alarm about the rightists exceeded 0.5 after Yagoda's fall",
              lambda r, h: _series_at(r, "alarm_rightists", "1937-04-05") > 0.5),
    Statement("C6", "at least a fifth of arrested rightists were taken on regional initiative",
              lambda r, h: _share_cause(r, "rightists", "regional") >= 0.2),
    Statement("C7", "at least a fifth of arrested technocrats were taken on regional initiative",
              lambda r, h: _share_cause(r, "technocrats", "regional") >= 0.2),
    Statement("C8", "half or more of the rightists' and technocrats' top were arrested",
              lambda r, h: min(_top_lost(r, "rightists"), _top_lost(r, "technocrats")) >= 0.5),
    Statement("C9", "the centre's appetite for repression in late June 1937 was below 0.5",
              lambda r, h: _series_at(r, "appetite", "1937-06-28") < 0.5),
    Statement("C13", "half or more of the Red Army's top ranks (rank top or above) were arrested",
              lambda r, h: _top_lost(r, "military") >= 0.5),
    Statement("C14", "half or more of the cadre arrests came from the cascade of namings",
              lambda r, h: _cascade_share(r) >= 0.5),
    Statement("C15", "the centre tried to replace the Ukrainian leadership and failed",
              lambda r, h: _detail(r, "ukraine_replacement_attempt").startswith("failed")),
    Statement("C16", "the centre switched to repression after the Ukrainian failure",
              lambda r, h: "Ukrainian" in _detail(r, "strategy_switch")),
    Statement("C17", "the control index fell from the second half of 1937 to the first half of 1938",
              lambda r, h: _control_fell(r)),
    Statement("C18", "half or more of the regional first secretaries in post in 1936 were arrested",
              lambda r, h: float(r.series["regional_heads_lost"].iloc[-1]) >= 0.5),
    Statement("C19", "the centre removed the weakened regional top, and Kosior and Eikhe fell after that began",
              lambda r, h: _top_removed_then_arrested(r)),
    Statement("C20", "mass arrests in the 12 weeks after the later of Kosior's and Eikhe's arrests were under half "
                     "those of the 12 weeks before",
              lambda r, h: _declined_after_top(r)),
)}

#: Claims the audit cannot evaluate from runs, with the reason.
NOT_EVALUATED = {
    "C2": "structural: every hypothesis models several factions; a run cannot show the claim false",
    "C3": "the alarm parameters are not varied by calibration (alarm.trial_alarm is fixed), so the data cannot move it",
    "C10": "the regionals' preferences (pressure.punitive, election_fear) are not varied by calibration",
    "C11": "the left conservatives' preference (pressure.punitive.left_conservatives) is not varied by calibration",
    "C12": "whether a coup was attempted is outside what arrest counts can show; the Tukhachevsky arrests are an "
           "exogenous event in every hypothesis (HISTORY.md: the defendants were rehabilitated in 1957 and no "
           "archival evidence of a coup was found)",
}


def verdict(p_post: float, p_prior: float, fits: bool = True) -> tuple[str, float]:
    """Verdict and odds ratio from the shares of prior and posterior runs in which a statement holds.

    Parameters
    ----------
    p_post, p_prior : float
        Shares of posterior and prior runs in which the claim's statement holds.
    fits : bool
        Whether any hypothesis fits the record; if not, the verdict is "cannot tell".

    Returns
    -------
    (str, float)
        "supported" (posterior share at least ``SUPPORT`` and odds ratio at least ``ODDS``),
        "contradicted" (at most ``CONTRADICT`` and ``1 / ODDS``) or "cannot tell"; and the
        posterior-to-prior odds ratio (shares clipped to [0.001, 0.999]).

    Examples
    --------
    >>> v, odds = verdict(0.9, 0.5)
    >>> v, round(odds, 6)
    ('supported', 9.0)
    >>> verdict(0.9, 0.9)[0]
    'cannot tell'
    >>> verdict(0.1, 0.5)[0]
    'contradicted'
    >>> verdict(0.9, 0.2, fits=False)[0]
    'cannot tell'
    """
    eps = 1e-3
    pp, pq = min(max(p_post, eps), 1 - eps), min(max(p_prior, eps), 1 - eps)
    ratio = (pp / (1 - pp)) / (pq / (1 - pq))
    if not fits:
        return "cannot tell", ratio
    if p_post >= SUPPORT and ratio >= ODDS:
        return "supported", ratio
    if p_post <= CONTRADICT and ratio <= 1 / ODDS:
        return "contradicted", ratio
    return "cannot tell", ratio


def weighted_share(flags: pd.DataFrame, weights: pd.Series) -> dict[str, float]:
    """Weighted share of runs in which each statement holds."""
    w = weights.to_numpy(float)
    return {c: float(np.average(flags[c].astype(float), weights=w)) if w.sum() > 0 else float("nan")
            for c in flags.columns}


def audit_table(prior_flags: pd.DataFrame, post_flags: pd.DataFrame, post_weights: pd.Series,
                post_hypothesis: pd.Series, best_distance: float, unstable: str = "") -> pd.DataFrame:
    """One row per claim: statement, prior and posterior shares (overall and per hypothesis), verdict.

    ``unstable`` says why the posterior model probabilities cannot be trusted (empty when they
    can); then every verdict is "cannot tell" and the numbers are shown for the record.

    Parameters
    ----------
    prior_flags, post_flags : DataFrame
        Whether each claim's statement holds (columns ``C1``...) in each prior and posterior
        run (:func:`statement_flags`).
    post_weights : Series
        The posterior runs' weights.
    post_hypothesis : Series
        The hypothesis of each posterior run.
    best_distance : float
        The best fit's total distance; above ``FIT_LIMIT`` no hypothesis fits and every
        verdict is "cannot tell".
    unstable : str
        Why the model probabilities cannot be trusted, or "".

    Returns
    -------
    DataFrame
        One row per claim C1-C20: ``claim``, ``text``, ``statement``, ``prior_share``,
        ``posterior_share``, ``odds_ratio``, ``by_hypothesis``, ``verdict``, ``note``.

    Examples
    --------
    >>> import pandas as pd
    >>> flags = pd.DataFrame({c: [True, False] for c in STATEMENTS})
    >>> post = pd.DataFrame({c: [True, True] for c in STATEMENTS})
    >>> t = audit_table(flags, post, pd.Series([1.0, 1.0]), pd.Series(["seed", "center"]), 1.0)
    >>> t.set_index("claim").loc[["C1", "C12"], "verdict"].tolist()
    ['supported', 'cannot tell']
    """
    claims = load_claims()
    fits = best_distance <= FIT_LIMIT and not unstable
    p_prior = {c: float(prior_flags[c].mean()) for c in prior_flags.columns}
    p_post = weighted_share(post_flags, post_weights)
    rows = []
    for cid, c in claims.items():
        if cid in STATEMENTS:
            per = {}
            for h in sorted(set(post_hypothesis)):
                sel = (post_hypothesis == h).to_numpy()
                per[h] = float(np.average(post_flags.loc[sel, cid].astype(float),
                                          weights=post_weights[sel])) if post_weights[sel].sum() > 0 else np.nan
            v, ratio = verdict(p_post[cid], p_prior[cid], fits)
            why = "" if fits else (unstable or f"no hypothesis fits (best distance {best_distance:.2f} > {FIT_LIMIT})")
            rows.append({"claim": cid, "text": c["text"], "statement": STATEMENTS[cid].text,
                         "prior_share": p_prior[cid], "posterior_share": p_post[cid], "odds_ratio": ratio,
                         "by_hypothesis": per, "verdict": v, "note": why})
        else:
            rows.append({"claim": cid, "text": c["text"], "statement": "", "prior_share": np.nan,
                         "posterior_share": np.nan, "odds_ratio": np.nan, "by_hypothesis": {},
                         "verdict": "cannot tell", "note": NOT_EVALUATED.get(cid, "not evaluated")})
    return pd.DataFrame(rows)


def statement_flags(res, hypothesis: str) -> dict[str, bool]:
    """Whether each statement holds in one run.

    Parameters
    ----------
    res : Result
        A run.
    hypothesis : str
        The hypothesis it ran under (some statements read its rules).

    Returns
    -------
    dict of str to bool
        Claim id (those with a statement: :data:`STATEMENTS`) to whether it holds.
    """
    return {cid: bool(s.test(res, hypothesis)) for cid, s in STATEMENTS.items()}
