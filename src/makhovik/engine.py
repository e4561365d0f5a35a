"""The weekly loop that composes the mechanisms, and the event heap.

Each week, in order:

1. exogenous and scheduled events due this week fire (a heap ordered by week, priority,
   sequence);
2. alarm decays (``alarm``); pressures are computed (``pressure``);
3. the centre decides (``centre``); the regional top may be removed and vacated posts
   are filled (``decline``);
4. sanctioned, regional-initiative and cascade arrests of cadre (``flywheel``);
5. the NKVD machine: mass arrests, limit requests, sentencing (``nkvd``);
6. this week's arrested cadre are interrogated and name others (``flywheel``); their
   prosecutions lower immunity (``alarm``);
7. the control index is updated (``control``) and the week's state is recorded.
"""

from __future__ import annotations

import datetime as dt
import heapq
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from numba import njit

from ._rng import check_random_state, children
from .codes import (
    CADRE_FACTIONS,
    CAUSES,
    FACTIONS,
    FREE,
    RANKS,
    TIE_TYPES,
    Cause,
    Faction,
    Institution,
    Operation,
    Rank,
)
from .kernels import Pack, add_names, generator
from .mechanisms import alarm, centre, control, decline, flywheel, nkvd, pressure
from .scenario.schema import Scenario
from .state import State
from .world.agents import World
from .world.build import build_world
from .world.ties import group_order

__all__ = ["Context", "Index", "Machine", "simulate", "run_world"]

NC = len(CADRE_FACTIONS)
REGIONALS = int(Faction.REGIONALS)


@dataclass(order=True)
class _Scheduled:
    week: int
    priority: int
    seq: int
    name: str = field(compare=False)
    detail: str = field(compare=False, default="")
    kind: str = field(compare=False, default="endogenous")
    action: Callable[[Context], str | None] | None = field(compare=False, default=None)


class Machine(NamedTuple):
    """The run's parts of the compiled week (:func:`_machine_week`), each mechanism's own, in the week's order."""

    posts: decline.Posts  # 3. vacated posts filled
    flywheel: flywheel.Run  # 4. the flywheel's arrests
    nkvd: nkvd.Run  # 5. the NKVD machine
    interrogation: flywheel.Interrogation  # 6. the interrogations ...
    precedent: alarm.Precedent  # ... and the precedents of the prosecutions
    causes: np.ndarray  # persons arrested by cause (the mass arrests are added to it)
    scale: float


class Index(NamedTuple):
    """What a run derives from its scenario and world before the first week, made once (:meth:`build`) and
    read by the mechanisms (``ctx.index``); nothing here changes during the run."""

    hostility: np.ndarray  # faction x faction: how hostile each is to each (pressure, flywheel)
    target_weight: np.ndarray  # the centre's own wish to remove each faction (centre)
    naming: dict  # the namings' probabilities by tie type at each phase's intensity (flywheel)
    election_week: int | None  # the week of the elections, if any (pressure)
    top_regionals: np.ndarray  # the regional top (decline)
    party_orgs: np.ndarray  # the party organisations (decline)
    b_00447: np.ndarray  # the blocks of Order 00447's contingents (nkvd)
    b_nat: np.ndarray  # ... of the national operations'
    b_routine: np.ndarray  # ... of the routine contingent's
    b_campaign: np.ndarray  # ... of the mass operations' (00447 and national)
    arrest_share: np.ndarray  # by block, the share of its contingent the operation takes
    cat1_share: np.ndarray  # by block, the share sentenced to category 1
    national_size: float  # agents in the national operations' blocks (the album's capacity is a share of it)
    nkvd_exposed: np.ndarray  # NKVD officers a new chief names: senior or tied across factions (nkvd)
    nkvd_staff: np.ndarray  # NKVD staff by region, at scale 1 (nkvd)
    org_order: np.ndarray  # cadre by organisation: organisation o's are org_order[org_ptr[o]:org_ptr[o + 1]] ...
    org_ptr: np.ndarray  # ... in agent order (decline)

    @classmethod
    def build(cls, scenario: Scenario, world: World, week_of: Callable, rng: np.random.Generator) -> Index:
        p = scenario.mechanisms
        target_weight = np.zeros(len(FACTIONS))
        for f, v in p.centre.target_weight.items():
            target_weight[FACTIONS.index(f)] = v
        base = np.array([p.flywheel.naming.get(t, 0.0) for t in TIE_TYPES])
        naming = {i: np.minimum(base * i, 1.0)  # the namings' probabilities at each phase's intensity
                  for i in (p.flywheel.precampaign_intensity, p.flywheel.campaign_intensity,
                            p.flywheel.post_stop_intensity)}
        el = [e for e in scenario.events if e.kind == "elections"]
        ops = world.contingent_operation[world.block_contingent] if world.block_contingent.size else np.empty(0, int)
        b_00447 = np.flatnonzero(ops == Operation.OP00447)
        b_nat = np.flatnonzero(ops == Operation.NATIONAL)
        specs = [scenario.world.contingents[n] for n in world.contingent_names]
        nc = world.n_cadre
        nk = world.faction[:nc] == Faction.NKVD
        tied = np.diff(world.ties["cross_faction"].indptr) > 0  # with at least one cross-faction tie
        n_org = world.org_kind.size
        org_ptr = np.zeros(n_org + 1, np.int64)
        np.cumsum(np.bincount(world.org, minlength=n_org), out=org_ptr[1:])
        return cls(
            hostility=pressure.hostility_matrix(p),
            target_weight=target_weight,
            naming=naming,
            election_week=week_of(el[0].date) if el else None,
            top_regionals=decline.top_regionals(world),
            party_orgs=np.flatnonzero(world.org_kind == Institution.PARTY),
            b_00447=b_00447,
            b_nat=b_nat,
            b_routine=np.flatnonzero(ops == Operation.ROUTINE),
            b_campaign=np.concatenate([b_00447, b_nat]),
            arrest_share=np.array([specs[c].arrest_share for c in world.block_contingent], float),
            cat1_share=np.array([specs[c].cat1_share for c in world.block_contingent], float),
            national_size=float(world.block_size[b_nat].sum()),
            nkvd_exposed=np.flatnonzero(nk & ((world.rank[:nc] >= Rank.SENIOR) | tied)),
            nkvd_staff=scenario.world.nkvd_staff * world.region_weight / world.region_weight.sum(),
            org_order=group_order(world.org, n_org, False, rng),  # a counting sort: stable
            org_ptr=org_ptr,
        )


class Context:
    """What every mechanism gets: the scenario, world, state, one generator, the event log, and what the run
    derives from them once (:meth:`build` makes it; the constructor only stores)."""

    def __init__(self, scenario: Scenario, world: World, rng: np.random.Generator, state: State,
                 log_requests: bool = True):
        self.scenario = scenario
        self.params = scenario.mechanisms
        self.world = world
        self.rng = rng
        self.krng = Pack((rng,))  # the same generator, as the weekly kernels take it cheaply (kernels.generator)
        self.state = state
        self.log_requests = log_requests
        self.events: list[dict] = []
        self._heap: list[_Scheduled] = []
        self._seq = 0
        self.ties_read = 0  # ties the interrogations read (the cascade kernel's work)
        self.national_start: tuple = (-1, None)  # (flags seen, each national block's start week): nkvd

    @classmethod
    def build(cls, scenario: Scenario, world: World, rng: np.random.Generator, log_requests: bool = True) -> Context:
        """A run's context: the state, the :class:`Index` the mechanisms read, and each mechanism's run structure
        (``pressure``, ``machine``), made here, once, in this order."""
        state = State(world)
        state.n_weeks = scenario.calendar.n_weeks
        ctx = cls(scenario, world, rng, state, log_requests)
        ctx.index = Index.build(scenario, world, ctx.week_of, rng)
        alarm.init(ctx)
        ctx.pressure = pressure.run(ctx)
        ctx.machine = Machine(decline.posts(ctx), flywheel.run(ctx), nkvd.run(ctx), flywheel.interrogation(ctx),
                              alarm.precedent(ctx), state.cause_counts, float(world.scale))
        ctx.machine_pack = Pack((ctx.machine,))
        return ctx

    # -------------------------------------------------------------- events
    def week_of(self, date) -> int:
        return (date - self.scenario.calendar.start).days // 7

    def date_of(self, week: int):
        return self.scenario.calendar.start + dt.timedelta(weeks=int(week))

    def emit(self, name: str, detail: str = "", kind: str = "endogenous", log: bool = True) -> None:
        """Record that ``name`` happened this week."""
        if log:
            w = self.state.week
            self.events.append({"week": w, "date": self.date_of(w), "event": name, "kind": kind, "detail": detail})

    def schedule(self, week: int, name: str, detail: str = "", kind: str = "endogenous",
                 action: Callable | None = None, priority: int = 1) -> None:
        """Put an event on the heap; it fires (and is recorded) in week ``week``.

        ``action(ctx)`` runs when it fires; a string it returns is added to the log's detail.
        """
        self._seq += 1
        heapq.heappush(self._heap, _Scheduled(int(week), priority, self._seq, name, detail, kind, action))

    def fire_due(self) -> None:
        while self._heap and self._heap[0].week <= self.state.week:
            ev = heapq.heappop(self._heap)
            out = ev.action(self) if ev.action is not None else None
            self.emit(ev.name, f"{ev.detail}: {out}" if out else ev.detail, ev.kind)

    # -------------------------------------------------------------- agents
    def add_kompromat(self, idx: np.ndarray, times: np.ndarray | None = None) -> None:
        """One more naming (or ``times`` more) for each of ``idx`` (repeats count); they join the suspects."""
        st = self.state
        if idx.size == 0:
            return
        times = np.empty(0, np.float32) if times is None else times.astype(np.float32)
        new = add_names(np.asarray(idx, np.int64), times, st.kompromat, st.is_suspect)
        st.suspects = np.concatenate([st.suspects, new])


# ------------------------------------------------------------------ exogenous events
def _free_top(ctx, faction: str, k: int) -> np.ndarray:
    st, w = ctx.state, ctx.world
    g = FACTIONS.index(faction)
    lo, hi = int(w.faction_start[g]), int(w.faction_end[g])
    pool = lo + np.flatnonzero((st.status[lo:hi] == FREE) & (st.rank[lo:hi] >= Rank.TOP))
    if pool.size == 0 or k <= 0:
        return pool[:0]
    ranked = pool[np.lexsort((ctx.rng.random(pool.size), -st.rank[pool]))]
    return ranked[:k]


def _apply_exogenous(ctx: Context, ev) -> str:
    p = ctx.params.alarm
    st = ctx.state
    if ev.kind == "show_trial":
        got = st.arrest_cadre(_free_top(ctx, ev.faction, ev.defendants), Cause.ORDERED)
        alarm.shock(ctx, ev.faction, p.trial_alarm)
        alarm.show_trial(ctx)
        return f"{got.size} {ev.faction} defendants"
    if ev.kind == "nkvd_chief_change":
        nkvd.chief_change(ctx, ev.label or "new NKVD chief")
        return ev.label
    if ev.kind == "link_exposed":
        dens = alarm.link_density(ctx.world)
        for f in ("rightists", "leftists"):
            alarm.shock(ctx, f, p.link_alarm * dens)
        chief = ctx.world.named.get("nkvd_chief")
        if chief is not None:
            st.arrest_cadre(np.array([chief]), Cause.ORDERED)
        return f"link density {dens:.2f}"
    if ev.kind == "military_conspiracy":
        got = st.arrest_cadre(_free_top(ctx, ev.faction or "military", ev.defendants), Cause.ORDERED)
        alarm.shock(ctx, ev.faction or "military", p.military_alarm)
        return f"{got.size} commanders arrested"
    if ev.kind == "elections":
        P = pressure.power(ctx)
        c_side = P[Faction.CENTER] * ctx.params.centre.election_preference
        r_side = P[Faction.REGIONALS] * ctx.params.pressure.punitive.get("regionals", 0.0)
        return "competitive" if c_side > r_side else "single candidate per seat"
    if ev.kind == "special_troikas":
        st.special_troikas_until = st.week + ctx.params.nkvd.special_troika_weeks
        return f"national cases to special troikas for {ctx.params.nkvd.special_troika_weeks} weeks"
    raise ValueError(f"events.{ev.id}.kind: unknown kind {ev.kind!r}")  # pragma: no cover


def _schedule_exogenous(ctx: Context) -> None:
    for ev in ctx.scenario.events:
        wk = ctx.week_of(ev.date)
        if 0 <= wk < ctx.scenario.calendar.n_weeks:
            ctx.schedule(wk, ev.id, ev.label, kind="exogenous",
                         action=lambda c, ev=ev: _apply_exogenous(c, ev), priority=0)


# ------------------------------------------------------------------ the loop
_NONE = np.empty(0, np.int64)


def _machine(ctx: Context, pr) -> float:
    """Steps 3 (the posts) to 6 of the week in one compiled call (:func:`_machine_week`): the run's parts
    (``ctx.machine``, made once) with this week's inputs from each mechanism. Returns the intensity."""
    st = ctx.state
    inten = flywheel.intensity(ctx)
    earlier = np.concatenate(st.frontier) if st.frontier else _NONE  # arrested this week before (events, decline)
    requests, st.pending_cadre, st.suspects, read, moved = _machine_week(
        st.week, ctx.machine_pack, decline.appointees(ctx), flywheel.week_inputs(ctx, pr, inten),
        nkvd.week_inputs(ctx, pr), flywheel.naming(ctx, inten), earlier, st.pending_cadre, st.suspects, ctx.krng)
    ctx.ties_read += read
    nkvd.log_requests(ctx, requests)
    for a in np.unique(moved):  # the guarded top regionals the week would have arrested: removed first
        decline.remove(ctx, int(a))
    return inten


@njit(cache=True, nogil=True)
def _machine_week(week, pack, appointee, fly, mass, qs, earlier, pending, suspects, rng):  # pragma: no cover
    """Steps 3 to 6 of the week, each mechanism's compiled ``week`` on its part of the run (``pack``: the
    :class:`Machine`) with its part of this week:

    3. vacated posts filled (:func:`decline.week <makhovik.mechanisms.decline.week>`, ``appointee``);
    4. the flywheel's targeted and cascade arrests (:func:`flywheel.arrests <makhovik.mechanisms.flywheel.arrests>`,
       ``fly``), within the NKVD's capacity by region (they take it first);
    5. the NKVD machine with the new cadre cases (:func:`nkvd.week <makhovik.mechanisms.nkvd.week>`, ``mass``),
       on the capacity the cadre arrests left, its mass arrests added to the persons arrested by cause (1 / scale
       each);
    6. everyone arrested this week (``earlier`` and the flywheel's) interrogated
       (:func:`flywheel.interrogate <makhovik.mechanisms.flywheel.interrogate>`, at the namings' probabilities
       ``qs``), and the precedents their prosecutions set (:func:`alarm.prosecutions
       <makhovik.mechanisms.alarm.prosecutions>`).

    Returns the limit requests, the open cadre cases, the suspects, the ties read and the guarded top regionals
    the week would have arrested (for :func:`decline.remove <makhovik.mechanisms.decline.remove>`).
    """
    rng = generator(rng)
    m = pack.items[0]
    decline.week(m.posts, appointee, rng)
    room = nkvd.cadre_room(m.nkvd)
    left = room.copy()
    targeted, cascaded, keep, moved = flywheel.arrests(m.flywheel, fly, week, suspects, left, rng)
    counts, requests, pending = nkvd.week(week, m.nkvd, mass, np.concatenate((pending, targeted, cascaded)), room, left,
                                          rng)
    for c in range(m.causes.size):
        m.causes[c] += counts[c] / m.scale
    arrested = np.concatenate((earlier, targeted, cascaded))
    read = 0
    if arrested.size:
        new, read = flywheel.interrogate(m.interrogation, qs, arrested, rng)
        keep = np.concatenate((keep, new))
        alarm.prosecutions(m.precedent, arrested)
    return requests, pending, keep, read, moved


SERIES_COLUMNS = (
    ["pressure_mass", "appetite", "intensity", "control_index", "regional_heads_lost", "regional_strength",
     "suspects", "capacity", "alarm_total"]
    + [f"power_{f}" for f in CADRE_FACTIONS]
    + [f"alarm_{f}" for f in CADRE_FACTIONS]
    + [f"immunity_{r}" for r in RANKS]
    + ["arrested_persons"]
)


def run_world(scenario: Scenario, world: World, seed=None, progress: Callable[[int, int], None] | None = None,
              log_requests: bool = True):
    """Run the weekly loop over a built world; returns a :class:`makhovik.observe.Result`."""
    from .observe.result import build_result

    t0 = time.perf_counter()
    rng = check_random_state(seed)
    ctx = Context.build(scenario, world, rng, log_requests=log_requests)
    _schedule_exogenous(ctx)
    n_weeks = scenario.calendar.n_weeks
    st = ctx.state
    scalars = np.empty((n_weeks, 6))
    arrested = np.empty(n_weeks)  # persons arrested each week, counted as the arrests are made (a ledger)
    power, alarms = np.empty((n_weeks, len(FACTIONS))), np.empty((n_weeks, len(FACTIONS)))
    immunity, officers = np.empty((n_weeks, len(RANKS))), np.empty((n_weeks, world.n_regions))
    prev_causes = st.cause_counts.tolist()
    named = dict(world.named)
    for t in range(n_weeks):
        st.week = t
        st.frontier = []
        ctx.fire_due()
        alarm.decay(ctx)
        pr = pressure.compute(ctx)
        centre.step(ctx, pr)
        ctx.fire_due()  # events the centre scheduled for this very week (a zero lag)
        decline.step(ctx, pr)
        inten = _machine(ctx, pr)
        for label, idx in named.items():
            if label not in st.named_done and st.status[idx] != FREE:
                st.named_done.add(label)
                ctx.emit(f"{label}_arrested", f"agent {idx}")
        causes = st.cause_counts.tolist()
        new = [now - before for now, before in zip(causes, prev_causes, strict=True)]
        control.update(ctx, new)
        arrested[t] = sum(new)
        prev_causes = causes
        # the week's record; what can be worked out from it is, after the run
        scalars[t] = (pr.mass, centre.appetite(ctx), inten, st.control, pr.strength[REGIONALS], st.suspects.size)
        power[t], alarms[t], immunity[t], officers[t] = pr.power, st.alarm, st.immunity, st.nkvd_free
        if progress is not None:
            progress(t + 1, n_weeks)
    series = np.column_stack([
        scalars[:, :4], decline.heads_lost(st, n_weeks), scalars[:, 4:],
        nkvd.capacity(ctx.machine.nkvd.per_officer, officers).sum(axis=1) / world.scale, alarms.sum(axis=1),
        power[:, :NC], alarms[:, :NC], immunity, arrested])
    elapsed = time.perf_counter() - t0
    return build_result(scenario, world, ctx, series, elapsed)


def simulate(scenario: Scenario, seed=None, world: World | None = None,
             progress: Callable[[int, int], None] | None = None, log_requests: bool = True):
    """Build the world of a scenario and run it.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (see :func:`makhovik.load_scenario`).
    seed : None, int, SeedSequence or Generator
        The one source of randomness: the world and the run draw from generators spawned
        from it, so the same seed gives identical tables. A seed sequence is not changed (the
        same object twice gives the same run); a Generator is drawn from, as generators are.
    world : World, optional
        A prebuilt world (for hand-made test worlds); built from the scenario otherwise.
    progress : callable, optional
        Called as ``progress(weeks_done, weeks_total)`` after every week.

    log_requests : bool
        Record each regional limit request in the event log (calibration turns it off for speed).

    Returns
    -------
    Result
        The run's tables (:class:`makhovik.observe.Result`), its timings and its seed (the
        integer given, or None for a seed sequence or a Generator).

    Examples
    --------
    >>> from makhovik import load_scenario, simulate
    >>> res = simulate(load_scenario("great-terror", hypothesis="center", scale=0.001), seed=1)
    >>> res.annual()
       year  arrested  convicted  executed
    0  1936    148082     125060        42
    1  1937    902141     782330    281990
    2  1938   1366711    1437146    671990
    3  1939     48225      72330      1014
    >>> res.seed, sorted(res.weekly.columns)[:3]
    (1, ['arrests', 'cat1', 'cat2'])
    """
    if isinstance(seed, np.random.Generator):
        world_rng, run_rng = seed, seed
    else:  # the children spawn() would give, without spawning from (changing) the caller's seed sequence
        s_world, s_run = children(seed, 2)
        world_rng, run_rng = check_random_state(s_world), check_random_state(s_run)
    t0 = time.perf_counter()
    if world is None:
        world = build_world(scenario, world_rng)
    t_build = time.perf_counter() - t0
    res = run_world(scenario, world, run_rng, progress=progress, log_requests=log_requests)
    res.timings["build_s"] = t_build
    res.seed = int(seed) if isinstance(seed, int | np.integer) else None
    return res


__all__ += ["SERIES_COLUMNS", "CAUSES"]
