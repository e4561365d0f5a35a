"""Build a :class:`World` from a scenario with one random generator."""

from __future__ import annotations

import numpy as np
from numba import njit

from .._rng import check_random_state
from ..codes import CADRE_FACTIONS, FACTIONS, OPERATIONS, Institution, Rank
from ..errors import ScenarioError
from ..scenario.schema import Scenario
from . import footprint
from . import ties as T
from .agents import CC_1934, DELEGATE_17, FACTION_CODE, MILITARY_COUNCIL, World
from .inputs import MARSHALS, MILITARY_RANKS, elite_sizes, region_plan

__all__ = ["build_world", "largest_remainder"]

INST = {i.name.lower(): int(i) for i in Institution}
RANK = {r.name.lower(): int(r) for r in Rank}
F = FACTION_CODE


def largest_remainder(total: int, weights) -> np.ndarray:
    """Split an integer total in proportion to weights, exactly (Hamilton's method).

    Examples
    --------
    >>> largest_remainder(10, [1, 1, 1]).tolist()
    [4, 3, 3]
    >>> int(largest_remainder(7, [0.2, 0.5, 0.3]).sum())
    7
    """
    w = np.asarray(weights, dtype=float)
    total = int(total)
    if total <= 0 or w.sum() <= 0:
        return np.zeros(w.size, dtype=np.int64)
    q = w / w.sum() * total
    out = np.floor(q).astype(np.int64)
    rest = total - int(out.sum())
    if rest:
        order = np.argsort(-(q - out), kind="stable")
        out[order[:rest]] += 1
    return out


class _Cadre:
    """Accumulates cadre chunks (columns) before the final sort by faction."""

    def __init__(self):
        self.cols: dict[str, list[np.ndarray]] = {k: [] for k in
                                                   ("faction", "rank", "inst", "region", "org", "bodies", "mil",
                                                    "whole")}
        self.whole = 1
        self.n = 0
        self.cc_used = {f: 0 for f in CADRE_FACTIONS}  # Central Committee seats given, by faction

    def add(self, n, faction, rank, inst, region, org, bodies=0, mil=0) -> np.ndarray:
        """Add ``n`` cadre; each attribute one value for all or one per agent. Returns their numbers."""
        n = int(n)
        vals = dict(faction=faction, rank=rank, inst=inst, region=region, org=org, bodies=bodies, mil=mil,
                    whole=self.whole)
        for k, v in vals.items():
            self.cols[k].append(np.full(n, v, np.int64) if np.ndim(v) == 0 else np.asarray(v, np.int64))
        ids = np.arange(self.n, self.n + n)
        self.n += n
        return ids

    def arrays(self) -> dict[str, np.ndarray]:
        return {k: (np.concatenate(v) if v else np.empty(0, np.int64)) for k, v in self.cols.items()}


class _Places:
    """The organisations of a world and how new cadre are placed in them: the regions' weights as
    cumulative distributions made once, and the world builder's generator."""

    def __init__(self, w, plan, rng):
        self.rng = rng
        self.names = list(plan.names)
        self.weight = np.array(plan.weights, float)
        n_orgs_r = np.array(plan.party_orgs, np.int64)
        R = len(self.names)
        self.party_w = np.where(n_orgs_r > 0, self.weight, 0.0)  # validation: some region has a party organisation
        self.kind: list[int] = []
        self.region: list[int] = []
        self.party = self._new(n_orgs_r.sum(), INST["party"], np.repeat(np.arange(R), n_orgs_r))
        self.party_region = np.repeat(np.arange(R), n_orgs_r)
        self.comm = self._new(w.commissariats, INST["commissariat"], -1)
        self.army = self._new(w.army_districts, INST["army"], -1)
        self.nkvd = self._new(R, INST["nkvd"], np.arange(R))
        self.central = int(self._new(1, INST["central"], -1)[0])
        self.nkvd_central = int(self._new(1, INST["nkvd"], -1)[0])
        # weight of each party org: its region's weight shared among the region's orgs
        self.porg_w = self.party_w[self.party_region] / n_orgs_r[self.party_region]
        self.porg_cdf, self.party_cdf, self.weight_cdf = (_cdf(x) for x in (self.porg_w, self.party_w, self.weight))

    def _new(self, k, kind, region) -> np.ndarray:
        start = len(self.kind)
        self.kind.extend([kind] * int(k))
        self.region.extend(np.broadcast_to(np.asarray(region), (int(k),)).tolist())
        return np.arange(start, start + int(k))

    def choice(self, cdf, n) -> np.ndarray:
        """What ``rng.choice(size=n, p=...)`` does, draw for draw, with the cdf made once."""
        return _inverse_cdf(*cdf, self.rng.random(int(n)))

    def party_org(self, n) -> tuple[np.ndarray, np.ndarray]:
        """``n`` party organisations drawn by weight, and their regions."""
        o = self.party[self.choice(self.porg_cdf, n)]
        return o, self.party_region[o - self.party[0]]

    def region_of(self, n, cdf=None) -> np.ndarray:
        return self.choice(self.party_cdf if cdf is None else cdf, n)

    def pick(self, arr, n) -> np.ndarray:
        return arr[self.rng.integers(0, arr.size, int(n))]

    def home(self, fac: str, n: int) -> tuple:
        """Where ``n`` cadre of faction ``fac`` work: ``(institution, region, org)``."""
        if fac in ("center", "rightists"):
            return np.full(n, INST["central"]), np.full(n, -1), np.full(n, self.central)
        if fac in ("leftists", "technocrats"):
            return np.full(n, INST["commissariat"]), self.region_of(n), self.pick(self.comm, n)
        if fac in ("left_conservatives", "regionals"):
            o, r = self.party_org(n)
            return np.full(n, INST["party"]), r, o
        if fac == "military":
            return np.full(n, INST["army"]), self.region_of(n), self.pick(self.army, n)
        return np.full(n, INST["nkvd"]), np.full(n, -1), np.full(n, self.nkvd_central)  # the NKVD


def build_world(scenario: Scenario, seed=None) -> World:
    """Build the world of a scenario.

    The tiers are built in turn, each by its own function, all drawing from one generator in a
    fixed order: the organisations (:class:`_Places`), the regional party heads
    (:func:`_party_heads`), the commissariat heads, the NKVD's chief and regional chiefs, the
    Red Army's named ranks (:func:`_heads_and_ranks`), the rest of the Central Committee, the
    opposition leaders and the congress delegates (:func:`_elite_bodies`), the party cadre,
    army officers and NKVD staff (:func:`_cadre_tiers`), then the mass contingents
    (:func:`_contingents`) and the ties (:func:`_ties`).

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    seed : None, int, SeedSequence or Generator
        Randomness for ties and assignments (one generator, passed down).

    Returns
    -------
    World

    Raises
    ------
    ScenarioError
        When the world cannot be built as specified (unknown region, impossible size), or
        when its estimated footprint exceeds the memory available (:mod:`.footprint`).

    Examples
    --------
    >>> from makhovik.scenario import load_scenario
    >>> w = build_world(load_scenario("great-terror", scale=0.001), seed=1)
    >>> w.summary()["cc_1934"], w.summary()["delegates_17"]
    (139, 1966)
    """
    footprint.check(scenario)  # refuse before allocating anything
    rng = check_random_state(seed)
    w = scenario.world
    plan = region_plan(w)
    at = _Places(w, plan, rng)
    cad = _Cadre()
    heads, comm_heads, named = _heads_and_ranks(cad, at, w)
    _elite_bodies(cad, at, w)
    _cadre_tiers(cad, at, w)

    a = cad.arrays()  # the cadre sorted by faction
    perm = np.argsort(a["faction"], kind="stable")
    inv = np.empty_like(perm)
    inv[perm] = np.arange(perm.size)
    a = {k: v[perm] for k, v in a.items()}
    org_kind = np.array(at.kind, np.int8)
    # organisation heads: the party and commissariat heads created as such; elsewhere the
    # highest-ranked member (the first of them in agent order)
    org_head = _top_members(a["org"], a["rank"], org_kind.size)
    org_head[at.party] = inv[heads]
    org_head[at.comm] = inv[comm_heads]

    blocks = _contingents(w, at)
    cols = _agent_columns(a, blocks)
    ties, council = _ties(a, scenario.ties, w.scale, rng)
    bodies = a["bodies"].astype(np.uint8)
    bodies[council] |= MILITARY_COUNCIL
    return World(
        **cols, org=a["org"].astype(np.int32), bodies=bodies,
        mil_rank=a["mil"].astype(np.int8), whole=a["whole"].astype(bool),
        ties=ties, region_names=at.names, region_republic=list(plan.republics),
        limit_cat1=np.array(plan.cat1, float) * w.scale, limit_cat2=np.array(plan.cat2, float) * w.scale,
        region_weight=at.weight, org_kind=org_kind, org_region=np.array(at.region, np.int16), org_head=org_head,
        block_region=np.array([b[1] for b in blocks], np.int64),
        block_contingent=np.array([b[0] for b in blocks], np.int64),
        block_registered=np.array([b[3] for b in blocks], np.int64),
        contingent_names=list(w.contingents),
        contingent_operation=np.array([OPERATIONS.index(s.operation) for s in w.contingents.values()], np.int8),
        mil_rank_names=list(MILITARY_RANKS), named={k: int(inv[v]) for k, v in named.items()}, scale=w.scale,
    )


def _heads_and_ranks(cad: _Cadre, at: _Places, w) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """The heads of organisations and the named military ranks, with their Central Committee seats
    (filled faction by faction up to ``w.cc_composition``; ``cad.cc_used`` counts them). Returns the
    party heads, the commissariat heads and the named agents (before the sort by faction)."""
    heads, named = _party_heads(cad, at, w)
    cc = w.cc_composition
    n_tech_cc = max(cc.get("technocrats", 0) - cad.cc_used["technocrats"], 0)
    comm_cc = np.zeros(at.comm.size, bool)
    comm_cc[: min(n_tech_cc, at.comm.size)] = True
    comm_heads = cad.add(at.comm.size, F["technocrats"], RANK["top"], INST["commissariat"], at.region_of(at.comm.size),
                         at.comm, np.where(comm_cc, CC_1934 | DELEGATE_17, 0))
    cad.cc_used["technocrats"] += int(comm_cc.sum())
    chief = cad.add(1, F["nkvd"], RANK["politburo"], INST["nkvd"], -1, at.nkvd_central,
                    CC_1934 | DELEGATE_17 if cc.get("nkvd", 0) > 0 else 0)
    named.setdefault("nkvd_chief", int(chief[0]))
    cad.cc_used["nkvd"] += int(cc.get("nkvd", 0) > 0)
    R = len(at.names)
    cad.add(R, F["nkvd"], RANK["senior"], INST["nkvd"], np.arange(R), at.nkvd)  # regional NKVD chiefs
    sizes = elite_sizes()

    def army(n, fac, rk, code):
        """``n`` of a named rank in the army, of faction ``fac``; the first take the faction's CC seats left
        (the top ranks only)."""
        seats = max(min(cc.get(fac, 0) - cad.cc_used[fac], n), 0) if rk >= Rank.TOP else 0
        cad.add(n, F[fac], rk, INST["army"], at.region_of(n), at.pick(at.army, n),
                np.where(np.arange(n) < seats, CC_1934 | DELEGATE_17, 0), code)
        cad.cc_used[fac] += seats

    for code, (rname, rk) in enumerate(MILITARY_RANKS.items(), start=1):  # the Red Army's named ranks (elite.csv)
        k = sizes.get(rname, 0)
        if not k:
            continue
        kc = min(w.center_marshals, k) if rname == MARSHALS else 0  # Stalin's own marshals: the centre's
        if kc:
            army(kc, "center", rk, code)
        army(k - kc, "military", rk, code)
    return heads, comm_heads, named


def _party_heads(cad: _Cadre, at: _Places, w) -> tuple[np.ndarray, dict[str, int]]:
    """The regional first secretaries: one per party organisation, the scenario's named ones in their
    regions, the regionals' CC seats to the heads of the heaviest organisations."""
    heads = cad.add(at.party.size, F["regionals"], RANK["top"], INST["party"], at.party_region, at.party)
    head_rank = np.full(heads.size, RANK["top"])
    head_fac = np.full(heads.size, F["regionals"])
    head_cc = np.zeros(heads.size, bool)
    taken = np.zeros(heads.size, bool)
    named = {}
    for label, spec in w.named.items():  # each in a known region with an organisation left (validation)
        r = at.names.index(spec.region)
        k = int(np.flatnonzero((at.party_region == r) & ~taken)[0])
        taken[k] = True
        head_rank[k], head_fac[k], head_cc[k] = spec.rank, F[spec.faction], spec.cc_member
        named[label] = int(heads[k])
    n_cc_reg = max(w.cc_composition.get("regionals", 0) - int(head_cc[head_fac == F["regionals"]].sum()), 0)
    order = np.argsort(-at.porg_w, kind="stable")
    order = order[~head_cc[order]]
    head_cc[order[:n_cc_reg]] = True
    extra_cc_reg = max(n_cc_reg - order.size, 0)
    cad.cols["rank"][-1] = head_rank
    cad.cols["faction"][-1] = head_fac
    cad.cols["bodies"][-1] = np.where(head_cc, CC_1934 | DELEGATE_17, 0)
    for f_code in np.unique(head_fac[head_cc]):
        cad.cc_used[FACTIONS[f_code]] += int(np.count_nonzero(head_fac[head_cc] == f_code))
    if extra_cc_reg:
        o, r = at.party_org(extra_cc_reg)
        cad.add(extra_cc_reg, F["regionals"], RANK["top"], INST["party"], r, o, CC_1934 | DELEGATE_17)
        cad.cc_used["regionals"] += extra_cc_reg
    return heads, named


def _elite_bodies(cad: _Cadre, at: _Places, w) -> None:
    """The Central Committee's remaining seats, the show trials' defendants outside it, and the 17th
    Congress's delegates who were not CC members (shared among factions by ``w.delegate_shares``)."""
    for fac in CADRE_FACTIONS:
        k = w.cc_composition.get(fac, 0) - cad.cc_used[fac]
        if k > 0:
            rk = RANK["politburo"] if fac == "center" else RANK["top"]
            cad.add(k, F[fac], rk, *at.home(fac, k), CC_1934 | DELEGATE_17)
    for fac in ("rightists", "leftists"):
        k = w.opposition_leaders.get(fac, 0)
        if k:
            cad.add(k, F[fac], RANK["top"], *at.home(fac, k))
    sizes = elite_sizes()
    del_n = largest_remainder(sizes["delegates_17"] - sizes["cc_1934"],
                              [w.delegate_shares.get(f, 0.0) for f in CADRE_FACTIONS])
    for fac, k in zip(CADRE_FACTIONS, del_n, strict=True):
        if k:
            cad.add(k, F[fac], RANK["senior"], *at.home(fac, int(k)), DELEGATE_17)


def _cadre_tiers(cad: _Cadre, at: _Places, w) -> None:
    """The party cadre (senior ranks whole: obkom bureaux, raikom secretaries, deputy commissars are
    few, so the network among them is the same at every scale; the rank and file scaled), then the
    army officers and the NKVD's staff (scaled)."""
    mid, senior = w.rank_shares.get("mid", 0.0), w.rank_shares.get("senior", 0.0)
    rng = at.rng
    _party_tier(cad, at, w, int(round(w.party_members * senior)), lambda k: np.full(k, RANK["senior"]))
    cad.whole = 0  # from here on every agent stands for 1/scale persons
    mid_share = mid / (1.0 - senior)
    _party_tier(cad, at, w, int(round(w.party_members * (1.0 - senior) * w.scale)),
                lambda k: np.where(rng.random(k) < mid_share, RANK["mid"], RANK["member"]))
    n_army = int(round(w.army_officers * w.scale))
    if n_army:
        r = np.where(rng.random(n_army) < mid * 3, RANK["mid"], RANK["member"])
        cad.add(n_army, F["military"], r, INST["army"], at.region_of(n_army), at.pick(at.army, n_army))
    n_nkvd = int(round(w.nkvd_staff * w.scale))
    if n_nkvd:
        reg = at.region_of(n_nkvd, at.weight_cdf)
        r = np.where(rng.random(n_nkvd) < mid * 2, RANK["mid"], RANK["member"])
        cad.add(n_nkvd, F["nkvd"], r, INST["nkvd"], reg, at.nkvd[reg])


def _party_tier(cad: _Cadre, at: _Places, w, n: int, rank_of) -> None:
    """``n`` party cadre shared among factions by ``w.party_faction_shares``, ranks from ``rank_of(k)``;
    former oppositionists half in party organisations, half in commissariats."""
    shares = [w.party_faction_shares.get(f, 0.0) for f in CADRE_FACTIONS]
    for fac, k in zip(CADRE_FACTIONS, largest_remainder(n, shares), strict=True):
        if not k:
            continue
        k = int(k)
        if fac in ("rightists", "leftists"):
            in_party = at.rng.random(k) < 0.5
            o1, r1 = at.party_org(k)
            inst = np.where(in_party, INST["party"], INST["commissariat"])
            org = np.where(in_party, o1, at.pick(at.comm, k))
            reg = np.where(in_party, r1, at.region_of(k))
        elif fac == "center":
            inst, reg, org = np.full(k, INST["central"]), np.full(k, -1), np.full(k, at.central)
        else:
            inst, reg, org = at.home(fac, k)
        cad.add(k, F[fac], rank_of(k), inst, reg, org)


def _contingents(w, at: _Places) -> list[tuple[int, int, int, int]]:
    """The mass contingents' blocks ``(contingent, region, size, registered)``: each contingent's pool at
    scale shared among regions by its weights (the party's weights where it gives none)."""
    blocks = []
    for c, spec in enumerate(w.contingents.values()):
        if spec.region_weights is None:
            rw = at.party_w.copy()
        else:
            rw = np.zeros(len(at.names))
            for rname, v in spec.region_weights.items():  # known regions, weights >= 0, some positive (validation)
                rw[at.names.index(rname)] = v
        sz = largest_remainder(int(round(spec.pool * w.scale)), rw)
        for r in np.flatnonzero(sz):
            blocks.append((c, int(r), int(sz[r]), int(np.floor(spec.registered_share * sz[r]))))
    return blocks


def _agent_columns(a: dict, blocks: list) -> dict[str, np.ndarray]:
    """The agent columns of the world: the cadre (sorted) first, then the mass contingents' blocks."""
    n_cadre = a["faction"].size
    n = n_cadre + sum(b[2] for b in blocks)
    if n > 200_000_000:
        raise ScenarioError("world.scale", f"expected a world below 200 million agents, got {n:,}")
    block_size = np.array([b[2] for b in blocks], np.int64)
    block_start = (n_cadre + np.concatenate([[0], np.cumsum(block_size)[:-1]]).astype(np.int64) if blocks
                   else np.empty(0, np.int64))
    faction = np.full(n, F["mass"], np.int8)
    faction[:n_cadre] = a["faction"]
    region = np.empty(n, np.int16)
    region[:n_cadre] = a["region"]
    institution = np.full(n, INST["none"], np.int8)
    institution[:n_cadre] = a["inst"]
    rank = np.zeros(n, np.int8)
    rank[:n_cadre] = a["rank"]
    contingent = np.full(n, -1, np.int8)
    for (c, r, _, _), s0, sz in zip(blocks, block_start, block_size, strict=True):
        region[s0:s0 + sz] = r
        contingent[s0:s0 + sz] = c
    return dict(faction=faction, region=region, institution=institution, rank=rank, contingent=contingent,
                block_start=block_start, block_size=block_size)


def _ties(a: dict, tp, scale: float, rng) -> tuple[dict, np.ndarray]:
    """The cadre's ties by type (each a CSR over the cadre): patronage (patron and client in an
    organisation), workplace (cliques within an organisation and rank band), opposition (former
    oppositionists among themselves), cross-faction (oppositionists with NKVD officers, senior
    officers with the senior regional cadre of their region), elite (among the elite bodies' members,
    and within the Military Council). Returns them and the Military Council's members."""
    n_cadre = a["faction"].size
    fac_idx = {f: np.flatnonzero(a["faction"] == F[f]) for f in CADRE_FACTIONS}
    ties = {}
    ties["patronage"] = T.to_csr(*T.patronage_edges(a["org"], a["rank"], rng), n_cadre)
    senior = a["rank"] >= RANK["senior"]
    ties["workplace"] = T.clique_csr(a["org"] * 2 + senior.astype(np.int64), tp.clique_size, rng, n_cadre)
    exp = np.where(a["whole"] > 0, 1.0, 1.0 / scale)
    right, left = fac_idx["rightists"], fac_idx["leftists"]
    persons = {k: float(exp[v].sum()) for k, v in (("r", right), ("l", left))}
    opp = [T.expansion_pairs(right, right, persons["r"] * tp.opposition_degree / 2, exp, rng),
           T.expansion_pairs(left, left, persons["l"] * tp.opposition_degree / 2, exp, rng),
           T.expansion_pairs(right, left, persons["r"] * tp.right_left_degree, exp, rng)]
    ties["opposition"] = _pairs_csr(opp, n_cadre)
    oppos = np.concatenate([right, left])
    cross = [T.expansion_pairs(oppos, fac_idx["nkvd"], (persons["r"] + persons["l"]) * tp.nkvd_link_degree, exp, rng)]
    senior_mil = fac_idx["military"][senior[fac_idx["military"]]]
    senior_reg = fac_idx["regionals"][senior[fac_idx["regionals"]]]
    cross.append(_same_region_pairs(senior_mil, senior_reg, a["region"], tp.military_party_degree, rng))
    ties["cross_faction"] = _pairs_csr(cross, n_cadre)
    elite = np.flatnonzero((a["bodies"] > 0) | (a["rank"] >= RANK["top"]))
    pairs = T.random_pairs(elite, tp.elite_degree, rng)
    council = military_council(a, rng)
    ties["elite"] = _pairs_csr([pairs, T.dense_pairs(council, tp.council_density, rng)], n_cadre)
    return ties, council


def military_council(a: dict, rng) -> np.ndarray:
    """The Military Council at the People's Commissar of Defence (1935): the ``elite.csv`` number of the army's
    highest-ranked (its marshals first, then drawn among the next rank), whoever's faction they are."""
    n = elite_sizes().get("military_council", 0)
    army = np.flatnonzero((a["inst"] == INST["army"]) & (a["mil"] > 0))
    order = army[np.lexsort((rng.random(army.size), -a["rank"][army]))]
    return np.sort(order[:n])


def _pairs_csr(pairs: list, n: int):
    return T.to_csr(np.concatenate([p[0] for p in pairs]), np.concatenate([p[1] for p in pairs]), n)


def _cdf(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The cumulative distribution of weights ``p``, as ``Generator.choice`` makes it, with its guide table
    (:func:`_inverse_cdf`): ``guide[g]`` is the number of entries ``<= g / G`` for ``G`` = the entries."""
    cdf = np.cumsum(p / p.sum())
    cdf /= cdf[-1]
    return cdf, np.searchsorted(cdf, np.arange(cdf.size + 1) / cdf.size, side="right")


@njit(cache=True, nogil=True)
def _inverse_cdf(cdf, guide, u):  # pragma: no cover - compiled
    """``cdf.searchsorted(u, side="right")``: the same answers, each found from the guide table's entry
    for its bucket in a step or two on average instead of a binary search."""
    G = guide.size - 1
    out = np.empty(u.size, np.int64)
    for i in range(u.size):
        x = u[i]
        j = guide[min(int(x * G), G)]
        while j > 0 and cdf[j - 1] > x:  # only where rounding put x * G in the next bucket
            j -= 1
        while j < cdf.size and cdf[j] <= x:
            j += 1
        out[i] = j
    return out


def _same_region_pairs(left, right, region, per_left, rng):
    """Ties from each of ``left`` to random members of ``right`` in the same region."""
    left = left[region[left] >= 0]
    right = right[region[right] >= 0]
    if left.size == 0 or right.size == 0 or per_left <= 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    m = int(round(left.size * per_left))
    src = left[rng.integers(0, left.size, m)]
    rr = right[np.argsort(region[right], kind="stable")]
    reg_sorted = region[rr]
    lo = np.searchsorted(reg_sorted, region[src], "left")
    hi = np.searchsorted(reg_sorted, region[src], "right")
    ok = hi > lo
    src, lo, hi = src[ok], lo[ok], hi[ok]
    dst = rr[lo + np.floor(rng.random(src.size) * (hi - lo)).astype(np.int64)]
    return src, dst


@njit(cache=True, nogil=True)
def _top_members(org, rank, n_orgs):  # pragma: no cover - compiled
    """For each organisation, its highest-ranked member, the first in agent order among equals (-1: none)."""
    head = np.full(n_orgs, -1, np.int64)
    best = np.full(n_orgs, -1, np.int64)
    for a in range(org.size):
        o = org[a]
        if o >= 0 and rank[a] > best[o]:
            best[o] = rank[a]
            head[o] = a
    return head
