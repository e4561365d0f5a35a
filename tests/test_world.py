"""The world: sizes grounded in the data pack, scale, ties."""

import csv

import numpy as np
import pytest

from makhovik.scenario import FACTIONS, load_scenario
from makhovik.world import build_world
from makhovik.world.agents import CC_1934, MILITARY_COUNCIL
from makhovik.world.build import largest_remainder
from makhovik.world.inputs import MARSHALS, MILITARY_RANKS, data_path, elite_sizes, initial_regions
from makhovik.world.ties import clique_csr, patronage_edges


@pytest.fixture(scope="module")
def world():
    return build_world(load_scenario("great-terror", scale=0.002), seed=4)


def test_regions_sum_to_the_order_00447_totals():
    rows = initial_regions()
    assert sum(r.cat1 for r in rows) == 75_950
    assert sum(r.cat2 for r in rows) == 193_000
    names = [r.name for r in rows]
    assert "RSFSR (other)" in names and "Kalinin oblast" in names and len(set(names)) == len(names)
    kaz = [r for r in rows if r.republic == "Kazakh SSR"]
    assert sum(r.cat1 for r in kaz) == 2_500 and sum(r.cat2 for r in kaz) == 5_000


def test_elite_sizes_from_the_data_pack(world):
    sizes = elite_sizes()
    assert sizes["cc_1934"] == 139 and sizes["delegates_17"] == 1966
    s = world.summary()
    assert s["cc_1934"] == 139 and s["delegates_17"] == 1966
    with data_path("elite.csv").open() as fh:
        totals = {r["group"]: int(r["total"]) for r in csv.DictReader(fh) if r["group"] in MILITARY_RANKS}
    counts = np.bincount(world.mil_rank, minlength=len(MILITARY_RANKS) + 1)
    for code, name in enumerate(MILITARY_RANKS, start=1):
        assert counts[code] == totals[name], name


@pytest.mark.parametrize("k", [0, 2, 5])
def test_center_marshals_are_the_centres_and_keep_the_cc_at_139(k):
    w = build_world(load_scenario("great-terror", overrides={"world.center_marshals": k}, scale=0.001), seed=2)
    marshal = np.flatnonzero(w.mil_rank == 1 + list(MILITARY_RANKS).index(MARSHALS))
    fac = [FACTIONS[f] for f in w.faction[marshal]]
    assert marshal.size == 5 and fac.count("center") == k and fac.count("military") == 5 - k
    cc = (w.bodies & CC_1934) > 0
    assert cc.sum() == 139 and cc[marshal].all()  # all five marshals sat in the 1934 CC, whoever's they are
    comp = load_scenario("great-terror").world.cc_composition
    for name in ("center", "military"):
        assert cc[: w.n_cadre][w.faction[: w.n_cadre] == FACTIONS.index(name)].sum() == comp[name]


@pytest.mark.parametrize("density", [0.0, 0.5, 1.0])
def test_the_military_council_is_the_85_highest_ranked_tied_at_its_density(density):
    def world(d):
        return build_world(load_scenario("great-terror", overrides={"ties.council_density": d}, scale=0.001), seed=3)

    w, base = world(density), world(0.0)
    council = np.flatnonzero(w.bodies & MILITARY_COUNCIL)
    assert council.size == elite_sizes()["military_council"] == 85 == w.summary()["military_council"]
    marshal = 1 + list(MILITARY_RANKS).index(MARSHALS)
    assert set(np.flatnonzero(w.mil_rank == marshal)) <= set(council)  # the marshals first, whoever's they are
    others = np.setdiff1d(np.flatnonzero(w.mil_rank > 0), council)
    assert w.rank[council].min() >= w.rank[others].max()
    # the same draws but the council's pairs: the pairs it adds are Binomial(85 x 84 / 2, density), less
    # those the random elite ties had already made (a few: the elite ties are sparse)
    iu = np.triu_indices(council.size, 1)
    tied = w.ties["elite"][council][:, council].toarray()[iu]
    before = base.ties["elite"][council][:, council].toarray()[iu]
    assert (tied >= before).all()
    n = iu[0].size
    added = int(tied.sum() - before.sum())
    free = n - int(before.sum())
    assert abs(added - free * density) <= 4 * np.sqrt(free * density * (1 - density)) + 1e-9, (added, free)
    outside = np.setdiff1d(np.arange(w.n_cadre), council)
    assert (w.ties["elite"][outside][:, outside] != base.ties["elite"][outside][:, outside]).nnz == 0


def test_scale_shrinks_only_the_scaled_tiers():
    small = build_world(load_scenario("great-terror", scale=0.001), seed=1)
    big = build_world(load_scenario("great-terror", scale=0.004), seed=1)
    assert small.whole.sum() == big.whole.sum()  # elite tiers whole
    ratio = (~big.whole).sum() / (~small.whole).sum()
    assert ratio == pytest.approx(4, rel=0.01)
    assert big.limit_cat1.sum() == pytest.approx(75_950 * 0.004)
    assert (big.n - big.n_cadre) == pytest.approx(4 * (small.n - small.n_cadre), rel=0.001)


def test_factions_are_contiguous_and_named_agents_sit_where_told(world):
    f = world.faction[: world.n_cadre]
    assert np.all(np.diff(f) >= 0)
    for label in ("kosior", "eikhe", "postyshev"):
        i = world.named[label]
        assert FACTIONS[world.faction[i]] == "regionals" and world.rank[i] == 5
    assert world.region_names[world.region[world.named["kosior"]]] == "Ukrainian SSR (other)"


def test_ties_are_symmetric_without_self_loops(world):
    for t, m in world.ties.items():
        assert (m != m.T).nnz == 0, t
        assert m.diagonal().sum() == 0, t


def test_patronage_is_a_forest_inside_organisations(world):
    m = world.ties["patronage"]
    src, dst = np.repeat(np.arange(world.n_cadre), np.diff(m.indptr)), m.indices  # every tie, from both ends
    assert np.all(world.org[src] == world.org[dst])
    # every agent below its organisation's top rank has at least one patron of higher rank
    top = np.zeros(world.org_kind.size, np.int64)
    np.maximum.at(top, world.org, world.rank[: world.n_cadre])
    low = np.flatnonzero(world.rank[: world.n_cadre] < top[world.org])
    higher = np.zeros(world.n_cadre, bool)
    higher[src[world.rank[dst] > world.rank[src]]] = True
    assert higher[low].all()


def test_patronage_and_cliques_by_hand():
    rng = np.random.default_rng(0)
    org = np.array([0, 0, 0, 1, 1])
    rank = np.array([3, 1, 1, 2, 1])
    c, p = patronage_edges(org, rank, rng)
    assert sorted(zip(c.tolist(), p.tolist(), strict=True)) == [(1, 0), (2, 0), (4, 3)]
    m = clique_csr(np.array([0, 0, 0, 1, 1, -1]), 3, rng).toarray()
    assert m[:3, :3].sum() == 6 and m[3:5, 3:5].sum() == 2 and m[5].sum() == 0 and m[:3, 3:].sum() == 0


def test_cliques_cut_each_group_into_runs_of_the_size():
    group = np.repeat([0, 1, 2], [7, 3, 1])  # 7 -> cliques of 3, 3, 1; 3 -> one of 3; 1 -> alone
    m = clique_csr(group, 3, np.random.default_rng(2))
    deg = np.diff(m.indptr)
    assert sorted(deg[:7].tolist()) == [0, 2, 2, 2, 2, 2, 2] and deg[7:10].tolist() == [2, 2, 2] and deg[10] == 0
    assert (m != m.T).nnz == 0 and m.has_sorted_indices and m.diagonal().sum() == 0
    a = m.toarray().astype(bool)
    assert not a[:7, 7:].any()  # no tie across groups
    # each tie closes a triangle inside a clique of three
    assert ((a.astype(int) @ a.astype(int))[a] == 1).all()


def test_largest_remainder_is_exact():
    x = largest_remainder(1000, [0.3333, 0.3333, 0.3334])
    assert x.sum() == 1000 and x.tolist() == [333, 333, 334]
    assert largest_remainder(0, [1, 2]).tolist() == [0, 0]


def test_contingent_blocks_are_contiguous_and_in_their_regions(world):
    ends = world.block_start + world.block_size
    assert np.all(world.block_start[1:] == ends[:-1])
    assert ends[-1] == world.n
    for b in range(world.block_start.size):
        s, e = world.block_start[b], ends[b]
        assert np.all(world.region[s:e] == world.block_region[b])
        assert np.all(world.contingent[s:e] == world.block_contingent[b])
    camps = world.region_names.index("NKVD labour camps")
    cp = world.contingent_names.index("camp_prisoners")
    assert set(world.block_region[world.block_contingent == cp]) == {camps}


def test_footprint_estimate_counts_the_world_it_will_build():
    from makhovik.world.footprint import estimate

    for scale in (0.002, 0.05):
        scn = load_scenario("great-terror", scale=scale)
        f = estimate(scn)
        w = build_world(scn, seed=1)
        assert abs(f.agents - w.n) / w.n < 0.05
        assert abs(f.cadre - w.n_cadre) / w.n_cadre < 0.05
        nnz = sum(m.nnz for m in w.ties.values())
        assert abs(f.tie_entries - nnz) / nnz < 0.1


def _size_fields() -> list[tuple[str, object]]:
    """Every size the scenario gives the builder, with a larger value: sizes and counts, the entries of the
    per-region and per-faction counts, each contingent's pool, the tie degrees and the shares that size tiers."""
    from makhovik.scenario import parameter_table

    scn = load_scenario("great-terror", warn=False)
    data = scn.model_dump(mode="python")
    out = []
    for r in parameter_table():
        if r["unit"] not in ("persons", "count", "ties per agent") or r["path"] == "world.cc_composition":
            continue  # the CC's composition must sum to the data pack's 139: its size never changes
        node = data
        for k in r["path"].split("."):
            node = node[k]
        if isinstance(node, dict):
            out += [(f"{r['path']}.{k}", v * 10) for k, v in node.items()]
        else:
            out.append((r["path"], min(node * 10, 1000) if r["path"] == "ties.clique_size" else node * 10))
    out += [(f"world.contingents.{n}.pool", c.pool * 10) for n, c in scn.world.contingents.items()]
    out += [("world.rank_shares.senior", 0.08), ("world.party_faction_shares.rightists", 0.5),
            ("world.regions", [{"name": f"R{i}", "cat1": 10, "cat2": 10} for i in range(300)])]
    return out


SIZE_FIELDS = _size_fields()


def test_size_fields_cover_the_schema():
    paths = {p for p, _ in SIZE_FIELDS}
    assert {"world.opposition_leaders.rightists", "world.commissariats", "world.party_orgs.RSFSR (other)",
            "world.army_districts", "world.party_members", "ties.elite_degree", "world.contingents.kulaks.pool"} <= paths
    assert len(paths) > 25


@pytest.mark.parametrize(("path", "value"), SIZE_FIELDS, ids=[p for p, _ in SIZE_FIELDS])
def test_every_size_the_builder_allocates_is_in_the_memory_estimate(path, value):
    """Each size grows the estimate, and the estimate bounds the world built with it (agents, cadre,
    organisations, tie entries): the memory guard cannot be passed by a size it does not count."""
    from makhovik.world.footprint import estimate

    sets = {path: value}
    if path == "world.regions":  # regions of one's own: the party organisations and named heads must be in them
        sets.update({"world.party_orgs": {}, "world.named": {}, "world.contingents": {}})
    base = load_scenario("great-terror", scale=0.002, overrides={k: v for k, v in sets.items() if k != path},
                         warn=False)
    big = load_scenario("great-terror", scale=0.002, overrides=sets, warn=False)
    f0, f = estimate(base), estimate(big)
    assert f.bytes > f0.bytes, f"{path}: the estimate does not grow with it"
    w = build_world(big, seed=1)
    assert w.n <= f.agents and w.n_cadre <= f.cadre, (w.n, f.agents, w.n_cadre, f.cadre)
    assert w.org_kind.size <= f.orgs, (w.org_kind.size, f.orgs)
    nnz = sum(m.nnz for m in w.ties.values())
    assert nnz <= f.tie_entries, (nnz, f.tie_entries)


@pytest.mark.parametrize("sets", [["world.opposition_leaders.rightists=100000000"], ["world.commissariats=10000000"],
                                  ["world.party_orgs={RSFSR (other): 10000000}"], ["world.army_officers=900000000"],
                                  ["ties.elite_degree=900000"]])
def test_the_sizes_that_once_passed_the_guard_are_refused(monkeypatch, sets):
    from makhovik.errors import ScenarioError

    monkeypatch.setenv("MAKHOVIK_MEMORY_GIB", "4")
    with pytest.raises(ScenarioError, match=r"^world: this world would take about"):
        build_world(load_scenario("great-terror", scale=1.0, overrides=sets, warn=False), seed=1)


def test_a_world_too_big_for_memory_is_refused_before_building(monkeypatch):
    from makhovik.errors import ScenarioError

    monkeypatch.setenv("MAKHOVIK_MEMORY_GIB", "0.3")  # below the 0.35 GiB any world is estimated to need
    with pytest.raises(ScenarioError, match=r"^world: this world would take about 0\.4 GiB .* but 0\.3 GiB"):
        build_world(load_scenario("great-terror", scale=0.001), seed=1)
    monkeypatch.setenv("MAKHOVIK_MEMORY_GIB", "lots")
    with pytest.raises(ScenarioError, match="MAKHOVIK_MEMORY_GIB: expected a number"):
        build_world(load_scenario("great-terror", scale=0.001), seed=1)


def test_to_csr_matches_scipy_on_random_edges_with_repeats_and_loops():
    import scipy.sparse as sp

    from makhovik.world.ties import to_csr

    rng = np.random.default_rng(4)
    for n, m in ((1, 10), (7, 60), (500, 3000)):
        i, j = rng.integers(0, n, m), rng.integers(0, n, m)
        got = to_csr(i, j, n)
        keep = i != j
        ref = sp.csr_array((np.ones(2 * keep.sum()), (np.r_[i[keep], j[keep]], np.r_[j[keep], i[keep]])), shape=(n, n))
        ref.sum_duplicates()
        assert got.indptr.tolist() == ref.indptr.tolist() and got.indices.tolist() == ref.indices.tolist()
        assert (got.data == 1).all()


def test_inverse_cdf_gives_what_searchsorted_gives():
    """The guide-table lookup of the world builder's weighted draws: every answer equals numpy's, at the
    cdf's own values, at 0, just below 1, and with zero weights (repeated cdf values)."""
    from makhovik.world.build import _cdf, _inverse_cdf

    rng = np.random.default_rng(9)
    for weights in (np.array([1.0]), np.array([0.0, 2.0, 0.0, 1.0, 0.0]), rng.random(37), rng.random(2000) ** 4):
        cdf, guide = _cdf(weights)
        u = np.concatenate([rng.random(5000), cdf, [0.0, np.nextafter(1.0, 0.0)], np.nextafter(cdf, 0.0)])
        u = u[u < 1.0]
        assert _inverse_cdf(cdf, guide, u).tolist() == cdf.searchsorted(u, side="right").tolist()
