#!/usr/bin/env python3
"""The fidelity issue's bar, checked on best fits: which observables are within it, per hypothesis.

Usage: python tools/fidelity_bar.py DIR [DIR ...] [--out FILE]

Each DIR is the output of ``makhovik fit`` (or ``makhovik compare``) for one hypothesis: its
``compare.csv`` gives the median of each observable over the fresh runs. The bar (issue 12):
convicted, executed and arrested 1937 and 1938, the 1 Nov 1938 checkpoint and Order 00447's
convicted within 5% of the archival range; CC 1934 and the 17th Congress delegates within 10
percentage points; the start of the mass operations, Kosior's arrest and the stop order within
30 days. Prints a Markdown table (the gap of each median to the range, and whether it passes)
and the count passed per hypothesis; ``--out`` writes it.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

#: observable -> (kind of gap, the most it may be)
BAR = {
    **{f"{m}_{y}": ("pct", 5.0) for m in ("convicted", "executed", "arrested") for y in (1937, 1938)},
    "arrested_1936-10_to_1938-11": ("pct", 5.0),
    "convicted_1936-10_to_1938-11": ("pct", 5.0),
    "cat1_1936-10_to_1938-11": ("pct", 5.0),
    "op00447_convicted": ("pct", 5.0),
    "cc_1934_repressed": ("points", 10.0),
    "delegates_17_repressed": ("points", 10.0),
    "mass_operations_start": ("days", 30.0),
    "kosior_arrested": ("days", 30.0),
    "stop_order": ("days", 30.0),
}
UNIT = {"pct": "%", "points": " pts", "days": " d"}


def gap(kind: str, x: float, lo: float, hi: float, denominator: int | None) -> float:
    """How far ``x`` lies outside [lo, hi]: percent of the nearer end, percentage points of the body, or days.

    Examples
    --------
    >>> round(gap("pct", 830_000, 790_665, 790_665, None), 2), gap("points", 123, 98, 98, 139) > 17, gap("days", 5, 0, 10, None)
    (4.97, True, 0.0)
    """
    c = min(max(x, lo), hi)
    if kind == "pct":
        return abs(x - c) / c * 100 if c else float("inf")
    if kind == "points":
        return abs(x - c) / denominator * 100
    return float(abs(x - c))


def table(dirs: list[Path]) -> str:
    from makhovik.evidence.observables import observables

    obs = {o.name: o for o in observables()}
    med: dict[str, dict[str, float]] = {}
    for d in dirs:
        h = json.loads((d / "manifest.json").read_text())["hypothesis"]
        with (d / "compare.csv").open(newline="") as fh:
            med[h] = {r["observable"]: float(r["sim_median"]) for r in csv.DictReader(fh) if r["sim_median"]}
    hs = list(med)
    out = ["| observable | bar | record | " + " | ".join(hs) + " |", "|---|---|---|" + "---|" * len(hs)]
    passed = dict.fromkeys(hs, 0)
    for name, (kind, most) in BAR.items():
        o = obs[name]
        cells = []
        for h in hs:
            x = med[h].get(name)
            if x is None:
                cells.append("–")
                continue
            g = gap(kind, x, o.lo, o.hi, o.denominator)
            ok = g <= most
            passed[h] += ok
            cells.append(f"{o.format(x)} ({g:.0f}{UNIT[kind]}) {'pass' if ok else 'miss'}")
        out.append(f"| {name} | {most:g}{UNIT[kind]} | {o.describe_range()} | " + " | ".join(cells) + " |")
    out += ["", "Passed: " + ", ".join(f"{h} {passed[h]} of {len(BAR)}" for h in hs) + "."]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    from bestfit_table import main

    raise SystemExit(main(__doc__, table))
