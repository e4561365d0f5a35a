"""Writing a run to disk: Parquet tables, the resolved scenario, a manifest and the figure, all or nothing."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .errors import ScenarioError
from .scenario import scenario_hash

__all__ = ["write_run", "check_out_dir", "read_run", "atomic_dir", "provenance", "write_scenario"]


def check_out_dir(out: str | Path, force: bool = False) -> Path:
    """Refuse an output folder that exists and is not empty (unless ``force``), before any work."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ScenarioError("--out", f"expected a folder, but {out} is a file")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise ScenarioError("--out", f"expected a new or empty folder, {out} has files (use --force to replace it)")
    anc = out.resolve().parent
    while not anc.exists():
        anc = anc.parent
    if not anc.is_dir() or not os.access(anc, os.W_OK):
        raise ScenarioError("--out", f"expected a folder that can be created, {anc} is not writable")
    return out


def _parquet_safe(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object and len(out) and isinstance(out[c].iloc[0], dt.date):
            out[c] = pd.to_datetime(out[c])
    return out


@contextlib.contextmanager
def atomic_dir(out: str | Path, force: bool = False):
    """Yield a temporary folder beside ``out``; on success it replaces ``out``, on failure nothing is left.

    Parent folders that did not exist are created, and removed again if the block fails.
    """
    out = check_out_dir(out, force=force)
    parent = out.resolve().parent
    created = parent  # the highest folder this call creates
    while not created.parent.exists():
        created = created.parent
    made = not parent.exists()
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    try:
        yield tmp
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if made:
            shutil.rmtree(created, ignore_errors=True)
        raise


def provenance(scenario, seed) -> dict:
    """What a manifest records of any output: scenario, hash, seed, versions, time."""
    from . import __version__

    return {
        "scenario": scenario.name,
        "hypothesis": scenario.hypothesis.name,
        "scenario_hash": scenario_hash(scenario),
        "seed": seed,
        "scale": scenario.world.scale,
        "makhovik_version": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def write_scenario(scenario, path: Path) -> None:
    """The resolved scenario as YAML."""
    path.write_text(yaml.safe_dump(scenario.model_dump(mode="json"), sort_keys=False, allow_unicode=True))


def write_run(result, out: str | Path, figure: bool = True, force: bool = False) -> dict:
    """Write the result's tables and manifest to ``out`` atomically; returns the manifest.

    Everything is written to a temporary folder beside ``out`` and moved into place at the
    end, so an interrupted or failed write leaves nothing half-written.
    """
    t0 = time.perf_counter()
    with atomic_dir(out, force=force) as tmp:
        files = []
        for name, df in result.tables().items():
            f = tmp / f"{name}.parquet"
            _parquet_safe(df).to_parquet(f, index=(name == "agents"))
            files.append(f.name)
        write_scenario(result.scenario, tmp / "scenario.yaml")
        files.append("scenario.yaml")
        if figure:
            from .report.figures import run_figure

            run_figure(result, tmp / "run.png")
            files.append("run.png")
        manifest = {
            **provenance(result.scenario, result.seed),
            "world": result.world_summary,
            "timings_s": {k: round(v, 4) for k, v in {**result.timings,
                                                     "write_s": time.perf_counter() - t0}.items()},
            "files": files + ["manifest.json"],
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str))
    return manifest


def read_run(out: str | Path) -> dict[str, pd.DataFrame]:
    """Read the Parquet tables of a run folder back."""
    out = Path(out)
    return {p.stem: pd.read_parquet(p) for p in sorted(out.glob("*.parquet"))}
