"""The memory a world will take, estimated from the scenario before anything is built.

:func:`check` refuses a world whose estimate exceeds the memory available (a
:class:`~makhovik.errors.ScenarioError`: exit code 2 on the command line), so an
impossible size fails in a millisecond with the numbers, instead of after minutes of
swapping or an out-of-memory kill.

:func:`estimate` counts what the builder (:func:`~makhovik.world.build.build_world`)
allocates, from every size the scenario gives: the agents of each tier (the elite tiers
of the data pack, the organisation heads, the opposition leaders, the regional NKVD chiefs,
the scaled rank and file and the mass contingents), the organisations (party organisations
per region, commissariats, army districts) and the ties of each type (patronage, workplace
cliques, opposition and cross-faction ties by the persons they join, the elite network by
its members). ``tests/test_world.py`` checks, for every size field of the schema, that the
estimate grows with it and bounds the world built.

The bytes are ``BASE + PER_AGENT x agents + PER_CADRE x cadre + PER_ORG x organisations +
PER_TIE_ENTRY x tie entries``. The coefficients are 1.45 times a least-squares fit to the
peak resident memory of whole processes (build, run, the result tables and the agents
table) on this project's machine (2 cores, 24 GiB), 3 December 2026, at scale 1, seed hypothesis:

======================================================  ======  ======  =======  ========
world                                                   agents   cadre  ties     peak GiB
======================================================  ======  ======  =======  ========
the base world                                           9.26 M  2.06 M  13.4 M     0.83
  without the mass contingents                           2.06 M  2.06 M  13.4 M     0.75
  party 9.5 M, no contingents                            9.66 M  9.66 M  63.2 M     2.67
  2 M opposition leaders, no contingents                 4.06 M  4.06 M  65.0 M     1.75
  1 M commissariats, no contingents                      3.06 M  3.06 M  28.2 M     1.10
  3 M commissariats (or 3 M party organisations)         5.06 M  5.06 M  38.0 M     1.56 (1.68)
  cliques of 12                                          9.26 M  2.06 M  27.8 M     1.16
  a routine contingent of 60 M                           67.3 M  2.06 M  13.4 M     3.02
======================================================  ======  ======  =======  ========

The fit gives 0.17 GiB, 38 bytes an agent, 142 more a cadre agent (its eight columns are
collected, concatenated and sorted by faction while the world is built), 26 an organisation
and 15 a tie entry (a tie is stored twice, once per end, as an int32 index and an int8
value, and again in the merged CSR the interrogations read); every world above is estimated
at 1.3 to 1.8 times its measured peak. Dense workplace circles cost less per entry (1.61 GiB
for 105.7 M entries in circles of 50, ``benchmarks/results.md``), so there the estimate is
about twice the peak.

The memory available is the smallest of: ``MemAvailable`` in ``/proc/meminfo``, the
cgroup limit less current use (containers), and ``MAKHOVIK_MEMORY_GIB`` if set.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import ScenarioError

__all__ = ["Footprint", "estimate", "available_bytes", "check", "BASE", "PER_AGENT", "PER_CADRE", "PER_ORG",
           "PER_TIE_ENTRY"]

GIB = 2**30
BASE = 0.35 * GIB
PER_AGENT = 55.0
PER_CADRE = 200.0
PER_ORG = 60.0
PER_TIE_ENTRY = 22.0
#: Poisson draws of the random ties exceed their means by a few standard deviations at most: 10% is ample.
RANDOM_TIES_MARGIN = 1.1


@dataclass(frozen=True)
class Footprint:
    agents: int
    cadre: int
    tie_entries: int
    orgs: int = 0

    @property
    def bytes(self) -> float:
        return BASE + PER_AGENT * self.agents + PER_CADRE * self.cadre + PER_ORG * self.orgs + \
            PER_TIE_ENTRY * self.tie_entries

    @property
    def gib(self) -> float:
        return self.bytes / GIB


def estimate(scenario) -> Footprint:
    """Agents, cadre, organisations and tie entries the scenario's world will have (upper bounds, within a few
    percent of the built world's).

    Examples
    --------
    >>> from makhovik import load_scenario
    >>> f = estimate(load_scenario("great-terror", scale=1.0))
    >>> 9.0e6 < f.agents < 9.6e6, round(f.gib, 1)
    (True, 1.5)
    """
    from ..scenario.schema import CADRE_FACTIONS
    from .inputs import MILITARY_RANKS, elite_sizes, region_plan

    w, t = scenario.world, scenario.ties
    s = w.scale
    sizes = elite_sizes()
    plan = region_plan(w)
    n_regions, n_party_orgs = len(plan.names), int(sum(plan.party_orgs))
    cc, delegates = sizes.get("cc_1934", 0), sizes.get("delegates_17", 0)
    mil_named = sum(sizes.get(r, 0) for r in MILITARY_RANKS)
    mil_top = sum(sizes.get(r, 0) for r, k in MILITARY_RANKS.items() if k >= 4)
    leaders = sum(w.opposition_leaders.values())
    senior = round(w.party_members * w.rank_shares.get("senior", 0.0))
    rank_file = round(w.party_members * (1.0 - w.rank_shares.get("senior", 0.0)) * s)
    army, nkvd = round(w.army_officers * s), round(w.nkvd_staff * s)
    # the heads of every party organisation and commissariat, the NKVD chief and its regional chiefs, the named
    # army ranks, the CC (at most all of it beside the heads), the congress delegates, the opposition leaders
    whole = n_party_orgs + w.commissariats + 1 + n_regions + mil_named + cc + max(delegates - cc, 0) + leaders + senior
    cadre = int(whole + rank_file + army + nkvd)
    mass = int(sum(round(c.pool * s) for c in w.contingents.values()))
    orgs = n_party_orgs + w.commissariats + w.army_districts + n_regions + 2

    # persons (whole agents count 1, scaled ones 1/scale) and the whole share of the two opposition factions
    shares = {f: w.party_faction_shares.get(f, 0.0) for f in CADRE_FACTIONS}
    total_share = sum(shares.values()) or 1.0
    opp_whole = leaders + cc + delegates + senior * (shares["rightists"] + shares["leftists"]) / total_share
    opp_scaled = w.party_members * (1 - w.rank_shares.get("senior", 0.0)) * \
        (shares["rightists"] + shares["leftists"]) / total_share
    opp_persons = opp_whole + opp_scaled
    pw = opp_whole / opp_persons if opp_persons else 1.0
    keep = pw * pw + (1 - pw * pw) * s  # the share of person-level ties kept among agents (ties.expansion_pairs)
    opposition_pairs = opp_persons * (t.opposition_degree / 2 + t.right_left_degree) * keep
    nkvd_pairs = opp_persons * t.nkvd_link_degree * (pw + (1 - pw) * s)
    elite = n_party_orgs + w.commissariats + 1 + mil_top + cc + max(delegates - cc, 0) + leaders
    military_party = mil_named * t.military_party_degree
    council = sizes.get("military_council", 0)
    council_pairs = council * (council - 1) / 2 * t.council_density
    entries = (2 + (t.clique_size - 1)) * cadre + RANDOM_TIES_MARGIN * (
        2 * (opposition_pairs + nkvd_pairs + military_party + council_pairs) + elite * t.elite_degree)
    return Footprint(agents=cadre + mass, cadre=cadre, tie_entries=int(entries), orgs=int(orgs))


def _cgroup_room() -> float | None:
    base = Path("/sys/fs/cgroup")
    try:
        limit = (base / "memory.max").read_text().strip()
        if limit == "max":
            return None
        return float(limit) - float((base / "memory.current").read_text())
    except (OSError, ValueError):
        return None


_SYSTEM_ROOM: list[float] = []  # the kernel's and the cgroup's, and when they were read


def available_bytes() -> float:
    """Memory this process may still take: the smallest of the kernel's, the cgroup's and ``MAKHOVIK_MEMORY_GIB``.

    The kernel's and the cgroup's figures are read at most once a second (a run at a small
    scale takes tens of milliseconds; reading them is a quarter of one).
    """
    room = list(_system_room())
    env = os.environ.get("MAKHOVIK_MEMORY_GIB")
    if env:
        try:
            room.append(float(env) * GIB)
        except ValueError:
            raise ScenarioError("MAKHOVIK_MEMORY_GIB", f"expected a number of GiB, got {env!r}") from None
    return min(room) if room else float("inf")


def _system_room() -> list[float]:
    now = time.monotonic()
    if _SYSTEM_ROOM and now - _SYSTEM_ROOM[0] < 1.0:
        return _SYSTEM_ROOM[1:]
    room = []
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                room.append(float(line.split()[1]) * 1024)
    except OSError:  # pragma: no cover - not Linux
        try:
            room.append(float(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")))
        except (ValueError, OSError, AttributeError):
            pass
    cg = _cgroup_room()
    if cg is not None:
        room.append(cg)
    _SYSTEM_ROOM[:] = [now, *room]
    return room


def check(scenario) -> Footprint:
    """Refuse (``ScenarioError`` on ``world``) a world whose estimated footprint exceeds the memory available."""
    f = estimate(scenario)
    room = available_bytes()
    if f.bytes > room:
        raise ScenarioError(
            "world",
            f"this world would take about {f.gib:,.1f} GiB ({f.agents:,} agents, {f.orgs:,} organisations, "
            f"{f.tie_entries // 2:,} ties) but {room / GIB:,.1f} GiB is available; lower world.scale, the sizes "
            f"(world.party_members, world.contingents.*.pool, world.commissariats, world.party_orgs, "
            f"world.opposition_leaders) or the degrees (ties.*)",
        )
    return f
