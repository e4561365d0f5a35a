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
from .agents import CC_1934, DELEGATE_17, FACTION_CODE, World
from .inputs import MILITARY_RANKS, elite_sizes, region_plan

__all__ = ["build_world", "largest_remainder"]

INST = {i.name.lower(): int(i) for i in Institution}
RANK = {r.name.lower(): int(r) for r in Rank}


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


def _regions(scn: Scenario):
    plan = region_plan(scn.world)
    return (list(plan.names), list(plan.republics), np.array(plan.cat1, float), np.array(plan.cat2, float),
            np.array(plan.party_orgs, np.int64), np.array(plan.weights, float))


def build_world(scenario: Scenario, seed=None) -> World:
    """Build the world of a scenario.

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
    scale = w.scale
    names, rep, c1, c2, n_orgs_r, weight = _regions(scenario)
    R = len(names)
    party_w = np.where(n_orgs_r > 0, weight, 0.0)  # the scenario's validation: some region has a party organisation
    sizes = elite_sizes()

    # --- organisations -------------------------------------------------------------
    org_kind, org_region = [], []

    def new_orgs(k, kind, region):
        start = len(org_kind)
        org_kind.extend([kind] * int(k))
        org_region.extend(np.broadcast_to(np.asarray(region), (int(k),)).tolist())
        return np.arange(start, start + int(k))

    party_orgs = new_orgs(n_orgs_r.sum(), INST["party"], np.repeat(np.arange(R), n_orgs_r))
    party_org_region = np.repeat(np.arange(R), n_orgs_r)
    comm_orgs = new_orgs(w.commissariats, INST["commissariat"], -1)
    army_orgs = new_orgs(w.army_districts, INST["army"], -1)
    nkvd_orgs = new_orgs(R, INST["nkvd"], np.arange(R))
    central_org = int(new_orgs(1, INST["central"], -1)[0])
    nkvd_central = int(new_orgs(1, INST["nkvd"], -1)[0])

    # weight of each party org: its region's weight shared among the region's orgs
    porg_w = party_w[party_org_region] / n_orgs_r[party_org_region]

    def choice(cdf, n):  # what rng.choice(size=n, p=...) does, draw for draw, with the cdf made once
        return _inverse_cdf(*cdf, rng.random(int(n)))

    porg_cdf, party_cdf, weight_cdf = (_cdf(x) for x in (porg_w, party_w, weight))

    def pick_party_org(n):
        o = party_orgs[choice(porg_cdf, n)]
        return o, party_org_region[o - party_orgs[0]]

    def pick_region(n, cdf=party_cdf):
        return choice(cdf, n)

    def pick(arr, n):
        return arr[rng.integers(0, arr.size, int(n))]

    cad = _Cadre()
    F = FACTION_CODE
    cc = dict(w.cc_composition)  # summing to the data pack's CC (the scenario's validation)
    named: dict[str, int] = {}

    # --- party organisation heads (regional first secretaries) --------------------------
    heads = cad.add(party_orgs.size, F["regionals"], RANK["top"], INST["party"], party_org_region, party_orgs)
    head_rank = np.full(heads.size, RANK["top"])
    head_fac = np.full(heads.size, F["regionals"])
    head_cc = np.zeros(heads.size, bool)
    taken = np.zeros(heads.size, bool)
    for label, spec in w.named.items():  # each in a known region with an organisation left (validation)
        r = names.index(spec.region)
        k = int(np.flatnonzero((party_org_region == r) & ~taken)[0])
        taken[k] = True
        head_rank[k], head_fac[k], head_cc[k] = spec.rank, F[spec.faction], spec.cc_member
        named[label] = int(heads[k])
    # the remaining regional CC seats go to the heads of the heaviest organisations
    n_cc_reg = max(cc.get("regionals", 0) - int(head_cc[head_fac == F["regionals"]].sum()), 0)
    order = np.argsort(-porg_w, kind="stable")
    order = order[~head_cc[order]]
    head_cc[order[:n_cc_reg]] = True
    extra_cc_reg = max(n_cc_reg - order.size, 0)
    cad.cols["rank"][-1] = head_rank
    cad.cols["faction"][-1] = head_fac
    cad.cols["bodies"][-1] = np.where(head_cc, CC_1934 | DELEGATE_17, 0)
    cc_used = {f: 0 for f in CADRE_FACTIONS}
    for f_code in np.unique(head_fac[head_cc]):
        cc_used[FACTIONS[f_code]] += int(np.count_nonzero(head_fac[head_cc] == f_code))
    if extra_cc_reg:
        o, r = pick_party_org(extra_cc_reg)
        cad.add(extra_cc_reg, F["regionals"], RANK["top"], INST["party"], r, o, CC_1934 | DELEGATE_17)
        cc_used["regionals"] += extra_cc_reg

    # --- commissariat heads ---------------------------------------------------------------
    n_tech_cc = max(cc.get("technocrats", 0) - cc_used["technocrats"], 0)
    comm_cc = np.zeros(comm_orgs.size, bool)
    comm_cc[: min(n_tech_cc, comm_orgs.size)] = True
    comm_heads = cad.add(comm_orgs.size, F["technocrats"], RANK["top"], INST["commissariat"],
                         pick_region(comm_orgs.size), comm_orgs, np.where(comm_cc, CC_1934 | DELEGATE_17, 0))
    cc_used["technocrats"] += int(comm_cc.sum())

    # --- the NKVD chief -------------------------------------------------------------------
    chief = cad.add(1, F["nkvd"], RANK["politburo"], INST["nkvd"], -1, nkvd_central,
                    CC_1934 | DELEGATE_17 if cc.get("nkvd", 0) > 0 else 0)
    named.setdefault("nkvd_chief", int(chief[0]))
    cc_used["nkvd"] += int(cc.get("nkvd", 0) > 0)
    cad.add(R, F["nkvd"], RANK["senior"], INST["nkvd"], np.arange(R), nkvd_orgs)  # regional NKVD chiefs

    # --- the Red Army's named ranks (elite.csv) ---------------------------------------------
    mil_names = list(MILITARY_RANKS)
    n_mil_cc = cc.get("military", 0)
    for code, (rname, rk) in enumerate(MILITARY_RANKS.items(), start=1):
        k = sizes.get(rname, 0)
        if not k:
            continue
        take = min(n_mil_cc - cc_used["military"], k) if rk >= 4 else 0
        bodies = np.zeros(k, np.int64)
        bodies[:max(take, 0)] = CC_1934 | DELEGATE_17
        cc_used["military"] += max(take, 0)
        cad.add(k, F["military"], rk, INST["army"], pick_region(k), pick(army_orgs, k), bodies, code)

    # --- the remaining CC seats ---------------------------------------------------------------
    home = {
        "center": lambda n: (np.full(n, INST["central"]), np.full(n, -1), np.full(n, central_org)),
        "rightists": lambda n: (np.full(n, INST["central"]), np.full(n, -1), np.full(n, central_org)),
        "leftists": lambda n: (np.full(n, INST["commissariat"]), pick_region(n), pick(comm_orgs, n)),
        "technocrats": lambda n: (np.full(n, INST["commissariat"]), pick_region(n), pick(comm_orgs, n)),
        "left_conservatives": lambda n: (np.full(n, INST["party"]), *reversed(pick_party_org(n))),
        "regionals": lambda n: (np.full(n, INST["party"]), *reversed(pick_party_org(n))),
        "military": lambda n: (np.full(n, INST["army"]), pick_region(n), pick(army_orgs, n)),
        "nkvd": lambda n: (np.full(n, INST["nkvd"]), np.full(n, -1), np.full(n, nkvd_central)),
    }
    for fac in CADRE_FACTIONS:
        k = cc.get(fac, 0) - cc_used[fac]
        if k <= 0:
            continue
        inst, reg, org = home[fac](k)
        rk = RANK["politburo"] if fac == "center" else RANK["top"]
        cad.add(k, F[fac], rk, inst, reg, org, CC_1934 | DELEGATE_17)

    # --- opposition leaders outside the CC (defendants of the show trials) ------------------------
    for fac in ("rightists", "leftists"):
        k = w.opposition_leaders.get(fac, 0)
        if k:
            inst, reg, org = home[fac](k)
            cad.add(k, F[fac], RANK["top"], inst, reg, org)

    # --- 17th Congress delegates who were not CC members ------------------------------------
    n_del = sizes["delegates_17"] - sizes["cc_1934"]
    shares = w.delegate_shares
    del_n = largest_remainder(n_del, [shares.get(f, 0.0) for f in CADRE_FACTIONS])
    for fac, k in zip(CADRE_FACTIONS, del_n, strict=True):
        if k:
            inst, reg, org = home[fac](int(k))
            cad.add(k, F[fac], RANK["senior"], inst, reg, org, DELEGATE_17)

    # --- party cadre: senior ranks whole, the rank and file scaled ------------------------------
    def party_tier(n, rank_of):
        shares = [w.party_faction_shares.get(f, 0.0) for f in CADRE_FACTIONS]
        for fac, k in zip(CADRE_FACTIONS, largest_remainder(n, shares), strict=True):
            if not k:
                continue
            k = int(k)
            if fac in ("rightists", "leftists"):  # former oppositionists live in party and commissariat posts
                in_party = rng.random(k) < 0.5
                o1, r1 = pick_party_org(k)
                inst = np.where(in_party, INST["party"], INST["commissariat"])
                org = np.where(in_party, o1, pick(comm_orgs, k))
                reg = np.where(in_party, r1, pick_region(k))
            elif fac == "center":
                inst, reg, org = np.full(k, INST["central"]), np.full(k, -1), np.full(k, central_org)
            else:
                inst, reg, org = home[fac](k)
            cad.add(k, F[fac], rank_of(k), inst, reg, org)

    mid, senior = w.rank_shares.get("mid", 0.0), w.rank_shares.get("senior", 0.0)
    # senior cadre (obkom bureaux, raikom secretaries, deputy commissars) are few: kept whole, so
    # the network among the senior ranks is the same at every scale
    party_tier(int(round(w.party_members * senior)), lambda k: np.full(k, RANK["senior"]))
    cad.whole = 0  # from here on every agent stands for 1/scale persons
    mid_share = mid / (1.0 - senior)
    party_tier(int(round(w.party_members * (1.0 - senior) * scale)),
               lambda k: np.where(rng.random(k) < mid_share, RANK["mid"], RANK["member"]))
    n_army = int(round(w.army_officers * scale))
    if n_army:
        r = np.where(rng.random(n_army) < w.rank_shares.get("mid", 0.0) * 3, RANK["mid"], RANK["member"])
        cad.add(n_army, F["military"], r, INST["army"], pick_region(n_army), pick(army_orgs, n_army))
    n_nkvd = int(round(w.nkvd_staff * scale))
    if n_nkvd:
        reg = pick_region(n_nkvd, weight_cdf)
        r = np.where(rng.random(n_nkvd) < w.rank_shares.get("mid", 0.0) * 2, RANK["mid"], RANK["member"])
        cad.add(n_nkvd, F["nkvd"], r, INST["nkvd"], reg, nkvd_orgs[reg])

    # --- sort cadre by faction ------------------------------------------------------------------
    a = cad.arrays()
    perm = np.argsort(a["faction"], kind="stable")
    inv = np.empty_like(perm)
    inv[perm] = np.arange(perm.size)
    a = {k: v[perm] for k, v in a.items()}
    named = {k: int(inv[v]) for k, v in named.items()}
    n_cadre = perm.size

    org_kind_a = np.array(org_kind, np.int8)
    org_region_a = np.array(org_region, np.int16)
    # organisation heads: the party and commissariat heads created as such; elsewhere the
    # highest-ranked member (the first of them in agent order)
    org_head = _top_members(a["org"], a["rank"], org_kind_a.size)
    org_head[party_orgs] = inv[heads]
    org_head[comm_orgs] = inv[comm_heads]

    # --- mass contingents -----------------------------------------------------------------
    cont_names = list(w.contingents)
    blocks = []
    for c, spec in enumerate(w.contingents.values()):
        if spec.region_weights is None:
            rw = party_w.copy()
        else:
            rw = np.zeros(R)
            for rname, v in spec.region_weights.items():  # known regions, weights >= 0, some positive (validation)
                rw[names.index(rname)] = v
        sz = largest_remainder(int(round(spec.pool * scale)), rw)
        for r in np.flatnonzero(sz):
            blocks.append((c, int(r), int(sz[r]), int(np.floor(spec.registered_share * sz[r]))))
    n_mass = sum(b[2] for b in blocks)
    n = n_cadre + n_mass
    if n > 200_000_000:
        raise ScenarioError("world.scale", f"expected a world below 200 million agents, got {n:,}")
    block_size = np.array([b[2] for b in blocks], np.int64)
    block_start = n_cadre + np.concatenate([[0], np.cumsum(block_size)[:-1]]).astype(np.int64) if blocks else np.empty(0, np.int64)

    faction = np.empty(n, np.int8)
    faction[:n_cadre] = a["faction"]
    faction[n_cadre:] = F["mass"]
    region = np.empty(n, np.int16)
    region[:n_cadre] = a["region"]
    institution = np.empty(n, np.int8)
    institution[:n_cadre] = a["inst"]
    institution[n_cadre:] = INST["none"]
    rank = np.zeros(n, np.int8)
    rank[:n_cadre] = a["rank"]
    contingent = np.full(n, -1, np.int8)
    for (c, r, _, _), s0, sz in zip(blocks, block_start, block_size, strict=True):
        region[s0:s0 + sz] = r
        contingent[s0:s0 + sz] = c

    # --- ties ---------------------------------------------------------------------------------
    tp = scenario.ties
    fac_idx = {f: np.flatnonzero(a["faction"] == F[f]) for f in CADRE_FACTIONS}
    ties = {}
    ties["patronage"] = T.to_csr(*T.patronage_edges(a["org"], a["rank"], rng), n_cadre)
    band = (a["rank"] >= RANK["senior"]).astype(np.int64)
    ties["workplace"] = T.clique_csr(a["org"] * 2 + band, tp.clique_size, rng, n_cadre)
    exp = np.where(a["whole"] > 0, 1.0, 1.0 / scale)
    right, left = fac_idx["rightists"], fac_idx["leftists"]
    persons = {k: float(exp[v].sum()) for k, v in (("r", right), ("l", left))}
    opp = [T.expansion_pairs(right, right, persons["r"] * tp.opposition_degree / 2, exp, rng),
           T.expansion_pairs(left, left, persons["l"] * tp.opposition_degree / 2, exp, rng),
           T.expansion_pairs(right, left, persons["r"] * tp.right_left_degree, exp, rng)]
    ties["opposition"] = T.to_csr(np.concatenate([p[0] for p in opp]), np.concatenate([p[1] for p in opp]), n_cadre)
    oppos = np.concatenate([right, left])
    cross = [T.expansion_pairs(oppos, fac_idx["nkvd"], (persons["r"] + persons["l"]) * tp.nkvd_link_degree, exp, rng)]
    senior = a["rank"] >= RANK["senior"]
    senior_mil = fac_idx["military"][senior[fac_idx["military"]]]
    senior_reg = fac_idx["regionals"][senior[fac_idx["regionals"]]]
    cross.append(_same_region_pairs(senior_mil, senior_reg, a["region"], tp.military_party_degree, rng))
    ties["cross_faction"] = T.to_csr(np.concatenate([p[0] for p in cross]), np.concatenate([p[1] for p in cross]), n_cadre)
    elite = np.flatnonzero((a["bodies"] > 0) | (a["rank"] >= RANK["top"]))
    ties["elite"] = T.to_csr(*T.random_pairs(elite, tp.elite_degree, rng), n_cadre)

    return World(
        faction=faction, region=region, institution=institution, rank=rank, contingent=contingent,
        org=a["org"].astype(np.int32), bodies=a["bodies"].astype(np.uint8), mil_rank=a["mil"].astype(np.int8),
        whole=a["whole"].astype(bool),
        ties=ties, region_names=names, region_republic=rep,
        limit_cat1=c1 * scale, limit_cat2=c2 * scale, region_weight=weight,
        org_kind=org_kind_a, org_region=org_region_a, org_head=org_head,
        block_start=block_start, block_size=block_size,
        block_region=np.array([b[1] for b in blocks], np.int64),
        block_contingent=np.array([b[0] for b in blocks], np.int64),
        block_registered=np.array([b[3] for b in blocks], np.int64),
        contingent_names=cont_names,
        contingent_operation=np.array([OPERATIONS.index(s.operation) for s in w.contingents.values()], np.int8),
        mil_rank_names=mil_names, named=named, scale=scale,
    )


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
