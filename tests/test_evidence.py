"""Observables, distances, compare, calibration, claim audit and report."""

import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import makhovik
from makhovik.cli import app
from makhovik.evidence.audit import STATEMENTS, audit_table, verdict
from makhovik.evidence.compare import compare_table
from makhovik.evidence.observables import (
    Observable,
    Target,
    observables,
    parse_numbers,
    simulated_values,
    synthetic_targets,
    total_distance,
)

runner = CliRunner()


def obs(kind, lo, hi, n=None, quality="verified", name="x", held=False):
    ts = tuple(Target(v, "f.csv", {}, "c", quality, "") for v in (lo, hi))
    return Observable(name, "g", "sim", kind, ts, n, 0.0, held)


def test_count_distance_known_answers():
    o = obs("count", 100, 200)
    assert o.distance(150) == 0 and o.distance(100) == 0 and o.distance(200) == 0
    assert o.distance(250) == pytest.approx(math.log(251 / 201) / math.log(1.25))
    assert o.distance(250) == pytest.approx(1.0, abs=0.01)  # 25% above the range is about one unit
    assert o.distance(0) == 5.0  # ln(101)/ln(1.25) = 20.7 units, capped at 5


def test_share_and_date_distances_known_answers():
    assert obs("share", 50, 50, n=100).distance(60) == pytest.approx(2.0)  # ten points over, five per unit
    d = dt.date(1938, 11, 17).toordinal()
    o = obs("date", d - 2, d)
    assert o.distance(d + 45) == pytest.approx(1.5) and o.distance(d - 1) == 0


def test_total_distance_weights_and_held_out():
    a, b = obs("count", 100, 100, name="a"), obs("count", 100, 100, name="b", quality="secondary")
    c = obs("count", 100, 100, name="c", held=True)
    u = obs("count", 100, 100, name="u", quality="unverified")
    x = {"a": 125.0, "b": 100.0, "c": 100 * 1.25 ** 2 - 1, "u": 1e9}
    # a is about one unit off (weight 1), b on target (weight 0.5), u ignored (weight 0)
    expect = math.sqrt((a.distance(x["a"]) ** 2 * 1.0) / 1.5)
    assert total_distance(x, [a, b, c, u]) == pytest.approx(expect)
    assert total_distance(x, [a, b, c, u], held_out=True) == pytest.approx(c.distance(x["c"]))


def test_declared_observables_match_the_data_pack():
    o = {x.name: x for x in observables()}
    assert (o["executed_1937"].lo, o["executed_1937"].hi) == (353_074, 353_074)
    assert (o["convicted_1936"].lo, o["convicted_1936"].hi) == (114_383, 274_670)  # KGB variant and MVD series
    assert (o["national_convicted"].lo, o["national_convicted"].hi) == (340_000, 350_000)
    assert o["cc_1934_repressed"].describe_range() == "98 of 139"
    assert o["delegates_17_repressed"].lo == 1108 and o["delegates_17_repressed"].quality == "verified"
    assert o["stop_order"].describe_range() == "1938-11-15 – 1938-11-17"
    arr38 = o["arrested_1938"]  # the GARF 638,509 is unverified: listed, not in the range
    assert {t.value for t in arr38.targets} == {629_695, 638_509} and arr38.hi == 629_695
    groups = {x.group for x in o.values()}
    assert groups == {"annual", "checkpoints", "operations", "elite", "events"}
    with pytest.raises(makhovik.MakhovikError, match="unknown observable"):
        observables(("no_such_thing",))
    assert parse_numbers("~17,000-17,981") == [17000.0, 17981.0]


def test_simulated_values_agree_with_the_result():
    res = makhovik.simulate(makhovik.load_scenario("great-terror", hypothesis="center", scale=0.002), seed=2)
    v = simulated_values(res)
    assert set(v) == {o.name for o in observables()}
    ann = res.annual().set_index("year")
    assert v["executed_1937"] == ann.loc[1937, "executed"] and v["arrested_1938"] == ann.loc[1938, "arrested"]
    assert v["stop_order"] == res.event_date("stop_order").toordinal()
    a = res.agents
    assert v["cc_1934_repressed"] == ((a["cc_1934"]) & (a["status"] != "free")).sum()
    w = res.weekly
    op = w[w["operation"] == "op00447"]
    assert v["op00447_executed"] == pytest.approx((op["executions"] * op["expansion"]).sum())


def test_compare_table_medians_and_share_in_range():
    o = [obs("count", 90, 110, name="a")]
    vals = pd.DataFrame({"a": [80.0, 100.0, 105.0, 200.0]})
    t = compare_table(vals, o)
    assert t.loc[0, "sim_median"] == 102.5 and t.loc[0, "in_range"] == 0.5 and t.loc[0, "distance"] == 0


def test_verdicts_on_constructed_posteriors():
    assert verdict(0.95, 0.5) == ("supported", pytest.approx(19.0))
    assert verdict(0.8, 0.7)[0] == "cannot tell"  # holds a priori already: the data add little
    assert verdict(0.05, 0.5)[0] == "contradicted"
    assert verdict(0.5, 0.5)[0] == "cannot tell"
    n = 40
    prior = pd.DataFrame({c: [True, False] * (n // 2) for c in STATEMENTS})
    post = pd.DataFrame({c: [True] * n for c in STATEMENTS})
    post["C9"] = [False] * n
    t = audit_table(prior, post, pd.Series(np.ones(n)), pd.Series(["seed"] * 30 + ["center"] * 10), 1.0)
    v = dict(zip(t["claim"], t["verdict"], strict=True))
    assert v["C1"] == "supported" and v["C9"] == "contradicted" and v["C12"] == "cannot tell"
    assert len(t) == 20 and "coup" in t.set_index("claim").loc["C12", "note"]
    unfit = audit_table(prior, post, pd.Series(np.ones(n)), pd.Series(["seed"] * n), 9.0)
    assert set(unfit["verdict"]) == {"cannot tell"}
    shaky = audit_table(prior, post, pd.Series(np.ones(n)), pd.Series(["seed"] * n), 1.0,
                        unstable="the ranking changes under the second prior set")
    assert set(shaky["verdict"]) == {"cannot tell"}
    assert (shaky.set_index("claim").loc["C1", "note"] == "the ranking changes under the second prior set")


def test_calibration_recovers_hypothesis_and_parameter(tmp_path):
    """Identifiability at a small budget: data made by `center` with an early stop (7 March 1938).

    The observables are those the stop date moves (the stop itself and the 1938-39 totals);
    the noisier single-agent dates and elite shares need budgets beyond a test. ABC must
    give `center` a probability above 0.9, and its weighted posterior of the stop date must be
    narrower than a third of the prior's spread (uniform over 791 days: sd 228), centred within
    two of its own standard deviations of the truth, with the truth inside its 5-95% range.
    Measured over ABC seeds 3-6: P(center) 1.00 each time; posterior sd 40-52 days; the mean
    19-49 days late (0.5-1.0 sd); the truth inside the 5-95% range each time.
    """
    from makhovik.evidence.calibrate import calibrate, synthetic_targets

    truth_date = dt.date(1938, 3, 7)
    truth = makhovik.simulate(makhovik.load_scenario(
        "great-terror", hypothesis="center", scale=0.002,
        overrides={"mechanisms.centre.stop_date": truth_date.isoformat()}), seed=5)
    keep = {"stop_order", "arrested_1938", "convicted_1938", "executed_1938", "arrested_1939", "executed_1939"}
    targets = [o for o in synthetic_targets(simulated_values(truth)) if o.name in keep]
    seen = []
    res = calibrate(hypotheses=("seed", "center"), populations=3, population_size=20, scale=0.002,
                    targets=targets, workers=1, db=tmp_path / "ident.db", seed=3,
                    overrides=["calibration.parameters={mechanisms.centre.stop_date: null, "
                               "mechanisms.nkvd.routine_rate: null}"], progress=lambda *a: seen.append(a))
    assert [a[0] for a in seen] == [0, 1, 2] and [a[1] for a in seen] == pytest.approx(res.epsilons)
    assert all(set(a[3]) == {"seed", "center"} and sum(a[3].values()) == pytest.approx(1) for a in seen)
    p = res.final_probabilities()
    assert p["center"] > 0.9 and p["center"] + p["seed"] == pytest.approx(1)
    post = res.posteriors["center"]
    x, w = post["mechanisms.centre.stop_date"].to_numpy(), post["weight"].to_numpy() / post["weight"].sum()
    mean = float(np.sum(w * x))
    assert mean == pytest.approx(res.posterior_mean("center")["mechanisms.centre.stop_date"])
    sd = float(np.sqrt(np.sum(w * (x - mean) ** 2)))
    (prior,) = [q for q in res.priors["center"] if q.path == "mechanisms.centre.stop_date"]
    truth_day = (truth_date - truth.scenario.calendar.start).days
    assert sd < (prior.hi - prior.lo) / np.sqrt(12) / 3
    assert abs(mean - truth_day) < 2 * sd
    order = np.argsort(x)
    cdf = np.cumsum(w[order])
    lo, hi = x[order][np.searchsorted(cdf, 0.05)], x[order][np.searchsorted(cdf, 0.95)]
    assert lo <= truth_day <= hi


def test_compare_calibrate_report_end_to_end(tmp_path):
    r = runner.invoke(app, ["compare", "great-terror", "-H", "center", "--runs", "2", "--scale", "0.001",
                            "--workers", "1", "--hold-out", "stop_order", "--out", str(tmp_path / "cmp"), "--quiet"])
    assert r.exit_code == 0, r.output
    t = pd.read_csv(tmp_path / "cmp" / "compare.csv")
    assert t.set_index("observable").loc["stop_order", "held_out"]
    assert "executed_1937" in set(t["observable"]) and "(held out)" in r.output
    out = tmp_path / "cal"
    r = runner.invoke(app, ["calibrate", "-H", "seed", "-H", "center", "--populations", "1", "--population-size", "6",
                            "--scale", "0.001", "--workers", "1", "--out", str(out)])
    assert r.exit_code == 0, r.output
    summary = json.loads((out / "calibration.json").read_text())
    assert set(summary["model_probabilities"]) == {"seed", "center"}
    assert summary["scale"] == 0.001 and summary["scenario"] == "great-terror"  # what the report reruns
    assert sum(summary["model_probabilities"].values()) == pytest.approx(1.0)
    r = runner.invoke(app, ["calibrate", "-H", "seed", "-H", "center", "--populations", "2", "--population-size", "6",
                            "--scale", "0.001", "--workers", "1", "--out", str(out), "--resume"])
    assert r.exit_code == 0, r.output
    assert len(pd.read_csv(out / "model_probabilities.csv")) == 2  # a second generation on the same database
    (out / "calibration.json").unlink()  # as after a calibration stopped before it could write its summary
    r = runner.invoke(app, ["calibrate", "-H", "seed", "-H", "center", "--populations", "0", "--scale", "0.001",
                            "--out", str(out), "--resume"])
    assert r.exit_code == 0, r.output
    assert len(pd.read_csv(out / "model_probabilities.csv")) == 2 and (out / "calibration.json").exists()
    r = runner.invoke(app, ["report", str(out), "--draws", "4", "--workers", "1", "--quiet"])
    assert r.exit_code == 0, r.output
    page = (out / "report" / "index.html").read_text()
    assert "Claim audit" in page and "data:image/png;base64," in page
    assert "<script" not in page and "<link" not in page  # self-contained: nothing fetched to view it
    for f in ("model_probabilities", "annual", "observables", "posteriors", "fit"):
        assert (out / "report" / f"{f}.png").exists() and (out / "report" / f"{f}.svg").exists()
    audit = pd.read_csv(out / "report" / "claim_audit.csv")
    assert list(audit["claim"]) == [f"C{i}" for i in range(1, 21)]
    rej = pd.read_csv(out / "report" / "rejection_check.csv")
    assert list(rej["hypothesis"][:2]) == ["seed", "center"] and (rej["runs"] == 2).all() and "Check by rejection" in page
    assert rej["epsilon"].nunique() == len(json.loads((out / "calibration.json").read_text())["epsilons"])


def test_calibrate_rejects_bad_input(tmp_path):
    r = runner.invoke(app, ["calibrate", "-H", "nope", "--out", str(tmp_path / "c")])
    assert r.exit_code == 2 and "hypothesis" in r.output and not (tmp_path / "c").exists()
    r = runner.invoke(app, ["calibrate", "--resume", "--out", str(tmp_path / "none")])
    assert r.exit_code == 2 and "--resume" in r.output
    r = runner.invoke(app, ["calibrate", "--populations", "0", "--out", str(tmp_path / "c0")])
    assert r.exit_code == 2 and "--populations" in r.output and not (tmp_path / "c0").exists()
    r = runner.invoke(app, ["compare", "--hold-out", "nothing", "--quiet"])
    assert r.exit_code == 2 and "nothing" in r.output
    r = runner.invoke(app, ["report", str(tmp_path)])
    assert r.exit_code == 2 and "calibration.json" in r.output


def test_data_command_lists_observables():
    r = runner.invoke(app, ["data"])
    assert r.exit_code == 0 and "Observables" in r.output
    rows = {x["observable"]: x for x in json.loads(runner.invoke(app, ["data", "--json"]).output)}
    assert rows["cc_1934_repressed"]["archival"] == "98 of 139" and rows["cc_1934_repressed"]["quality"] == "verified"
    assert {v["quality"] for v in rows["arrested_1938"]["values"]} == {"secondary", "unverified"}


def test_replicates_take_the_median_of_runs(monkeypatch):
    """A particle with three replicates reports the median of three runs' observables."""
    import makhovik.evidence.calibrate as cal

    calls = iter([{"a": 1.0}, {"a": 10.0}, {"a": 4.0}])
    monkeypatch.setattr(cal, "simulated_values", lambda res, names: next(calls))
    monkeypatch.setattr("makhovik.engine.simulate", lambda scn, seed=None, log_requests=True: None)
    scn = makhovik.load_scenario("great-terror", hypothesis="center")
    m = cal._Model(scn.model_dump(mode="python"), [], 0.001, ["a"], scn.calendar.start, replicates=3)
    assert m({}) == {"a": 4.0}


def test_rejection_check_shares_intervals_and_separation():
    from makhovik.evidence.predictive import rejection_check

    rng = np.random.default_rng(0)
    df = pd.DataFrame({"hypothesis": ["a"] * 400 + ["b"] * 400 + ["c"] * 400,
                       "distance": np.concatenate([rng.uniform(0, 2, 400), rng.uniform(0, 8, 400), rng.uniform(0, 8, 400)])})
    r = rejection_check(df, 1.0, ["a", "b", "c"]).set_index("hypothesis")
    # a: half its runs within 1; b and c: an eighth; probabilities 0.5/0.75, 0.125/0.75 each
    assert r.loc["a", "share"] == pytest.approx(0.5, abs=0.1) and r.loc["b", "share"] == pytest.approx(0.125, abs=0.05)
    assert r["probability"].sum() == pytest.approx(1.0)
    assert (r["share_lo"] <= r["share"]).all() and (r["share"] <= r["share_hi"]).all()
    assert r["separated"].tolist() == [True, False, False]
    same = rejection_check(df[df["hypothesis"] != "a"], 1.0, ["b", "c"])
    assert not same["separated"].any()  # two hypotheses drawn alike are not separated
    several = rejection_check(df, [0.5, 9.0], ["a", "b", "c"])
    assert several["epsilon"].tolist() == [0.5] * 3 + [9.0] * 3 and (several["within"][3:] == 400).all()


def test_the_residual_outside_the_mass_operations_is_derived_on_both_sides(tiny_results):
    """The record gives arrests outside Order 00447 and the national operations only as a difference (1 Oct 1936 -
    1 Nov 1938: 1,565,041 - 702,656 - 365,805); the model's is its arrests in that window on other tracks."""
    from makhovik.evidence.observables import observables

    o = {x.name: x for x in observables()}["arrested_outside_mass_ops_1936-10_to_1938-11"]
    assert (o.lo, o.hi, o.quality, len(o.targets)) == (496_580, 496_580, "verified", 1)
    for res in tiny_results.values():
        w = res.weekly
        exp = w["arrests"] * w["expansion"]
        d = pd.to_datetime(w["date"])
        window = (d >= "1936-10-01") & (d < "1938-11-01")
        op = w["operation"].astype(str)
        mass = (op == "op00447") | op.str.startswith("national_")
        v = simulated_values(res)
        assert v[o.name] == pytest.approx(exp[window & ~mass].sum())
        assert v[o.name] == pytest.approx(v["arrested_1936-10_to_1938-11"] - exp[window & mass].sum())
        assert 0 < v[o.name] < v["arrested_1936-10_to_1938-11"]


def test_the_limits_multiples_and_the_list_names_are_read_from_the_run(tiny_results):
    """The final Order 00447 limits over the initial (Werth: about 5x and 2x, secondary) from the limits table; the
    names on the centre's lists (44,502 on the Stalin lists, Feb 1937 - Sep 1938) as the cadre of the lists' ranks
    sentenced in that window, each senior one person."""
    from makhovik.evidence.observables import observables

    o = {x.name: x for x in observables()}
    assert (o["op00447_limit_cat1_multiple"].lo, o["op00447_limit_cat2_multiple"].lo) == (5, 2)
    assert o["op00447_limit_cat1_multiple"].quality == "secondary"
    assert o["op00447_limit_cat1_multiple"].distance(5 * 1.25) == pytest.approx(1.0)  # 25% above: one unit
    assert o["op00447_limit_cat1_multiple"].distance(0.0) == 5.0  # no operations: capped, not an error
    zero = synthetic_targets({"op00447_limit_cat1_multiple": 0.0}, [o["op00447_limit_cat1_multiple"]])[0]
    assert zero.distance(0.0) == 0.0 and zero.distance(1.0) == 5.0  # a target of 0, as a scale check makes
    assert o["stalin_list_names"].lo == 44_502
    for res in tiny_results.values():
        v = simulated_values(res)
        lim = res.limits
        assert v["op00447_limit_cat1_multiple"] == pytest.approx(lim["limit_cat1"].sum() / lim["initial_cat1"].sum())
        a = res.agents
        w0, w1 = ((pd.Timestamp(d) - pd.Timestamp(res.scenario.calendar.start)).days // 7
                  for d in ("1937-02-27", "1938-09-30"))
        ranks = list(a["rank"].cat.categories)
        on = (a["rank"].map(ranks.index).astype(int) >= res.scenario.mechanisms.nkvd.list_min_rank)
        sent = a["sentence"].astype(str).isin(["cat1", "cat2"]) & a["sentence_week"].between(w0, w1 - 1) & on
        senior = a["rank"].isin(["senior", "top", "politburo"])
        assert v["stalin_list_names"] == pytest.approx((sent & senior).sum() + (sent & ~senior).sum() / res.scenario.world.scale)
