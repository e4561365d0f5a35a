"""Writing a run to disk: Parquet tables, the resolved scenario, a manifest and the figure, all or nothing."""

from __future__ import annotations

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

__all__ = ["write_run", "check_out_dir", "read_run"]


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


def write_run(result, out: str | Path, figure: bool = True, force: bool = False) -> dict:
    """Write the result's tables and manifest to ``out`` atomically; returns the manifest.

    Everything is written to a temporary folder beside ``out`` and moved into place at the
    end, so an interrupted or failed write leaves nothing half-written.
    """
    from . import __version__

    out = check_out_dir(out, force=force)
    t0 = time.perf_counter()
    parent = out.resolve().parent
    created = parent  # the highest folder this call creates, removed again if the write fails
    while not created.parent.exists():
        created = created.parent
    made = not parent.exists()
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    try:
        files = []
        for name, df in result.tables().items():
            f = tmp / f"{name}.parquet"
            _parquet_safe(df).to_parquet(f, index=(name == "agents"))
            files.append(f.name)
        (tmp / "scenario.yaml").write_text(
            yaml.safe_dump(result.scenario.model_dump(mode="json"), sort_keys=False, allow_unicode=True))
        files.append("scenario.yaml")
        if figure:
            from .report.figures import run_figure

            run_figure(result, tmp / "run.png")
            files.append("run.png")
        manifest = {
            "scenario": result.scenario.name,
            "hypothesis": result.scenario.hypothesis.name,
            "scenario_hash": scenario_hash(result.scenario),
            "seed": result.seed,
            "scale": result.scenario.world.scale,
            "makhovik_version": __version__,
            "python": platform.python_version(),
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "world": result.world_summary,
            "timings_s": {k: round(v, 4) for k, v in {**result.timings,
                                                     "write_s": time.perf_counter() - t0}.items()},
            "files": files + ["manifest.json"],
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str))
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if made:
            shutil.rmtree(created, ignore_errors=True)
        raise
    return manifest


def read_run(out: str | Path) -> dict[str, pd.DataFrame]:
    """Read the Parquet tables of a run folder back."""
    out = Path(out)
    return {p.stem: pd.read_parquet(p) for p in sorted(out.glob("*.parquet"))}
