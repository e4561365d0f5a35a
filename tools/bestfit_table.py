#!/usr/bin/env python3
"""The best fits of several hypotheses side by side: the table of reports/*-best-fit/README.md.

Usage: python tools/bestfit_table.py DIR [DIR ...] [--out FILE]

Each DIR is the output of ``makhovik fit`` for one hypothesis (``fit.json`` and ``compare.csv``:
the fresh runs at the best fit). Prints, as Markdown, one row per hypothesis with its search and
fresh-run distances, then one row per observable with the record and each hypothesis's median
(5-95% range) and distance; ``--out`` writes it.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path


def table(dirs: list[Path]) -> str:
    fits = {}
    rows: dict[str, dict] = {}
    for d in dirs:
        fit = json.loads((d / "fit.json").read_text())
        h = fit["hypothesis"]
        fits[h] = fit
        with (d / "compare.csv").open(newline="") as fh:
            for r in csv.DictReader(fh):
                rows.setdefault(r["observable"], {"record": r["archival"]})[h] = (r["simulated"], float(r["distance"]))
    hs = list(fits)
    out = ["| hypothesis | parameters | search distance | fresh-run distance (median) | evaluations | time |",
           "|---|---|---|---|---|---|"]
    for h, f in fits.items():
        out.append(f"| {h} | {len(f['parameters'])} | {f['distance']:.2f} ({f['replicates']} seeds) | "
                   f"{f['distance_fresh_runs']['fitted']:.2f} | {f['evaluations']} | {f['elapsed_s'] / 60:.1f} min |")
    out += ["", "| observable | record | " + " | ".join(hs) + " |", "|---|---|" + "---|" * len(hs)]
    for name, r in rows.items():
        out.append(f"| {name} | {r['record']} | " + " | ".join(
            f"{r[h][0]} ({r[h][1]:.2f})" if h in r else "" for h in hs) + " |")
    return "\n".join(out) + "\n"


def main(doc: str = __doc__, make=table) -> int:
    """The command line of a tool that makes a Markdown table from fit folders (this one, fidelity_bar.py)."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dirs", nargs="+", type=Path)
    ap.add_argument("--out", type=Path)
    a = ap.parse_args()
    text = make(a.dirs)
    if a.out:
        a.out.write_text(text)
    print(text, end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
