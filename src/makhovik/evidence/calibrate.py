"""Calibration and model selection across hypotheses with ABC-SMC (pyABC).

Each hypothesis is a model; its parameters are those listed in the scenario's
``calibration.parameters`` with priors from there (or the schema). pyABC samples
hypotheses and parameters jointly, so the posterior holds both the hypotheses'
probabilities and each one's parameter posterior. Results live in pyABC's database
(SQLite by default), so a stopped calibration resumes where it stopped.

The distance is :func:`makhovik.evidence.observables.total_distance` over the fitted
observables (held-out ones are scored afterwards, never fitted).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import MakhovikError, ScenarioError
from ..scenario import load_scenario
from ..scenario.schema import Scenario
from .observables import (
    Observable,
    observables,
    simulated_values,
    synthetic_targets,
    total_distance,
)

__all__ = ["Prior", "priors_of", "calibrate", "CalibrationResult", "synthetic_targets"]


@dataclass(frozen=True)
class Prior:
    """A uniform prior on one parameter; dates are days after the calendar's start."""

    path: str
    lo: float
    hi: float
    is_date: bool = False
    integer: bool = False

    @property
    def key(self) -> str:
        """pyABC parameter name (no dots)."""
        return self.path.replace(".", "__")

    def from_unit(self, u):
        """The parameter at position ``u`` in [0, 1] of the prior's range (pyABC works on ``u``)."""
        return self.lo + u * (self.hi - self.lo)

    def value(self, x: float, start: dt.date):
        if self.is_date:
            return (start + dt.timedelta(days=int(round(x)))).isoformat()
        return int(round(x)) if self.integer else float(x)


def priors_of(scenario: Scenario) -> list[Prior]:
    """The priors a scenario (base merged with its hypothesis) declares for calibration; a contingent's field
    (``world.contingents.NAME.FIELD``) counts where the scenario has that contingent.

    Raises
    ------
    ScenarioError
        For an unknown parameter or a prior that is not [low, high].
    """
    from ..scenario.schema import scenario_parameters

    table = scenario_parameters(scenario)
    data = scenario.model_dump(mode="python")
    start = scenario.calendar.start
    out = []
    for path, prior in scenario.calibration.parameters.items():
        if path.startswith("world.contingents.") and path.split(".")[2] not in scenario.world.contingents:
            continue  # a contingent this scenario does not have (it replaced the base's): nothing to vary
        node = data
        for k in path.split(".")[:-1]:
            node = node.get(k, {}) if isinstance(node, dict) else {}
        if isinstance(node, dict) and path.split(".")[-1] not in node and path.rsplit(".", 1)[0] in table:
            continue  # an entry of a mapping this scenario does not have (it replaced the base's): nothing to vary
        field = f"calibration.parameters.{path}"
        if path not in table or table[path]["prior"] is None or table[path]["unit"] == "choice":
            raise ScenarioError(field, "expected a numeric or date parameter with a prior (see `makhovik params`)")
        lo, hi = prior if prior is not None else table[path]["prior"]
        node = data
        for k in path.split("."):
            node = node[k]
        is_date = isinstance(node, dt.date)
        if is_date:
            lo = (dt.date.fromisoformat(str(lo)) - start).days
            hi = (dt.date.fromisoformat(str(hi)) - start).days
        try:
            lo, hi = float(lo), float(hi)
        except (TypeError, ValueError):
            raise ScenarioError(field, f"expected [low, high], got {prior!r}") from None
        if not hi > lo:
            raise ScenarioError(field, f"expected low < high, got [{lo}, {hi}]")
        out.append(Prior(path, lo, hi, is_date, isinstance(node, int) and not isinstance(node, bool)))
    return out


class _Model:
    """A hypothesis as a pyABC model: parameters in, simulated observables out (picklable)."""

    def __init__(self, scenario_data: dict, priors: list[Prior], scale: float, names: list[str], start: dt.date,
                 replicates: int = 1):
        self.data, self.priors, self.scale, self.names, self.start = scenario_data, priors, scale, names, start
        self.replicates = replicates

    def scenario(self, pars: dict) -> Scenario:
        over = {p.path: p.value(p.from_unit(pars[p.key]), self.start) for p in self.priors}
        return load_scenario(self.data, overrides=over, scale=self.scale, warn=False)

    def __call__(self, pars) -> dict:
        """Simulated observables; with replicates, the median over that many runs (less noise per particle)."""
        from ..engine import simulate

        scn = self.scenario(dict(pars))
        runs = []
        for _ in range(self.replicates):
            seed = int(np.random.randint(0, 2**31 - 1))  # noqa: NPY002 - pyABC seeds numpy's global generator per worker
            runs.append(simulated_values(simulate(scn, seed=seed, log_requests=False), self.names))
        if len(runs) == 1:
            return runs[0]
        return {k: float(np.median([r[k] for r in runs])) for k in runs[0]}


def _floor_transition(pyabc, floors: dict[str, float]):
    """pyABC's multivariate normal kernel with a floor under each parameter's variance.

    When a hypothesis keeps a single particle, the sample covariance is zero or undefined and
    pyABC's importance weights become NaN; a floor of 2% of the prior's width keeps them finite.
    """
    import scipy.stats as st

    class FloorTransition(pyabc.MultivariateNormalTransition):
        def fit(self, X, w):
            super().fit(X, w)
            f = np.array([floors[c] for c in X.columns]) ** 2
            cov = np.nan_to_num(np.atleast_2d(self.cov), nan=0.0)
            cov = cov + np.diag(np.maximum(f - np.diag(cov), 0.0))
            self.cov = cov
            self.normal = st.multivariate_normal(cov=cov, allow_singular=True)

    return FloorTransition()


class _GenerationLog(logging.Handler):
    """Turns pyABC's per-generation log lines into ``progress(t, epsilon, simulations, probabilities)`` calls."""

    def __init__(self, abc, hypotheses, progress):
        super().__init__(logging.INFO)
        self.abc, self.hypotheses, self.progress = abc, hypotheses, progress
        self.t, self.eps = -1, float("nan")

    def emit(self, record) -> None:
        msg = record.getMessage()
        try:
            if msg.startswith("t: "):  # 't: 3, eps: 3.40e+00.'
                t, eps = msg.split(",")[:2]
                self.t, self.eps = int(t.split(":")[1]), float(eps.split(":")[1].strip().rstrip("."))
            elif msg.startswith("Accepted: "):  # 'Accepted: 300 / 912 = 3.29e-01, ESS: ...'
                n_sim = int(msg.split("/")[1].split("=")[0])
                mp = self.abc.history.get_model_probabilities(self.t)["p"]  # indexed by model
                probs = dict.fromkeys(self.hypotheses, 0.0) | {self.hypotheses[int(m)]: float(v) for m, v in mp.items()}
                self.progress(self.t, self.eps, n_sim, probs)
        except (ValueError, IndexError, KeyError):  # a log format we do not know: no progress, no failure
            pass


@contextmanager
def _generation_log(abc, hypotheses, progress):
    if progress is None:
        yield
        return
    log = logging.getLogger("ABC")
    saved = log.level, log.handlers[:], log.propagate
    log.handlers, log.propagate = [_GenerationLog(abc, hypotheses, progress)], False
    log.setLevel(logging.INFO)
    try:
        yield
    finally:
        log.setLevel(saved[0])
        log.handlers, log.propagate = saved[1], saved[2]


class _Distance:
    def __init__(self, obs: list[Observable]):
        self.obs = obs

    def __call__(self, x: dict, x0: dict) -> float:
        return total_distance(x, self.obs)


@dataclass
class CalibrationResult:
    hypotheses: list[str]
    model_probabilities: pd.DataFrame  # generation x hypothesis
    posteriors: dict[str, pd.DataFrame]  # hypothesis -> parameters + weight
    epsilons: list[float]
    simulations: int  # all that the database records, pyABC's calibration sample included
    elapsed_s: float  # the generations' wall time, summed over resumed invocations
    db: str
    priors: dict[str, list[Prior]]
    scenario: str = "great-terror"
    scale: float | None = None  # the scale the (first hypothesis's) models ran at
    scenarios: dict[str, dict] = field(default_factory=dict)  # each hypothesis's resolved scenario

    def final_probabilities(self) -> dict[str, float]:
        row = self.model_probabilities.iloc[-1]
        return {h: float(row.get(h, 0.0)) for h in self.hypotheses}

    def posterior_mean(self, hypothesis: str) -> dict[str, float]:
        df = self.posteriors.get(hypothesis)
        if df is None or df.empty:
            return {}
        w = df["weight"].to_numpy()
        return {c: float(np.average(df[c], weights=w)) for c in df.columns if c != "weight"}


@dataclass
class CalibrationPlan:
    """A calibration checked and ready to run (:func:`prepare_calibration`): nothing has been written yet."""

    scenario: str
    labels: list[str]
    scenarios: list[dict]  # each hypothesis's resolved scenario (overrides applied), as a mapping
    priors: dict[str, list[Prior]]
    observables: list[Observable]
    scale: float
    population_size: int
    seed: int
    db: Path
    resume: bool
    stored: int  # generations already in the database (resume)
    settings: dict  # what a resumed calibration must share with the stored one
    out: Path | None = None
    force: bool = False
    replicates: int = 1
    min_epsilon: float = 0.0
    warnings: list[str] = field(default_factory=list)

    def describe(self, populations: int) -> str:
        if self.resume:
            todo = max(populations - self.stored, 0)
            return (f"{self.stored} generations stored, {todo} more of {self.population_size} particles"
                    if todo else f"{self.stored} generations stored, summarising them")
        return f"{populations} generations of {self.population_size} particles"


def _labels(args: tuple[str, ...], scns: list) -> list[str]:
    """A label for each hypothesis: a built-in's name, an overlay's own name, or the path where names repeat."""
    labels = [a if not str(a).endswith((".yaml", ".yml")) else s.hypothesis.name for a, s in zip(args, scns, strict=True)]
    if len(set(labels)) < len(labels):
        labels = [str(a) for a in args]
    if len(set(labels)) < len(labels):
        raise ScenarioError("--hypotheses", "expected each hypothesis once")
    return labels


def _meta(db: Path) -> tuple[dict | None, int]:
    """The settings stored with the latest calibration in ``db`` and its number of generations."""
    import ast

    import pyabc

    hist = pyabc.History("sqlite:///" + str(db.resolve()))
    try:
        options = ast.literal_eval(hist.get_abc().json_parameters or "{}")
    except (ValueError, SyntaxError):
        options = {}
    stored = json.loads(options["makhovik"]) if isinstance(options, dict) and "makhovik" in options else None
    return stored, int(hist.n_populations)


_SETTING_NAMES = {"hypotheses": "-H (the hypotheses, in order)", "scenario_hashes": "the scenarios (--set, the "
                  "scenario file or the overlays changed)", "population_size": "--population-size", "scale": "--scale",
                  "seed": "--seed", "prior_width": "--prior-width", "replicates": "--replicates",
                  "held_out": "--hold-out", "targets": "the targets", "min_epsilon": "the minimum epsilon"}


#: What a calibration uses where it is given nothing (a resumed one: what it stored).
DEFAULTS = {"hypotheses": ("seed", "center", "interaction"), "population_size": 100, "seed": 1937,
            "prior_width": 1.0, "replicates": 1}


def prepare_calibration(
    scenario: str = "great-terror",
    hypotheses: tuple[str, ...] | None = None,
    population_size: int | None = None,
    scale: float | None = None,
    seed: int | None = None,
    db: str | Path | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    force: bool = False,
    held_out: tuple[str, ...] | None = None,
    overrides: list[str] | None = None,
    targets: list[Observable] | None = None,
    min_epsilon: float = 0.0,
    prior_width: float | None = None,
    replicates: int | None = None,
) -> CalibrationPlan:
    """Check everything a calibration needs before anything runs or is written; see :func:`calibrate`.

    A setting left ``None`` takes the stored calibration's value when resuming, and
    :data:`DEFAULTS` (or the scenario's ``calibration.scale``) otherwise. With ``resume``,
    the stored calibration's hypotheses (in order), scenarios (by hash), scale, seed and
    settings must be those given: a mismatch is refused, naming the setting. The plan's
    ``warnings`` are the values outside their priors in each hypothesis's scenario.
    """
    from ..scenario import scenario_hash
    from ..scenario.schema import prior_warnings

    out_p = Path(out) if out is not None else None
    db_p = Path(db) if db is not None else (out_p / "calibration.db" if out_p is not None else Path("calibration.db"))
    meta, stored = None, 0
    if resume:
        if not db_p.exists():
            raise ScenarioError("--resume", f"expected {db_p} from an earlier calibration")
        try:
            meta, stored = _meta(db_p)
        except Exception as exc:  # noqa: BLE001 - a damaged or foreign database
            raise ScenarioError("--resume", f"expected a Makhovik calibration database, {db_p} cannot be read: "
                                            f"{type(exc).__name__}") from None
        if meta is None:
            raise ScenarioError("--resume", f"expected a calibration this version of Makhovik wrote, {db_p} "
                                            "records none of its settings (start a new one with --force)")
    given = {"hypotheses": None if hypotheses is None else tuple(hypotheses), "population_size": population_size,
             "seed": seed, "prior_width": prior_width, "replicates": replicates}
    base = {**DEFAULTS, **({k: meta[k] for k in DEFAULTS if k in meta} if meta else {})}
    if meta and "arguments" in meta:
        base["hypotheses"] = tuple(meta["arguments"])
    v = {k: base[k] if x is None else x for k, x in given.items()}
    if not isinstance(v["seed"], int | np.integer) or v["seed"] < 0:
        raise ScenarioError("--seed", f"expected a whole number >= 0, got {v['seed']!r}")
    if not v["hypotheses"]:
        raise ScenarioError("--hypotheses", "expected at least one hypothesis")
    scns = [load_scenario(scenario, hypothesis=h, overrides=overrides, warn=False) for h in v["hypotheses"]]
    labels = _labels(tuple(v["hypotheses"]), scns)
    if held_out is None and meta is not None:
        held = tuple(meta.get("held_out", ()))
    else:
        held = tuple(dict.fromkeys(tuple(held_out or ()) + tuple(scns[0].calibration.held_out)))
    obs = [Observable(**{**o.__dict__, "held_out": o.name in held}) for o in targets] if targets is not None \
        else observables(held)
    if not [o for o in obs if not o.held_out and o.weight > 0]:
        raise ScenarioError("--hold-out", "expected at least one observable left to fit")
    priors = {h: _widen(priors_of(s), v["prior_width"]) for h, s in zip(labels, scns, strict=True)}
    sc = float(scale if scale is not None else (meta or {}).get("scale", scns[0].calibration.scale))
    warns = []
    for s in scns:  # the scale is valid for every world
        warns += prior_warnings(load_scenario(s.model_dump(mode="python"), scale=sc, warn=False))
    settings = {"hypotheses": labels, "arguments": [str(h) for h in v["hypotheses"]],
                "scenario_hashes": [scenario_hash(s) for s in scns], "population_size": int(v["population_size"]),
                "scale": sc, "seed": int(v["seed"]), "prior_width": float(v["prior_width"]),
                "replicates": int(v["replicates"]), "held_out": sorted(held),
                "targets": None if targets is None else [[o.name, o.lo, o.hi] for o in obs],
                "min_epsilon": float(min_epsilon)}
    if meta is not None:
        for k, now in settings.items():
            if k == "arguments":
                continue
            was = meta.get(k)
            if json.loads(json.dumps(was, default=str)) != json.loads(json.dumps(now, default=str)):
                raise ScenarioError("--resume", f"expected the stored calibration's {_SETTING_NAMES.get(k, k)}: "
                                                f"it has {_brief(was)}, this command gives {_brief(now)}")
    elif out_p is not None:
        from ..io import check_out_dir

        check_out_dir(out_p, force=force)
    elif db_p.exists():
        raise ScenarioError("--out", f"expected a new database, {db_p} exists (resume it, or choose another)")
    return CalibrationPlan(str(scenario), labels, [s.model_dump(mode="python") for s in scns], priors, obs, sc,
                           int(v["population_size"]), int(v["seed"]), db_p, resume, stored, settings, out_p, force,
                           int(v["replicates"]), float(min_epsilon), list(dict.fromkeys(warns)))


def _brief(v) -> str:
    from ..errors import short_repr

    if isinstance(v, list) and v and all(isinstance(x, str) for x in v) and len(v) <= 8:
        return ", ".join(v) if len(", ".join(v)) < 80 else short_repr(v, 80)
    return short_repr(v, 80)


def calibrate(
    scenario: str | CalibrationPlan = "great-terror",
    hypotheses: tuple[str, ...] | None = None,
    populations: int = 4,
    population_size: int | None = None,
    scale: float | None = None,
    seed: int | None = None,
    db: str | Path = "calibration.db",
    resume: bool = False,
    held_out: tuple[str, ...] | None = None,
    overrides: list[str] | None = None,
    workers: int | None = None,
    targets: list[Observable] | None = None,
    min_epsilon: float = 0.0,
    prior_width: float | None = None,
    replicates: int | None = None,
    progress: Callable[[int, float, int, dict[str, float]], None] | None = None,
) -> CalibrationResult:
    """Run (or resume) ABC-SMC with model selection across hypotheses.

    Parameters
    ----------
    scenario, hypotheses
        The scenario and the hypothesis overlays to compare (each a model); or a
        :class:`CalibrationPlan` from :func:`prepare_calibration`, when the other settings
        (but ``populations``, ``workers`` and ``progress``) come from it. A setting left
        ``None`` takes :data:`DEFAULTS` (seed, center, interaction; 100 particles; seed 1937;
        prior width 1; one replicate), or, when resuming, the stored calibration's.
    populations, population_size
        ABC-SMC generations in all (a resumed calibration runs until it has that many: the
        command that was killed, given again with ``resume``, finishes the same calibration; 0
        with ``resume`` summarises the stored ones) and particles per generation.
    scale
        Model scale; default the scenario's ``calibration.scale``.
    seed
        Seed of the calibration, any whole number >= 0: each evaluation's randomness is drawn
        from it, its generation and its number (:class:`SeededSampler`), so a calibration is
        reproducible, for any number of workers and across kills and resumes.
    db
        SQLite file of pyABC's history.
    resume
        Continue the latest run stored in ``db`` instead of starting a new one; the stored
        settings must match (:func:`prepare_calibration`).
    held_out
        Observables scored but not fitted (in addition to the scenario's).
    targets
        Observables to fit instead of the archival ones (for identifiability checks).
    prior_width
        Multiplier of every prior's width around its centre, for prior-sensitivity reruns: 0.5
        halves each range.
    replicates
        Runs per particle; the particle's observables are their medians. More replicates cost
        proportionally more and shrink the run-to-run noise that otherwise blurs the
        comparison of hypotheses whose fits differ by less than that noise.
    progress
        Called after each generation as ``progress(t, epsilon, simulations, probabilities)``.
    """
    if isinstance(scenario, CalibrationPlan):
        plan = scenario
    else:  # the Python API's defaults are the command line's (and a resumed calibration's are what it stored)
        plan = prepare_calibration(scenario, hypotheses, population_size=population_size, scale=scale,
                                   seed=seed, db=db, resume=resume, held_out=held_out, overrides=overrides,
                                   targets=targets, min_epsilon=min_epsilon, prior_width=prior_width,
                                   replicates=replicates)
    try:
        import pyabc
    except ImportError as exc:  # pragma: no cover - the extra is part of the test install
        raise MakhovikError("calibration needs pyABC: pip install 'makhovik[calibrate]'") from exc
    for name in ("ABC", "Sampler", "Epsilon", "Data_plot", "ABC.History", "ABC.Sampler"):
        logging.getLogger(name).setLevel(logging.WARNING)
    if plan.out is not None and not plan.resume:
        _start_folder(plan)
    fitted = [o for o in plan.observables if not o.held_out and o.weight > 0]
    names = [o.name for o in plan.observables]
    models, prior_dists = [], []
    for h, data in zip(plan.labels, plan.scenarios, strict=True):
        pri = plan.priors[h]
        models.append(_Model(data, pri, plan.scale, names, data["calendar"]["start"], plan.replicates))
        # pyABC works on each parameter mapped to [0, 1] across its prior: a date in days beside
        # a weekly rate would otherwise give a covariance so ill-conditioned that scipy treats it
        # as singular and the kernel density of a proposal underflows to zero
        prior_dists.append(pyabc.Distribution(**{p.key: pyabc.RV("uniform", 0.0, 1.0) for p in pri}))
    from ..execute.local import default_workers
    from .sampler import SeededSampler

    sampler = SeededSampler(workers or default_workers(), plan.seed)
    url = "sqlite:///" + str(plan.db.resolve())
    x0 = {o.name: (o.lo + o.hi) / 2 for o in plan.observables}

    def new_abc():
        transitions = [_floor_transition(pyabc, {p.key: 0.02 for p in plan.priors[h]}) for h in plan.labels]
        return pyabc.ABCSMC(models, prior_dists, _Distance(fitted), population_size=plan.population_size,
                            sampler=sampler, transitions=transitions)

    t0 = time.perf_counter()
    stored = plan.stored
    try:
        # one generation per call, each starting from the database: an uninterrupted calibration and one
        # killed and resumed take exactly the same path (pyABC rebuilds its state from the stored generations)
        while stored < populations:
            abc = new_abc()
            if _has_run(plan.db):
                abc.load(url, int(pyabc.History(url).id), x0)
            else:
                abc.new(url, x0, meta_info={"makhovik": json.dumps(plan.settings)})
            with _generation_log(abc, plan.labels, progress):
                history = abc.run(minimum_epsilon=plan.min_epsilon, max_nr_populations=1)
            now = int(history.n_populations)
            if now <= stored:
                break  # pyABC stopped (minimum epsilon reached, or no acceptance)
            stored = now
            if float(history.get_all_populations()["epsilon"].iloc[-1]) <= plan.min_epsilon:
                break
    except (AssertionError, ValueError, FloatingPointError) as exc:  # keep the generations already done
        if stored == 0:
            raise MakhovikError(f"calibration failed before its first generation: {exc}") from exc
        import warnings

        warnings.warn(f"pyABC stopped after generation {stored - 1}: {exc}", RuntimeWarning, stacklevel=2)
    history = pyabc.History(url)  # the latest run in the database
    return _result(history, plan, time.perf_counter() - t0, models[0].scale)


def _has_run(db: Path) -> bool:
    """Whether ``db`` already holds a calibration (a new one was started and killed before its first generation)."""
    if not db.exists():
        return False
    try:
        meta, _ = _meta(db)
    except Exception:  # noqa: BLE001 - an empty or partial file: start afresh
        return False
    return meta is not None


def _start_folder(plan: CalibrationPlan) -> None:
    """Make the output folder (replacing an earlier Makhovik calibration's files with ``force``) and its manifest."""
    from ..io import remove_owned

    out = plan.out
    if plan.force:
        remove_owned(out)
    out.mkdir(parents=True, exist_ok=True)
    write_manifest(out, {"kind": "calibration", "scenario": plan.scenario, "settings": plan.settings},
                   _calibration_files(plan.labels, []))


def write_manifest(out: Path, fields: dict, files: list[str]) -> None:
    """The manifest of a calibration folder: versions, settings, and the files Makhovik wrote there."""
    import platform

    from .. import __version__
    from ..io import MANIFEST

    man = {"makhovik_version": __version__, "python": platform.python_version(), "numpy": np.__version__,
           "pandas": pd.__version__, "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), **fields,
           "files": list(dict.fromkeys(files))}
    (out / MANIFEST).write_text(json.dumps(man, indent=2, default=str))


def _calibration_files(labels: list[str], extra: list[str]) -> list[str]:
    return ["calibration.db", "calibration.db-journal", "manifest.json", "calibration.json", "model_probabilities.csv",
            "hypotheses.json", *[posterior_file(i, h) for i, h in enumerate(labels)], *extra]


def posterior_file(index: int, label: str) -> str:
    """The file of a hypothesis's posterior: ``posterior_<label>.parquet``, or by number where the label is not a
    plain name (a path, or characters a file name should not hold)."""
    import re

    return f"posterior_{label}.parquet" if re.fullmatch(r"[A-Za-z0-9_.-]{1,80}", label) and label not in (".", "..") \
        else f"posterior_{index}.parquet"


def _result(history, plan: CalibrationPlan, elapsed: float, scale: float) -> CalibrationResult:
    hypotheses = plan.labels
    probs = history.get_model_probabilities()
    probs.columns = [hypotheses[int(c)] for c in probs.columns]
    probs = probs.reindex(columns=list(hypotheses), fill_value=0.0).fillna(0.0)
    posteriors = {}
    for m, h in enumerate(hypotheses):
        try:
            df, w = history.get_distribution(m=m, t=history.max_t)
        except (KeyError, ValueError):
            df, w = pd.DataFrame(), np.array([])
        if len(df):
            df = df.copy()
            for p in plan.priors[h]:
                df[p.key] = p.from_unit(df[p.key])
            df = df.rename(columns={p.key: p.path for p in plan.priors[h]})
            df["weight"] = w
        posteriors[h] = df.reset_index(drop=True)
    pops = history.get_all_populations()
    eps = [float(e) for e in pops.loc[pops["t"] >= 0, "epsilon"]]
    n_sim = int(pops["samples"].sum())  # pyABC's calibration sample (t = -1) included
    if "wall_time" in pops:  # over every invocation of a resumed calibration
        elapsed = float(pops["wall_time"].fillna(0.0).sum())
    return CalibrationResult(list(hypotheses), probs, posteriors, eps, n_sim, elapsed, str(plan.db), plan.priors,
                             plan.scenario, scale, dict(zip(hypotheses, plan.scenarios, strict=True)))


def _widen(priors: list[Prior], factor: float) -> list[Prior]:
    if factor == 1.0:
        return priors
    out = []
    for p in priors:
        mid, half = (p.lo + p.hi) / 2, (p.hi - p.lo) / 2 * factor
        out.append(Prior(p.path, mid - half, mid + half, p.is_date, p.integer))
    return out


def write_calibration(res: CalibrationResult, out: Path, extra: dict | None = None) -> list[str]:
    """Write model probabilities, posteriors, the hypotheses' scenarios and a summary into ``out`` (an existing
    folder), and list them in its manifest."""
    files = []
    res.model_probabilities.rename_axis("generation").to_csv(out / "model_probabilities.csv")
    files.append("model_probabilities.csv")
    posterior_files = {}
    for i, (h, df) in enumerate(res.posteriors.items()):
        name = posterior_file(i, h)
        df.to_parquet(out / name)
        posterior_files[h] = name
        files.append(name)
    if res.scenarios:  # what the report reruns: each hypothesis exactly as calibrated
        (out / "hypotheses.json").write_text(json.dumps(res.scenarios, indent=1, default=str))
        files.append("hypotheses.json")
    summary = {
        "scenario": res.scenario,
        "scale": res.scale,
        "hypotheses": res.hypotheses,
        "posterior_files": posterior_files,
        "model_probabilities": res.final_probabilities(),
        "epsilons": res.epsilons,
        "simulations": res.simulations,
        "elapsed_s": round(res.elapsed_s, 2),
        "db": res.db,
        "priors": {h: [[p.path, p.lo, p.hi, p.is_date] for p in pri] for h, pri in res.priors.items()},
        "posterior_means": {h: res.posterior_mean(h) for h in res.hypotheses},
        **(extra or {}),
    }
    (out / "calibration.json").write_text(json.dumps(summary, indent=2, default=str))
    files.append("calibration.json")
    from ..io import owned_files

    before = sorted((owned_files(out) or set()) - {"manifest.json"})
    old = {}
    try:
        old = json.loads((out / "manifest.json").read_text())
    except (OSError, ValueError):
        pass
    write_manifest(out, {k: v for k, v in old.items() if k in ("kind", "scenario", "settings")} or
                   {"kind": "calibration", "scenario": res.scenario}, [*before, *_calibration_files(res.hypotheses, files)])
    return files
