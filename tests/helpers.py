"""Hand-made worlds and scenarios for tests with answers one can count by hand."""

from __future__ import annotations

import numpy as np

from makhovik.scenario import load_scenario
from makhovik.scenario.schema import FACTIONS
from makhovik.world.agents import World
from makhovik.world.ties import to_csr


def quiet_scenario(events=(), **overrides):
    """The base scenario with every background hazard off: only what a test switches on happens."""
    sets = {
        "world.contingents": {},
        "events": list(events),
        "mechanisms.centre.elite_rate": 0.0,
        "mechanisms.centre.regional_rate": 0.0,
        "mechanisms.centre.initiative": "schedule",
        "mechanisms.centre.initiative_date": "1939-12-01",
        "mechanisms.centre.ukraine_attempt": False,
        "mechanisms.centre.stop_rule": "schedule",
        "mechanisms.centre.stop_date": "1939-12-30",
        "mechanisms.alarm.immunity": [0, 0, 0, 0, 0, 0],
        "mechanisms.alarm.precedent_floor": 1.0,
        "mechanisms.alarm.trial_precedent": 0.0,
        "mechanisms.nkvd.release_rate": 0.0,
        "mechanisms.flywheel.precampaign_intensity": 1.0,
        "mechanisms.nkvd.lists_from": "1936-01-06",  # lists from the first week (a test switches the centre on)
        "calendar.end": "1936-06-30",
    }
    sets.update(overrides)
    return load_scenario("great-terror", overrides=sets)


def small_world(regions, nkvd_staff):
    """Overrides for a small built world: the ``regions`` given, 2,000 party members, ``nkvd_staff`` officers, no army,
    no named agents, opposition leaders or party organisations beyond the regions' own."""
    return {"world.regions": regions, "world.party_orgs": {}, "world.named": {}, "world.opposition_leaders": {},
            "world.party_members": 2000, "world.army_officers": 0, "world.nkvd_staff": nkvd_staff}


def chain_world(n=5, faction="leftists", head_rank=4, tie="patronage"):
    """``n`` cadre in one organisation tied in a chain 0-1-2-...; agent 0 has ``head_rank``, the rest rank 1."""
    f = np.full(n, FACTIONS.index(faction), np.int8)
    rank = np.ones(n, np.int8)
    rank[0] = head_rank
    i = np.arange(n - 1)
    return World(
        faction=f, region=np.zeros(n, np.int16), institution=np.zeros(n, np.int8), rank=rank,
        contingent=np.full(n, -1, np.int8), org=np.zeros(n, np.int32), bodies=np.zeros(n, np.uint8),
        mil_rank=np.zeros(n, np.int8), whole=np.ones(n, bool), ties={tie: to_csr(i, i + 1, n)},
        region_names=["R"], region_republic=["R"], limit_cat1=np.zeros(1), limit_cat2=np.zeros(1),
        region_weight=np.ones(1), org_kind=np.zeros(1, np.int8), org_region=np.zeros(1, np.int16),
        org_head=np.array([0]), block_start=np.empty(0, np.int64), block_size=np.empty(0, np.int64),
        block_region=np.empty(0, np.int64), block_contingent=np.empty(0, np.int64),
        block_registered=np.empty(0, np.int64), contingent_names=[], contingent_operation=np.empty(0, np.int8),
        mil_rank_names=[], named={}, scale=1.0,
    )
