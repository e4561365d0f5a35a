"""Inputs from the data pack that build the world: regions with their initial limits, elite sizes.

Only *inputs* are read here (the initial Order 00447 limits, the sizes of elite
bodies). Targets (how many were repressed) are never read by the world or the
engine; they belong to the evidence layer.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["RegionRow", "initial_regions", "elite_sizes", "MARSHALS", "MILITARY_RANKS", "data_path"]

#: Parent republic of each oblast-level row of ``limits_00447.csv``.
_OBLAST_PARENT = {
    "Northern oblast": "RSFSR (all regions)",
    "Chelyabinsk oblast": "RSFSR (all regions)",
    "Yaroslavl oblast": "RSFSR (all regions)",
    "Karelian ASSR": "RSFSR (all regions)",
    "Kalinin oblast": "RSFSR (all regions)",
    "Kharkov oblast (UkrSSR)": "Ukrainian SSR",
    "Donetsk oblast (UkrSSR)": "Ukrainian SSR",
    "Odessa oblast (UkrSSR)": "Ukrainian SSR",
    "Chernigov oblast (UkrSSR)": "Ukrainian SSR",
    "Moldavian ASSR (UkrSSR)": "Ukrainian SSR",
    "North Kazakhstan oblast": "Kazakh SSR",
    "South Kazakhstan oblast": "Kazakh SSR",
    "West Kazakhstan oblast": "Kazakh SSR",
    "Kustanai oblast": "Kazakh SSR",
    "East Kazakhstan oblast": "Kazakh SSR",
    "Aktyubinsk oblast": "Kazakh SSR",
    "Karaganda oblast": "Kazakh SSR",
    "Alma-Ata oblast": "Kazakh SSR",
}
_RESIDUAL_NAME = {"RSFSR (all regions)": "RSFSR (other)", "Ukrainian SSR": "Ukrainian SSR (other)"}

#: The top military rank of ``elite.csv`` (``world.center_marshals`` of them are the centre's).
MARSHALS = "Marshals of the Soviet Union"

#: Red Army ranks of ``elite.csv`` with the model's rank code for each.
MILITARY_RANKS: dict[str, int] = {
    MARSHALS: 5,
    "Army commanders 1st rank": 4,
    "Army commanders 2nd rank": 4,
    "Army commissars 1st rank": 4,
    "Army commissars 2nd rank": 4,
    "Corps commanders (komkor)": 4,
    "Corps commissars": 4,
    "Division commanders (komdiv)": 3,
    "Brigade commanders (kombrig)": 3,
    "Brigade commissars": 3,
}


def data_path(name: str):
    """Path of a file of the packaged data pack."""
    return resources.files("makhovik") / "data" / name


@dataclass(frozen=True)
class RegionRow:
    """A leaf region: the finest unit for which the data pack gives initial limits."""

    name: str
    republic: str
    cat1: int
    cat2: int


@cache
def initial_regions() -> tuple[RegionRow, ...]:
    """Leaf regions of the initial Order 00447 table (30 July 1937).

    Republics without oblast rows stay whole; a republic with some oblast rows is split
    into those oblasts and a residual ``(other)`` unit, so that the leaves sum exactly to
    the republic totals (and to the USSR total of 75,950 / 193,000).
    """
    with data_path("limits_00447.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["type"] == "initial"]
    rep = {r["region"]: r for r in rows if r["level"] in ("republic", "camps")}
    obl = [r for r in rows if r["level"] == "oblast"]
    used: dict[str, list[int]] = {name: [0, 0] for name in rep}
    out: list[RegionRow] = []
    for r in obl:
        parent = _OBLAST_PARENT[r["region"]]
        c1, c2 = int(r["cat1_shoot"]), int(r["cat2_camp"] or 0)
        used[parent][0] += c1
        used[parent][1] += c2
        out.append(RegionRow(r["region"], _short(parent), c1, c2))
    for name, r in rep.items():
        c1, c2 = int(r["cat1_shoot"]), int(r["cat2_camp"] or 0)
        if used[name] == [0, 0]:
            out.append(RegionRow(name, _short(name), c1, c2))
            continue
        rc1, rc2 = c1 - used[name][0], c2 - used[name][1]
        if rc1 < 0 or rc2 < 0:  # pragma: no cover - guards the data pack
            raise ValueError(f"limits_00447.csv: oblasts of {name} exceed the republic total")
        if rc1 or rc2:
            out.append(RegionRow(_RESIDUAL_NAME.get(name, f"{name} (other)"), _short(name), rc1, rc2))
    return tuple(sorted(out, key=lambda x: (x.republic, x.name)))


def _short(name: str) -> str:
    return "RSFSR" if name.startswith("RSFSR") else name


@cache
def elite_sizes() -> dict[str, int]:
    """Sizes of the elite bodies (the ``total`` column of ``elite.csv``; never the losses)."""
    with data_path("elite.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out: dict[str, int] = {}
    for r in rows:
        tot = (r["total"] or "").replace(",", "").strip()
        if not tot.isdigit():
            continue
        g = r["group"]
        if g.startswith("CC members"):
            out["cc_1934"] = int(tot)
        elif g.startswith("Delegates to 17th Congress"):
            out["delegates_17"] = int(tot)
        elif g.startswith("Military Council"):
            out["military_council"] = int(tot)
        elif g in MILITARY_RANKS:
            out[g] = int(tot)
    return out


#: The region of the data pack that holds the camps' prisoners: it has no party organisation.
CAMPS = "NKVD labour camps"
#: The republic of the data pack whose leadership the centre tries to replace in summer 1937 (C15).
UKRAINE = "Ukrainian SSR"


@dataclass(frozen=True)
class RegionPlan:
    """The regions a world will have: explicit ones, or the data pack's leaf units, with their party organisations."""

    names: tuple[str, ...]
    republics: tuple[str, ...]
    cat1: tuple[float, ...]
    cat2: tuple[float, ...]
    party_orgs: tuple[int, ...]
    weights: tuple[float, ...]


def region_plan(world) -> RegionPlan:
    """The regions of a scenario's ``world`` (its ``regions``, or the data pack's), with ``party_orgs`` applied.

    Region names given in ``party_orgs`` that are not regions are left out here; validation
    refuses them (:class:`~makhovik.scenario.schema.World`).
    """
    if world.regions is not None:
        rows = [(r.name, r.republic, float(r.cat1), float(r.cat2), r.party_orgs,
                 r.weight if r.weight is not None else float(r.cat1 + r.cat2)) for r in world.regions]
    else:
        rows = [(r.name, r.republic, float(r.cat1), float(r.cat2), 0 if r.name == CAMPS else 1, float(r.cat1 + r.cat2))
                for r in initial_regions()]
    names = [r[0] for r in rows]
    orgs = [r[4] for r in rows]
    for name, k in world.party_orgs.items():
        if name in names:
            orgs[names.index(name)] = int(k)
    return RegionPlan(tuple(names), tuple(r[1] for r in rows), tuple(r[2] for r in rows), tuple(r[3] for r in rows),
                      tuple(orgs), tuple(r[5] for r in rows))
