"""Hand-countable worlds for each mechanism."""

import numpy as np
import pandas.testing as pdt
import pytest

import makhovik
from makhovik.engine import Context, run_world
from makhovik.mechanisms import alarm, control, pressure
from makhovik.state import Cause

from helpers import chain_world, quiet_scenario, small_world

TRIAL_AT_START = {"id": "t", "date": "1936-01-06", "kind": "show_trial", "faction": "leftists", "defendants": 1}


def test_five_agent_chain_cascade_is_known():
    """Naming probability 1 and a certain hazard: agent k is arrested in week k, named by agent k-1."""
    scn = quiet_scenario(events=[TRIAL_AT_START], **{
        "mechanisms.flywheel.naming": {"patronage": 1.0},
        "mechanisms.flywheel.hazard_per_name": 50.0,
    })
    res = run_world(scn, chain_world(5), seed=0)
    a = res.agents
    assert a["arrest_week"].tolist() == [0, 1, 2, 3, 4]
    assert a["cause"].astype(str).tolist() == ["ordered"] + ["cascade"] * 4
    r = res.series["r_eff"].to_numpy()
    assert r[:5].tolist() == [1.0, 1.0, 1.0, 1.0, 0.0]
    assert np.isnan(r[5:]).all()


def test_chain_without_naming_stops_at_the_defendant():
    scn = quiet_scenario(events=[TRIAL_AT_START], **{"mechanisms.flywheel.naming": {"patronage": 0.0}})
    res = run_world(scn, chain_world(5), seed=0)
    assert res.agents["arrest_week"].tolist() == [0, -1, -1, -1, -1]


def test_immunity_blocks_the_cascade_at_the_top():
    """With full immunity at rank 1 nobody named below the defendant can be arrested."""
    scn = quiet_scenario(events=[TRIAL_AT_START], **{
        "mechanisms.flywheel.naming": {"patronage": 1.0}, "mechanisms.flywheel.hazard_per_name": 50.0,
        "mechanisms.alarm.immunity": [0, 1, 0, 0, 0, 0],
    })
    res = run_world(scn, chain_world(5), seed=0)
    assert res.agents["arrest_week"].tolist() == [0, -1, -1, -1, -1]
    assert res.series["suspects"].iloc[-1] == 1  # agent 1 was named and stays free


def test_precedent_lowers_immunity_by_trial_and_by_the_share_of_a_rank_prosecuted_down_to_its_floor():
    """The chain's head (rank 4, the one individual at ranks 2-4 of five at rank 1 or above) is the trial's
    defendant: the trial takes 0.2 of the removable half of every rank's immunity of 0.5; his prosecution is all of
    ranks 2-4 (four halvings at precedent_half 0.25) and a fifth of rank 1."""
    scn = quiet_scenario(events=[TRIAL_AT_START], **{
        "mechanisms.alarm.immunity": [0, 0.5, 0.5, 0.5, 0.5, 0.5], "mechanisms.alarm.precedent_floor": 0.5,
        "mechanisms.alarm.precedent_half": 0.25, "mechanisms.alarm.trial_precedent": 0.2,
        "mechanisms.flywheel.naming": {"patronage": 1.0}, "mechanisms.flywheel.hazard_per_name": 50.0})
    res = run_world(scn, chain_world(5, head_rank=4), seed=0)
    first = res.series.iloc[0]
    assert first["immunity_politburo"] == pytest.approx(0.5 * (0.5 + 0.5 * 0.8))  # the trial alone
    assert first["immunity_top"] == pytest.approx(0.5 * (0.5 + 0.5 * 0.8 / 16))
    assert first["immunity_mid"] == first["immunity_top"]
    assert first["immunity_member"] == pytest.approx(0.5 * (0.5 + 0.5 * 0.8 * 0.5 ** 0.8))
    assert res.agents["arrest_week"].tolist() == [0, 1, 2, 3, 4]  # the cascade takes the chain ...
    assert res.series["immunity_member"].min() == pytest.approx(0.5 * (0.5 + 0.5 * 0.8 / 16))  # ... to the floor's side


def test_link_density_counts_opposition_tied_into_the_nkvd():
    w = chain_world(4, faction="rightists")
    # agents 0-2 rightists, 3 nkvd; one cross tie 0-3
    w.faction[3] = makhovik.scenario.FACTIONS.index("nkvd")
    from makhovik.world.ties import to_csr

    w.ties["cross_faction"] = to_csr(np.array([0]), np.array([3]), 4)
    assert alarm.link_density(w) == pytest.approx(1 / 3)


def test_link_density_is_the_same_at_every_scale():
    """Counted in persons: at scale 1 it is 1 - exp(-1) for one NKVD tie per person on average."""
    from makhovik.world.build import build_world

    def dens(scale):
        return np.mean([alarm.link_density(build_world(makhovik.load_scenario("great-terror", scale=scale), seed=k))
                        for k in range(3)])

    # sampling noise of the share over ~1,000 (scale 0.01) and ~10,000 (0.1) agents: about 0.015 and 0.005
    assert dens(0.01) == pytest.approx(1 - np.exp(-1), abs=0.04)
    assert dens(0.1) == pytest.approx(1 - np.exp(-1), abs=0.02)


def test_alarm_decays_by_half_in_one_half_life():
    scn = quiet_scenario(**{"mechanisms.alarm.half_life_weeks": 4})
    ctx = Context.build(scn, chain_world(3), np.random.default_rng(0))
    alarm.shock(ctx, "leftists", 2.0)
    for _ in range(4):
        alarm.decay(ctx)
    assert ctx.state.alarm[makhovik.scenario.FACTIONS.index("leftists")] == pytest.approx(1.0)


def test_election_factor_by_hand():
    el = {"id": "e", "date": "1936-03-02", "kind": "elections"}  # week 8
    scn = quiet_scenario(events=[el], **{
        "mechanisms.pressure.election_fear": 2.0, "mechanisms.pressure.election_horizon_weeks": 4.0,
        "mechanisms.centre.election_preference": 0.5})
    ctx = Context.build(scn, chain_world(3), np.random.default_rng(0))
    ctx.state.week = 4
    assert pressure.election_factor(ctx) == pytest.approx(1 + 2.0 * 0.5 * np.exp(-1))
    ctx.state.week = 8
    assert pressure.election_factor(ctx) == 1.0


def test_control_index_and_latency_by_hand():
    scn = quiet_scenario(**{"mechanisms.control.smoothing_weeks": 2})
    ctx = Context.build(scn, chain_world(3), np.random.default_rng(0))
    counts = np.zeros(6)
    counts[Cause.ORDERED], counts[Cause.CASCADE], counts[Cause.ROUTINE] = 1, 3, 100
    assert control.update(ctx, counts) == pytest.approx(0.5 * 1.0 + 0.5 * 0.25)
    assert control.update(ctx, np.zeros(6)) == pytest.approx(0.625)  # no campaign arrests: unchanged
    assert control.stop_latency(0.625, scn.mechanisms) == round(1 + 4 * 0.375)


def test_names_from_below_have_the_right_mean_and_spread():
    """A scaled prisoner standing for 50 persons names whole-tier patrons Poisson(50 q) times, spread over the class."""
    from makhovik.mechanisms.flywheel import PATRONAGE, _from_below, _whole_classes

    w = chain_world(3, faction="regionals", head_rank=3)  # agents 0 (rank 3) and 1, 2 (rank 1)
    w.rank[1] = 3  # two whole patrons of rank 3 in the organisation; agent 2 a scaled client
    w.whole[2] = False
    w.scale = 0.02
    ctx = Context.build(quiet_scenario(), w, np.random.default_rng(5))
    reps = 4000
    src = np.full(reps, 2)
    qs = np.zeros(len(makhovik.scenario.TIE_TYPES))
    qs[PATRONAGE] = 0.1
    s, t = _from_below(src, np.full(reps, 1), np.full(reps, PATRONAGE, np.int8), qs, PATRONAGE, ctx.state.exp,
                       *_whole_classes(ctx.world, ctx.rng), ctx.rng)
    assert (s == 2).all() and set(np.unique(t)) <= {0, 1}
    assert t.size == pytest.approx(reps * 5.0, abs=5 * np.sqrt(reps * 5.0))
    assert (t == 0).mean() == pytest.approx(0.5, abs=5 * 0.5 / np.sqrt(t.size))


def test_generator_and_numpy_integer_seeds():
    scn = quiet_scenario(events=[TRIAL_AT_START])
    a = makhovik.simulate(scn, seed=np.random.default_rng(3), world=chain_world(5))
    assert a.seed is None and a.agents["arrest_week"].iloc[0] == 0
    a2 = makhovik.simulate(scn, seed=np.random.default_rng(3), world=chain_world(5))
    b = makhovik.simulate(scn, seed=np.int64(3), world=chain_world(5))
    c = makhovik.simulate(scn, seed=3, world=chain_world(5))
    assert b.seed == c.seed == 3 and isinstance(b.seed, int)
    for name, df in c.tables().items():  # a numpy integer seed is the same seed as the int
        pdt.assert_frame_equal(df, b.tables()[name], check_exact=True)
    for name, df in a.tables().items():  # generators in the same state give the same run
        pdt.assert_frame_equal(df, a2.tables()[name], check_exact=True)


def test_power_and_target_pressure_by_hand():
    """Two factions, known ranks: power shares and the pressure aimed at each target, computed by hand."""
    w = chain_world(4, faction="regionals", head_rank=4)  # regionals: one rank-4 head, three rank-1 members
    w.faction[3] = makhovik.scenario.FACTIONS.index("technocrats")
    w.faction_start = None  # faction order is rebuilt below
    w.__post_init__()
    scn = quiet_scenario(**{
        "mechanisms.pressure.rank_power": [0, 1, 0, 0, 10, 0],
        "mechanisms.pressure.centre_authority": 0.5,
        "mechanisms.pressure.punitive": {"regionals": 1.0, "center": 0.0, "technocrats": 0.0},
        "mechanisms.pressure.hostility": {"regionals": {"technocrats": 1.0}},
    })
    ctx = Context.build(scn, w, np.random.default_rng(0))
    F = makhovik.scenario.FACTIONS
    pr = pressure.compute(ctx)
    # raw power: regionals 10 + 1 + 1 = 12, technocrats 1; shares 12/13, 1/13; the centre's office 0.5
    assert pr.power[F.index("regionals")] == pytest.approx(0.5 * 12 / 13)
    assert pr.power[F.index("technocrats")] == pytest.approx(0.5 * 1 / 13)
    assert pr.power[F.index("center")] == pytest.approx(0.5)
    assert pr.mass == pytest.approx(0.5 * 12 / 13 * 1.0)  # only the regionals are punitive; no alarm
    assert pr.target[F.index("technocrats")] == pytest.approx(1.0)
    assert pr.strength[F.index("regionals")] == 1.0 and pr.regional_zeal == pytest.approx(1.0)


def test_limit_request_and_approval_by_hand():
    """One region with limits 100 + 100: it fills them, asks for 0.5 x zeal x 200 more, the centre says yes."""
    scn = quiet_scenario(**{
        **small_world([{"name": "A", "cat1": 100, "cat2": 100, "party_orgs": 1}], nkvd_staff=1000),
        "world.contingents": {"kulaks": {"operation": "op00447", "pool": 10000, "registered_share": 1.0}},
        "mechanisms.nkvd.capacity_per_staff": 10.0, "mechanisms.nkvd.overfulfil": 0.0,
        "mechanisms.nkvd.request_threshold": 1.0, "mechanisms.nkvd.request_size": 0.5,
        "mechanisms.nkvd.registration_rate": 0.0,
        "mechanisms.pressure.punitive": {"regionals": 0.8},
        "mechanisms.centre.initiative_date": "1936-01-06", "mechanisms.centre.launch_lag_weeks": 0,
        "mechanisms.centre.limit_mode": "requests", "mechanisms.centre.approval_prob": 1.0,
        "mechanisms.centre.planned_duration_weeks": 30,
        "mechanisms.flywheel.precampaign_intensity": 0.0, "mechanisms.flywheel.campaign_intensity": 0.0,
        "calendar.end": "1936-01-27",
    })
    res = makhovik.simulate(scn, seed=1)
    ev = res.events
    req = ev[ev["event"] == "limit_request"]
    assert req["week"].iloc[0] == 0  # the limit is filled in week 0 and the request follows at once
    assert req["detail"].iloc[0] == "A: +80 approved"  # 0.5 x zeal 0.8 x 200
    lim = res.limits.iloc[0]
    assert lim["approved_room"] == pytest.approx(80 * len(req))
    w = res.weekly[res.weekly["operation"] == "op00447"].groupby("week")["arrests"].sum()
    assert w.loc[0] == 200 and w.loc[1] == 80  # capacity 10,000 a week: only the limits bind
    causes = res.agents.loc[res.agents["arrest_week"] == 1, "cause"].astype(str)
    assert set(causes) == {"approved"}


def test_arrest_cadre_with_a_cause_per_agent_keeps_the_first():
    ctx = Context.build(quiet_scenario(), chain_world(5), np.random.default_rng(0))
    st = ctx.state
    got = st.arrest_cadre(np.array([3, 1, 3, 4]), np.array([Cause.ORDERED, Cause.REGIONAL, Cause.CASCADE,
                                                            Cause.REGIONAL], np.int8))
    assert got.tolist() == [3, 1, 4]  # in order of first listing
    assert st.cause[[1, 3, 4]].tolist() == [Cause.REGIONAL, Cause.ORDERED, Cause.REGIONAL]
    assert st.arrest_cadre(np.array([3, 0]), Cause.CASCADE).tolist() == [0]  # 3 is no longer free
    assert st.cause_counts[Cause.REGIONAL] == 2 and st.cause_counts[Cause.ORDERED] == 1


def test_targets_list_only_the_ranks_the_lists_reach_thin_by_immunity_and_the_regionals_reach_only_the_regions():
    from makhovik.mechanisms.flywheel import _targets

    lo, hi = np.array([0, 100]), np.array([100, 200])  # two factions of 100, all free
    status = np.zeros(200, np.int8)
    rank = np.where(np.arange(200) % 2 == 0, 0, 1)  # every second agent of rank 1, immunity 0.5
    immunity = np.array([0.0, 0.5])
    region = np.zeros(200, np.int64)
    region[100:150] = -1  # half of the second faction sits in the centre
    h = np.array([[0.4, 0.0], [0.0, 0.4]])  # the centre's list over the first faction, the regionals' on the second
    free, whole = np.array([100, 100]), np.zeros(200, bool)
    rng = np.random.default_rng(3)
    n_c, n_r = [], []
    for _ in range(2000):
        idx, causes = _targets(h, 1, free, lo, hi, status, rank, immunity, region, whole, rng)
        c = causes == Cause.ORDERED
        assert (idx[c] < 100).all() and (idx[c] % 2 == 1).all()  # the lists name rank 1 (min_rank) only
        assert (idx[~c] >= 150).all() and (causes[~c] == Cause.REGIONAL).all()
        assert (np.diff(c.astype(int)) <= 0).all()  # the centre's draws first
        assert np.unique(idx).size == idx.size
        n_c.append(c.sum())
        n_r.append((~c).sum())
    # centre: Poisson(0.4 x 50 of rank 1), half kept -> 10; regionals: 40 drawn, half reachable, then thinned -> 15
    assert np.mean(n_c) == pytest.approx(10, abs=4 * np.std(n_c) / np.sqrt(2000))
    assert np.mean(n_r) == pytest.approx(15, abs=4 * np.std(n_r) / np.sqrt(2000))


def test_within_capacity_takes_cadre_in_order_until_the_region_or_the_whole_is_spent():
    from makhovik.mechanisms.flywheel import within_capacity

    region = np.array([0, 0, 0, 1, -1, -1])
    exp = np.array([1.0, 1.0, 100.0, 1.0, 1.0, 1.0])  # agent 2 a scaled agent of 100 persons
    left = np.array([2.5, 0.5])
    ok = within_capacity(np.arange(6), left, region, exp, 0.01, np.random.default_rng(0))
    # regional agents cost 0.01 of their region's capacity, the scaled one 1; the central ones a share of each
    assert ok.tolist() == [True] * 6
    assert left.tolist() == pytest.approx([(2.5 - 1.02) * (1 - 0.01 / 1.97) * (1 - 0.01 / 1.96),
                                           0.49 * (1 - 0.01 / 1.97) * (1 - 0.01 / 1.96)])
    spent = np.array([0.0, 0.0])
    assert not within_capacity(np.arange(6), spent, region, exp, 0.01, np.random.default_rng(0)).any()
    # a place worth 0.4 of the scaled agent's cost: taken four times in ten
    takes = [within_capacity(np.array([2]), np.array([0.4, 0.0]), region, exp, 0.01, np.random.default_rng(k))[0]
             for k in range(4000)]
    assert np.mean(takes) == pytest.approx(0.4, abs=4 * np.sqrt(0.24 / 4000))


def test_fill_post_promotes_the_highest_free_regional_an_individual_first():
    from makhovik.mechanisms import decline

    w = chain_world(5, faction="regionals", head_rank=4)
    w.rank[1:] = [2, 2, 3, 1]
    w.whole[1] = False  # agents 1 and 2 share rank 2; 2 is an individual
    ctx = Context.build(quiet_scenario(), w, np.random.default_rng(0))
    st, reg = ctx.state, makhovik.scenario.FACTIONS.index("regionals")
    st.arrest_cadre(np.array([0, 3]), Cause.ORDERED)  # the head and the rank-3 deputy
    before = st.free_fr[reg].copy()
    assert decline.fill_post(ctx, 0, appointee=True) == 2  # no centre appointee exists: the regionals' own
    assert st.rank[2] == 4 and st.org_head[0] == 2
    assert st.free_fr[reg, 2] == before[2] - 1 and st.free_fr[reg, 4] == before[4] + 1
    for arrested, successor in ((2, 1), (1, 4), (4, -1)):
        st.arrest_cadre(np.array([arrested]), Cause.ORDERED)
        assert decline.fill_post(ctx, 0, appointee=False) == successor
    assert st.whole[1] and st.exp[1] == 1.0 and st.org_head[0] == -1


def test_sanction_hazards_and_the_election_fear_by_hand():
    """The centre's sanction (C8) and the regionals' rising fear before elections (C9, C10), computed by hand."""
    from makhovik.mechanisms import centre

    w = chain_world(4, faction="regionals", head_rank=4)
    w.faction[3] = makhovik.scenario.FACTIONS.index("technocrats")
    w.faction_start = None
    w.__post_init__()
    scn = quiet_scenario(**{
        "mechanisms.pressure.rank_power": [0, 1, 0, 0, 10, 0],
        "mechanisms.pressure.punitive": {"regionals": 0.5, "center": 0.0, "technocrats": 0.0},
        "mechanisms.pressure.hostility": {"regionals": {"technocrats": 1.0}},
        "mechanisms.pressure.election_fear": 2.0, "mechanisms.pressure.election_horizon_weeks": 4.0,
        "mechanisms.centre.election_preference": 0.5,
        "mechanisms.centre.elite_rate": 0.02, "mechanisms.centre.appetite_initial": 0.5,
        "mechanisms.centre.yield_to_pressure": 0.25,
        "mechanisms.centre.target_weight": {"technocrats": 0.6, "regionals": 0.4},
    })
    ctx = Context.build(scn, w, np.random.default_rng(0))
    F = makhovik.scenario.FACTIONS
    ctx.state.alarm[F.index("technocrats")] = 1.0
    pr = pressure.compute(ctx)  # all the regionals' pressure is aimed at the technocrats
    h = centre.sanction(centre.sanction_args(ctx, pr))  # what the week's arrests use: week 0 is a list week ...
    weeks = ctx.params.nkvd.list_interval_weeks  # ... whose list covers the weeks since the last
    assert weeks == 2
    assert h[F.index("technocrats")] == pytest.approx(0.02 * 0.5 * (0.75 * 0.6 + 0.25 * 1.0) * 2.0 * weeks)
    assert h[F.index("regionals")] == pytest.approx(0.02 * 0.5 * (0.75 * 0.4 + 0.25 * 0.0) * weeks)
    assert h[F.index("mass")] == 0.0
    ctx.state.week = 1
    assert not centre.sanction(centre.sanction_args(ctx, pr)).any()  # no list between list weeks
    ctx.state.week = 0
    # the mass pressure: the regionals' power x their punitive preference x (1 + alarm), the preference rising
    # by election_fear x election_preference x exp(-weeks to go / horizon) before the elections
    reg = pr.power[F.index("regionals")]
    assert pr.mass == pytest.approx(reg * 0.5 * 2.0)
    ctx.index, ctx.state.week = ctx.index._replace(election_week=10), 6  # four weeks, one horizon, before the elections
    assert pressure.compute(ctx).mass == pytest.approx(reg * 0.5 * (1 + 2.0 * 0.5 * np.exp(-1)) * 2.0)
    ctx.state.week = 10
    assert pressure.compute(ctx).mass == pytest.approx(reg * 0.5 * 2.0)


def test_capacity_falls_with_the_officers_arrested():
    """A region's weekly capacity is capacity_per_staff x its staff x scale, times the share of its officers free."""
    from makhovik.mechanisms import nkvd

    w = chain_world(5, faction="nkvd", head_rank=3)
    w.scale = 0.5
    scn = quiet_scenario(**{"world.nkvd_staff": 1000, "mechanisms.nkvd.capacity_per_staff": 0.2})
    ctx = Context.build(scn, w, np.random.default_rng(0))
    run = ctx.machine.nkvd  # what the week's kernel reads, and the capacity it works out from it
    assert nkvd.capacity(run.per_officer, run.officers).tolist() == pytest.approx([0.2 * 1000 * 0.5])
    ctx.state.arrest_cadre(np.array([2]), Cause.ORDERED)  # one of five officers (each an individual)
    assert nkvd.capacity(run.per_officer, run.officers).tolist() == pytest.approx([0.2 * 1000 * 0.5 * 4 / 5])


def test_top_removal_moves_the_regional_top_out_of_post_then_arrests_and_the_center_hypothesis_has_none():
    """C19 by hand: the head of the only organisation (rank 5, a top regional) is removed (moved, his rank kept, his
    post filled from the organisation), then arrested at 1 / removal_lag_weeks a week; under `center` (top_removal false)
    a collapsed regional strength begins no removal."""
    from types import SimpleNamespace

    from makhovik.mechanisms import decline

    def ctx_for(**sets):
        w = chain_world(5, faction="regionals", head_rank=5)
        ctx = Context.build(quiet_scenario(**{"mechanisms.decline.removal_lag_weeks": 1.0,
                                              "mechanisms.decline.top_removal_rate": 0.0, **sets}), w,
                            np.random.default_rng(0))
        ctx.state.flags["decision"] = 0
        return ctx

    weak = SimpleNamespace(strength=np.zeros(len(makhovik.scenario.FACTIONS)))  # the regionals' strength collapsed
    ctx = ctx_for()
    st = ctx.state
    decline.step(ctx, weak)
    assert st.happened("top_removal")
    decline.remove(ctx, 0)
    assert st.removed[0] and st.status[0] == 0 and st.rank[0] == 5  # free, his rank kept
    assert st.org_head[0] not in (-1, 0) and st.rank[st.org_head[0]] == 4  # his post filled from below
    st.week = 1
    decline.step(ctx, weak)  # the arrest comes the next week (lag 1 week)
    assert st.status[0] == 1 and st.cause[0] == Cause.ORDERED and st.removed_list.size == 0
    assert [e["event"] for e in ctx.events] == ["top_removal_begins"]

    off = ctx_for(**{"mechanisms.decline.top_removal": False})
    for t in range(5):
        off.state.week = t
        decline.step(off, weak)
    assert not off.state.happened("top_removal") and not off.state.removed.any() and off.state.status[0] == 0


def test_remove_before_list_moves_the_top_regional_the_centre_would_list_then_arrests_him():
    """The centre's lists name the head of the only organisation (rank 5, the only one they reach) in about two list
    weeks of three: without the rule he is arrested in post; with decline.remove_before_list the week that would
    arrest him removes him instead (event kosior_removed), his post filled, and his arrest follows (lag 1 week)."""

    def go(on):
        w = chain_world(5, faction="regionals", head_rank=5)
        w.named = {"kosior": 0}
        scn = quiet_scenario(**{
            "mechanisms.decline.removal_lag_weeks": 1.0, "mechanisms.decline.top_removal": False,
            "mechanisms.decline.remove_before_list": on, "mechanisms.centre.elite_rate": 1.0,
            "mechanisms.centre.appetite_initial": 1.0, "mechanisms.centre.yield_to_pressure": 0.0,
            "mechanisms.centre.elite_sanction": "lists", "mechanisms.nkvd.list_min_rank": 5,
            "mechanisms.centre.target_weight": {"regionals": 1.0}, "mechanisms.nkvd.list_interval_weeks": 2})
        res = run_world(scn, w, seed=1)
        return res.events.set_index("event")["week"].to_dict(), res.agents

    ev, agents = go(False)
    assert "kosior_removed" not in ev and ev["kosior_arrested"] % 2 == 0  # arrested in post, in a list week
    ev, agents = go(True)
    assert ev["kosior_removed"] % 2 == 0 and ev["kosior_arrested"] > ev["kosior_removed"]
    assert agents.loc[0, "cause"] == "ordered"


def test_the_hypotheses_differ_in_whether_the_regional_top_is_removed():
    """DESIGN.md's row "why it ends": the centre removes the weakened regional top under seed and interaction, not
    under center; it removes those it means to list first under center and interaction, not under seed."""
    got = {h: (d.top_removal, d.remove_before_list) for h in ("seed", "center", "interaction")
           if (d := makhovik.load_scenario("great-terror", hypothesis=h).mechanisms.decline)}
    assert got == {"seed": (True, False), "center": (False, True), "interaction": (True, True)}


def test_a_shelved_file_stops_counting_until_the_suspect_is_named_again():
    """The trial's defendant names agent 1 in week 0; with no arrest hazard agent 1 stays a suspect all run, unless
    files are shelved (rate 1: his is shelved in week 1, his namings set to 0)."""
    sets = {"mechanisms.flywheel.naming": {"patronage": 1.0}, "mechanisms.flywheel.hazard_per_name": 0.0}
    kept = run_world(quiet_scenario(events=[TRIAL_AT_START], **sets), chain_world(3), seed=0)
    assert kept.series["suspects"].tolist()[:3] == [1, 1, 1] and kept.series["suspects"].iloc[-1] == 1
    gone = run_world(quiet_scenario(events=[TRIAL_AT_START], **sets, **{"mechanisms.flywheel.shelve_rate": 1.0}),
                     chain_world(3), seed=0)
    assert gone.series["suspects"].tolist()[:3] == [1, 0, 0]
    assert (gone.agents["arrest_week"] == -1).sum() == 2
