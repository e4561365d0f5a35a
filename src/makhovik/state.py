"""Mutable simulation state: agent status arrays, counters, and the arrest bookkeeping every mechanism shares."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .codes import (
    CAMP,
    CAUSES,
    DETAINED,
    EXECUTED,
    FACTIONS,
    FREE,
    RANKS,
    RELEASED,
    STATUSES,
    Cause,
    Faction,
    Institution,
)
from .codes import STATUS_OF_SENTENCE as _STATUS_OF_SENTENCE
from .kernels import ArrestCols, arrest_free, promote_agent
from .world.agents import World

__all__ = ["State", "FREE", "DETAINED", "CAMP", "EXECUTED", "RELEASED", "STATUSES", "STATUS_OF_SENTENCE", "CAUSES",
           "Cause"]

#: Status after a sentence, by sentence code (``codes.Sentence``), as the kernels index it.
STATUS_OF_SENTENCE = np.array(_STATUS_OF_SENTENCE, np.int8)

NF, NR = len(FACTIONS), len(RANKS)
NKVD = int(Faction.NKVD)


@dataclass
class State:
    """Everything that changes during a run. Mechanisms read the world and update this."""

    world: World
    week: int = 0
    status: np.ndarray = field(init=False)
    arrest_week: np.ndarray = field(init=False)
    sentence_week: np.ndarray = field(init=False)
    sentence: np.ndarray = field(init=False)  # 0 none, 1 cat1, 2 cat2, 3 released
    cause: np.ndarray = field(init=False)
    rank: np.ndarray = field(init=False)  # cadre ranks (promotions change them)
    kompromat: np.ndarray = field(init=False)
    named_by: np.ndarray = field(init=False)

    def __post_init__(self):
        w = self.world
        n, nc = w.n, w.n_cadre
        self.status = np.zeros(n, np.int8)
        self.arrest_week = np.full(n, -1, np.int16)
        self.sentence_week = np.full(n, -1, np.int16)
        self.sentence = np.zeros(n, np.int8)
        self.cause = np.full(n, -1, np.int8)
        self.rank = w.rank[:nc].copy()
        self.kompromat = np.zeros(nc, np.float32)
        self.named_by = np.full(nc, -1, np.int32)
        self.is_suspect = np.zeros(nc, bool)
        self.suspects = np.empty(0, np.int64)
        self.pending_cadre = np.empty(0, np.int64)
        self.frontier: list[np.ndarray] = []  # cadre arrested this week, to be interrogated
        # counters
        exp = w.expansion()
        self.exp = exp
        self.whole = w.whole.copy()  # a scaled agent promoted into a post becomes an individual
        fr = w.faction[:nc].astype(np.int64) * NR + self.rank
        self.free_fr = np.bincount(fr, weights=exp, minlength=NF * NR).reshape(NF, NR)
        self.free_count = np.bincount(w.faction[:nc], minlength=NF).astype(np.int64)
        nkvd = w.faction[:nc] == NKVD
        reg = w.region[:nc]
        in_reg = nkvd & (reg >= 0)
        # free NKVD officers by region, in persons (a whole-tier chief counts 1, a scaled officer 1/scale)
        self.nkvd_free = np.bincount(reg[in_reg], weights=exp[in_reg], minlength=w.n_regions)
        self.nkvd_free0 = self.nkvd_free.copy()
        self.org_size0 = np.bincount(w.org, minlength=w.org_kind.size).astype(np.int64)
        self.org_lost = np.zeros(w.org_kind.size, np.int64)
        self.org_head = w.org_head.copy()
        self.removed = np.zeros(nc, bool)  # the regional top removed from their posts (decline), not yet arrested
        self.removed_list = np.empty(0, np.int64)
        self.guard = np.zeros(nc, bool)  # in post, to be removed before an arrest (decline.remove_before_list)
        self.head0 = w.org_head[(w.org_kind == Institution.PARTY) & (w.org_head >= 0)].copy()  # first secretaries at the start
        # mass blocks: registered, arrested and processed (sentenced or released) pointers, FIFO
        self.reg_ptr = w.block_start + w.block_registered
        self.arr_ptr = w.block_start.copy()
        self.sen_ptr = w.block_start.copy()
        R = w.n_regions
        self.lim_initial1 = w.limit_cat1.copy()
        self.lim_initial2 = w.limit_cat2.copy()
        self.lim1 = np.zeros(R)
        self.lim2 = np.zeros(R)
        self.ordered_room = np.zeros(R)  # limits set by the centre (initial and central increases)
        self.approved_room = np.zeros(R)  # limits added by approved regional requests
        self.used1 = np.zeros(R)
        self.used2 = np.zeros(R)
        self.arrested_00447 = np.zeros(R)
        self.last_request = np.full(R, -10_000)
        # centre and alarm
        self.alarm = np.zeros(NF)
        self.immunity = np.zeros(NR)
        self.control = 1.0
        self.flags: dict[str, int] = {}  # name -> week the thing happened
        self.special_troikas_until = -1
        self.cause_counts = np.zeros(len(CAUSES))
        self.named_done: set[str] = set()
        #: the columns and counters an arrest of cadre updates (:func:`~makhovik.kernels.arrest_free`)
        self.arrest_cols = ArrestCols(self.status, self.arrest_week, self.cause, w.faction, self.rank, self.exp,
                                      w.region, w.org, self.free_fr, self.free_count, self.nkvd_free, self.org_lost,
                                      self.cause_counts)

    # ------------------------------------------------------------------ queries
    def happened(self, flag: str, by: int | None = None) -> bool:
        """Whether ``flag`` has happened (by week ``by``, default now)."""
        w = self.flags.get(flag)
        return w is not None and w <= (self.week if by is None else by)

    def stopped(self) -> bool:
        """Whether a stop order has taken effect."""
        return self.happened("stop_effective")

    # ------------------------------------------------------------------ arrests
    def arrest_cadre(self, idx: np.ndarray, cause: int | np.ndarray) -> np.ndarray:
        """Arrest free cadre ``idx`` now; returns those actually arrested (free, in order of first listing).

        ``cause`` is one code or one per entry of ``idx``; an agent listed twice is arrested
        for the cause of its first entry.
        """
        idx = arrest_free(np.asarray(idx, dtype=np.int64), np.atleast_1d(np.asarray(cause, np.int8)), self.week,
                          self.arrest_cols)
        if idx.size:  # their cases are open; they are interrogated this week
            self.pending_cadre = np.concatenate([self.pending_cadre, idx])
            self.frontier.append(idx)
        return idx

    def sentence_slice(self, idx, cats: np.ndarray) -> None:
        """Sentence agents (a slice or index array): 1 = category 1 (shot), 2 = camp, 3 = released."""
        self.sentence[idx] = cats
        self.sentence_week[idx] = self.week
        self.status[idx] = STATUS_OF_SENTENCE[cats]

    def promote(self, agent: int, new_rank: int) -> None:
        """Set a free cadre agent's rank (a replacement into a vacated post, or a removal from one).

        The agent becomes an individual (expansion 1): a post has one holder at every scale.
        """
        promote_agent(int(agent), int(new_rank), self.world.faction, self.free_fr, self.exp, self.whole, self.rank)
