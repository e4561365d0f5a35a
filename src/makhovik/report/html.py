"""The calibration report: one self-contained HTML page, and its figures as PNG and SVG."""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ScenarioError
from ..evidence.audit import CONTRADICT, FIT_LIMIT, ODDS, SUPPORT, audit_table
from ..evidence.compare import compare_table
from ..evidence.observables import observables
from ..evidence.predictive import (
    claim_flags,
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


def load_calibration(folder: Path) -> dict:
    """The summary, model probabilities and posteriors written by ``makhovik calibrate``."""
    folder = Path(folder)
    f = folder / "calibration.json"
    if not f.is_file():
        raise ScenarioError("DIR", f"expected a calibration folder with calibration.json, {folder} has none")
    summary = json.loads(f.read_text())
    probs = pd.read_csv(folder / "model_probabilities.csv", index_col=0)
    posts = {h: pd.read_parquet(folder / f"posterior_{h}.parquet") for h in summary["hypotheses"]
             if (folder / f"posterior_{h}.parquet").exists()}
    return {"summary": summary, "probabilities": probs, "posteriors": posts}


def _calibration_scale(summary: dict) -> float:
    """The scale the calibration ran at: as recorded, or the scenario's ``calibration.scale``."""
    if summary.get("scale"):
        return float(summary["scale"])
    from ..scenario import load_scenario

    return load_scenario(summary.get("scenario", "great-terror")).calibration.scale


def _predictive(folder: Path, cal: dict, draws: int, seed: int, workers, scale,
                progress) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Prior, posterior and per-hypothesis posterior predictive runs (cached in the folder)."""
    cache = folder / "predictive.parquet"
    if cache.exists():
        df = pd.read_parquet(cache)
        return tuple(df[df["kind"] == k].reset_index(drop=True) for k in ("prior", "posterior", "per_hypothesis"))
    s = cal["summary"]
    scenario = s.get("scenario", "great-terror")
    sc = scale or _calibration_scale(s)
    prior = run_draws(scenario, prior_draws(scenario, s["hypotheses"], draws, seed), sc, seed, workers, progress)
    post = run_draws(scenario, posterior_draws(scenario, s["model_probabilities"], cal["posteriors"], draws, seed + 1),
                     sc, seed + 1, workers, progress)
    k = max(2, draws // 3)
    per_draws = [d for h in s["hypotheses"] for d in posterior_draws(scenario, {h: 1.0}, cal["posteriors"], k, seed + 3)]
    per = run_draws(scenario, per_draws, sc, seed + 3, workers, progress)
    prior["kind"], post["kind"], per["kind"] = "prior", "posterior", "per_hypothesis"
    pd.concat([prior, post, per], ignore_index=True).to_parquet(cache)
    return prior, post, per


def _save(fig, folder: Path, name: str) -> str:
    fig.savefig(folder / f"{name}.png", dpi=110)
    fig.savefig(folder / f"{name}.svg")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return base64.b64encode((folder / f"{name}.png").read_bytes()).decode()


def _figures(folder: Path, cal: dict, post: pd.DataFrame, table: pd.DataFrame) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figs = {}
    probs = cal["probabilities"]
    fig, ax = plt.subplots(figsize=(7, 3.2))
    for h in probs.columns:
        ax.plot(probs.index, probs[h], marker="o", label=h)
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
                    ax.hist(df[p], weights=df["weight"], bins=15, alpha=0.5, label=h, density=True)
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


def _table_html(df: pd.DataFrame, cols: list[str], fmt: dict | None = None) -> str:
    fmt = fmt or {}
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = []
    for _, r in df.iterrows():
        cells = []
        for c in cols:
            v = r[c]
            v = fmt[c](v) if c in fmt else v
            cells.append(f"<td>{html.escape(str(v))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


CSS = """body{font-family:Georgia,serif;max-width:1100px;margin:2em auto;color:#222;line-height:1.45}
table{border-collapse:collapse;font-size:13px;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 6px;
vertical-align:top}th{background:#f3f3f3}img{max-width:100%}.supported{color:#1a7f37;font-weight:bold}
.contradicted{color:#b2182b;font-weight:bold}.note{color:#555;font-size:13px}code{font-size:12px}"""


def _scale_check(folder: Path, cal: dict, post: pd.DataFrame, runs: int, seed: int, workers) -> pd.DataFrame | None:
    cache = folder / "scale_check.csv"
    if cache.exists():
        return pd.read_csv(cache)
    if not len(post):
        return None
    from ..evidence.scalecheck import scale_check

    s = cal["summary"]
    best = post.groupby("hypothesis")["distance"].median().idxmin()
    pars = post.loc[post["hypothesis"] == best, [c for c in post.columns if c.startswith("par:")]]
    row = pars.iloc[0].dropna().to_dict() if len(pars) else {}
    over = {k[4:]: v for k, v in row.items()}
    sc = _calibration_scale(s)
    df = scale_check(s.get("scenario", "great-terror"), best, over, (sc, min(1.0, sc * 10)), runs, seed, workers)
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
    other = load_calibration(Path(sensitivity)) if sensitivity is not None else None
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

    def img(k):
        return f'<img alt="{k}" src="data:image/png;base64,{figs[k]}">' if k in figs else ""

    audit_rows = []
    for _, r in audit.iterrows():
        per = ", ".join(f"{h} {v:.2f}" for h, v in r["by_hypothesis"].items()) if r["by_hypothesis"] else ""
        nums = "" if pd.isna(r["posterior_share"]) else (
            f"prior {r['prior_share']:.2f} → posterior {r['posterior_share']:.2f} (odds x{r['odds_ratio']:.2g})")
        audit_rows.append(
            f"<tr><td>{r['claim']}</td><td>{html.escape(r['text'])}</td><td>{html.escape(r['statement'])}</td>"
            f"<td>{nums}</td><td>{html.escape(per)}</td><td class='{r['verdict'].replace(' ', '-')}'>{r['verdict']}</td>"
            f"<td class='note'>{html.escape(r['note'])}</td></tr>")
    stability = (f"<p class='note'>The leading hypothesis is the same in the last {len(last)} generations.</p>" if stable else
                 "<p class='note'><b>The model probabilities are not stable</b>: the leading hypothesis changed between "
                 f"the last generations ({' → '.join(lead)}). At this budget the differences between the hypotheses' "
                 "fits are within the run-to-run noise of the distance; treat the ranking as undetermined.</p>")
    fit_rows = ""
    if len(per_h):
        g = per_h.groupby("hypothesis")["distance"]
        for h in s["hypotheses"]:
            if h in g.groups:
                d = g.get_group(h)
                n_part = len(cal["posteriors"].get(h, []))
                fit_rows += (f"<tr><td>{h}</td><td>{d.median():.2f}</td><td>{d.quantile(0.05):.2f} – "
                             f"{d.quantile(0.95):.2f}</td><td>{len(d)}</td><td>{n_part}</td></tr>")
    fit_by_h = ("<table><tr><th>hypothesis</th><th>median total distance</th><th>90% band</th><th>runs</th>"
                f"<th>particles in its final posterior</th></tr>{fit_rows}</table>") if fit_rows else ""
    if other is not None:
        prob_rows = "".join(f"<tr><td>{h}</td><td>{p:.3f}</td><td>{oprobs.get(h, float('nan')):.3f}</td></tr>"
                            for h, p in probs.items())
        prob_head = (f"<tr><th>hypothesis</th><th>posterior probability</th><th>under the second prior set "
                     f"(width x{other['summary'].get('prior_width', '?')})</th></tr>")
        sens = ("<p class='note'>The ranking of the hypotheses " + ("holds" if holds else "changes") +
                " under the second prior set.</p>")
    else:
        prob_rows = "".join(f"<tr><td>{h}</td><td>{p:.3f}</td></tr>" for h, p in probs.items())
        prob_head = "<tr><th>hypothesis</th><th>posterior probability</th></tr>"
        sens = "<p class='note'>No prior-sensitivity run was given (report --sensitivity DIR).</p>"
    rej = rejection_check(prior, list(s.get("epsilons") or []), list(s["hypotheses"]))
    rej.to_csv(out / "rejection_check.csv", index=False)
    rej_rows = ""
    for eps, g in rej.groupby("epsilon", sort=False):
        sep = g[g["separated"]]
        cells = "".join(f"<td>{r['within']}/{r['runs']} ({r['share']:.3f}; {r['share_lo']:.3f}–{r['share_hi']:.3f})"
                        f"{' → ' + format(r['probability'], '.2f') if r['probability'] == r['probability'] else ''}</td>"
                        for _, r in g.iterrows())
        verdict = f"{sep['hypothesis'].iloc[0]} above the others" if len(sep) else "intervals overlap"
        rej_rows += f"<tr><td>{eps:.2f}</td>{cells}<td>{verdict}</td></tr>"
    rej_html = ("<p class='note'>Each hypothesis's prior predictive runs within each generation's ABC tolerance, with "
                "90% Wilson intervals and, after the arrow, the probability they imply with equal prior odds (a "
                "hypothesis's probability is proportional to its share). This rejection check needs no importance "
                "weights, so it checks ABC-SMC's probabilities above; at the tightest tolerances few prior runs "
                "qualify and the intervals are wide.</p><table><tr><th>tolerance</th>" +
                "".join(f"<th>{html.escape(h)}</th>" for h in s["hypotheses"]) + f"<th>separation</th></tr>{rej_rows}</table>")
    if scale_df is not None:
        scols = [c for c in scale_df.columns if c.startswith("median_scale_")]
        drift = scale_df[~scale_df["stable"]]
        scale_html = (f"<p class='note'>Posterior parameters of <b>{scale_df['hypothesis'].iloc[0]}</b>, {scale_runs} runs at each "
                      f"scale; {int(scale_df['stable'].sum())} of {len(scale_df)} observables differ by less than one "
                      f"distance unit. Unstable: {', '.join(drift['observable']) or 'none'}.</p>" +
                      _table_html(scale_df, ["observable", *scols, "difference_units", "stable"],
                                  {"difference_units": lambda x: f"{x:.2f}"}))
    else:
        scale_html = "<p class='note'>Scale check skipped.</p>"
    cols = ["observable", "archival", "quality", "simulated", "distance", "in_range"]
    fmt = {"distance": lambda x: f"{x:.2f}", "in_range": lambda x: f"{x:.0%}"}
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>Makhovik calibration report</title>
<style>{CSS}</style></head><body>
<h1>Makhovik — calibration report</h1>
<p class="note">Scenario <code>{html.escape(str(s.get('scenario', 'great-terror')))}</code>; hypotheses {', '.join(s['hypotheses'])};
{s['simulations']:,} simulations in {s['elapsed_s']:.0f} s; ABC-SMC tolerances {' → '.join(f'{e:.2f}' for e in s['epsilons'])};
prior width x{s.get('prior_width', 1.0)}; report drawn {dt.date.today().isoformat()} from {draws} prior and {draws} posterior
predictive runs. No thesis is presented as fact: the page says which account reproduces the record better
under the model's assumptions, and what that implies for each claim.</p>
<h2>Posterior probabilities of the hypotheses</h2>
<table>{prob_head}{prob_rows}</table>{sens}{stability}
{img('model_probabilities')}
<h3>Check by rejection</h3>{rej_html}
<h3>How well each hypothesis can fit</h3><p class="note">Runs drawn from each hypothesis's own posterior, whatever its
probability; total distance over the fitted observables (the quantity ABC minimises).</p>{fit_by_h}
<h2>Fit to the record (posterior predictive)</h2>
<p class="note">Distance: 1 = one scale unit outside the archival range (counts: 25%; shares of a body: 5 points;
dates: 30 days). Median over posterior predictive runs with the 90% band.</p>
<h3>Fitted observables</h3>{_table_html(fitted, cols, fmt)}
<h3>Held-out observables</h3>{_table_html(held, cols, fmt) if len(held) else '<p class="note">none held out in this calibration</p>'}
{img('annual')}{img('observables')}{img('fit')}
<h2>Posteriors</h2>{img('posteriors')}
<h2>Stability across scales</h2>{scale_html}
<h2>Claim audit</h2>
<p class="note">Verdicts: <b>supported</b> if the statement holds in at least {SUPPORT:.0%} of posterior runs and the data
raised its odds at least {ODDS:g}-fold over the prior; <b>contradicted</b> if at most {CONTRADICT:.0%} and the odds fell
{ODDS:g}-fold; otherwise <b>cannot tell</b>. No verdict when no hypothesis fits (best median distance above {FIT_LIMIT:g};
here {best:.2f}) or when the model probabilities are not stable{(' — here: ' + html.escape(unstable)) if unstable else ''}.</p>
<table><tr><th>claim</th><th>text</th><th>statement tested in each run</th><th>numbers</th><th>posterior share by hypothesis</th>
<th>verdict</th><th>note</th></tr>{''.join(audit_rows)}</table>
<p class="note">Figures are also in this folder as PNG and SVG; tables as fit.csv and claim_audit.csv.</p>
</body></html>"""
    path = out / "index.html"
    path.write_text(page, encoding="utf-8")
    return path

