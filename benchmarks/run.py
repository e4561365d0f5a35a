"""Makhovik's speed and memory, measured: every benchmark in one command.

Usage::

    pip install -e ".[bench]"
    python benchmarks/run.py               # everything (about 5 minutes on 2 cores)
    python benchmarks/run.py --quick       # small sizes only, to check the script (under a minute)

Sections (each heavy measurement in a fresh process, so peak memory is its own):

1. ``scales`` — build and run the great-terror scenario (hypothesis ``seed``) at 1:100, 1:10
   and 1:1, and at 1:1 with dense workplace ties (circles of 50 instead of cliques of 5, the
   naming probability cut in proportion: 53 million ties). Wall time, peak memory (RSS of
   the process), ties in the world and ties read by the cascade per second of run.
2. ``roofline`` — in the dense 1:1 process: a numba loop that only reads the ties of a
   frontier (the least work any cascade must do) against Makhovik's cascade kernel
   (:func:`makhovik.kernels.name_along_ties`, through its one-type form `name_neighbours`) on the same frontier.
3. ``throughput`` — runs per second at 1:100 on all cores (one warm process per core, as a
   calibration uses them; a run is build + run + result tables).
4. ``mesa`` — the cascade sub-model (the flywheel alone, 52 weeks) in Makhovik
   (:func:`makhovik.mechanisms.flywheel.cascade_submodel`) and in Mesa 3
   (``benchmarks/mesa_reference.py``) on the same networks, sizes growing until Mesa
   needs more than a minute; the speed ratio at each size, and a check that both give the
   same mean cascade size (difference of means within 4 standard errors).

Writes ``benchmarks/results.md`` and ``benchmarks/results.csv`` and ends with the line::

    summary: mesa_ratio=R full_scale_s=T full_scale_peak_gib=M roofline_ratio=Q runs_per_s_1pct=S
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DENSE = ["ties.clique_size=50", "mechanisms.flywheel.naming.workplace=0.0098"]  # 0.12 x 4 / 49
MESA_LIMIT_S = 60.0


# ----------------------------------------------------------------------------- child processes
def _child_scale(scale: float, dense: bool, seed: int) -> dict:
    """One build and run (after a small warm-up run that loads the compiled kernels)."""
    import resource

    import numpy as np

    import makhovik
    from makhovik.kernels import csr_traverse, name_neighbours

    over = DENSE if dense else []
    makhovik.simulate(makhovik.load_scenario("great-terror", hypothesis="seed", scale=0.001), seed=0)
    from makhovik.world.build import build_world

    t0 = time.perf_counter()
    scn = makhovik.load_scenario("great-terror", hypothesis="seed", scale=scale, overrides=over)
    t_build = time.perf_counter()
    w = build_world(scn, np.random.default_rng(seed))  # kept for the roofline below
    t_build = time.perf_counter() - t_build
    res = makhovik.simulate(scn, seed=seed, world=w, log_requests=False)
    wall = time.perf_counter() - t0
    row = {"scale": scale, "dense": dense, "agents": res.world_summary["agents"],
           "cadre": res.world_summary["cadre"],
           "ties": sum(v for k, v in res.world_summary.items() if k.startswith("ties_")),
           "build_s": t_build, "run_s": res.timings["run_s"], "simulate_s": wall,
           "ties_read": res.work["ties_read"],
           "peak_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20}
    if dense:  # the roofline, on this world's densest tie type
        m = w.ties["workplace"]
        rng = np.random.default_rng(1)
        rows = np.sort(rng.choice(w.n_cadre, size=w.n_cadre // 10, replace=False)).astype(np.int64)
        status = np.zeros(w.n, np.int8)
        whole = np.ones(w.n_cadre, bool)
        edges = int((m.indptr[rows + 1] - m.indptr[rows]).sum())
        csr_traverse(m.indptr, m.indices, rows[:10])
        name_neighbours(m.indptr, m.indices, rows[:10], 0.01, whole, status, rng)
        best_roof = best_kernel = float("inf")
        for _ in range(5):
            t = time.perf_counter()
            csr_traverse(m.indptr, m.indices, rows)
            best_roof = min(best_roof, time.perf_counter() - t)
            t = time.perf_counter()
            name_neighbours(m.indptr, m.indices, rows, 0.0098, whole, status, rng)
            best_kernel = min(best_kernel, time.perf_counter() - t)
        row.update(roof_edges=edges, roof_s=best_roof, kernel_s=best_kernel)
    return row


def _child_throughput(scale: float, runs: int, worker: int) -> dict:
    import makhovik

    scn = makhovik.load_scenario("great-terror", hypothesis="seed", scale=scale)
    makhovik.simulate(scn, seed=10_000 + worker, log_requests=False)  # warm: kernels loaded, caches filled
    t0 = time.perf_counter()
    for k in range(runs):
        makhovik.simulate(scn, seed=worker * runs + k, log_requests=False)
    return {"worker": worker, "runs": runs, "elapsed_s": time.perf_counter() - t0}


def _cascade_setup(scale: float):
    """The network of the great-terror world at ``scale`` and the flywheel's parameters in the campaign."""
    import numpy as np

    import makhovik
    from makhovik.world.build import build_world

    scn = makhovik.load_scenario("great-terror", hypothesis="seed", scale=scale)
    w = build_world(scn, np.random.default_rng(1))
    f = scn.mechanisms.flywheel
    naming = {k: min(v * f.campaign_intensity, 1.0) for k, v in f.naming.items()}
    hazard = f.hazard_per_name * f.campaign_intensity
    immunity = np.asarray(scn.mechanisms.alarm.immunity)[w.rank[:w.n_cadre]]
    seeds = np.random.default_rng(5).choice(w.n_cadre, size=max(1, w.n_cadre // 200), replace=False)
    return w, naming, hazard, immunity, seeds


def _child_mesa(scale: float, weeks: int, mk_reps: int, mesa_reps: int) -> None:
    """Prints one JSON line for Makhovik, then one per Mesa replicate (the parent may stop us)."""
    import numpy as np

    sys.path.insert(0, str(HERE))
    import mesa_reference

    from makhovik.mechanisms.flywheel import cascade_submodel

    w, naming, hazard, immunity, seeds = _cascade_setup(scale)
    cascade_submodel(w, naming, hazard, immunity, seeds, 2, np.random.default_rng(0))  # load the kernels
    sizes, times = [], []
    for k in range(mk_reps):
        t = time.perf_counter()
        run = cascade_submodel(w, naming, hazard, immunity, seeds, weeks, np.random.default_rng(k))
        times.append(time.perf_counter() - t)
        sizes.append(run.size)
    print(json.dumps({"impl": "makhovik", "scale": scale, "agents": int(w.n_cadre),
                      "ties": int(sum(m.nnz for m in w.ties.values()) // 2), "sizes": sizes, "times": times}),
          flush=True)
    for k in range(mesa_reps):
        t = time.perf_counter()
        model = mesa_reference.run(w.ties, naming, hazard, immunity, seeds, weeks, seed=k)
        el = time.perf_counter() - t
        print(json.dumps({"impl": "mesa", "scale": scale, "size": int((model.arrest_week() >= 0).sum()),
                          "time": el}), flush=True)


def _spawn(func: str, *args, timeout: float | None = None) -> tuple[list[str], bool]:
    """Run ``func(*args)`` in a fresh Python; returns its JSON stdout lines and whether it timed out."""
    code = f"import sys, json, warnings; sys.path.insert(0, {str(HERE)!r}); import run; " \
           "from makhovik.errors import ScenarioWarning; warnings.simplefilter('ignore', ScenarioWarning); " \
           f"r = run.{func}(*json.loads(sys.argv[1])); print(json.dumps(r)) if r is not None else None"
    p = subprocess.Popen([sys.executable, "-c", code, json.dumps(args)], stdout=subprocess.PIPE, text=True)
    try:
        out, _ = p.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        p.kill()
        out, _ = p.communicate()
        timed_out = True
    if p.returncode not in (0, None) and not timed_out:
        raise SystemExit(f"benchmark {func}{args} failed with status {p.returncode}")
    return [ln for ln in out.splitlines() if ln.startswith("{")], timed_out


# ----------------------------------------------------------------------------- sections
def scales(quick: bool) -> list[dict]:
    todo = [(0.01, False), (0.1, False)] if quick else [(0.01, False), (0.1, False), (1.0, False), (1.0, True)]
    rows = []
    for scale, dense in todo:
        lines, _ = _spawn("_child_scale", scale, dense, 1937)
        rows.append(json.loads(lines[-1]))
        r = rows[-1]
        print(f"  scale {scale:g}{' dense' if dense else ''}: {r['agents']:,} agents, {r['ties']:,} ties, "
              f"simulate {r['simulate_s']:.2f} s, peak {r['peak_gib']:.2f} GiB", flush=True)
    return rows


def cli_full(dense: bool = True) -> dict:
    """The whole command at 1:1, as a user runs it: import, build, run, Parquet tables and figure."""
    import tempfile

    over = [a for o in (DENSE if dense else []) for a in ("--set", o)]
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        p = subprocess.Popen([sys.executable, "-m", "makhovik.cli", "run", "great-terror", "-H", "seed", "--scale", "1",
                              *over, "--out", str(Path(d) / "run"), "--quiet"], stdout=subprocess.DEVNULL)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
    if status != 0:
        raise SystemExit(f"makhovik run at scale 1 failed with status {status}")
    row = {"wall_s": wall, "peak_gib": usage.ru_maxrss / 2**20}
    print(f"  makhovik run --scale 1 (dense ties, tables and figure written): {wall:.2f} s, "
          f"peak {row['peak_gib']:.2f} GiB", flush=True)
    return row


def throughput(scale: float, runs: int) -> dict:
    from concurrent.futures import ProcessPoolExecutor

    workers = len(os.sched_getaffinity(0))
    with ProcessPoolExecutor(workers) as pool:
        futs = [pool.submit(_child_throughput, scale, runs, k) for k in range(workers)]
        res = [f.result() for f in futs]
    total = sum(r["runs"] for r in res)
    per_s = total / max(r["elapsed_s"] for r in res)
    print(f"  {total} runs at scale {scale:g} on {workers} processes: {per_s:.1f} runs/s", flush=True)
    return {"scale": scale, "workers": workers, "runs": total, "runs_per_s": per_s,
            "ms_per_run_per_core": 1000 * workers / per_s}


def mesa(quick: bool) -> list[dict]:
    import numpy as np

    sizes = [0.003, 0.01] if quick else [0.003, 0.01, 0.03, 0.1, 0.3, 1.0]
    rows = []
    for i, scale in enumerate(sizes):
        # replicate Mesa where it is quick, so that the means can be compared at more than one size
        mesa_reps = 20 if i == 0 else (5 if rows[-1].get("mesa_s", MESA_LIMIT_S) < 3.0 else 1)
        lines, timed_out = _spawn("_child_mesa", scale, 52, 200 if i == 0 else 20, mesa_reps,
                                     timeout=None if i == 0 else MESA_LIMIT_S + 60)
        recs = [json.loads(ln) for ln in lines]
        mk = next(r for r in recs if r["impl"] == "makhovik")
        ms = [r for r in recs if r["impl"] == "mesa"]
        row = {"scale": scale, "agents": mk["agents"], "ties": mk["ties"],
               "makhovik_s": float(np.median(mk["times"])), "makhovik_mean_size": float(np.mean(mk["sizes"])),
               "makhovik_sd_size": float(np.std(mk["sizes"], ddof=1)), "makhovik_reps": len(mk["sizes"])}
        if ms:
            row.update(mesa_s=float(np.median([r["time"] for r in ms])),
                       mesa_mean_size=float(np.mean([r["size"] for r in ms])),
                       mesa_sd_size=float(np.std([r["size"] for r in ms], ddof=1)) if len(ms) > 1 else float("nan"),
                       mesa_reps=len(ms))
            row["ratio"] = row["mesa_s"] / row["makhovik_s"]
        row["mesa_within_limit"] = bool(ms) and not timed_out and row["mesa_s"] <= MESA_LIMIT_S
        rows.append(row)
        print(f"  cascade on {row['agents']:,} agents / {row['ties']:,} ties: makhovik {row['makhovik_s'] * 1e3:.1f} ms"
              + (f", mesa {row['mesa_s']:.1f} s, ratio {row['ratio']:,.0f}" if ms else ", mesa did not finish")
              + f" (mean size {row['makhovik_mean_size']:,.0f}"
              + (f" vs {row['mesa_mean_size']:,.0f})" if ms else ")"), flush=True)
        if not row["mesa_within_limit"]:
            break
    for r in rows:  # difference of the means in standard errors, where both sides were replicated
        if r.get("mesa_reps", 0) >= 2:
            se = np.hypot(r["makhovik_sd_size"] / np.sqrt(r["makhovik_reps"]), r["mesa_sd_size"] / np.sqrt(r["mesa_reps"]))
            r["equivalence_z"] = float((r["mesa_mean_size"] - r["makhovik_mean_size"]) / se)
            r["equivalent"] = bool(abs(r["equivalence_z"]) <= 4.0)
    return rows


# ----------------------------------------------------------------------------- report
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes only (checks the script, not the targets)")
    ap.add_argument("--out", type=Path, default=HERE, help="folder for results.md and results.csv")
    a = ap.parse_args()
    t_all = time.perf_counter()
    print("scales", flush=True)
    sc = scales(a.quick)
    cli = None if a.quick else cli_full()
    print("throughput", flush=True)
    tp = throughput(0.01, 5 if a.quick else 40)
    print("mesa", flush=True)
    ms = mesa(a.quick)

    full = next((r for r in sc if r["scale"] == 1.0 and r["dense"]), sc[-1])
    roof = full.get("roof_s")
    roof_ratio = roof / full["kernel_s"] if roof else float("nan")
    within = [r for r in ms if r["mesa_within_limit"]]
    mesa_at = within[-1] if within else ms[0]
    eq = ms[0]
    meta = {"date": dt.date.today().isoformat(), "machine": platform.platform(), "cpus": os.cpu_count(),
            "python": platform.python_version(), "command": "python benchmarks/run.py" + (" --quick" if a.quick else "")}
    try:
        import mesa as mesa_pkg
        import numba

        meta.update(mesa=mesa_pkg.__version__, numba=numba.__version__)
    except ImportError:  # pragma: no cover
        pass

    md = [f"# Benchmarks ({meta['date']})", "",
          f"`{meta['command']}` on {meta['machine']}, {meta['cpus']} CPUs, Python {meta['python']}, "
          f"numba {meta.get('numba', '?')}, Mesa {meta.get('mesa', '?')}. Total {time.perf_counter() - t_all:.0f} s.", "",
          "## Build and run (great-terror, hypothesis seed, 1936-1939 weekly, one core)", "",
          "| scale | tie set | agents | ties | build s | run s | simulate s | peak GiB | ties read | ties read per s of run |",
          "|---|---|---|---|---|---|---|---|---|---|"]
    for r in sc:
        md.append(f"| {r['scale']:g} | {'dense (circles of 50)' if r['dense'] else 'base'} | {r['agents']:,} | {r['ties']:,} "
                  f"| {r['build_s']:.2f} | {r['run_s']:.2f} | {r['simulate_s']:.2f} | {r['peak_gib']:.2f} "
                  f"| {r['ties_read']:,} | {r['ties_read'] / r['run_s']:,.0f} |")
    md += ["", "*simulate* is load + build + run + result tables in one process; ties are person-to-person "
           "(undirected; the CSR matrices hold each twice).", ""]
    if cli:
        md += [f"The whole command `makhovik run great-terror -H seed --scale 1` with the dense ties, writing the "
               f"Parquet tables and the figure: **{cli['wall_s']:.2f} s** wall, peak {cli['peak_gib']:.2f} GiB.", ""]
    if roof:
        md += ["## Roofline (dense 1:1 world, workplace ties of a frontier of 10% of the cadre)", "",
               f"{full['roof_edges']:,} ties: plain numba CSR traversal {full['roof_s'] * 1e3:.1f} ms "
               f"({full['roof_edges'] / full['roof_s'] / 1e6:,.0f} M ties/s); Makhovik's cascade kernel "
               f"{full['kernel_s'] * 1e3:.1f} ms ({full['roof_edges'] / full['kernel_s'] / 1e6:,.0f} M ties/s); "
               f"kernel at {roof_ratio:.2f} of the roofline.", ""]
    md += ["## Throughput at 1:100", "",
           f"{tp['runs']} runs on {tp['workers']} warm processes: **{tp['runs_per_s']:.1f} runs/s** "
           f"({tp['ms_per_run_per_core']:.0f} ms per run per core; a run is build + run + result tables).", "",
           "## Cascade sub-model: Makhovik against Mesa 3 (52 weeks, campaign parameters)", "",
           "| scale | agents | ties | Makhovik s | Mesa s | ratio | mean size Makhovik (runs) | mean size Mesa (runs) | z |",
           "|---|---|---|---|---|---|---|---|---|"]
    for r in ms:
        md.append(f"| {r['scale']:g} | {r['agents']:,} | {r['ties']:,} | {r['makhovik_s']:.4f} | "
                  + (f"{r['mesa_s']:.1f} | {r['ratio']:,.0f} |" if "mesa_s" in r else "> 60 (stopped) | |")
                  + f" {r['makhovik_mean_size']:,.0f} ({r['makhovik_reps']}) | "
                  + (f"{r['mesa_mean_size']:,.0f} ({r['mesa_reps']}) |" if "mesa_s" in r else " |")
                  + (f" {r['equivalence_z']:+.2f} |" if "equivalence_z" in r else " |"))
    checked = [r for r in ms if "equivalence_z" in r]
    md += ["", f"Equivalence: z is the difference of the mean cascade sizes (Mesa - Makhovik) in standard errors, "
           f"where both were replicated; |z| <= 4 at every such size: "
           f"{'yes' if all(r['equivalent'] for r in checked) else 'NO'} ({len(checked)} sizes). At the smallest, "
           f"Makhovik mean {eq['makhovik_mean_size']:,.1f} (sd {eq['makhovik_sd_size']:.1f}), Mesa mean "
           f"{eq['mesa_mean_size']:,.1f} (sd {eq['mesa_sd_size']:.1f}).", ""]
    mesa_ratio = mesa_at.get("ratio", float("nan"))
    summary = (f"summary: mesa_ratio={mesa_ratio:.0f} full_scale_s={full['simulate_s']:.2f} "
               f"full_scale_peak_gib={full['peak_gib']:.2f} roofline_ratio={roof_ratio:.2f} "
               f"runs_per_s_1pct={tp['runs_per_s']:.1f}")
    md += [f"Largest size Mesa finished within a minute: {mesa_at['agents']:,} agents (ratio {mesa_ratio:,.0f}).", "",
           "```", summary, "```", ""]
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "results.md").write_text("\n".join(md))
    with open(a.out / "results.csv", "w", newline="") as fh:
        wr = csv.writer(fh)
        wr.writerow(["section", "key", "metric", "value"])
        for r in sc:
            key = f"scale={r['scale']:g}{' dense' if r['dense'] else ''}"
            for k, v in r.items():
                wr.writerow(["scales", key, k, v])
        for k, v in tp.items():
            wr.writerow(["throughput", "scale=0.01", k, v])
        for k, v in (cli or {}).items():
            wr.writerow(["cli", "scale=1 dense", k, v])
        for r in ms:
            for k, v in r.items():
                wr.writerow(["mesa", f"agents={r['agents']}", k, v])
        for k, v in meta.items():
            wr.writerow(["meta", "", k, v])
    print(f"wrote {a.out / 'results.md'} and {a.out / 'results.csv'}")
    print(summary)


if __name__ == "__main__":
    main()
