"""Writing a run to disk: Parquet tables, the resolved scenario, a manifest and the figure, all or nothing."""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
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

__all__ = ["write_run", "check_out_dir", "read_run", "atomic_dir", "provenance", "write_scenario", "owned_files",
           "clean_stale", "remove_owned", "MANIFEST"]


#: The file every folder Makhovik writes holds: what wrote it and the files it wrote (``files``).
MANIFEST = "manifest.json"
#: Inside a temporary folder while it is being written: the writing process's id (stale once it is gone).
PARTIAL = ".makhovik-partial"


def _protected(out: Path) -> str | None:
    """Why ``out`` may never be replaced (the working folder, a folder above it, home, the root), or None."""
    r = out.resolve()
    here = Path.cwd().resolve()
    if r == here:
        return "the current folder"
    if r in here.parents:
        return "a folder above the current one"
    if r == Path.home().resolve():
        return "the home folder"
    if r == Path(r.anchor):
        return "the root folder"
    return None


def owned_files(out: str | Path) -> set[str] | None:
    """The names in ``out`` that Makhovik wrote (from its manifest, the manifest included), or None without one.

    A folder is Makhovik's when it holds a ``manifest.json`` that a Makhovik command wrote
    (with ``makhovik_version`` and the list of its ``files``). Only those files are ever
    replaced or deleted by ``--force``.
    """
    try:
        data = json.loads((Path(out) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or "makhovik_version" not in data or not isinstance(data.get("files"), list):
        return None
    names = {f for f in data["files"] if isinstance(f, str) and f and "/" not in f and f not in (".", "..")}
    return names | {MANIFEST}


def check_out_dir(out: str | Path, force: bool = False) -> Path:
    """Refuse an output folder before any work: a file, a protected folder, or one with files (without ``force``).

    With ``force``, a folder another Makhovik command wrote is replaced; files in it that
    Makhovik did not write are kept, never deleted (:func:`atomic_dir`).
    """
    out = Path(out).expanduser()
    if out.exists() and not out.is_dir():
        raise ScenarioError("--out", f"expected a folder, but {out} is a file")
    why = _protected(out)
    if why is not None:
        raise ScenarioError("--out", f"expected a folder of its own, {out} is {why}; name a new folder such as runs/x")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise ScenarioError("--out", f"expected a new or empty folder, {out} has files (use --force to replace an "
                                     "earlier Makhovik output; files Makhovik did not write are always kept)")
    anc = out.resolve().parent
    while not anc.exists():
        anc = anc.parent
    if not anc.is_dir() or not os.access(anc, os.W_OK):
        raise ScenarioError("--out", f"expected a folder that can be created, {anc} is not writable")
    return out


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def clean_stale(out: str | Path) -> list[Path]:
    """Remove the temporary folders that killed writes of ``out`` left beside it; returns those removed.

    A temporary folder (``.NAME.xxxx`` beside ``NAME``) holds a marker with the id of the
    process writing it; it is stale once that process is gone (or after a week).
    """
    out = Path(out)
    parent = out.resolve().parent
    removed = []
    if not parent.is_dir():
        return removed
    for d in parent.glob(f".{glob.escape(out.name)}.*"):
        marker = d / PARTIAL
        try:
            pid = int(marker.read_text().split()[0])
            age = time.time() - marker.stat().st_mtime
        except (OSError, ValueError, IndexError):
            continue  # not ours, or not stale: never touched
        if d.is_dir() and (not _alive(pid) or age > 7 * 86400) and pid != os.getpid():
            shutil.rmtree(d, ignore_errors=True)
            removed.append(d)
    return removed


def _temp_beside(out: Path, parent: Path, tag: str = "") -> Path:
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.{tag}", dir=parent))
    (tmp / PARTIAL).write_text(f"{os.getpid()}\n")
    return tmp


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _commit(tmp: Path, out: Path, parent: Path) -> None:
    """Move the finished folder ``tmp`` into place as ``out`` (see :func:`atomic_dir`)."""
    (tmp / PARTIAL).unlink()
    if not out.exists():
        os.replace(tmp, out)
        return
    owned = owned_files(out) or set()
    present = set(os.listdir(out))
    foreign = present - owned
    if not foreign:  # an earlier Makhovik output and nothing else: swap the folders
        old = _temp_beside(out, parent, "old.")
        os.replace(out, old / out.name)
        os.replace(tmp, out)
        shutil.rmtree(old, ignore_errors=True)
        return
    new = set(os.listdir(tmp))
    clash = sorted(new & foreign)
    if clash:
        raise ScenarioError("--out", f"expected Makhovik's own files only where it writes, {out / clash[0]} was not "
                                     "written by Makhovik; --force never replaces it (move it, or name a new folder)")
    old = _temp_beside(out, parent, "old.")  # the earlier output's files, out of the way first
    for name in sorted(owned & present):
        os.replace(out / name, old / name)
    for name in sorted(new - {MANIFEST}) + ([MANIFEST] if MANIFEST in new else []):
        os.replace(tmp / name, out / name)
    tmp.rmdir()
    shutil.rmtree(old, ignore_errors=True)


def remove_owned(out: str | Path) -> None:
    """Delete the files of an earlier Makhovik output in ``out`` (its manifest's), keeping every other file."""
    out = Path(out)
    for name in sorted(owned_files(out) or ()):
        if (out / name).exists() or (out / name).is_symlink():
            _remove(out / name)


def _parquet_safe(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object and len(out) and isinstance(out[c].iloc[0], dt.date):
            out[c] = pd.to_datetime(out[c])
    return out


@contextlib.contextmanager
def atomic_dir(out: str | Path, force: bool = False):
    """Yield a temporary folder beside ``out``; on success it becomes ``out``, on failure nothing is left.

    With ``force``, an earlier Makhovik output in ``out`` is replaced. Files in ``out`` that
    Makhovik did not write (not in its manifest) stay where they are and are never deleted;
    the new files are moved in beside them. Parent folders that did not exist are created,
    and removed again if the block fails. Temporary folders left by killed writes of the
    same ``out`` are cleaned up first (:func:`clean_stale`).
    """
    out = check_out_dir(out, force=force)
    parent = out.resolve().parent
    created = parent  # the highest folder this call creates
    while not created.parent.exists():
        created = created.parent
    made = not parent.exists()
    parent.mkdir(parents=True, exist_ok=True)
    clean_stale(out)
    tmp = _temp_beside(out, parent)
    try:
        yield tmp
        _commit(tmp, out, parent)
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
