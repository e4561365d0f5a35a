"""The compiled kernels on hand-countable inputs, and the cascade sub-model against its Mesa reference."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from makhovik.kernels import add_names, csr_traverse, hazard_hits, name_neighbours, take_slices
from makhovik.mechanisms.flywheel import cascade_submodel
from makhovik.world.ties import to_csr

# a star 0-(1,2,3) and an edge 3-4
STAR = to_csr(np.array([0, 0, 0, 3]), np.array([1, 2, 3, 4]), 5)


def test_name_neighbours_reads_every_tie_of_the_prisoners_once():
    whole = np.ones(5, bool)
    status = np.zeros(5, np.int8)
    rng = np.random.default_rng(0)
    got = name_neighbours(STAR.indptr, STAR.indices, np.array([0, 3]), 1.0, whole, status, rng)
    assert got.read == 5  # degrees 3 + 2
    assert sorted(zip(got.src.tolist(), got.dst.tolist(), strict=True)) == [(0, 1), (0, 2), (0, 3), (3, 0), (3, 4)]
    assert got.typ.tolist() == [0] * 5
    assert got.up_src.size == 0 and got.up_dst.size == 0
    status[[2, 4]] = 1  # no longer free: not named
    dst = name_neighbours(STAR.indptr, STAR.indices, np.array([0, 3]), 1.0, whole, status, rng).dst
    assert sorted(dst.tolist()) == [0, 1, 3]
    assert name_neighbours(STAR.indptr, STAR.indices, np.array([0, 3]), 0.0, whole, status, rng).dst.size == 0


def test_name_neighbours_sets_aside_namings_from_a_scaled_tier_into_the_whole():
    whole = np.array([True, False, False, False, True])
    got = name_neighbours(STAR.indptr, STAR.indices, np.array([3]), 1.0, whole, np.zeros(5, np.int8),
                          np.random.default_rng(0))
    assert sorted(zip(got.up_src.tolist(), got.up_dst.tolist(), strict=True)) == [(3, 0), (3, 4)]
    assert got.dst.size == 0


def test_name_neighbours_names_each_tie_with_probability_q():
    n = 20_000
    m = to_csr(np.zeros(n - 1, np.int64), np.arange(1, n), n)  # one prisoner with n-1 ties
    dst = name_neighbours(m.indptr, m.indices, np.array([0]), 0.3, np.ones(n, bool), np.zeros(n, np.int8),
                          np.random.default_rng(1)).dst
    sd = np.sqrt(0.3 * 0.7 * (n - 1))
    assert abs(dst.size - 0.3 * (n - 1)) < 4 * sd


def test_add_names_counts_repeats_and_lists_the_newly_named_once():
    k = np.zeros(5, np.float32)
    sus = np.zeros(5, bool)
    sus[1] = True
    new = add_names(np.array([2, 1, 2, 4]), np.empty(0, np.float32), k, sus)
    assert new.tolist() == [2, 4] and k.tolist() == [0, 1, 2, 0, 1] and sus.tolist() == [False, True, True, False, True]
    add_names(np.array([0]), np.array([3.0], np.float32), k, sus)
    assert k[0] == 3


def test_hazard_hits_drops_the_arrested_and_draws_the_rest():
    status = np.array([0, 1, 0, 0], np.int8)
    kompromat = np.array([1, 1, 1, 0], np.float32)
    rank = np.zeros(4, np.int64)
    keep, hit = hazard_hits(np.array([0, 1, 2, 3]), kompromat, rank, np.zeros(1), 100.0, status, np.random.default_rng(0))
    assert keep.tolist() == [0, 2, 3] and hit.tolist() == [0, 2]  # no names, no hazard
    keep, hit = hazard_hits(np.array([0, 2]), kompromat, rank, np.ones(1), 100.0, status, np.random.default_rng(0))
    assert hit.size == 0  # full immunity
    # 1 - exp(-0.5) per week for one name at hazard 0.5
    n = 20_000
    _, hit = hazard_hits(np.arange(n), np.ones(n, np.float32), np.zeros(n, np.int64), np.zeros(1), 0.5,
                         np.zeros(n, np.int8), np.random.default_rng(2))
    p = 1 - np.exp(-0.5)
    assert abs(hit.size - p * n) < 4 * np.sqrt(p * (1 - p) * n)


def test_take_slices_moves_pointers_and_writes_what_it_passes():
    status = np.zeros(10, np.int8)
    week = np.full(10, -1, np.int16)
    code = np.full(10, -1, np.int8)
    ptr = np.array([0, 5])  # two blocks: 0-4 and 5-9
    counts = take_slices(ptr, np.array([1, 0]), np.array([2, 3]), np.array([4, 5, 4, 4, 5], np.int8), status,
                         np.array([1], np.int8), week, 7, code)
    assert ptr.tolist() == [3, 7]
    assert code.tolist() == [4, 4, 5, -1, -1, 4, 5, -1, -1, -1]  # block 1 first, then block 0
    assert status.tolist() == [1, 1, 1, 0, 0, 1, 1, 0, 0, 0] and (week[status == 1] == 7).all()
    assert counts[4] == 3 and counts[5] == 2
    # status by code, one code for all
    take_slices(ptr, np.array([0]), np.array([2]), np.array([2], np.int8), status, np.array([0, 9, 8], np.int8),
                week, 8, code)
    assert status[3:5].tolist() == [8, 8] and ptr[0] == 5


def test_csr_traverse_folds_every_tie_of_the_rows():
    assert csr_traverse(STAR.indptr, STAR.indices, np.array([0, 3])) == (1 + 2 + 3) + (0 + 4)


def _mesa():
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import mesa_reference

    return mesa_reference


def test_cascade_submodel_and_mesa_reference_agree_on_a_chain():
    chain = {"t": to_csr(np.arange(5), np.arange(1, 6), 6)}
    mk = cascade_submodel(chain, {"t": 1.0}, 50.0, np.zeros(6), np.array([0]), 8, np.random.default_rng(0))
    model = _mesa().run(chain, {"t": 1.0}, 50.0, np.zeros(6), np.array([0]), 8, seed=0)
    assert mk.arrest_week.tolist() == model.arrest_week().tolist() == [0, 1, 2, 3, 4, 5]


def test_cascade_submodel_and_mesa_reference_give_the_same_mean_cascade():
    """Same rules, separate random streams: mean sizes within 4 standard errors of their difference."""
    rng = np.random.default_rng(11)
    n = 1500
    i, j = rng.integers(0, n, 3000), rng.integers(0, n, 3000)
    ties = {"a": to_csr(i[:2000], j[:2000], n), "b": to_csr(i[2000:], j[2000:], n)}
    naming = {"a": 0.3, "b": 0.5}
    immunity = rng.uniform(0, 0.5, n)
    seeds = rng.choice(n, 15, replace=False)
    mk = [cascade_submodel(ties, naming, 0.4, immunity, seeds, 20, np.random.default_rng(s)).size for s in range(200)]
    ref = _mesa()
    ms = [int((ref.run(ties, naming, 0.4, immunity, seeds, 20, seed=s).arrest_week() >= 0).sum()) for s in range(40)]
    se = np.hypot(np.std(mk, ddof=1) / np.sqrt(len(mk)), np.std(ms, ddof=1) / np.sqrt(len(ms)))
    assert np.mean(mk) > 2 * seeds.size  # the cascade spreads, so the comparison has something to compare
    assert abs(np.mean(mk) - np.mean(ms)) < 4 * se


def test_split_draws_takes_exactly_k_without_replacement_in_proportion():
    from makhovik.kernels import split_draws

    avail = np.array([5, 0, 15, 3, 3, 3, 1, 1])  # three groups of blocks: 0-2, 3-5, 6-7
    ptr = np.array([0, 3, 6, 8])
    out = split_draws(avail, ptr, np.array([8, 9, 0]), np.random.default_rng(0))
    assert np.add.reduceat(out, ptr[:-1]).tolist() == [8, 9, 0] and (out <= avail).all() and out[1] == 0
    assert out[3:6].tolist() == [3, 3, 3]  # everything taken
    # the mean share of each block is its share of what is available (hypergeometric means)
    rng = np.random.default_rng(1)
    draws = np.array([split_draws(np.array([10, 30, 60]), np.array([0, 3]), np.array([40]), rng) for _ in range(4000)])
    assert draws.mean(axis=0) == pytest.approx([4, 12, 24], abs=0.15)
    # variance of one block: hypergeometric, k p (1-p) (N-k)/(N-1)
    assert draws[:, 0].var() == pytest.approx(40 * 0.1 * 0.9 * 60 / 99, rel=0.1)
    # more than half wanted: the complement is drawn, same law
    many = np.array([split_draws(np.array([10, 30, 60]), np.array([0, 3]), np.array([90]), rng) for _ in range(4000)])
    assert many.mean(axis=0) == pytest.approx([9, 27, 54], abs=0.15)


def test_deal_codes_keeps_each_groups_counts_and_shuffles_within_it():
    from makhovik.kernels import deal_codes

    counts = np.array([[2, 1, 0], [0, 0, 3]])
    codes = np.array([5, 6, 7], np.int8)
    rng = np.random.default_rng(0)
    deals = np.array([deal_codes(counts, codes, rng) for _ in range(3000)])
    assert (np.sort(deals[:, :3], axis=1) == [5, 5, 6]).all() and (deals[:, 3:] == 7).all()
    # the one 6 of the first group is equally likely in each of its three places
    assert (deals[:, :3] == 6).mean(axis=0) == pytest.approx([1 / 3] * 3, abs=4 * np.sqrt(2 / 9 / 3000))


def test_file_names_counts_free_namings_and_keeps_the_first_namer():
    from makhovik.kernels import file_names

    status = np.array([0, 0, 1, 0, 0], np.int8)  # agent 2 is already arrested
    named_by = np.full(5, -1, np.int32)
    named_by[4] = 1  # named before, by 1
    kompromat = np.zeros(5, np.float32)
    is_suspect = np.zeros(5, bool)
    is_suspect[4] = True
    new, n = file_names(np.array([0, 1, 0, 3]), np.array([3, 3, 2, 4]), status, named_by, kompromat, is_suspect)
    assert n == 3 and new.tolist() == [3]
    assert named_by.tolist() == [-1, -1, -1, 0, 1] and kompromat.tolist() == [0, 0, 0, 2, 1]


def test_sample_free_draws_distinct_free_agents_of_low_enough_rank_uniformly():
    from makhovik.kernels import sample_free

    status = np.zeros(12, np.int8)
    status[[3, 7]] = 1
    rank = np.zeros(12, np.int64)
    rank[5] = 4
    rng = np.random.default_rng(2)
    hits = np.zeros(12)
    for _ in range(4000):
        got = sample_free(2, 12, 3, 200, status, rank, 3, rng)
        assert got.size == 3 and np.unique(got).size == 3
        hits[got] += 1
    eligible = [2, 4, 6, 8, 9, 10, 11]  # in range, free, rank <= 3
    assert hits[[0, 1, 3, 5, 7]].sum() == 0
    assert hits[eligible] / 4000 == pytest.approx([3 / 7] * 7, abs=4 * np.sqrt(3 / 7 * 4 / 7 / 4000))
    assert sample_free(2, 12, 3, 0, status, rank, 3, rng).size == 0  # no tries, nothing drawn


def test_draw_free_lists_the_few_left_and_takes_them_without_replacement():
    from makhovik.kernels import draw_free

    status = np.ones(100, np.int8)
    status[[10, 20, 30, 40, 50]] = 0  # 5 of 100 free: the list path
    rank = np.zeros(100, np.int64)
    whole = np.zeros(100, bool)
    whole[[20, 40]] = True
    rng = np.random.default_rng(6)
    got = draw_free(0, 100, 10, 5, status, rank, 3, whole, False, rng)
    assert sorted(got.tolist()) == [10, 20, 30, 40, 50]  # asked for more than there are: all of them
    assert sorted(draw_free(0, 100, 10, 5, status, rank, 3, whole, True, rng).tolist()) == [20, 40]
    hits = np.zeros(100)
    for _ in range(3000):
        two = draw_free(0, 100, 2, 5, status, rank, 3, whole, False, rng)
        assert two.size == 2 and two[0] != two[1]
        hits[two] += 1
    assert hits[[10, 20, 30, 40, 50]] / 3000 == pytest.approx([0.4] * 5, abs=4 * np.sqrt(0.24 / 3000))
    assert draw_free(0, 100, 3, 0, status, rank, 3, whole, False, rng).size == 0


def test_round_one_is_unbiased():
    from numba import njit

    from makhovik.kernels import round_one

    @njit
    def rounded(x, rng):
        return np.array([round_one(v, rng) for v in x])

    rng = np.random.default_rng(1)
    x = np.full(200_000, 2.3)
    r = rounded(x, rng)
    assert set(np.unique(r)) == {2, 3}
    assert r.mean() == pytest.approx(2.3, abs=4 * np.sqrt(0.21 / x.size))
    assert rounded(np.array([-1.5, 0.0, 4.0]), rng).tolist() == [0, 0, 4]  # negatives give 0, integers stay


def test_cascade_submodel_on_a_world_is_the_cascade_on_its_ties():
    """A World's ties are merged once and kept; the cascade is the one its tie dict gives, draw for draw."""
    from makhovik import load_scenario
    from makhovik.world.build import build_world

    w = build_world(load_scenario("great-terror", scale=0.001), seed=3)
    naming = {"patronage": 0.3, "workplace": 0.2, "elite": 0.2}
    immunity = np.zeros(w.n_cadre)
    seeds = np.arange(0, w.n_cadre, 97)
    runs = [cascade_submodel(t, naming, 0.5, immunity, seeds, 12, np.random.default_rng(2)) for t in (w, w.ties, w)]
    assert runs[0].size > 2 * seeds.size
    assert runs[0].arrest_week.tolist() == runs[1].arrest_week.tolist() == runs[2].arrest_week.tolist()
    assert runs[0].edges_read == runs[1].edges_read
