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
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import MakhovikError, ScenarioError
from ..scenario import load_scenario, parameter_table
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
    """The priors a scenario (base merged with its hypothesis) declares for calibration.

    Raises
    ------
    ScenarioError
        For an unknown parameter or a prior that is not [low, high].
    """
    table = {r["path"]: r for r in parameter_table()}
    data = scenario.model_dump(mode="python")
    start = scenario.calendar.start
    out = []
    for path, prior in scenario.calibration.parameters.items():
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
        return load_scenario(self.data, overrides=over, scale=self.scale)

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

    def final_probabilities(self) -> dict[str, float]:
        row = self.model_probabilities.iloc[-1]
        return {h: float(row.get(h, 0.0)) for h in self.hypotheses}

    def posterior_mean(self, hypothesis: str) -> dict[str, float]:
        df = self.posteriors.get(hypothesis)
        if df is None or df.empty:
            return {}
        w = df["weight"].to_numpy()
        return {c: float(np.average(df[c], weights=w)) for c in df.columns if c != "weight"}


def calibrate(
    scenario: str = "great-terror",
    hypotheses: tuple[str, ...] = ("seed", "center", "interaction"),
    populations: int = 4,
    population_size: int = 100,
    scale: float | None = None,
    seed: int = 1937,
    db: str | Path = "calibration.db",
    resume: bool = False,
    held_out: tuple[str, ...] = (),
    overrides: list[str] | None = None,
    workers: int | None = None,
    targets: list[Observable] | None = None,
    min_epsilon: float = 0.0,
    prior_width: float = 1.0,
    replicates: int = 1,
    progress: Callable[[int, float, int, dict[str, float]], None] | None = None,
) -> CalibrationResult:
    """Run (or resume) ABC-SMC with model selection across hypotheses.

    Parameters
    ----------
    scenario, hypotheses
        The scenario and the hypothesis overlays to compare (each a model).
    populations, population_size
        ABC-SMC generations to run (in addition to those stored when resuming; 0 with ``resume``
        summarises the stored ones, for a calibration that was stopped) and particles per generation.
    scale
        Model scale; default the scenario's ``calibration.scale``.
    seed
        Seeds numpy's global generator, which pyABC and the simulation seeds draw from.
    db
        SQLite file of pyABC's history.
    resume
        Continue the latest run stored in ``db`` instead of starting a new one.
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
    try:
        import pyabc
    except ImportError as exc:  # pragma: no cover - the extra is part of the test install
        raise MakhovikError("calibration needs pyABC: pip install 'makhovik[calibrate]'") from exc
    logging.getLogger("ABC").setLevel(logging.WARNING)
    logging.getLogger("Sampler").setLevel(logging.WARNING)
    logging.getLogger("Epsilon").setLevel(logging.WARNING)
    logging.getLogger("Data_plot").setLevel(logging.WARNING)
    np.random.seed(seed)  # noqa: NPY002 - pyABC draws from numpy's global generator
    scns = [load_scenario(scenario, hypothesis=h, overrides=overrides) for h in hypotheses]
    held = tuple(held_out) + tuple(scns[0].calibration.held_out)
    obs = [Observable(**{**o.__dict__, "held_out": o.name in held}) for o in targets] if targets is not None \
        else observables(held)
    fitted = [o for o in obs if not o.held_out and o.weight > 0]
    if not fitted:
        raise MakhovikError("calibration: no observable left to fit")
    names = [o.name for o in obs]
    models, prior_dists, all_priors = [], [], {}
    for h, s in zip(hypotheses, scns, strict=True):
        pri = _widen(priors_of(s), prior_width)
        all_priors[h] = pri
        sc = scale if scale is not None else s.calibration.scale
        models.append(_Model(s.model_dump(mode="python"), pri, sc, names, s.calendar.start, replicates))
        # pyABC works on each parameter mapped to [0, 1] across its prior: a date in days beside
        # a weekly rate would otherwise give a covariance so ill-conditioned that scipy treats it
        # as singular and the kernel density of a proposal underflows to zero
        prior_dists.append(pyabc.Distribution(**{p.key: pyabc.RV("uniform", 0.0, 1.0) for p in pri}))
    from ..execute.local import default_workers

    n_procs = workers or default_workers()
    sampler = pyabc.sampler.MulticoreEvalParallelSampler(n_procs=n_procs) if n_procs > 1 \
        else pyabc.sampler.SingleCoreSampler()
    transitions = [_floor_transition(pyabc, {p.key: 0.02 for p in all_priors[h]}) for h in hypotheses]
    abc = pyabc.ABCSMC(models, prior_dists, _Distance(fitted), population_size=population_size, sampler=sampler,
                       transitions=transitions)
    db = Path(db)
    url = "sqlite:///" + str(db.resolve())
    t0 = time.perf_counter()
    x0 = {o.name: (o.lo + o.hi) / 2 for o in obs}
    if resume:
        if not db.exists():
            raise ScenarioError("--resume", f"expected an existing calibration database, {db} does not exist")
        hist = pyabc.History(url)
        abc.load(url, int(hist.id), x0)
    else:
        abc.new(url, x0, meta_info={"hypotheses": list(hypotheses), "scenario": str(scenario)})
    try:
        if populations == 0:  # resume only to summarise what the database holds
            history = abc.history
        else:
            with _generation_log(abc, hypotheses, progress):
                history = abc.run(minimum_epsilon=min_epsilon, max_nr_populations=populations)
    except (AssertionError, ValueError, FloatingPointError) as exc:  # keep the generations already done
        history = abc.history
        if history is None or history.max_t < 0:
            raise MakhovikError(f"calibration failed before its first generation: {exc}") from exc
        import warnings

        warnings.warn(f"pyABC stopped after generation {history.max_t}: {exc}", RuntimeWarning, stacklevel=2)
    elapsed = time.perf_counter() - t0
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
            for p in all_priors[h]:
                df[p.key] = p.from_unit(df[p.key])
            df = df.rename(columns={p.key: p.path for p in all_priors[h]})
            df["weight"] = w
        posteriors[h] = df.reset_index(drop=True)
    pops = history.get_all_populations()
    eps = [float(e) for e in pops.loc[pops["t"] >= 0, "epsilon"]]
    n_sim = int(pops["samples"].sum())  # pyABC's calibration sample (t = -1) included
    if "wall_time" in pops:  # over every invocation of a resumed calibration
        elapsed = float(pops["wall_time"].fillna(0.0).sum())
    return CalibrationResult(list(hypotheses), probs, posteriors, eps, n_sim, elapsed, str(db), all_priors,
                             str(scenario), models[0].scale)


def _widen(priors: list[Prior], factor: float) -> list[Prior]:
    if factor == 1.0:
        return priors
    out = []
    for p in priors:
        mid, half = (p.lo + p.hi) / 2, (p.hi - p.lo) / 2 * factor
        out.append(Prior(p.path, mid - half, mid + half, p.is_date, p.integer))
    return out


def write_calibration(res: CalibrationResult, out: Path, extra: dict | None = None) -> list[str]:
    """Write model probabilities, posteriors and a summary into ``out`` (an existing folder)."""
    files = []
    res.model_probabilities.rename_axis("generation").to_csv(out / "model_probabilities.csv")
    files.append("model_probabilities.csv")
    for h, df in res.posteriors.items():
        df.to_parquet(out / f"posterior_{h}.parquet")
        files.append(f"posterior_{h}.parquet")
    summary = {
        "scenario": res.scenario,
        "scale": res.scale,
        "hypotheses": res.hypotheses,
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
    return files
