"""The memory a world will take, estimated from the scenario before anything is built.

:func:`check` refuses a world whose estimate exceeds the memory available (a
:class:`~makhovik.errors.ScenarioError`: exit code 2 on the command line), so an
impossible size fails in a millisecond with the numbers, instead of after minutes of
swapping or an out-of-memory kill.

The estimate is ``BASE + PER_AGENT x agents + PER_TIE_ENTRY x tie entries``. The
coefficients come from measured peaks of whole processes (build, run, result tables, and
for the command also the Parquet files and the figure) on this project's machine,
rounded up by 40% or more: at scale 1 with 9.26 M agents, 0.80 GiB with 13.2 M tie
entries and 1.61 GiB with 105.7 M (dense workplace circles; the whole command 1.60 GiB),
0.31 GiB at scale 0.1 (see ``benchmarks/results.md``). A tie is stored twice (once per
end) in 5 bytes (an int32 index and an int8 value), and again in the merged CSR the
interrogations read (an int32 index and an int8 type).

The memory available is the smallest of: ``MemAvailable`` in ``/proc/meminfo``, the
cgroup limit less current use (containers), and ``MAKHOVIK_MEMORY_GIB`` if set.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import ScenarioError

__all__ = ["Footprint", "estimate", "available_bytes", "check", "BASE", "PER_AGENT", "PER_TIE_ENTRY"]

GIB = 2**30
BASE = 0.35 * GIB
PER_AGENT = 120.0
PER_TIE_ENTRY = 9.0
WHOLE_ELITE = 18_000  # CC, delegates, named ranks, senior cadre and leaders: kept whole at every scale
ELITE_CIRCLE = 2_500  # those among them in the elite and military-party networks


@dataclass(frozen=True)
class Footprint:
    agents: int
    cadre: int
    tie_entries: int

    @property
    def bytes(self) -> float:
        return BASE + PER_AGENT * self.agents + PER_TIE_ENTRY * self.tie_entries

    @property
    def gib(self) -> float:
        return self.bytes / GIB


def estimate(scenario) -> Footprint:
    """Agents, cadre and tie entries the scenario's world will have, to within a few percent.

    Examples
    --------
    >>> from makhovik import load_scenario
    >>> f = estimate(load_scenario("great-terror", scale=1.0))
    >>> 9.0e6 < f.agents < 9.6e6, round(f.gib, 1)
    (True, 1.5)
    """
    w, t = scenario.world, scenario.ties
    s = w.scale
    cadre = int(s * (w.party_members + w.army_officers + w.nkvd_staff) + WHOLE_ELITE)
    mass = int(s * sum(c.pool for c in w.contingents.values()))
    per_cadre = 2 + (t.clique_size - 1)  # patronage (both ends) + workplace clique
    per_cadre += (t.opposition_degree + t.right_left_degree + t.nkvd_link_degree) * 0.05  # the opposition's 5%
    elite = ELITE_CIRCLE * (t.elite_degree + t.military_party_degree)
    return Footprint(agents=cadre + mass, cadre=cadre, tie_entries=int(cadre * per_cadre + elite))


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
            f"this world would take about {f.gib:,.1f} GiB ({f.agents:,} agents, {f.tie_entries // 2:,} ties) "
            f"but {room / GIB:,.1f} GiB is available; lower world.scale, the sizes "
            f"(world.party_members, world.contingents.*.pool) or ties.clique_size",
        )
    return f
