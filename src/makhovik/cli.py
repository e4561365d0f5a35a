"""The ``makhovik`` command line: run, compare, calibrate, report, data, schema, params, scenarios, claims.

Every command checks all of its input before it does any work or writes anything: a bad
value gets one line on stderr naming the field or flag and what was expected, and exit
code 2. Values inside their physical bounds but outside their priors are allowed, with one
``warning:`` line each, printed once the input has passed every check.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
import warnings
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from typer.core import TyperGroup

from .errors import MakhovikError, ScenarioError, ScenarioWarning, did_you_mean, one_line

#: The exceptions of the click that typer runs on: click's own, or the copy newer typers carry inside them.
_clicks = importlib.import_module(typer.BadParameter.__module__)


class _Group(TyperGroup):
    """Click's usage errors as one line (``error: --seed: ...``) and exit code 2, like every other bad input."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        no_args = getattr(_clicks, "NoArgsIsHelpError", None)
        try:
            rv = super().main(args=args, prog_name=prog_name, complete_var=complete_var, standalone_mode=False,
                              **extra)
        except _clicks.ClickException as exc:
            if no_args is not None and isinstance(exc, no_args):  # the help has been shown: a usage error all the same
                rv = 2
            else:
                _print_error(_usage_message(exc))
                if not standalone_mode:
                    raise
                sys.exit(2)
        except typer.Abort:
            if not standalone_mode:
                raise
            sys.exit(130)
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)


def _usage_message(exc) -> str:
    """``FLAG: what was expected`` for a usage error click found."""
    if isinstance(exc, _clicks.NoSuchOption):
        known = [o for p in (exc.ctx.command.params if exc.ctx else []) for o in p.opts]
        return f"{exc.option_name}: unknown option{did_you_mean(exc.option_name, known)} (see --help)"
    missing = getattr(_clicks, "MissingParameter", ())
    if isinstance(exc, _clicks.BadParameter) and exc.param is not None:
        flag = "/".join(exc.param.opts) if exc.param.param_type_name == "option" else str(exc.param.name).upper()
        if isinstance(exc, missing) or not exc.message:
            return f"{flag}: expected a value (see --help)"
        return f"{flag}: {exc.message}"
    if isinstance(exc, _clicks.UsageError) and exc.ctx is not None:
        msg = exc.format_message()
        if msg.startswith("No such command") and hasattr(exc.ctx.command, "list_commands"):
            word = msg.split("'")[1] if msg.count("'") >= 2 else ""
            return f"{word or 'command'}: unknown command{did_you_mean(word, exc.ctx.command.list_commands(exc.ctx))}" \
                   " (see makhovik --help)"
        return f"{exc.ctx.command_path}: {msg} (see --help)"
    return exc.format_message()


app = typer.Typer(
    cls=_Group,
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
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
SeedOpt = Annotated[int, typer.Option(help="Random seed, 0 to 4,294,967,295 (same seed, identical tables).")]

#: Warnings found while loading this command's input, printed once every check has passed.
_pending: list[str] = []


def _print_error(message: str) -> None:
    err.print(f"[bold red]error[/]: {escape(one_line(message, 600))}", highlight=False, soft_wrap=True)


def _fail(exc: Exception) -> None:
    _print_error(str(exc))
    raise typer.Exit(2)


def _flush_warnings() -> None:
    """Print the pending warnings, one line each (the input is valid; these are values to look at twice)."""
    for w in dict.fromkeys(_pending):
        err.print(f"[yellow]warning[/]: {escape(one_line(w, 600))}", highlight=False, soft_wrap=True)
    _pending.clear()


def _compile_note() -> bool:
    """Say so when the kernels must be compiled first (an empty cache); returns whether they must."""
    from ._kernel_cache import COMPILE_NOTE, is_cold

    cold = is_cold()
    if cold:
        err.print(escape(COMPILE_NOTE) + " ...", highlight=False, soft_wrap=True)
    return cold


def _progress(unit: str, quiet: bool) -> Progress:
    """The progress bar every long command shows on stderr (spinner, description, bar, done of total, unit, time)."""
    return Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn(unit), TimeElapsedColumn(), console=err, disable=quiet, transient=True)


def _tracker(bar: Progress, label: str, total, cold: bool):
    """A task on ``bar`` and the ``progress(done, total)`` callback that moves it; while the kernels compile (the
    first step of a cold start) the task says so."""
    task = bar.add_task("compiling kernels (once)" if cold else escape(label), total=total)

    def update(done, n=None):
        bar.update(task, completed=done, description=escape(label), **({"total": n} if n is not None else {}))

    return update


#: Seeds the command line takes: 32-bit, the same range for every command (the Python API takes any integer >= 0).
MAX_SEED = 2**32 - 1


def _seed(seed: int, flag: str = "--seed") -> int:
    if not 0 <= seed <= MAX_SEED:
        raise ScenarioError(flag, f"expected a whole number from 0 to {MAX_SEED:,}, got {seed}")
    return seed


def _load(scenario, hypothesis, scale, sets):
    """Load and validate a scenario as the command line gives it; warnings wait in :data:`_pending`."""
    from .scenario import load_scenario

    if scale is not None and not 0 < scale <= 1:
        raise ScenarioError("--scale", f"expected a number in (0, 1], got {scale}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ScenarioWarning)
        scn = load_scenario(scenario, hypothesis=hypothesis, overrides=sets or None, scale=scale)
    _pending.extend(str(w.message) for w in caught if issubclass(w.category, ScenarioWarning))
    return scn


def _out_ready(out: Path | None, force: bool) -> None:
    if out is not None:
        from .io import check_out_dir

        check_out_dir(out, force=force)


@app.command()
def run(
    scenario: Annotated[str, typer.Argument(help="Built-in scenario name or path to a YAML file.")] = "great-terror",
    hypothesis: HypothesisOpt = None,
    seed: SeedOpt = 1937,
    scale: Annotated[float | None, typer.Option(help="Scale of the rank-and-file and mass tiers, in (0, 1].")] = None,
    set_: SetOpt = None,
    out: Annotated[Path | None, typer.Option(help="Folder for Parquet tables, manifest and figure.")] = None,
    figure: Annotated[bool, typer.Option(help="Write run.png into --out.")] = True,
    force: Annotated[bool, typer.Option(help="Replace an earlier Makhovik output in --out (files Makhovik did not "
                                             "write are kept).")] = False,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Run a scenario under a hypothesis; print annual totals beside the archival ones.

    Without --hypothesis the scenario runs as written, with the schema's default rules
    (hypothesis 'base'); name a hypothesis to test an account.
    """
    from .engine import simulate
    from .world import footprint

    _pending.clear()
    try:
        scn = _load(scenario, hypothesis, scale, set_)
        seed = _seed(seed)
        _out_ready(out, force)
        footprint.check(scn)
        _flush_warnings()
        cold = _compile_note()
        t0 = time.perf_counter()
        with _progress("weeks", quiet) as bar:
            res = simulate(scn, seed=seed, progress=_tracker(bar, f"{scn.name} / {scn.hypothesis.name}",
                                                             scn.calendar.n_weeks, cold))
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
    console.print(f"[bold]{escape(scn.name)}[/] — hypothesis [bold]{escape(scn.hypothesis.name)}[/]: "
                  f"{escape(scn.hypothesis.summary)}", highlight=False)
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
                  "(arrests); see `makhovik data`. A fit is not evidence for a hypothesis until calibrated.[/]")
    if manifest is not None:
        console.print(f"wrote {', '.join(manifest['files'])} to {escape(str(out))}", highlight=False)


@app.command()
def compare(
    scenario: Annotated[str, typer.Argument(help="Built-in scenario name or path to a YAML file.")] = "great-terror",
    hypothesis: HypothesisOpt = None,
    runs: Annotated[int, typer.Option(help="Replications in the ensemble.", min=1, max=100_000)] = 20,
    seed: Annotated[int, typer.Option(help="Seed of the ensemble, 0 to 4,294,967,295 (replications are spawned "
                                          "from it).")] = 1937,
    scale: Annotated[float | None, typer.Option(help="Scale of the rank-and-file and mass tiers, in (0, 1].")] = 0.01,
    set_: SetOpt = None,
    hold_out: Annotated[list[str] | None, typer.Option("--hold-out", help="Observable to score as held out (repeatable).")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: one per core).", min=1, max=1024)] = None,
    out: Annotated[Path | None, typer.Option(help="Folder for compare.csv, values.parquet, manifest.json.")] = None,
    force: Annotated[bool, typer.Option(help="Replace an earlier Makhovik output in --out.")] = False,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Run an ensemble and hold every observable against the archival record."""
    from .evidence.compare import compare_table, ensemble_values, summary_distances
    from .evidence.observables import observables
    from .world import footprint

    _pending.clear()
    try:
        scn = _load(scenario, hypothesis, scale, set_)
        seed = _seed(seed)
        obs = observables(tuple(hold_out or ()))
        _out_ready(out, force)
        footprint.check(scn)
        _flush_warnings()
        cold = _compile_note()
        t0 = time.perf_counter()
        with _progress("runs", quiet) as bar:
            values = ensemble_values(scn, runs, seed=seed, workers=workers,
                                     progress=_tracker(bar, f"{scn.name} / {scn.hypothesis.name}", runs, cold))
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
    _print_compare(table, dist, f"{scn.name} / {scn.hypothesis.name}: {runs} runs at scale {scn.world.scale:g} "
                                "against the record", f"{elapsed:.1f} s")
    if out is not None:
        console.print(f"wrote compare.csv, values.parquet, scenario.yaml, manifest.json to {escape(str(out))}",
                      highlight=False)


def _print_compare(table, dist: dict, title: str, tail: str) -> None:
    """The compare table (:func:`makhovik.evidence.compare.compare_table`) and its median total distances."""
    t = Table(title=escape(title))
    for c in ("observable", "archival (range)", "quality", "simulated median [90% band]", "distance", "runs in range"):
        t.add_column(c, overflow="fold")
    for _, r in table.iterrows():
        name = r["observable"] + (" (held out)" if r["held_out"] else "")
        t.add_row(name, r["archival"], r["quality"], r["simulated"], f"{r['distance']:.2f}", f"{r['in_range']:.0%}")
    console.print(t)
    console.print(f"median total distance: fitted {dist['fitted']:.2f}, held out {dist['held_out']:.2f} "
                  f"(1 = one scale unit outside the range; see docs/evidence.md); {escape(tail)}")


@app.command()
def fit(
    scenario: Annotated[str, typer.Argument(help="Built-in scenario name or path to a YAML file.")] = "great-terror",
    hypothesis: HypothesisOpt = None,
    evaluations: Annotated[int, typer.Option(help="Parameter sets to try at most (each --replicates runs).", min=2,
                                             max=10_000_000)] = 2000,
    replicates: Annotated[int, typer.Option(help="Runs per parameter set, on the same seeds for all (the distance "
                                                 "is that of their medians).", min=1, max=1000)] = 2,
    population: Annotated[int | None, typer.Option(help="Parameter sets per generation (default: CMA-ES's, "
                                                        "4 + 3 ln n).", min=2, max=100_000)] = None,
    runs: Annotated[int, typer.Option(help="Fresh replications at the best fit for the table.", min=1,
                                      max=100_000)] = 20,
    seed: Annotated[int, typer.Option(help="Seed of the search and of the replications, 0 to 4,294,967,295.")] = 1937,
    scale: Annotated[float | None, typer.Option(help="Model scale (default: the scenario's calibration.scale).")] = None,
    set_: SetOpt = None,
    hold_out: Annotated[list[str] | None, typer.Option("--hold-out", help="Observable scored but not fitted.")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: one per core).", min=1, max=1024)] = None,
    out: Annotated[Path | None, typer.Option(help="Folder for fit.json, compare.csv, values.parquet, scenario.yaml, "
                                                  "manifest.json.")] = None,
    force: Annotated[bool, typer.Option(help="Replace an earlier Makhovik output in --out.")] = False,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Find the hypothesis's parameters closest to the record (CMA-ES over its priors), then hold fresh runs there
    against the record.

    Not a posterior: the one point inside the priors whose runs come closest, which says whether
    the hypothesis can reproduce the record at all, and where.
    """
    from .evidence.bestfit import best_fit, posterior_predictive
    from .evidence.compare import compare_table, summary_distances
    from .evidence.observables import observables

    _pending.clear()
    try:
        scn = _load(scenario, hypothesis, None, set_)
        seed = _seed(seed)
        if scale is not None and not 0 < scale <= 1:
            raise ScenarioError("--scale", f"expected a number in (0, 1], got {scale}")
        obs = observables(tuple(dict.fromkeys((*(hold_out or ()), *scn.calibration.held_out))))
        _out_ready(out, force)
        _flush_warnings()
        cold = _compile_note()
        with _progress("parameter sets", quiet) as bar:
            track = _tracker(bar, f"searching {scn.hypothesis.name}", evaluations, cold)
            res = best_fit(scn, scale=scale, replicates=replicates, evaluations=evaluations, population=population,
                           seed=seed, workers=workers, obs=obs, progress=lambda g, d, n: track(n))
        with _progress("runs", quiet) as bar:
            values = posterior_predictive(res, scn, runs=runs, seed=seed + 1 if seed < MAX_SEED else 0,
                                          workers=workers, progress=_tracker(bar, "runs at the best fit", runs, False))
        table = compare_table(values, obs)
        dist = summary_distances(values, obs)
        best = res.scenario(scn)
        if out is not None:
            from .io import atomic_dir, provenance, write_scenario

            with atomic_dir(out, force=force) as tmp:
                (tmp / "fit.json").write_text(json.dumps(
                    {"hypothesis": res.hypothesis, "parameters": res.parameters, "distance": res.distance,
                     "evaluations": res.evaluations, "replicates": res.replicates, "history": res.history,
                     "elapsed_s": round(res.elapsed_s, 2), "distance_fresh_runs": dist}, indent=2, default=str))
                table.to_csv(tmp / "compare.csv", index=False)
                values.to_parquet(tmp / "values.parquet")
                write_scenario(best, tmp / "scenario.yaml")
                man = {**provenance(best, seed), "runs": runs, "search": {"evaluations": res.evaluations,
                       "replicates": res.replicates, "scale": res.scale},
                       "files": ["fit.json", "compare.csv", "values.parquet", "scenario.yaml", "manifest.json"]}
                (tmp / "manifest.json").write_text(json.dumps(man, indent=2, default=str))
    except MakhovikError as exc:
        _fail(exc)
    from .evidence.calibrate import priors_of

    t = Table(title=escape(f"Best fit of {scn.hypothesis.name}: distance {res.distance:.2f} on the search's seeds "
                           f"after {res.evaluations:,} parameter sets ({res.elapsed_s:.0f} s)"))
    for c in ("parameter", "value", "prior"):
        t.add_column(c, overflow="fold")
    for p in priors_of(scn):
        v = res.parameters[p.path]
        lo, hi = (p.value(x, scn.calendar.start) for x in (p.lo, p.hi))
        t.add_row(p.path, f"{v:.4g}" if isinstance(v, float) else str(v), f"{lo:g} – {hi:g}" if not p.is_date
                  else f"{lo} – {hi}")
    console.print(t)
    _print_compare(table, dist, f"{scn.name} / {scn.hypothesis.name} at its best fit: {runs} fresh runs at scale "
                                f"{res.scale:g}", "--out FOLDER keeps the parameters" if out is None else
                                f"wrote fit.json, compare.csv, values.parquet, scenario.yaml to {out}")


@app.command()
def calibrate(
    scenario: Annotated[str, typer.Argument(help="Built-in scenario name or path to a YAML file.")] = "great-terror",
    hypotheses: Annotated[list[str] | None, typer.Option("--hypotheses", "-H",
                                                         help="Hypotheses to compare (repeatable; default seed, "
                                                              "center, interaction).")] = None,
    populations: Annotated[int, typer.Option(help="ABC-SMC generations in all; with --resume the calibration "
                                                  "continues until it has that many (0: summarise the stored "
                                                  "ones).", min=0, max=1000)] = 4,
    population_size: Annotated[int | None, typer.Option(help="Particles per generation (default 100).", min=2,
                                                        max=1_000_000)] = None,
    scale: Annotated[float | None, typer.Option(help="Model scale (default: the scenario's calibration.scale).")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of the calibration, 0 to 4,294,967,295 (default 1937).")] = None,
    set_: SetOpt = None,
    hold_out: Annotated[list[str] | None, typer.Option("--hold-out", help="Observable scored but not fitted.")] = None,
    prior_width: Annotated[float | None, typer.Option(help="Multiply every prior's width (prior-sensitivity runs; "
                                                           "default 1).", min=0.05, max=1.0)] = None,
    replicates: Annotated[int | None, typer.Option(help="Runs per particle (medians of their observables; default "
                                                        "1).", min=1, max=1000)] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: one per core); the results are "
                                                     "the same for any number.", min=1, max=1024)] = None,
    out: Annotated[Path, typer.Option(help="Folder for the database, posteriors and summary.")] = Path("calibration"),
    resume: Annotated[bool, typer.Option(help="Continue the calibration stored in --out; settings not given are "
                                              "the stored ones, and those given must match them.")] = False,
    force: Annotated[bool, typer.Option(help="Replace an earlier Makhovik calibration in --out (files Makhovik did "
                                             "not write are kept).")] = False,
) -> None:
    """Calibrate the hypotheses together (ABC-SMC with model selection); resumable and reproducible.

    The same command, killed and given again with --resume, finishes with exactly the
    calibration it would have made uninterrupted.
    """
    from .evidence.calibrate import calibrate as run_calibration
    from .evidence.calibrate import prepare_calibration, write_calibration

    _pending.clear()
    try:
        if seed is not None:
            seed = _seed(seed)
        if scale is not None and not 0 < scale <= 1:
            raise ScenarioError("--scale", f"expected a number in (0, 1], got {scale}")
        if resume and force:
            raise ScenarioError("--force", "expected either --resume (continue) or --force (start again), not both")
        if populations == 0 and not resume:
            raise ScenarioError("--populations", "expected at least 1 (0 only with --resume)")
        plan = prepare_calibration(scenario, tuple(hypotheses) if hypotheses else None,
                                   population_size=population_size, scale=scale, seed=seed, out=out, resume=resume,
                                   force=force, held_out=tuple(hold_out) if hold_out else None, overrides=set_ or None,
                                   prior_width=prior_width, replicates=replicates)
        _pending.extend(plan.warnings)
        _flush_warnings()
        _compile_note()
        err.print(escape(f"calibrating {', '.join(plan.labels)}: {plan.describe(populations)} "
                         f"(database {plan.db})"), highlight=False, soft_wrap=True)
        res = run_calibration(plan, populations=populations, workers=workers, progress=_generation_line)
        s = plan.settings
        files = write_calibration(res, out, extra={"prior_width": s["prior_width"], "seed": s["seed"],
                                                   "replicates": s["replicates"], "held_out": s["held_out"]})
    except MakhovikError as exc:
        _fail(exc)
    t = Table(title="Posterior model probabilities by generation")
    t.add_column("generation", justify="right")
    for h in res.hypotheses:
        t.add_column(escape(h), justify="right")
    for g, row in res.model_probabilities.iterrows():
        t.add_row(str(g), *[f"{row[h]:.3f}" for h in res.hypotheses])
    console.print(t)
    console.print(escape(f"{res.simulations:,} simulations in {res.elapsed_s:.0f} s; epsilon "
                         f"{' > '.join(f'{e:.2f}' for e in res.epsilons)}; wrote {', '.join(files)} to {out}"),
                  highlight=False)


def _generation_line(t: int, eps: float, samples: int, probs: dict[str, float]) -> None:
    err.print(escape(f"generation {t}: epsilon {eps:.2f}, {samples:,} simulations; model probabilities "
                     + ", ".join(f"{h} {p:.2f}" for h, p in probs.items())), soft_wrap=True, highlight=False)


@app.command()
def report(
    folder: Annotated[Path, typer.Argument(help="A folder written by `makhovik calibrate`.")],
    draws: Annotated[int, typer.Option(help="Prior and posterior predictive runs each.", min=2, max=100_000)] = 30,
    seed: Annotated[int, typer.Option(help="Seed of the predictive runs, 0 to 4,294,967,295.")] = 1,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: one per core).", min=1, max=1024)] = None,
    sensitivity: Annotated[Path | None, typer.Option(help="A second calibration folder (another prior set).")] = None,
    scale_runs: Annotated[int, typer.Option(help="Runs per scale in the scale check (0 skips it).", min=0,
                                            max=10_000)] = 4,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Write a self-contained HTML report (fit, posteriors, model probabilities, claim audit) into FOLDER/report."""
    from .report.html import build_report, load_calibration

    try:
        seed = _seed(seed)
        load_calibration(folder)
        if sensitivity is not None:
            load_calibration(sensitivity, flag="--sensitivity")
        cold = _compile_note()
        with _progress("runs", quiet) as bar:
            path = build_report(folder, draws=draws, seed=seed, workers=workers, sensitivity=sensitivity,
                                scale_runs=scale_runs, progress=_tracker(bar, "predictive runs", None, cold))
    except MakhovikError as exc:
        _fail(exc)
    console.print(f"wrote {escape(str(path))} (and its figures as PNG and SVG, fit.csv, claim_audit.csv)",
                  highlight=False)


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
        t.add_row(o.name, o.group, o.kind, escape(o.describe_range()), o.quality, escape(vals))
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

    _pending.clear()
    try:
        scn = _load(scenario, hypothesis, None, set_)
    except MakhovikError as exc:
        _fail(exc)
    _flush_warnings()
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
    t = Table(title=escape(f"Parameters of {scn.name} / {scn.hypothesis.name}"))
    for c in ("path", "value", "unit", "prior", "meaning"):
        t.add_column(c, overflow="fold")
    for r in rows:
        v = r["value"]
        vs = json.dumps(v) if isinstance(v, dict | list) else str(v)
        t.add_row(r["path"], escape(one_line(vs, 60)), r["unit"],
                  "" if r["prior"] is None else escape(f"{r['prior'][0]} – {r['prior'][1]}"), escape(r["description"]))
    console.print(t)


@app.command()
def scenarios() -> None:
    """List the built-in scenarios and their hypotheses."""
    from .scenario import builtin_hypotheses, builtin_scenarios

    for s in builtin_scenarios():
        console.print(f"[bold]{escape(s)}[/]: hypotheses {escape(', '.join(builtin_hypotheses(s)))}")


@app.command()
def claims(
    ids: Annotated[list[str] | None, typer.Argument(help="Claims to show in full (C1 ... C20); all, as a table, "
                                                         "without.")] = None,
    source: Annotated[str | None, typer.Option("--source", help="Print a text the claims come from: en (the "
                                                                "translation, with the numbered claims), ru (the "
                                                                "original) or history (the historical notes).")] = None,
) -> None:
    """Show the claims C1-C20 of the source text, how the model carries each, and the source text itself."""
    from .claims import CLAIM_IDS, load_claims, source_text
    from .scenario import builtin_hypotheses, load_scenario

    try:
        if source is not None:
            text = source_text(source)
        for cid in ids or ():
            if cid.upper() not in CLAIM_IDS:
                raise ScenarioError("CLAIM", f"expected a claim id C1 ... C20, got {cid!r}{did_you_mean(cid, CLAIM_IDS)}")
    except MakhovikError as exc:
        _fail(exc)
    if source is not None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    table = load_claims()
    if ids:
        encodings = {h: load_scenario("great-terror", hypothesis=h, warn=False).hypothesis.claims
                     for h in builtin_hypotheses("great-terror")}
        for cid in (c.upper() for c in ids):
            c = table[cid]
            console.print(f"[bold]{cid}[/] ({escape(c['kind'])}): {escape(c['text'])}", highlight=False)
            console.print(f"  mechanisms: {', '.join(c['mechanisms'])}", highlight=False)
            for key in ("parameters", "outputs"):
                if c.get(key):
                    console.print(f"  {key}: {', '.join(c[key])}", highlight=False)
            if c.get("note"):
                console.print(f"  note: {escape(c['note'])}", highlight=False)
            for h, enc in encodings.items():
                if cid in enc:
                    console.print(f"  under {h}: {escape(enc[cid])}", highlight=False)
        return
    t = Table(title="Claims of the source text and where the model carries them (the text: makhovik claims "
                    "--source en)")
    for c in ("id", "claim", "mechanisms", "parameters / outputs"):
        t.add_column(c, overflow="fold")
    for cid, c in table.items():
        t.add_row(cid, escape(c["text"]), ", ".join(c["mechanisms"]),
                  ", ".join(c.get("parameters", []) + c.get("outputs", [])))
    console.print(t)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
