"""The claims table is complete and agrees with the code."""

import inspect

import pytest

from makhovik import mechanisms
from makhovik.claims import CLAIM_IDS, load_claims
from makhovik.engine import SERIES_COLUMNS
from makhovik.scenario import load_scenario

CLAIMS = load_claims()
EVENT_NAMES = {
    "mass_operations_decision", "mass_operations_start", "ukraine_replacement_attempt", "strategy_switch",
    "top_removal_begins", "stop_order", "stop_effective",
} | {e.id for e in load_scenario("great-terror").events} | {f"{n}_arrested" for n in load_scenario("great-terror").world.named}


def test_every_claim_is_mapped():
    assert tuple(CLAIMS) == CLAIM_IDS
    for cid, c in CLAIMS.items():
        assert c["text"] and c["kind"] and c["mechanisms"], cid
        assert c.get("parameters") or c.get("outputs"), cid


@pytest.mark.parametrize("cid", CLAIM_IDS)
def test_mechanisms_name_their_claims(cid):
    for name in CLAIMS[cid]["mechanisms"]:
        mod = getattr(mechanisms, name)
        assert cid in mod.CLAIMS, f"{name}.CLAIMS lacks {cid}"
        assert cid in inspect.getdoc(mod), f"{name} docstring does not mention {cid}"


def test_mechanism_claims_appear_in_the_table():
    for name, claims in mechanisms.CLAIMS.items():
        for cid in claims:
            assert name in CLAIMS[cid]["mechanisms"], f"{cid} does not list {name}"


@pytest.mark.parametrize("cid", CLAIM_IDS)
def test_parameters_exist_in_every_hypothesis(cid):
    for h in ("seed", "center", "interaction"):
        data = load_scenario("great-terror", hypothesis=h).model_dump(mode="json")
        for path in CLAIMS[cid].get("parameters", []):
            node = data
            for k in path.split("."):
                assert isinstance(node, dict) and k in node, f"{cid}: {path} (at {k}) in {h}"
                node = node[k]


@pytest.mark.parametrize("cid", CLAIM_IDS)
def test_outputs_exist(cid):
    cols = set(SERIES_COLUMNS) | {"r_eff", "cadre_arrests", "elections"}
    for out in CLAIMS[cid].get("outputs", []):
        assert out in cols or out in EVENT_NAMES, f"{cid}: unknown output {out}"


def test_unobservable_claim_says_why():
    assert CLAIMS["C12"]["observable"] is False and "coup" in CLAIMS["C12"]["note"]
