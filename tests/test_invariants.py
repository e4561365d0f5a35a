"""check_invariants reports every planted violation, in the state a buggy mechanism would leave or in the tables.

The planted violations are those of the reliability checks of 2 December 2026 (17 kinds, of
which the old check caught 9): each is planted in a small run and must be reported; the
unplanted run must pass.
"""

from __future__ import annotations

import numpy as np
import pytest

import makhovik
import makhovik.observe.result as R
from makhovik.state import CAMP, DETAINED, EXECUTED, FREE
from makhovik.testing import check_invariants

SCALE, SEED = 0.005, 1


@pytest.fixture(scope="module")
def scenario():
    return makhovik.load_scenario("great-terror", hypothesis="seed", scale=SCALE, warn=False)


def _pick(mask, k=5):
    idx = np.flatnonzero(mask)
    assert idx.size, "nothing to plant the violation in"
    return np.random.default_rng(0).choice(idx, size=min(k, idx.size), replace=False)


def resurrect(st, scn):  # executed agents back in the pool (status free, sentence kept)
    st.status[_pick(st.status == EXECUTED)] = FREE


def rearrest_executed(st, scn):  # an executed person arrested again later: the first arrest overwritten
    i = _pick((st.status == EXECUTED) & (st.sentence_week + 5 < scn.calendar.n_weeks))
    st.arrest_week[i] = st.sentence_week[i] + 3
    st.sentence[i], st.sentence_week[i], st.status[i] = 0, -1, DETAINED


def bad_status_code(st, scn):  # a status code no category names (an agent lost from every status)
    st.status[_pick(st.status == FREE)] = 9


def executed_without_sentence(st, scn):
    st.status[_pick(st.status == DETAINED)] = EXECUTED


def camp_never_arrested(st, scn):
    st.status[_pick(st.status == FREE)] = CAMP


def cat1_in_camp(st, scn):
    st.status[_pick(st.status == EXECUTED)] = CAMP


def sentence_before_arrest(st, scn):
    i = _pick((st.sentence_week > 3) & (st.arrest_week >= 0))
    st.arrest_week[i] = st.sentence_week[i] + 1


def arrest_after_run(st, scn):
    st.arrest_week[_pick(st.status == DETAINED)] = scn.calendar.n_weeks + 2


def arrests_moved_earlier(st, scn):  # arrests moved to another week, the counts kept consistent with the state
    i = _pick((st.arrest_week > 10) & (st.sentence_week < 0), 50)
    st.arrest_week[i] -= 10


#: each planted violation and (part of) the line that must report it
STATE = [(resurrect, "free agents with an arrest"), (rearrest_executed, "engine's ledger"),
         (bad_status_code, "status that is none of"), (executed_without_sentence, "status executed and sentence cat1"),
         (camp_never_arrested, "without an arrest"), (cat1_in_camp, "status camp and sentence cat2"),
         (sentence_before_arrest, "sentenced before arrest"), (arrest_after_run, "beyond the run"),
         (arrests_moved_earlier, "engine's ledger")]


def exec_counted_twice(res):
    w = res.weekly
    w.loc[w.index[w["executions"] > 0][0], "executions"] += 1


def exec_shifted(res):
    w = res.weekly
    w["executions"] = np.roll(w["executions"].to_numpy(), 1)


def arrest_counted_twice(res):
    w = res.weekly
    w.loc[w.index[len(w) // 3], "arrests"] += 1


def arrest_moved(res):  # the sum kept
    w = res.weekly
    j = w.index[w["arrests"] > 0]
    w.loc[j[0], "arrests"] += 1
    w.loc[j[-1], "arrests"] -= 1


def negative_count(res):
    res.weekly.loc[res.weekly.index[5], "releases"] = -1


def agent_dropped(res):
    res.lazy["agents"] = res.agents.iloc[1:]


def limits_tripled(res):
    res.limits["arrested"] *= 3


def expansion_doubled(res):
    res.weekly["expansion"] *= 2


TABLE = [(exec_counted_twice, "category-1 sentences 1 weeks earlier"), (exec_shifted, "weekly executions differ"),
         (arrest_counted_twice, "weekly arrests differ"), (arrest_moved, "by week, faction and region"),
         (negative_count, "negative weekly counts"), (agent_dropped, "agents not conserved"),
         (limits_tripled, "Order 00447 arrests exceed"), (expansion_doubled, "expansion is not 1/scale")]


def test_an_unplanted_run_passes(scenario):
    assert check_invariants(makhovik.simulate(scenario, seed=SEED)) == []


@pytest.mark.parametrize(("plant", "report"), STATE, ids=[f.__name__ for f, _ in STATE])
def test_a_violation_planted_in_the_state_is_reported(monkeypatch, scenario, plant, report):
    orig = R.build_result

    def build(scn, world, ctx, series_arr, elapsed):
        plant(ctx.state, scn)
        return orig(scn, world, ctx, series_arr, elapsed)

    monkeypatch.setattr(R, "build_result", build)
    found = check_invariants(makhovik.simulate(scenario, seed=SEED))
    assert any(report in line for line in found), found


@pytest.mark.parametrize(("plant", "report"), TABLE, ids=[f.__name__ for f, _ in TABLE])
def test_a_violation_planted_in_the_tables_is_reported(scenario, plant, report):
    res = makhovik.simulate(scenario, seed=SEED)
    res.agents  # noqa: B018 - the lazily built table, before it is corrupted
    plant(res)
    found = check_invariants(res)
    assert any(report in line for line in found), found


def test_the_ledger_is_the_persons_arrested_each_week(scenario):
    """The engine's weekly ledger adds up to the persons in the weekly table (the tables' own sum of arrests)."""
    res = makhovik.simulate(scenario, seed=SEED)
    persons = float((res.weekly["arrests"] * res.weekly["expansion"]).sum())
    assert res.series["arrested_persons"].sum() == pytest.approx(persons, rel=1e-12)
    assert persons > 1000  # a run with arrests: the check is not vacuous
