"""Runs per second at a reduced scale, the budget calibration needs (tens of thousands of runs in minutes).

Usage::

    python benchmarks/bench_calibration_speed.py --scale 0.001 --runs 20
"""

from __future__ import annotations

import argparse
import time

import makhovik


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=0.001)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--hypothesis", default="interaction")
    a = ap.parse_args()
    scn = makhovik.load_scenario("great-terror", hypothesis=a.hypothesis, scale=a.scale)
    makhovik.simulate(scn, seed=0, log_requests=False)  # warm up imports and caches
    t0 = time.perf_counter()
    for s in range(a.runs):
        makhovik.simulate(scn, seed=s, log_requests=False)
    dt = (time.perf_counter() - t0) / a.runs
    print(f"scale {a.scale:g}, hypothesis {a.hypothesis}: {dt * 1000:.0f} ms per run (build + run + tables), "
          f"{1 / dt:.1f} runs/s on one core")


if __name__ == "__main__":
    main()
