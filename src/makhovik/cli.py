"""The ``makhovik`` command line: run, schema, params, scenarios, claims."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .errors import MakhovikError, ScenarioError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Makhovik: simulate factional struggle and repression cascades, and test rival accounts against the record.",
)
console = Console()
err = Console(stderr=True)

HypothesisOpt = Annotated[
    str | None,
    typer.Option("--hypothesis", "-H", help="seed | center | interaction, or a path to a YAML overlay."),
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", "-s", help="Override a parameter: path.to.param=value (repeatable)."),
]


def _fail(exc: Exception) -> None:
    err.print(f"[bold red]error[/]: {exc}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def _progress(unit: str, quiet: bool) -> Progress:
    """The progress bar every long command shows on stderr (description, bar, done of total, unit, time)."""
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn(unit),
                    TimeElapsedColumn(), console=err, disable=quiet, transient=True)


def _load(scenario, hypothesis, scale, sets):
    from .scenario import load_scenario

    if scale is not None and not 0 < scale <= 1:
        raise ScenarioError("--scale", f"expected a number in (0, 1], got {scale}")
    return load_scenario(scenario, hypothesis=hypothesis, overrides=sets or None, scale=scale)


@app.command()
def run(
    scenario: Annotated[str, typer.Argument(help="Built-in scenario name or path to a YAML file.")] = "great-terror",
    hypothesis: HypothesisOpt = None,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, identical tables).")] = 1937,
    scale: Annotated[float | None, typer.Option(help="Scale of the rank-and-file and mass tiers, in (0, 1].")] = None,
    set_: SetOpt = None,
    out: Annotated[Path | None, typer.Option(help="Folder for Parquet tables, manifest and figure.")] = None,
    figure: Annotated[bool, typer.Option(help="Write run.png into --out.")] = True,
    force: Annotated[bool, typer.Option(help="Replace a non-empty --out folder.")] = False,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Run a scenario under a hypothesis; print annual totals beside the archival ones.

    Without --hypothesis the scenario runs as written, with the schema's default rules
    (hypothesis 'base'); name a hypothesis to test an account.
    """
    from .engine import simulate

    try:
        scn = _load(scenario, hypothesis, scale, set_)
        if out is not None:
            from .io import check_out_dir

            check_out_dir(out, force=force)
        t0 = time.perf_counter()
        with _progress("weeks", quiet) as bar:
            task = bar.add_task(f"{scn.name} / {scn.hypothesis.name}", total=scn.calendar.n_weeks)
            res = simulate(scn, seed=seed, progress=lambda d, n: bar.update(task, completed=d))
        res.timings["total_s"] = time.perf_counter() - t0
        manifest = None
        if out is not None:
            from .io import write_run

            manifest = write_run(res, out, figure=figure, force=force)
    except MakhovikError as exc:
        _fail(exc)
    _summary(res, manifest, out)


def _summary(res, manifest, out) -> None:
    from .evidence import annual_record, event_record

    scn = res.scenario
    console.print(f"[bold]{scn.name}[/] — hypothesis [bold]{scn.hypothesis.name}[/]: {scn.hypothesis.summary}")
    console.print(f"scale {scn.world.scale:g}, seed {res.seed}, {res.world_summary['agents']:,} agents; "
                  f"built in {res.timings.get('build_s', 0):.2f} s, ran in {res.timings['run_s']:.2f} s")
    sim = res.annual().set_index("year")
    rec = annual_record().set_index("year")
    t = Table(title="Annual totals, simulated (expanded to scale 1) beside the archival record")
    for c in ("year", "arrested sim", "arrested record", "convicted sim", "convicted record", "executed sim",
              "executed record"):
        t.add_column(c, justify="right")

    def fmt(x):
        import pandas as pd

        return "–" if x is None or pd.isna(x) else f"{int(x):,}"

    for y in sim.index:
        r = rec.loc[y] if y in rec.index else None
        t.add_row(str(y), fmt(sim.loc[y, "arrested"]), fmt(None if r is None else r["arrested"]),
                  fmt(sim.loc[y, "convicted"]), fmt(None if r is None else r["convicted"]),
                  fmt(sim.loc[y, "executed"]), fmt(None if r is None else r["executed"]))
    console.print(t)
    t = Table(title="Events the model produced, beside the record")
    for c in ("event", "simulated", "record"):
        t.add_column(c)
    for name, (date, _) in event_record().items():
        d = res.event_date(name)
        t.add_row(name, "not produced" if d is None else str(d), str(date))
    console.print(t)
    console.print("[dim]Archival numbers: MVD 1st special dept. (convicted, executed), Pospelov commission "
                  "(arrests); see data/annual.csv. A fit is not evidence for a hypothesis until calibrated.[/]")
    if manifest is not None:
        console.print(f"wrote {', '.join(manifest['files'])} to {out}")


@app.command()
def compare(
    scenario: Annotated[str, typer.Argument(help="Built-in scenario name or path to a YAML file.")] = "great-terror",
    hypothesis: HypothesisOpt = None,
    runs: Annotated[int, typer.Option(help="Replications in the ensemble.", min=1)] = 20,
    seed: Annotated[int, typer.Option(help="Seed of the ensemble (replications are spawned from it).")] = 1937,
    scale: Annotated[float | None, typer.Option(help="Scale of the rank-and-file and mass tiers, in (0, 1].")] = 0.01,
    set_: SetOpt = None,
    hold_out: Annotated[list[str] | None, typer.Option("--hold-out", help="Observable to score as held out (repeatable).")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: one per core).", min=1)] = None,
    out: Annotated[Path | None, typer.Option(help="Folder for compare.csv, values.parquet, manifest.json.")] = None,
    force: Annotated[bool, typer.Option(help="Replace a non-empty --out folder.")] = False,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Run an ensemble and hold every observable against the archival record."""
    from .evidence.compare import compare_table, ensemble_values, summary_distances
    from .evidence.observables import observables

    try:
        scn = _load(scenario, hypothesis, scale, set_)
        obs = observables(tuple(hold_out or ()))
        if out is not None:
            from .io import check_out_dir

            check_out_dir(out, force=force)
        t0 = time.perf_counter()
        with _progress("runs", quiet) as bar:
            task = bar.add_task(f"{scn.name} / {scn.hypothesis.name}", total=runs)
            values = ensemble_values(scn, runs, seed=seed, workers=workers,
                                     progress=lambda d, n: bar.update(task, completed=d))
        elapsed = time.perf_counter() - t0
        table = compare_table(values, obs)
        dist = summary_distances(values, obs)
        if out is not None:
            from .io import atomic_dir, provenance, write_scenario

            with atomic_dir(out, force=force) as tmp:
                table.to_csv(tmp / "compare.csv", index=False)
                values.to_parquet(tmp / "values.parquet")
                write_scenario(scn, tmp / "scenario.yaml")
                man = {**provenance(scn, seed), "runs": runs, "elapsed_s": round(elapsed, 3),
                       "distance_median": dist, "held_out": list(hold_out or ()),
                       "files": ["compare.csv", "values.parquet", "scenario.yaml", "manifest.json"]}
                (tmp / "manifest.json").write_text(json.dumps(man, indent=2, default=str))
    except MakhovikError as exc:
        _fail(exc)
    t = Table(title=f"{scn.name} / {scn.hypothesis.name}: {runs} runs at scale {scn.world.scale:g} against the record")
    for c in ("observable", "archival (range)", "quality", "simulated median [90% band]", "distance", "runs in range"):
        t.add_column(c, overflow="fold")
    for _, r in table.iterrows():
        name = r["observable"] + (" (held out)" if r["held_out"] else "")
        t.add_row(name, r["archival"], r["quality"], r["simulated"], f"{r['distance']:.2f}", f"{r['in_range']:.0%}")
    console.print(t)
    console.print(f"median total distance: fitted {dist['fitted']:.2f}, held out {dist['held_out']:.2f} "
                  f"(1 = one scale unit outside the range; see docs/evidence.md); {elapsed:.1f} s")
    if out is not None:
        console.print(f"wrote compare.csv, values.parquet, scenario.yaml, manifest.json to {out}")


@app.command()
def calibrate(
    scenario: Annotated[str, typer.Argument(help="Built-in scenario name or path to a YAML file.")] = "great-terror",
    hypotheses: Annotated[list[str] | None, typer.Option("--hypotheses", "-H",
                                                         help="Hypotheses to compare (repeatable).")] = None,
    populations: Annotated[int, typer.Option(help="ABC-SMC generations to run (0 with --resume: summarise the "
                                                  "stored ones).", min=0)] = 4,
    population_size: Annotated[int, typer.Option(help="Particles per generation.", min=2)] = 100,
    scale: Annotated[float | None, typer.Option(help="Model scale (default: the scenario's calibration.scale).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the calibration.")] = 1937,
    set_: SetOpt = None,
    hold_out: Annotated[list[str] | None, typer.Option("--hold-out", help="Observable scored but not fitted.")] = None,
    prior_width: Annotated[float, typer.Option(help="Multiply every prior's width (prior-sensitivity runs).",
                                               min=0.05, max=1.0)] = 1.0,
    replicates: Annotated[int, typer.Option(help="Runs per particle (medians of their observables).", min=1)] = 1,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: one per core).", min=1)] = None,
    out: Annotated[Path, typer.Option(help="Folder for the database, posteriors and summary.")] = Path("calibration"),
    resume: Annotated[bool, typer.Option(help="Continue the calibration stored in --out.")] = False,
) -> None:
    """Calibrate the hypotheses together (ABC-SMC with model selection); resumable."""
    from .evidence.calibrate import calibrate as run_calibration
    from .evidence.calibrate import write_calibration
    from .evidence.observables import observables

    hyps = tuple(hypotheses or ("seed", "center", "interaction"))
    try:
        for h in hyps:  # validate every hypothesis, --scale and the held-out names before any work
            _load(scenario, h, scale, set_)
        observables(tuple(hold_out or ()))
        if resume and not (out / "calibration.db").exists():
            raise ScenarioError("--resume", f"expected {out / 'calibration.db'} from an earlier calibration")
        if populations == 0 and not resume:
            raise ScenarioError("--populations", "expected at least 1 (0 only with --resume)")
        if not resume:
            from .io import check_out_dir

            check_out_dir(out)
        out.mkdir(parents=True, exist_ok=True)
        err.print(f"calibrating {', '.join(hyps)}: {populations} generations of {population_size} particles "
                  f"(database {out / 'calibration.db'})")
        res = run_calibration(scenario, hyps, populations=populations, population_size=population_size,
                              scale=scale, seed=seed, db=out / "calibration.db", resume=resume,
                              held_out=tuple(hold_out or ()), overrides=set_ or None, workers=workers,
                              prior_width=prior_width, replicates=replicates, progress=_generation_line)
        files = write_calibration(res, out, extra={"prior_width": prior_width, "seed": seed,
                                                   "replicates": replicates, "held_out": list(hold_out or ())})
    except MakhovikError as exc:
        _fail(exc)
    t = Table(title="Posterior model probabilities by generation")
    t.add_column("generation", justify="right")
    for h in res.hypotheses:
        t.add_column(h, justify="right")
    for g, row in res.model_probabilities.iterrows():
        t.add_row(str(g), *[f"{row[h]:.3f}" for h in res.hypotheses])
    console.print(t)
    console.print(f"{res.simulations:,} simulations in {res.elapsed_s:.0f} s; epsilon "
                  f"{' > '.join(f'{e:.2f}' for e in res.epsilons)}; wrote {', '.join(files)} to {out}")


def _generation_line(t: int, eps: float, samples: int, probs: dict[str, float]) -> None:
    err.print(f"generation {t}: epsilon {eps:.2f}, {samples:,} simulations; model probabilities "
              + ", ".join(f"{h} {p:.2f}" for h, p in probs.items()), soft_wrap=True)


@app.command()
def report(
    folder: Annotated[Path, typer.Argument(help="A folder written by `makhovik calibrate`.")],
    draws: Annotated[int, typer.Option(help="Prior and posterior predictive runs each.", min=2)] = 30,
    seed: Annotated[int, typer.Option(help="Seed of the predictive runs.")] = 1,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: one per core).", min=1)] = None,
    sensitivity: Annotated[Path | None, typer.Option(help="A second calibration folder (another prior set).")] = None,
    scale_runs: Annotated[int, typer.Option(help="Runs per scale in the scale check (0 skips it).", min=0)] = 4,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Write a self-contained HTML report (fit, posteriors, model probabilities, claim audit) into FOLDER/report."""
    from .report.html import build_report

    try:
        with _progress("runs", quiet) as bar:
            task = bar.add_task("predictive", total=None)
            path = build_report(folder, draws=draws, seed=seed, workers=workers, sensitivity=sensitivity,
                                scale_runs=scale_runs, progress=lambda d, n: bar.update(task, completed=d, total=n))
    except MakhovikError as exc:
        _fail(exc)
    console.print(f"wrote {path} (and its figures as PNG and SVG, fit.csv, claim_audit.csv)")


@app.command()
def data(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON rows instead of a table.")] = False,
) -> None:
    """List the observables: the archival numbers the model is held against, with their grades and sources."""
    from .evidence.observables import observables

    try:
        obs = observables()
    except MakhovikError as exc:
        _fail(exc)
    if as_json:
        rows = [{"observable": o.name, "group": o.group, "kind": o.kind, "archival": o.describe_range(),
                 "quality": o.quality, "values": [{"value": o.format(v.value), "quality": v.quality,
                                                   "file": v.file, "row": v.key, "column": v.column,
                                                   "source": v.source} for v in o.targets]} for o in obs]
        sys.stdout.write(json.dumps(rows, indent=1, ensure_ascii=False) + "\n")
        return
    t = Table(title="Observables and their archival values (targets; the model never reads them)")
    for c in ("observable", "group", "kind", "archival (range)", "quality", "values and sources"):
        t.add_column(c, overflow="fold")
    for o in obs:
        vals = "; ".join(f"{o.format(v.value)} [{v.quality}] {v.file}" for v in o.targets)
        t.add_row(o.name, o.group, o.kind, o.describe_range(), o.quality, vals)
    console.print(t)


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files."""
    from .scenario import json_schema

    sys.stdout.write(json.dumps(json_schema(), indent=2) + "\n")


@app.command()
def params(
    scenario: Annotated[str, typer.Argument(help="Built-in scenario name or path.")] = "great-terror",
    hypothesis: HypothesisOpt = None,
    set_: SetOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON rows instead of a table.")] = False,
) -> None:
    """List every parameter with its value, unit, prior range and meaning."""
    from .scenario import parameter_table

    try:
        scn = _load(scenario, hypothesis, None, set_)
    except MakhovikError as exc:
        _fail(exc)
    data = scn.model_dump(mode="json")
    rows = []
    for row in parameter_table():
        node = data
        for k in row["path"].split("."):
            node = node.get(k) if isinstance(node, dict) else None
        rows.append({**row, "value": node})
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=1, default=str) + "\n")
        return
    t = Table(title=f"Parameters of {scn.name} / {scn.hypothesis.name}")
    for c in ("path", "value", "unit", "prior", "meaning"):
        t.add_column(c, overflow="fold")
    for r in rows:
        v = r["value"]
        vs = json.dumps(v) if isinstance(v, dict | list) else str(v)
        t.add_row(r["path"], vs[:60], r["unit"], "" if r["prior"] is None else f"{r['prior'][0]} – {r['prior'][1]}",
                  r["description"])
    console.print(t)


@app.command()
def scenarios() -> None:
    """List the built-in scenarios and their hypotheses."""
    from .scenario import builtin_hypotheses, builtin_scenarios

    for s in builtin_scenarios():
        console.print(f"[bold]{s}[/]: hypotheses {', '.join(builtin_hypotheses(s))}")


@app.command()
def claims() -> None:
    """Show how each claim C1-C20 of the source text maps to mechanisms and parameters."""
    from .claims import load_claims

    t = Table(title="Claims of the source text and where the model carries them")
    for c in ("id", "claim", "mechanisms", "parameters / outputs"):
        t.add_column(c, overflow="fold")
    for cid, c in load_claims().items():
        t.add_row(cid, c["text"], ", ".join(c["mechanisms"]), ", ".join(c.get("parameters", []) + c.get("outputs", [])))
    console.print(t)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except ScenarioError as exc:  # pragma: no cover - errors are caught in the commands
        err.print(f"error: {exc}")
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    main()
