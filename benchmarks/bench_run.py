"""Wall time and peak memory of ``makhovik run`` at several scales, each in a fresh process.

Usage::

    python benchmarks/bench_run.py                 # scales 0.01 0.1 1.0, hypothesis seed
    python benchmarks/bench_run.py --scales 0.01 0.1 --hypothesis center --repeat 3

Prints a Markdown table and writes ``benchmarks/results.json``. Targets (DESIGN.md): a
full-scale run in seconds; a reduced-scale run for calibration a small fraction of a second.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CODE = """
import json, sys, time
t0 = time.perf_counter()
import makhovik
t1 = time.perf_counter()
scn = makhovik.load_scenario("great-terror", hypothesis=sys.argv[1], scale=float(sys.argv[2]))
res = makhovik.simulate(scn, seed=int(sys.argv[3]))
t2 = time.perf_counter()
from makhovik.io import write_run
write_run(res, sys.argv[4], figure=True, force=True)
t3 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "build_s": res.timings["build_s"], "run_s": res.timings["run_s"],
                  "simulate_s": t2 - t1, "write_s": t3 - t2, "agents": res.world_summary["agents"]}))
"""


def one(hypothesis: str, scale: float, seed: int) -> dict:
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        p = subprocess.Popen([sys.executable, "-c", CODE, hypothesis, str(scale), str(seed), str(Path(d) / "out")],
                             stdout=subprocess.PIPE, text=True)
        out = p.stdout.read()
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
    if status != 0:
        raise SystemExit(f"run at scale {scale} failed with status {status}")
    row = json.loads(out.strip().splitlines()[-1])
    row.update(scale=scale, hypothesis=hypothesis, wall_s=wall, peak_rss_mb=usage.ru_maxrss / 1024)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", type=float, nargs="+", default=[0.01, 0.1, 1.0])
    ap.add_argument("--hypothesis", default="seed")
    ap.add_argument("--seed", type=int, default=1937)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    rows = [one(args.hypothesis, s, args.seed + k) for s in args.scales for k in range(args.repeat)]
    print("| scale | agents | build s | run s | write s | wall s (whole process) | peak RSS MB |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['scale']:g} | {r['agents']:,} | {r['build_s']:.2f} | {r['run_s']:.2f} | {r['write_s']:.2f} "
              f"| {r['wall_s']:.2f} | {r['peak_rss_mb']:.0f} |")
    meta = {"machine": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version()}
    Path(__file__).with_name("results.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
