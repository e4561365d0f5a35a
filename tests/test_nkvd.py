"""The NKVD machine's rules by hand: its purge at a chief's change, the album and the special troikas, the
releases when the stop takes effect, the cadre's sanction lists, and the centre's limit reviews."""

import numpy as np
import pytest

import makhovik
from makhovik.codes import DETAINED, FREE, RELEASED, STATUS_OF_SENTENCE, Rank, Sentence
from makhovik.engine import Context
from makhovik.mechanisms import nkvd
from makhovik.world.build import build_world
from makhovik.world.ties import to_csr

from helpers import chain_world, quiet_scenario, small_world

# One region and one national operation of 10,000 persons, all on the registers and all taken in week 0 (capacity
# 100 x 1,000 officers a week); every case is decided at once (lag 1) but the album signs 10 a week (0.001 x 10,000).
NATIONAL = {
    **small_world([{"name": "A", "cat1": 0, "cat2": 0, "party_orgs": 1, "weight": 1.0}], nkvd_staff=1000),
    "world.contingents": {"poles": {"operation": "national", "pool": 10_000, "registered_share": 1.0,
                                    "arrest_share": 1.0, "launch_lag_weeks": 0, "cat1_share": 1.0}},
    "mechanisms.nkvd.capacity_per_staff": 100.0, "mechanisms.nkvd.national_capacity_share": 1.0,
    "mechanisms.nkvd.troika_lag_weeks": 1, "mechanisms.nkvd.album_capacity": 0.001,
    "mechanisms.nkvd.registration_rate": 0.0,
    "mechanisms.centre.initiative_date": "1936-01-06", "mechanisms.centre.launch_lag_weeks": 0,
    "mechanisms.flywheel.precampaign_intensity": 0.0, "mechanisms.flywheel.campaign_intensity": 0.0,
}
TROIKAS = {"id": "special", "date": "1936-03-02", "kind": "special_troikas", "label": "special troikas"}  # week 8


def _national(events=(), **sets):
    res = makhovik.simulate(quiet_scenario(events=events, **{**NATIONAL, **sets}), seed=2)
    a = res.agents
    return res, a[a["contingent"] == "poles"]


def test_the_album_signs_its_weekly_capacity_and_no_more():
    res, poles = _national()
    assert (poles["arrest_week"] == 0).all()  # the whole pool taken in the first week
    by_week = poles.loc[poles["sentence_week"] >= 0, "sentence_week"].value_counts().sort_index()
    n_weeks = res.scenario.calendar.n_weeks
    assert by_week.to_dict() == {w: 10 for w in range(n_weeks)}  # 10 a week, every week, all the run
    assert set(poles.loc[poles["sentence_week"] >= 0, "sentence"].astype(str)) == {Sentence.CAT1.name.lower()}


def test_the_special_troikas_clear_the_national_cases_then_the_album_returns():
    res, poles = _national(events=[TROIKAS], **{"mechanisms.nkvd.special_troika_weeks": 6})
    by_week = poles.loc[poles["sentence_week"] >= 0, "sentence_week"].value_counts().sort_index()
    assert by_week.to_dict() == {**{w: 10 for w in range(8)}, 8: 10_000 - 80}  # uncapped from week 8: all at once
    ev = res.events.set_index("event")
    assert ev.loc["special", "week"] == 8 and "6 weeks" in ev.loc["special", "detail"]


def test_the_album_is_capped_again_when_the_special_troikas_end():
    # the album's capacity binds only from the 15th week (8 + 6): arrests each week keep cases pending
    res, poles = _national(events=[TROIKAS], **{"mechanisms.nkvd.special_troika_weeks": 6,
                                                 "world.contingents.poles.arrest_share": 0.05,
                                                 "mechanisms.nkvd.album_capacity": 0.0001})
    sw = poles["sentence_week"]
    per_week = sw[sw >= 0].value_counts().reindex(range(res.scenario.calendar.n_weeks), fill_value=0)
    arrested = poles["arrest_week"].value_counts().reindex(per_week.index, fill_value=0)
    assert (per_week.loc[:7] == 1).all()  # the album: 0.0001 x 10,000 = 1 a week
    pending_at = arrested.cumsum() - per_week.cumsum().shift(fill_value=0)
    assert (per_week.loc[8:14] == pending_at.loc[8:14]).all()  # the troikas: every pending case, each week
    assert (per_week.loc[15:] == 1).all()


def test_the_stop_releases_the_share_of_the_pending_it_says():
    stop = {"mechanisms.centre.stop_rule": "schedule", "mechanisms.centre.stop_date": "1936-02-03"}  # week 4
    res, poles = _national(**stop, **{"mechanisms.nkvd.post_stop_release": 1.0})
    t_eff = int(res.events.set_index("event").loc["stop_effective", "week"])
    released = poles[poles["sentence"] == Sentence.RELEASED.name.lower()]
    assert (released["sentence_week"] == t_eff).all()
    assert len(released) == 10_000 - 10 * t_eff  # all pending: the album had signed 10 a week until then
    res0, poles0 = _national(**stop, **{"mechanisms.nkvd.post_stop_release": 0.0})
    assert int(res0.events.set_index("event").loc["stop_effective", "week"]) == t_eff
    assert (poles0["sentence"] == Sentence.RELEASED.name.lower()).sum() == 0
    # after the stop, ordinary procedure decides the rest: more than the album's 10 a week
    after = poles0.loc[poles0["sentence_week"] >= t_eff, "sentence_week"].value_counts()
    assert after.loc[t_eff] > 10


def _cases(rank, arrest_week):
    n = len(rank)
    return (np.asarray(rank, np.int8), np.asarray(arrest_week, np.int16), np.full(n, DETAINED, np.int8),
            np.zeros(n, np.int8), np.full(n, -1, np.int16))


def test_cadre_on_the_lists_wait_for_the_next_batch_others_go_to_troikas():
    rank, aw, status, sentence, sw = _cases([Rank.TOP, Rank.TOP, Rank.MEMBER, Rank.MID], [5, 4, 5, 5])
    pc = np.arange(4, dtype=np.int64)
    rng = np.random.default_rng(0)
    keep = nkvd._cadre_sentences(pc, 5, 1.0, 1.0, 0.0, int(Rank.TOP), 1.0, 0.0, rank, aw, status, sentence, sw, rng)
    assert keep.tolist() == [0]  # on a list, but arrested this week: the lists carry the past weeks' arrests
    assert sentence.tolist() == [0, Sentence.CAT1, Sentence.CAT2, Sentence.CAT2]
    assert sw.tolist() == [-1, 5, 5, 5]
    assert status.tolist() == [DETAINED, *(STATUS_OF_SENTENCE[c] for c in (Sentence.CAT1, Sentence.CAT2, Sentence.CAT2))]
    # the next week the list takes agent 0; the others are no longer detained and drop out
    keep = nkvd._cadre_sentences(pc, 6, 1.0, 1.0, 0.0, int(Rank.TOP), 1.0, 0.0, rank, aw, status, sentence, sw, rng)
    assert keep.size == 0 and sentence[0] == Sentence.CAT1 and sw[0] == 6


def test_cadre_not_sentenced_are_released_at_the_release_rate():
    rank, aw, status, sentence, sw = _cases([Rank.TOP] * 3, [1, 1, 1])
    keep = nkvd._cadre_sentences(np.arange(3, dtype=np.int64), 5, 0.0, 0.0, 1.0, int(Rank.TOP), 1.0, 0.0, rank, aw,
                                 status, sentence, sw, np.random.default_rng(0))
    assert keep.size == 0 and (status == RELEASED).all() and (sentence == Sentence.RELEASED).all()
    n, p = 20_000, 0.3  # off the lists, each case decided with p_other a week: Binomial(n, p)
    rank, aw, status, sentence, sw = _cases([Rank.MEMBER] * n, [1] * n)
    keep = nkvd._cadre_sentences(np.arange(n, dtype=np.int64), 5, 1.0, p, 0.0, int(Rank.TOP), 1.0, 0.0, rank, aw,
                                 status, sentence, sw, np.random.default_rng(1))
    assert abs((n - keep.size) - n * p) < 4 * np.sqrt(n * p * (1 - p))
    assert (sentence[keep] == 0).all() and (sentence[np.setdiff1d(np.arange(n), keep)] == Sentence.CAT2).all()


def _nkvd_ctx(purge_naming=1.0):
    """Five NKVD officers tied in a patronage chain; 0 is senior, 3 and 4 share a cross-faction tie."""
    w = chain_world(5, faction="nkvd", head_rank=int(Rank.SENIOR))
    w.ties["cross_faction"] = to_csr(np.array([3]), np.array([4]), 5)
    return Context.build(quiet_scenario(**{"mechanisms.nkvd.purge_naming": purge_naming}), w,
                         np.random.default_rng(0))


def test_a_new_chief_names_the_senior_officers_and_those_tied_to_the_opposition():
    ctx = _nkvd_ctx()
    st = ctx.state
    assert ctx.index.nkvd_exposed.tolist() == [0, 3, 4]
    nkvd.chief_change(ctx, "Yezhov")
    assert st.kompromat.tolist() == [1, 0, 0, 1, 1] and sorted(st.suspects.tolist()) == [0, 3, 4]
    assert ctx.events[-1]["event"] == "nkvd_purge" and ctx.events[-1]["detail"] == "Yezhov: 3 officers named"
    st.arrest_cadre(np.array([4]), 0)  # the arrested are not named again
    nkvd.chief_change(ctx, "Beria")
    assert st.kompromat.tolist() == [2, 0, 0, 2, 1] and ctx.events[-1]["detail"] == "Beria: 2 officers named"
    assert st.status[4] != FREE


def test_a_chief_change_names_nobody_when_purge_naming_is_zero():
    ctx = _nkvd_ctx(purge_naming=0.0)
    nkvd.chief_change(ctx, "Yezhov")
    assert ctx.state.kompromat.sum() == 0 and ctx.events[-1]["detail"] == "Yezhov: 0 officers named"


def _limits_ctx(**sets):
    scn = quiet_scenario(**{
        **small_world([{"name": "A", "cat1": 100, "cat2": 100, "party_orgs": 1},
                       {"name": "B", "cat1": 50, "cat2": 50, "party_orgs": 1}], nkvd_staff=100),
        "mechanisms.centre.central_increase": 0.5, "mechanisms.nkvd.request_threshold": 0.85,
        "mechanisms.nkvd.request_cat1_share": 0.6, **sets})
    ctx = Context.build(scn, build_world(scn, seed=0), np.random.default_rng(0))
    nkvd.open_limits(ctx)
    return ctx


def test_a_central_review_raises_the_limits_of_the_regions_near_them():
    ctx = _limits_ctx()
    st = ctx.state
    st.arrested_00447[:] = [170, 84]  # A at 0.85 of its limits (the threshold), B just below
    nkvd.central_review(ctx, appetite=1.0)
    assert st.lim1.tolist() == pytest.approx([100 + 0.5 * 200 * 0.6, 50])
    assert st.lim2.tolist() == pytest.approx([100 + 0.5 * 200 * 0.4, 50])
    assert st.ordered_room.tolist() == pytest.approx([300, 100])
    assert ctx.events[-1]["event"] == "central_limit_increase" and ctx.events[-1]["detail"] == "review: +100 in 1 regions"
    st.arrested_00447[:] = [170, 85]  # B now at its threshold too; A at 170 of 300, below its own
    nkvd.central_review(ctx, appetite=0.5, act="decree")  # an extension's block decree: B only
    assert st.ordered_room.tolist() == pytest.approx([300, 125])
    assert ctx.events[-1]["detail"] == "decree: +25 in 1 regions"
    n = len(ctx.events)
    nkvd.central_review(ctx, appetite=0.0, act="decree")  # no appetite: nothing added, nothing said
    assert len(ctx.events) == n and st.ordered_room.tolist() == pytest.approx([300, 125])


# One region with Order 00447 limits of 10,000 and 10,000 registered kulaks; capacity 100 a week (0.1 x 1,000
# officers), surging threefold at the start; the troika decides at most 1% of the initial limits (100) a week.
KULAK = {
    **small_world([{"name": "A", "cat1": 5000, "cat2": 5000, "party_orgs": 1, "weight": 1.0}], nkvd_staff=1000),
    "world.contingents": {"kulaks": {"operation": "op00447", "pool": 10_000, "registered_share": 1.0}},
    "mechanisms.nkvd.capacity_per_staff": 0.1, "mechanisms.nkvd.registration_rate": 0.0,
    "mechanisms.nkvd.troika_lag_weeks": 1, "mechanisms.nkvd.troika_throughput": 0.01,
    "mechanisms.nkvd.first_wave_boost": 3.0, "mechanisms.nkvd.first_wave_weeks": 1.0,
    "mechanisms.centre.initiative_date": "1936-01-06", "mechanisms.centre.launch_lag_weeks": 0,
    "mechanisms.centre.limit_mode": "requests", "mechanisms.nkvd.request_size": 0.0,
    "mechanisms.flywheel.precampaign_intensity": 0.0, "mechanisms.flywheel.campaign_intensity": 0.0,
}


def test_the_first_wave_surges_and_decays_and_the_troika_decides_its_throughput_a_week():
    res = makhovik.simulate(quiet_scenario(**KULAK), seed=4)
    a = res.agents
    k = a[a["contingent"] == "kulaks"]
    weeks = range(8)
    arrests = k["arrest_week"].value_counts().reindex(weeks, fill_value=0)
    assert arrests[0] == 300  # 100 x 3 in the week the operation opens
    for t in weeks[1:]:
        assert abs(arrests[t] - 100 * (1 + 2 * np.exp(-t))) <= 1  # the surge decays by e a week
    decided = k.loc[k["sentence_week"] >= 0, "sentence_week"].value_counts().sort_index()
    assert (decided.loc[:15] == 100).all()  # a queue: the surge's cases wait; the troika decides 100 a week
    assert (decided <= 100).all() and decided.sum() == (k["arrest_week"] >= 0).sum()  # until it is drained
