"""The calibration report: one self-contained HTML page, and its figures as PNG and SVG."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from ..errors import ScenarioError, format_validation_error
from ..evidence.audit import CONTRADICT, FIT_LIMIT, ODDS, SUPPORT, audit_table
from ..evidence.compare import compare_table
from ..evidence.observables import observables
from ..evidence.predictive import (
    KS_DISCRIMINATES,
    claim_flags,
    discrimination,
    observable_values,
    posterior_draws,
    prior_draws,
    rejection_check,
    run_draws,
)

__all__ = ["build_report", "load_calibration", "STABLE_GENERATIONS"]

#: The leading hypothesis must be the same over this many final generations for the model
#: probabilities to count as stable (and the claim audit to give verdicts).
STABLE_GENERATIONS = 3


class _Summary(BaseModel):
    """What the report reads of ``calibration.json`` (checked: a hand-edited file is refused, not rendered)."""

    model_config = ConfigDict(extra="allow")
    scenario: str = "great-terror"
    scale: float | None = None
    hypotheses: list[str] = Field(min_length=1)
    model_probabilities: dict[str, float]
    epsilons: list[float] = Field(default_factory=list)
    simulations: int = 0
    elapsed_s: float = 0.0
    prior_width: float = 1.0
    held_out: list[str] = Field(default_factory=list)
    posterior_files: dict[str, str] = Field(default_factory=dict)


def load_calibration(folder: Path, flag: str = "DIR") -> dict:
    """The summary, model probabilities, posteriors and hypotheses' scenarios written by ``makhovik calibrate``.

    Raises
    ------
    ScenarioError
        Naming ``flag`` (the folder's argument) when the folder is not a calibration or its
        ``calibration.json`` does not hold what ``makhovik calibrate`` writes.
    """
    folder = Path(folder)
    f = folder / "calibration.json"
    if not f.is_file():
        raise ScenarioError(flag, f"expected a calibration folder with calibration.json, {folder} has none")
    try:
        raw = json.loads(f.read_text(encoding="utf-8"))
        summary = _Summary.model_validate(raw).model_dump()
    except (ValueError, UnicodeDecodeError) as exc:
        from pydantic import ValidationError

        if isinstance(exc, ValidationError):
            e = format_validation_error(exc)
            raise ScenarioError(flag, f"expected calibration.json as `makhovik calibrate` writes it: {e}") from None
        raise ScenarioError(flag, f"expected calibration.json to be JSON, {f} is not") from None
    summary = {**raw, **summary}
    try:
        probs = pd.read_csv(folder / "model_probabilities.csv", index_col=0)
    except (OSError, ValueError) as exc:
        raise ScenarioError(flag, f"expected model_probabilities.csv in {folder}: {exc}") from None
    posts = {}
    for i, h in enumerate(summary["hypotheses"]):
        name = summary["posterior_files"].get(h, f"posterior_{h}.parquet")
        if not re.fullmatch(r"posterior_[A-Za-z0-9_.-]{1,80}\.parquet", name) or name.startswith("posterior_.."):
            raise ScenarioError(flag, f"expected posterior files named posterior_*.parquet, calibration.json names "
                                      f"{name!r} for hypothesis {i}")
        if (folder / name).exists():
            posts[h] = pd.read_parquet(folder / name)
    return {"summary": summary, "probabilities": probs, "posteriors": posts,
            "scenarios": _hypothesis_scenarios(folder, summary, flag)}


def _hypothesis_scenarios(folder: Path, summary: dict, flag: str) -> dict[str, dict]:
    """Each hypothesis's resolved scenario: as calibrated (``hypotheses.json``), or, for a folder written before
    that file existed, loaded again by the names the summary gives."""
    from ..scenario import load_scenario

    f = folder / "hypotheses.json"
    if f.is_file():
        try:
            data = json.loads(f.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise ScenarioError(flag, f"expected hypotheses.json to be JSON, {f} is not") from None
        missing = [h for h in summary["hypotheses"] if h not in data]
        if missing:
            raise ScenarioError(flag, f"expected the scenario of every hypothesis in hypotheses.json, {missing[0]!r} "
                                      "has none")
        return {h: load_scenario(data[h], warn=False).model_dump(mode="python") for h in summary["hypotheses"]}
    return {h: load_scenario(summary["scenario"], hypothesis=h, warn=False).model_dump(mode="python")
            for h in summary["hypotheses"]}


def _calibration_scale(cal: dict) -> float:
    """The scale the calibration ran at: as recorded, or the (first hypothesis's) ``calibration.scale``."""
    if cal["summary"].get("scale"):
        return float(cal["summary"]["scale"])
    return float(next(iter(cal["scenarios"].values()))["calibration"]["scale"])


def _predictive(folder: Path, cal: dict, draws: int, seed: int, workers, scale,
                progress) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Prior, posterior and per-hypothesis posterior predictive runs (cached in the folder)."""
    cache = folder / "predictive.parquet"
    if cache.exists():
        df = pd.read_parquet(cache)
        return tuple(df[df["kind"] == k].reset_index(drop=True) for k in ("prior", "posterior", "per_hypothesis"))
    s = cal["summary"]
    scns = cal["scenarios"]
    sc = scale or _calibration_scale(cal)
    prior = run_draws(scns, prior_draws(scns, draws, seed), sc, seed, workers, progress)
    post = run_draws(scns, posterior_draws(scns, s["model_probabilities"], cal["posteriors"], draws, seed + 1),
                     sc, seed + 1, workers, progress)
    k = max(2, draws // 3)
    per_draws = [d for h in s["hypotheses"] for d in posterior_draws(scns, {h: 1.0}, cal["posteriors"], k, seed + 3)]
    per = run_draws(scns, per_draws, sc, seed + 3, workers, progress)
    prior["kind"], post["kind"], per["kind"] = "prior", "posterior", "per_hypothesis"
    pd.concat([prior, post, per], ignore_index=True).to_parquet(cache)
    return prior, post, per


def _save(fig, folder: Path, name: str) -> str:
    fig.savefig(folder / f"{name}.png", dpi=110)
    fig.savefig(folder / f"{name}.svg")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return base64.b64encode((folder / f"{name}.png").read_bytes()).decode()


def _plain(label: str) -> str:
    """A label as matplotlib shows it verbatim (a ``$`` would start mathematics there)."""
    return str(label).replace("$", r"\$")


def _figures(folder: Path, cal: dict, post: pd.DataFrame, table: pd.DataFrame) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figs = {}
    probs = cal["probabilities"]
    fig, ax = plt.subplots(figsize=(7, 3.2))
    for h in probs.columns:
        ax.plot(probs.index, probs[h], marker="o", label=_plain(h))
    ax.set_xlabel("ABC-SMC generation")
    ax.set_ylabel("posterior probability")
    ax.set_ylim(0, 1)
    ax.legend()
    ax.set_title("Posterior probabilities of the hypotheses")
    fig.tight_layout()
    figs["model_probabilities"] = _save(fig, folder, "model_probabilities")

    vals = observable_values(post)
    obs = {o.name: o for o in observables()}
    annual = [n for n in vals.columns if n.split("_")[0] in ("arrested", "convicted", "executed") and n[-4:].isdigit()]
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.4))
    for ax, meas in zip(axes, ("arrested", "convicted", "executed"), strict=True):
        names = sorted(n for n in annual if n.startswith(meas))
        years = [int(n[-4:]) for n in names]
        med = [vals[n].median() for n in names]
        lo = [vals[n].quantile(0.05) for n in names]
        hi = [vals[n].quantile(0.95) for n in names]
        ax.bar(np.array(years) - 0.2, [obs[n].hi for n in names], width=0.4, color="#999", label="record (upper end)")
        ax.bar(np.array(years) + 0.2, med, width=0.4, color="#2166ac", label="posterior predictive median",
               yerr=[np.subtract(med, lo), np.subtract(hi, med)], capsize=3)
        ax.set_title(meas)
        ax.set_xticks(years)
    axes[0].legend(fontsize=7)
    fig.suptitle("Annual totals: the record and the calibrated model")
    fig.tight_layout()
    figs["annual"] = _save(fig, folder, "annual")

    posts = cal["posteriors"]
    params = sorted({c for df in posts.values() for c in df.columns if c != "weight"})
    if params:
        ncol = 4
        nrow = int(np.ceil(len(params) / ncol))
        fig, axes = plt.subplots(nrow, ncol, figsize=(12, 2.3 * nrow))
        for ax, p in zip(np.ravel(axes), params, strict=False):
            for h, df in posts.items():
                if p in df and len(df) > 1:
                    ax.hist(df[p], weights=df["weight"], bins=15, alpha=0.5, label=_plain(h), density=True)
            ax.set_title(p.split(".")[-1], fontsize=8)
            ax.tick_params(labelsize=7)
        for ax in np.ravel(axes)[len(params):]:
            ax.axis("off")
        np.ravel(axes)[0].legend(fontsize=7)
        fig.suptitle("Parameter posteriors by hypothesis (dates: days after 6 Jan 1936)")
        fig.tight_layout()
        figs["posteriors"] = _save(fig, folder, "posteriors")

    counts = [n for n in vals.columns if obs[n].kind == "count"]
    fig, ax = plt.subplots(figsize=(9, max(3, 0.24 * len(counts))))
    for i, n in enumerate(counts):
        o = obs[n]
        ax.plot([o.lo, o.hi if o.hi > o.lo else o.lo * 1.01], [i, i], color="#999", lw=7, solid_capstyle="butt",
                label="record (range)" if i == 0 else None)
        q05, q50, q95 = vals[n].quantile([0.05, 0.5, 0.95])
        ax.plot([max(q05, 1), max(q95, 1)], [i, i], color="#2166ac", lw=1.2)
        ax.plot([max(q50, 1)], [i], "o", color="#2166ac", ms=4, label="model: median and 90% band" if i == 0 else None)
    ax.set_yticks(range(len(counts)))
    ax.set_yticklabels(counts, fontsize=7)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("persons")
    ax.legend(fontsize=7, loc="lower right")
    ax.set_title("Every count observable: the record and the posterior predictive")
    fig.tight_layout()
    figs["observables"] = _save(fig, folder, "observables")

    fig, ax = plt.subplots(figsize=(8, max(3, 0.22 * len(table))))
    colors = ["#b2182b" if d > 1 else "#2166ac" for d in table["distance"]]
    ax.barh(table["observable"], table["distance"].clip(upper=10), color=colors)
    ax.axvline(1, color="k", lw=0.8, ls=":")
    ax.invert_yaxis()
    ax.tick_params(labelsize=7)
    ax.set_xlabel("distance of the posterior predictive median to the archival range (1 = one scale unit; capped at 10)")
    fig.tight_layout()
    figs["fit"] = _save(fig, folder, "fit")
    return figs


def _scale_check(folder: Path, cal: dict, post: pd.DataFrame, runs: int, seed: int, workers) -> pd.DataFrame | None:
    cache = folder / "scale_check.csv"
    if cache.exists():
        return pd.read_csv(cache)
    if not len(post):
        return None
    from ..evidence.scalecheck import scale_check

    best = post.groupby("hypothesis")["distance"].median().idxmin()
    pars = post.loc[post["hypothesis"] == best, [c for c in post.columns if c.startswith("par:")]]
    row = pars.iloc[0].dropna().to_dict() if len(pars) else {}
    over = {k[4:]: v for k, v in row.items()}
    sc = _calibration_scale(cal)
    df = scale_check(cal["scenarios"][best], over, (sc, min(1.0, sc * 10)), runs, seed, workers)
    obs = {o.name: o for o in observables()}
    for c in [c for c in df.columns if c.startswith("median_scale_")]:
        df[c] = [obs[n].format(v) for n, v in zip(df["observable"], df[c], strict=True)]
    df.insert(0, "hypothesis", best)
    df.to_csv(cache, index=False)
    return df


def build_report(folder: str | Path, draws: int = 30, seed: int = 1, workers: int | None = None,
                 scale: float | None = None, progress=None, sensitivity: str | Path | None = None,
                 scale_runs: int = 4) -> Path:
    """Write ``report/index.html`` and its figures into a calibration folder; return the page's path.

    ``sensitivity`` names a second calibration folder (the same hypotheses under another prior
    set, ``makhovik calibrate --prior-width``) whose model probabilities the report sets beside
    these. ``scale_runs`` replications at the calibration scale and at ten times it check the
    observables' stability across scales (0 skips the check).
    """
    folder = Path(folder)
    cal = load_calibration(folder)
    other = load_calibration(Path(sensitivity), flag="--sensitivity") if sensitivity is not None else None
    out = folder / "report"
    out.mkdir(exist_ok=True)
    prior, post, per_h = _predictive(folder, cal, draws, seed, workers, scale, progress)
    obs = observables(tuple(cal["summary"].get("held_out", [])))
    table = compare_table(observable_values(post), obs)
    best = float(post.groupby("hypothesis")["distance"].median().min()) if len(post) else float("inf")
    hist = cal["probabilities"]
    lead = [str(hist.iloc[i].idxmax()) for i in range(len(hist))]
    last = lead[-STABLE_GENERATIONS:]
    stable = len(set(last)) == 1 and float(hist.iloc[-1].max()) >= 0.5
    probs = cal["summary"]["model_probabilities"]
    holds = True
    if other is not None:
        oprobs = other["summary"]["model_probabilities"]
        holds = sorted(probs, key=probs.get, reverse=True) == sorted(oprobs, key=oprobs.get, reverse=True)
    unstable = ("" if stable else "the posterior model probabilities change from generation to generation") + \
               ("" if holds else ("; " if not stable else "") + "the ranking changes under the second prior set")
    audit = audit_table(claim_flags(prior), claim_flags(post), pd.Series(np.ones(len(post))), post["hypothesis"], best,
                        unstable=unstable)
    audit.to_csv(out / "claim_audit.csv", index=False)
    scale_df = _scale_check(folder, cal, post, scale_runs, seed + 2, workers) if scale_runs > 0 else None
    table.to_csv(out / "fit.csv", index=False)
    figs = _figures(out, cal, post, table)
    s = cal["summary"]
    fitted = table[~table["held_out"]]
    held = table[table["held_out"]]

    audit_rows = []
    for _, r in audit.iterrows():
        per = ", ".join(f"{h} {v:.2f}" for h, v in r["by_hypothesis"].items()) if r["by_hypothesis"] else ""
        nums = "" if pd.isna(r["posterior_share"]) else (
            f"prior {r['prior_share']:.2f} → posterior {r['posterior_share']:.2f} (odds x{r['odds_ratio']:.2g})")
        audit_rows.append([r["claim"], r["text"], r["statement"], nums, per,
                           {"text": r["verdict"], "cls": r["verdict"].replace(" ", "-")},
                           {"text": r["note"], "cls": "note"}])
    fit_rows = []
    if len(per_h):
        g = per_h.groupby("hypothesis")["distance"]
        for h in s["hypotheses"]:
            if h in g.groups:
                d = g.get_group(h)
                fit_rows.append([h, f"{d.median():.2f}", f"{d.quantile(0.05):.2f} – {d.quantile(0.95):.2f}", len(d),
                                 len(cal["posteriors"].get(h, []))])
    if other is not None:
        prob_head = ["hypothesis", "posterior probability",
                     f"under the second prior set (width x{other['summary']['prior_width']:g})"]
        prob_rows = [[h, f"{p:.3f}", f"{oprobs.get(h, float('nan')):.3f}"] for h, p in probs.items()]
        sens = "The ranking of the hypotheses " + ("holds" if holds else "changes") + " under the second prior set."
    else:
        prob_head = ["hypothesis", "posterior probability"]
        prob_rows = [[h, f"{p:.3f}"] for h, p in probs.items()]
        sens = "No prior-sensitivity run was given (report --sensitivity DIR)."
    rej = rejection_check(prior, list(s["epsilons"]), list(s["hypotheses"]))
    rej.to_csv(out / "rejection_check.csv", index=False)
    disc = discrimination(prior)
    disc.to_csv(out / "discrimination.csv", index=False)
    rej_rows = []
    for eps, g in rej.groupby("epsilon", sort=False):
        sep = g[g["separated"]]
        cells = [f"{r['within']}/{r['runs']} ({r['share']:.3f}; {r['share_lo']:.3f}–{r['share_hi']:.3f})"
                 + (f" → {r['probability']:.2f}" if r["probability"] == r["probability"] else "")
                 for _, r in g.iterrows()]
        rej_rows.append([f"{eps:.2f}", *cells, f"{sep['hypothesis'].iloc[0]} above the others" if len(sep)
                         else "intervals overlap"])
    scale_ctx = None
    if scale_df is not None:
        scols = [c for c in scale_df.columns if c.startswith("median_scale_")]
        drift = scale_df[~scale_df["stable"]]
        scale_ctx = {"hypothesis": scale_df["hypothesis"].iloc[0], "runs": scale_runs,
                     "stable": int(scale_df["stable"].sum()), "total": len(scale_df),
                     "unstable": ", ".join(drift["observable"]) or "none",
                     **_rows(scale_df, ["observable", *scols, "difference_units", "stable"],
                             {"difference_units": lambda x: f"{x:.2f}"})}
    cols = ["observable", "archival", "quality", "simulated", "distance", "in_range"]
    fmt = {"distance": lambda x: f"{x:.2f}", "in_range": lambda x: f"{x:.0%}"}
    page = _template().render(
        scenario=str(s["scenario"]), hypotheses=list(s["hypotheses"]), simulations=f"{s['simulations']:,}",
        elapsed=f"{s['elapsed_s']:.0f}", epsilons=[f"{e:.2f}" for e in s["epsilons"]],
        prior_width=f"{s['prior_width']:g}", today=dt.date.today().isoformat(), draws=draws,
        probabilities={"head": prob_head, "rows": prob_rows}, sensitivity=sens, stable=stable,
        stable_generations=len(last), leaders=lead, figures=figs,
        rejection={"head": ["tolerance", *s["hypotheses"], "separation"], "rows": rej_rows},
        discrimination={**_rows(disc, ["observable", "between_share", "ks_max", "pair", "discriminates"]),
                        "count": int(disc["discriminates"].sum()), "total": len(disc), "ks": f"{KS_DISCRIMINATES:g}"},
        fit_by_hypothesis={"head": ["hypothesis", "median total distance", "90% band", "runs",
                                    "particles in its final posterior"], "rows": fit_rows},
        fitted=_rows(fitted, cols, fmt), held=_rows(held, cols, fmt), scale_check=scale_ctx,
        thresholds={"support": f"{SUPPORT:.0%}", "contradict": f"{CONTRADICT:.0%}", "odds": f"{ODDS:g}",
                    "fit_limit": f"{FIT_LIMIT:g}"}, best=f"{best:.2f}", unstable=unstable,
        audit={"head": ["claim", "text", "statement tested in each run", "numbers", "posterior share by hypothesis",
                        "verdict", "note"], "rows": audit_rows})
    path = out / "index.html"
    path.write_text(page, encoding="utf-8")
    _own(folder, ["report", "predictive.parquet", "scale_check.csv"])
    return path


def _template():
    """The page's Jinja2 template, with every value escaped where it lands."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("makhovik.report", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return env.get_template("report.html.j2")


def _rows(df: pd.DataFrame, cols: list[str], fmt: dict | None = None) -> dict:
    """A table for the template: its head and its rows of text."""
    fmt = fmt or {}
    return {"head": cols, "rows": [[fmt[c](r[c]) if c in fmt else r[c] for c in cols] for _, r in df.iterrows()]}


def _own(folder: Path, names: list[str]) -> None:
    """Add what the report wrote to the calibration folder's manifest (so that ``--force`` may replace it)."""
    from ..io import MANIFEST

    f = folder / MANIFEST
    try:
        man = json.loads(f.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return
    if isinstance(man, dict) and isinstance(man.get("files"), list):
        man["files"] = list(dict.fromkeys([*man["files"], *names]))
        f.write_text(json.dumps(man, indent=2, default=str))
