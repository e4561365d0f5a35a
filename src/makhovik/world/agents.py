"""The world as arrays: agents (struct of arrays), organisations, regions, mass blocks, ties."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ..codes import FACTIONS, INSTITUTIONS, OPERATIONS, TIE_TYPES

__all__ = [
    "World",
    "INSTITUTIONS",
    "OPERATIONS",
    "CC_1934",
    "DELEGATE_17",
    "MILITARY_COUNCIL",
    "FACTION_CODE",
]

# INSTITUTIONS and OPERATIONS (the names of the codes ``World.institution``, ``org_kind`` and
# ``contingent_operation`` hold) come from ``makhovik.codes``.
#: Bit flags of ``World.bodies``.
CC_1934 = 1
DELEGATE_17 = 2
MILITARY_COUNCIL = 4
FACTION_CODE = {f: i for i, f in enumerate(FACTIONS)}


@dataclass
class World:
    """Everything the engine reads about who exists and who is tied to whom.

    Agents ``0 .. n_cadre-1`` are cadre (party, army, NKVD), sorted by faction so that
    each faction is a contiguous range; agents ``n_cadre .. n-1`` are the mass
    contingents, stored as contiguous blocks (one per contingent and region).

    Attributes that only cadre have (organisation, bodies, military rank) are arrays of
    length ``n_cadre``. Ties are symmetric CSR matrices over the cadre.
    """

    faction: np.ndarray  # int8 [n]
    region: np.ndarray  # int16 [n], -1 for the central apparatus
    institution: np.ndarray  # int8 [n]
    rank: np.ndarray  # int8 [n]
    contingent: np.ndarray  # int8 [n], -1 for cadre
    org: np.ndarray  # int32 [n_cadre]
    bodies: np.ndarray  # uint8 [n_cadre], CC_1934 | DELEGATE_17 | MILITARY_COUNCIL
    mil_rank: np.ndarray  # int8 [n_cadre], 0 none, else 1 + index into mil_rank_names
    whole: np.ndarray  # bool [n_cadre], True for the elite tiers kept whole at every scale
    ties: dict[str, sp.csr_array]
    region_names: list[str]
    region_republic: list[str]
    limit_cat1: np.ndarray  # float [R], initial Order 00447 limits at this scale
    limit_cat2: np.ndarray
    region_weight: np.ndarray  # float [R]
    org_kind: np.ndarray  # int8 [n_org], institution code
    org_region: np.ndarray  # int16 [n_org]
    org_head: np.ndarray  # int64 [n_org]
    block_start: np.ndarray  # int64 [B]
    block_size: np.ndarray  # int64 [B]
    block_region: np.ndarray  # int64 [B]
    block_contingent: np.ndarray  # int64 [B]
    block_registered: np.ndarray  # int64 [B], registered at the start of the operations
    contingent_names: list[str]
    contingent_operation: np.ndarray  # int8 [C], index into OPERATIONS
    mil_rank_names: list[str]
    named: dict[str, int] = field(default_factory=dict)
    scale: float = 1.0

    def __post_init__(self):
        self._n_cadre = int(np.count_nonzero(self.contingent < 0))
        n = self.faction.size
        for name in ("region", "institution", "rank", "contingent"):
            if getattr(self, name).size != n:
                raise ValueError(f"world.{name}: expected {n} entries, got {getattr(self, name).size}")
        nc = self.n_cadre
        for name in ("org", "bodies", "mil_rank", "whole"):
            if getattr(self, name).size != nc:
                raise ValueError(f"world.{name}: expected {nc} entries (the cadre), got {getattr(self, name).size}")
        for t in TIE_TYPES:
            m = self.ties.get(t)
            if m is None:
                self.ties[t] = sp.csr_array((nc, nc), dtype=np.int8)
            elif m.shape != (nc, nc):
                raise ValueError(f"world.ties.{t}: expected shape {(nc, nc)}, got {m.shape}")
        f = self.faction[:nc]
        if nc and np.any(np.diff(f) < 0):
            raise ValueError("world.faction: cadre must be sorted by faction")
        bounds = np.searchsorted(f, np.arange(len(FACTIONS) + 1))
        self.faction_start = bounds[:-1].astype(np.int64)
        self.faction_end = bounds[1:].astype(np.int64)

    @property
    def n(self) -> int:
        """Number of agents."""
        return int(self.faction.size)

    @property
    def n_cadre(self) -> int:
        """Number of cadre agents (everyone but the mass contingents)."""
        return self._n_cadre

    @property
    def n_regions(self) -> int:
        return len(self.region_names)

    def merged_ties(self, names=TIE_TYPES) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The ties of the types ``names`` in one CSR with each tie's type (:func:`~makhovik.kernels.merge_ties`),
        made on first use and kept while ``ties`` holds the same matrices."""
        key = tuple(names) + tuple(id(self.ties[t]) for t in names)
        cache = self.__dict__.setdefault("_merged", {})
        if key not in cache:
            from ..kernels import merge_ties

            cache.clear()
            cache[key] = merge_ties(self.ties, names)
        return cache[key]

    def expansion(self) -> np.ndarray:
        """Persons each cadre agent stands for: 1 for the whole tiers, 1/scale for the others."""
        return np.where(self.whole, 1.0, 1.0 / self.scale)

    def summary(self) -> dict[str, int]:
        """Counts by tier, for the run manifest."""
        return {
            "agents": self.n,
            "cadre": self.n_cadre,
            "mass": self.n - self.n_cadre,
            "cc_1934": int(np.count_nonzero(self.bodies & CC_1934)),
            "delegates_17": int(np.count_nonzero(self.bodies & DELEGATE_17)),
            "military_council": int(np.count_nonzero(self.bodies & MILITARY_COUNCIL)),
            "regions": self.n_regions,
            "organisations": int(self.org_kind.size),
            **{f"ties_{t}": int(m.nnz // 2) for t, m in self.ties.items()},
        }
