#!/usr/bin/env python3
"""Run many generated bad inputs through Makhovik's loading (makhovik.fuzz) and report every breach of the contract.

Usage: python tools/fuzz_inputs.py [--n 10000] [--seed 1] [--runs 50]

Each case is loaded as ``makhovik run`` loads it: a refusal must be one line of at most 500
characters naming the field; an accepted scenario must be usable (finite, non-negative, dated
within 1900-2100, a Monday start, events inside the calendar). ``--runs`` accepted cases are
then simulated at scale 0.001, written and checked against the invariants. Prints one line per
breach and a final ``FUZZ SUMMARY``; exits 1 when there is a breach.
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import time
import warnings
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=50)
    a = ap.parse_args()
    warnings.simplefilter("ignore")
    import makhovik
    from makhovik import fuzz
    from makhovik.cli import _load
    from makhovik.io import write_run
    from makhovik.testing import check_invariants

    t0 = time.monotonic()
    outcomes, breaches, ran = collections.Counter(), [], 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, c in enumerate(fuzz.cases(a.n, seed=a.seed)):
            d = Path(tmp) / str(c.id)
            o = fuzz.check(c, d)
            outcomes[o["outcome"]] += 1
            if o["breach"]:
                breaches.append(f"{c.id} {c.what}: {o['breach']} | {o['message'][:160]}")
                print("BREACH", breaches[-1], flush=True)
            elif o["outcome"] == "accepted" and ran < a.runs:
                ran += 1
                scenario = str(d / c.scenario) if c.scenario in c.files else c.scenario
                try:
                    res = makhovik.simulate(_load(scenario, str(d / c.hypothesis) if c.hypothesis else None, 0.001,
                                                  c.sets), seed=1)
                    write_run(res, d / "out", figure=True)
                    bad = check_invariants(res)
                except Exception as exc:  # noqa: BLE001 - reported
                    bad = [f"after validation: {type(exc).__name__}: {exc}"]
                if bad:
                    breaches.append(f"{c.id} {c.what}: ran: {'; '.join(bad)[:200]}")
                    print("BREACH", breaches[-1], flush=True)
            if (i + 1) % 1000 == 0:
                print(f"{i + 1:,} cases, {len(breaches)} breaches, {time.monotonic() - t0:.0f} s", flush=True)
    print(f"FUZZ SUMMARY: {a.n:,} cases ({dict(outcomes)}), {ran} accepted ones run, {len(breaches)} breaches, "
          f"{time.monotonic() - t0:.0f} s")
    return 1 if breaches else 0


if __name__ == "__main__":
    sys.exit(main())
