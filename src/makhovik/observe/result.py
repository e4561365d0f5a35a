"""The result of a run: tidy tables built once, at the end, from the agents' arrays."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numba import njit

from ..codes import (
    CADRE_FACTIONS,
    CAUSES,
    FACTIONS,
    INSTITUTIONS,
    RANKS,
    SENTENCES,
    STATUSES,
    TRACKS,
    Operation,
)
from ..mechanisms.flywheel import reproduction
from ..scenario.schema import Scenario
from ..world.agents import CC_1934, DELEGATE_17, MILITARY_COUNCIL, World

__all__ = ["Result", "build_result", "TRACKS", "operation_labels"]

MEASURES = ("arrests", "cat1", "cat2", "executions", "releases")


def _cat(codes, categories) -> pd.Categorical:
    """A categorical column from codes made here, valid by construction (pandas' check of the codes skipped)."""
    return pd.Categorical.from_codes(codes, categories, validate=False)


def operation_labels(world: World) -> tuple[list[str], np.ndarray]:
    """Operation labels (``cadre`` last) and, for each contingent, the index of its label."""
    per = []
    for name, op in zip(world.contingent_names, world.contingent_operation, strict=True):
        op = Operation(int(op))
        per.append(f"national_{name}" if op == Operation.NATIONAL else op.name.lower())
    labels = list(dict.fromkeys(per)) + ["cadre"]
    return labels, np.array([labels.index(x) for x in per], np.int64)


@dataclass
class Result:
    """Tables of one run.

    Attributes
    ----------
    weekly : DataFrame
        One row per week and group (track, operation, faction, region, tier) with any
        activity: ``arrests``, ``cat1`` and ``cat2`` sentences, ``executions``, ``releases``
        (simulated agents), and ``expansion``, the persons each agent stands for
        (1/scale for scaled tiers, 1 for the elite tiers kept whole).
    events : DataFrame
        The event log: ``date``, ``week``, ``event``, ``kind`` (exogenous / endogenous), ``detail``.
    series : DataFrame
        Weekly state: pressure, appetite, control index, R_eff, alarm, immunity, power shares, and
        ``arrested_persons``, the persons arrested that week as counted when the arrests were made (the
        ledger :func:`~makhovik.testing.check_invariants` holds the tables against).
    power : DataFrame
        Faction power shares by week (long form; built when first read).
    agents : DataFrame
        Final status of every agent (built when first read: a run that only needs the
        weekly counts does not pay for a table of every agent).
    limits : DataFrame
        Order 00447 limits by region at the end of the run, in simulated agents: initial and
        final limits by category, sentences used, arrests counted against them, and the parts
        of the limit the centre set (``ordered_room``) or approved on request (``approved_room``).
    work : dict
        What the run did, for benchmarks: ``ties_read``, the ties the interrogations read.
    """

    scenario: Scenario
    weekly: pd.DataFrame
    events: pd.DataFrame
    series: pd.DataFrame
    limits: pd.DataFrame
    world_summary: dict
    timings: dict = field(default_factory=dict)
    seed: int | None = None
    work: dict = field(default_factory=dict)
    #: the tables built when first read: name -> a table, or the function that builds it
    lazy: dict = field(default_factory=dict, repr=False)

    def __getstate__(self) -> dict:
        """Pickled with every table built (the builders are closures over the run's arrays)."""
        state = self.__dict__.copy()
        state["lazy"] = {name: self._lazy(name) for name in self.lazy}
        return state

    def _lazy(self, name: str) -> pd.DataFrame:
        t = self.lazy[name]
        if callable(t):
            t = self.lazy[name] = t()
        return t

    @property
    def power(self) -> pd.DataFrame:
        return self._lazy("power")

    @property
    def agents(self) -> pd.DataFrame:
        return self._lazy("agents")

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables by name, as written to Parquet.

        Returns
        -------
        dict of str to DataFrame
            ``weekly``, ``events``, ``series``, ``power``, ``agents``, ``limits`` (the lazy
            tables are built here if they were not yet).

        Examples
        --------
        >>> import makhovik
        >>> res = makhovik.simulate(makhovik.load_scenario("great-terror", scale=0.001), seed=2)
        >>> sorted(res.tables())
        ['agents', 'events', 'limits', 'power', 'series', 'weekly']
        """
        return {"weekly": self.weekly, "events": self.events, "series": self.series, "power": self.power,
                "agents": self.agents, "limits": self.limits}

    def totals(self, by: tuple[str, ...] = ("track",), freq: str = "W") -> pd.DataFrame:
        """Expanded counts (persons) summed by the given columns, per week (``W``) or year (``Y``).

        Parameters
        ----------
        by : tuple of str
            Columns of :attr:`weekly` to group by (``track``, ``operation``, ``faction``,
            ``region``, ``tier``); ``()`` for all together.
        freq : {"W", "Y"}
            One row per week (a ``date`` column) or per calendar year (a ``year`` column).

        Returns
        -------
        DataFrame
            The grouping columns and ``arrests``, ``cat1``, ``cat2``, ``executions``,
            ``releases`` in persons (each agent counted ``expansion`` times).

        Examples
        --------
        >>> import makhovik
        >>> res = makhovik.simulate(makhovik.load_scenario("great-terror", hypothesis="center", scale=0.001), seed=1)
        >>> print(res.totals(by=("track",), freq="Y").head(4).round().to_string(index=False))
         year track  arrests     cat1     cat2  executions  releases
         1936 elite  17082.0     42.0  13018.0        42.0       0.0
         1936  mass 131000.0      0.0 112000.0         0.0       0.0
         1937 elite 163141.0  48990.0  87340.0     44990.0    1033.0
         1937  mass 739000.0 246000.0 400000.0    237000.0    4000.0
        """
        df = self.weekly
        exp = df[list(MEASURES)].mul(df["expansion"], axis=0)
        key = pd.DataFrame({"year": pd.to_datetime(df["date"]).dt.year} if freq == "Y" else {"date": df["date"]})
        for b in by:
            key[b] = df[b].astype(str)
        out = pd.concat([key, exp], axis=1).groupby(list(key.columns), observed=True, sort=True)[list(MEASURES)].sum()
        return out.reset_index()

    def annual(self) -> pd.DataFrame:
        """Persons arrested, convicted (cat1 + cat2) and executed per year, all tracks.

        Returns
        -------
        DataFrame
            ``year``, ``arrested``, ``convicted``, ``executed``: whole persons, as the archival
            annual statistics count them (``makhovik data``).

        Examples
        --------
        >>> import makhovik
        >>> res = makhovik.simulate(makhovik.load_scenario("great-terror", hypothesis="center", scale=0.001), seed=1)
        >>> res.annual().set_index("year").loc[1937].tolist()
        [902141, 782330, 281990]
        """
        t = self.totals(by=(), freq="Y")
        return pd.DataFrame({
            "year": t["year"].astype(int),
            "arrested": t["arrests"].round().astype(np.int64),
            "convicted": (t["cat1"] + t["cat2"]).round().astype(np.int64),
            "executed": t["executions"].round().astype(np.int64),
        })

    def event_date(self, name: str) -> dt.date | None:
        """Date of the first occurrence of an event, or None.

        Parameters
        ----------
        name : str
            An event id of :attr:`events` (``mass_operations_start``, ``kosior_arrested``...).

        Returns
        -------
        datetime.date or None
            The Monday of the week it happened in; None if it never did.

        Examples
        --------
        >>> import makhovik
        >>> res = makhovik.simulate(makhovik.load_scenario("great-terror", hypothesis="center", scale=0.001), seed=1)
        >>> res.event_date("mass_operations_start"), res.event_date("no_such_event")
        (datetime.date(1937, 6, 28), None)
        """
        hit = self.events.loc[self.events["event"] == name, "date"]
        return None if hit.empty else hit.iloc[0]


@functools.lru_cache(maxsize=16)
def _dates(start: dt.date, n_weeks: int) -> np.ndarray:
    """The date each week starts (the tables copy it)."""
    dates = np.array([start + dt.timedelta(weeks=w) for w in range(n_weeks)], dtype=object)
    dates.flags.writeable = False
    return dates


def build_result(scenario: Scenario, world: World, ctx, series_arr: np.ndarray, elapsed: float) -> Result:
    from ..engine import SERIES_COLUMNS

    st = ctx.state
    n_weeks = scenario.calendar.n_weeks
    dates = _dates(scenario.calendar.start, n_weeks)
    ops, op_of_contingent = operation_labels(world)
    R = world.n_regions

    n_ops, F, RR = len(ops), len(FACTIONS), R + 1
    lag = scenario.mechanisms.nkvd.exec_lag_weeks
    wk, k, stacked = _weekly_counts(st.arrest_week, st.sentence_week, st.sentence, world.contingent, world.faction,
                                    world.region, st.whole, op_of_contingent, n_ops, F, RR, n_weeks, lag)
    k, tier = np.divmod(k, 2)
    k, rg = np.divmod(k, RR)
    o, f = np.divmod(k, F)
    region_labels = world.region_names + ["central"]
    weekly = pd.DataFrame({
        "week": wk.astype(np.int32),
        "date": dates[wk] if wk.size else np.empty(0, object),
        "track": _cat((o != n_ops - 1).astype(np.int8), TRACKS),
        "operation": _cat(o, ops),
        "faction": _cat(f, list(FACTIONS)),
        "region": _cat(rg, region_labels),
        "tier": _cat(tier.astype(np.int8), ["scaled", "whole"]),
        **{m: stacked[i] for i, m in enumerate(MEASURES)},
        "expansion": np.where(tier == 1, 1.0, 1.0 / world.scale),
    })

    r_eff, cadre_arrests = reproduction(world, st)
    series = pd.DataFrame({"week": np.arange(n_weeks, dtype=np.int32), "date": dates,
                           **dict(zip(SERIES_COLUMNS, series_arr.T, strict=True)),
                           "r_eff": r_eff, "cadre_arrests": cadre_arrests})

    events = pd.DataFrame(ctx.events, columns=["week", "date", "event", "kind", "detail"])  # in week order

    limits = pd.DataFrame({
        "region": world.region_names, "republic": world.region_republic,
        "initial_cat1": st.lim_initial1, "initial_cat2": st.lim_initial2,
        "limit_cat1": st.lim1, "limit_cat2": st.lim2, "used_cat1": st.used1, "used_cat2": st.used2,
        "arrested": st.arrested_00447, "ordered_room": st.ordered_room, "approved_room": st.approved_room,
    })
    power = series_arr[:, [SERIES_COLUMNS.index(f"power_{f}") for f in CADRE_FACTIONS]]
    return Result(scenario=scenario, weekly=weekly, events=events, series=series, limits=limits,
                  world_summary=world.summary(), timings={"run_s": elapsed},
                  work={"ties_read": ctx.ties_read},
                  lazy={"power": lambda: _power_table(power, dates),
                        "agents": _agents_builder(world, st)})


@njit(cache=True, nogil=True)
def _cells_of(arrest_week, sentence, sentence_week, lag, n_weeks):  # pragma: no cover - compiled
    """(week, measure) of an arrested agent's arrest, sentence and execution; week -1 for none or out of the run."""
    aw, sw = np.int64(arrest_week), np.int64(sentence_week)
    ew = sw + lag if sw >= 0 and sentence == 1 else -1
    if sw < 0 or sentence < 1 or sentence > 3:
        sw = -1
    return ((aw if aw < n_weeks else -1, 0), (sw if sw < n_weeks else -1, (0, 1, 2, 4)[sentence & 3]),
            (ew if ew < n_weeks else -1, 3))


@njit(cache=True, nogil=True)
def _weekly_counts(arrest_week, sentence_week, sentence, contingent, faction, region, whole, op_of_contingent, n_ops,
                   F, RR, n_weeks, lag):  # pragma: no cover - compiled
    """The weekly table's counts in two passes over the agents.

    Each arrested agent falls in a group ``((operation x F + faction) x RR + region) x 2 + whole``
    (cadre: the last operation; no region: ``RR - 1``). Its arrest, its sentence and its
    execution (``lag`` weeks after a category-1 sentence) count in cells (week, group); the
    first pass marks the cells used, the second counts into them. Returns the week and group
    of each cell with any count (week by week, groups in increasing order) and the counts,
    measure by measure (:data:`MEASURES`).
    """
    nc = whole.size
    n_agents = arrest_week.size
    idx = np.empty(n_agents, np.int64)  # the arrested
    key = np.empty(n_agents, np.int64)  # and their groups
    n = 0
    present = np.zeros(n_ops * F * RR * 2, np.bool_)
    for a in range(n_agents):
        if arrest_week[a] < 0:
            continue
        op = n_ops - 1 if a < nc else op_of_contingent[contingent[a]]
        reg = region[a] if region[a] >= 0 else RR - 1
        k = ((op * F + int(faction[a])) * RR + int(reg)) * 2 + (1 if a < nc and whole[a] else 0)
        idx[n], key[n] = a, k
        n += 1
        present[k] = True
    groups = np.flatnonzero(present)
    gid = np.cumsum(present) - 1
    ng = groups.size
    cell = np.zeros(n_weeks * ng, np.int64)  # 1 where used, then each used cell's row in the output (-1: unused)
    for i in range(n):
        a = idx[i]
        for week, _ in _cells_of(arrest_week[a], sentence[a], sentence_week[a], lag, n_weeks):
            if week >= 0:
                cell[week * ng + gid[key[i]]] = 1
    n_cells = 0
    for c in range(cell.size):
        if cell[c]:
            cell[c] = n_cells
            n_cells += 1
        else:
            cell[c] = -1
    week_of = np.empty(n_cells, np.int64)
    group_of = np.empty(n_cells, np.int64)
    for c in range(cell.size):
        if cell[c] >= 0:
            week_of[cell[c]] = c // ng
            group_of[cell[c]] = groups[c % ng]
    counts = np.zeros((5, n_cells), np.int64)
    for i in range(n):
        a = idx[i]
        for week, measure in _cells_of(arrest_week[a], sentence[a], sentence_week[a], lag, n_weeks):
            if week >= 0:
                counts[measure, cell[week * ng + gid[key[i]]]] += 1
    return week_of, group_of, counts


def _power_table(power: np.ndarray, dates: np.ndarray) -> pd.DataFrame:
    """Faction power shares (weeks x cadre factions) in long form, faction after faction."""
    n_weeks, nf = power.shape
    return pd.DataFrame({
        "week": np.tile(np.arange(n_weeks, dtype=np.int32), nf), "date": np.tile(dates, nf),
        "faction": np.repeat(np.array(CADRE_FACTIONS, object), n_weeks),
        "share": power.T.ravel(),
    })


def _agents_builder(world: World, st):
    """The function that builds the agents table; it keeps the columns it reads, not the world (nor its ties)."""
    nc, n, R = world.n_cadre, world.n, world.n_regions
    region_labels = world.region_names + ["central"]
    contingents, mil_ranks = ["(cadre)"] + list(world.contingent_names), ["(none)"] + list(world.mil_rank_names)
    faction, region, institution, rank0 = world.faction, world.region, world.institution, world.rank
    contingent, bodies_c, mil_c = world.contingent, world.bodies, world.mil_rank
    rank_now, status, cause, sentence = st.rank, st.status, st.cause, st.sentence
    arrest_week, sentence_week = st.arrest_week, st.sentence_week

    def build() -> pd.DataFrame:
        bodies = np.zeros(n, np.uint8)
        bodies[:nc] = bodies_c
        mil = np.zeros(n, np.int8)
        mil[:nc] = mil_c
        rank = rank0.copy()
        rank[:nc] = rank_now
        reg_all = region.astype(np.int64)
        agents = pd.DataFrame({
            "faction": _cat(faction, list(FACTIONS)),
            "region": _cat(np.where(reg_all < 0, R, reg_all), region_labels),
            "institution": _cat(institution, list(INSTITUTIONS)),
            "rank": _cat(rank, list(RANKS)),
            "contingent": _cat(contingent.astype(np.int64) + 1, contingents),
            "cc_1934": (bodies & CC_1934) > 0,
            "delegate_17": (bodies & DELEGATE_17) > 0,
            "military_council": (bodies & MILITARY_COUNCIL) > 0,
            "mil_rank": _cat(mil, mil_ranks),
            "status": _cat(status, list(STATUSES)),
            "arrest_week": arrest_week,
            "sentence_week": sentence_week,
            "sentence": _cat(sentence, list(SENTENCES)),
            "cause": _cat(cause.astype(np.int64) + 1, ["(none)"] + list(CAUSES)),
        })
        agents.index.name = "agent"
        return agents

    return build
