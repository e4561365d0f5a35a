"""The packaged data pack: every CSV of ``makhovik/data``, with a source and a quality grade per row.

The files are copies of the project's data pack with a ``quality`` column added (``verified``,
``secondary`` or ``unverified``, as in the verification legend of ``sources/HISTORY.md``, shipped with the package);
``annual.csv`` is in long form (one number per row) because its numbers come from hosts
of different grades. ``sources.csv`` resolves the source tags ``[S1]``..``[S67]``. The
grading rules are in ``makhovik/data/README.md``.

Every file is checked by :func:`validate` when this module is imported, so a broken
data pack fails loudly and early (the files are small: a few hundred rows in all).

Examples
--------
>>> from makhovik.evidence import datapack
>>> datapack.validate()
>>> annual = datapack.load("annual.csv")
>>> row = annual[(annual.year == 1937) & (annual.measure == "convicted")]
>>> int(row.value.iloc[0]), row.quality.iloc[0]
(790665, 'verified')
>>> sorted(datapack.load("events")["quality"].value_counts().items())
[('secondary', 3), ('unverified', 3), ('verified', 53)]
>>> datapack.sources().set_index("tag").loc["S18", "citation"]
'S. Kremlyov, Великий Сталин (secondary)'
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pandas as pd

from ..errors import MakhovikError
from ..world.inputs import data_path

__all__ = ["FILES", "GRADES", "COLUMNS", "load", "sources", "validate"]

#: The quality grades, best first.
GRADES: tuple[str, ...] = ("verified", "secondary", "unverified")

#: Columns each file must have (in this order).
COLUMNS: dict[str, tuple[str, ...]] = {
    "annual.csv": ("year", "measure", "value", "source", "quality"),
    "annual_variants.csv": ("year", "series", "arrested", "convicted", "executed", "verified", "source",
                            "quality"),
    "checkpoints.csv": ("date", "series", "value", "source", "quality"),
    "elite.csv": ("group", "total", "repressed", "executed", "source", "quality"),
    "events.csv": ("date", "event", "source", "verified", "quality"),
    "limits_00447.csv": ("region", "level", "cat1_shoot", "cat2_camp", "total", "type", "date", "source",
                         "quality"),
    "operations.csv": ("operation", "convicted", "executed", "source", "quality"),
    "sources.csv": ("tag", "citation", "urls"),
}

#: The CSV files of the data pack.
FILES: tuple[str, ...] = tuple(COLUMNS)

_MEASURES = ("arrested", "convicted", "executed")
_TAG = re.compile(r"S\d+[a-z]?")


def _name(name: str) -> str:
    full = name if name.endswith(".csv") else f"{name}.csv"
    if full not in COLUMNS:
        raise MakhovikError(f"{name}: not a file of the data pack (one of {', '.join(FILES)})")
    return full


def _read(path) -> pd.DataFrame:
    # Text as written: many cells hold ranges or notes ("~17,000-17,981"), so nothing is parsed.
    with path.open(encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


@cache
def _load(name: str) -> pd.DataFrame:
    df = _read(data_path(name))
    if name == "annual.csv":
        df = df.astype({"year": "int64", "value": "int64"})
    return df


def load(name: str) -> pd.DataFrame:
    """One file of the data pack.

    Parameters
    ----------
    name : str
        File name, with or without ``.csv`` (``"annual.csv"``, ``"events"``).

    Returns
    -------
    pandas.DataFrame
        The rows as written, every cell as text (empty cells are ``""``), except
        ``year`` and ``value`` of ``annual.csv``, which are integers. A fresh copy of a
        cached read.

    Raises
    ------
    MakhovikError
        If ``name`` is not a file of the data pack.
    """
    return _load(_name(name)).copy()


def sources() -> pd.DataFrame:
    """The source list of ``HISTORY.md`` (``sources.csv``): ``tag``, ``citation``, ``urls`` (``" ; "``-separated)."""
    return load("sources.csv")


def _fail(name: str, row: int | None, column: str, problem: str):
    where = "header" if row is None else f"row {row + 1} (line {row + 2})"
    raise MakhovikError(f"{name}: {where}, column {column!r}: {problem}")


def _check(name: str, df: pd.DataFrame) -> None:
    for col in COLUMNS[name]:
        if col not in df.columns:
            _fail(name, None, col, f"missing (expected columns {', '.join(COLUMNS[name])})")
    if name == "sources.csv":
        seen: dict[str, int] = {}
        for i, r in enumerate(df.itertuples(index=False)):
            if not _TAG.fullmatch(r.tag):
                _fail(name, i, "tag", f"{r.tag!r} is not a source tag like S12 or S12b")
            if r.tag in seen:
                _fail(name, i, "tag", f"{r.tag} repeats row {seen[r.tag] + 1}")
            seen[r.tag] = i
            if not (r.citation.strip() or r.urls.strip()):
                _fail(name, i, "citation", f"{r.tag} has neither a citation nor a URL")
        return
    for i, (grade, source) in enumerate(zip(df["quality"], df["source"], strict=True)):
        if grade not in GRADES:
            _fail(name, i, "quality", f"{grade!r} is not one of {', '.join(GRADES)}")
        if not source.strip() and grade != "unverified":
            _fail(name, i, "source", f"empty, so the row must be graded unverified, not {grade!r}")
    if name == "annual.csv":
        keys: dict[tuple[str, str], int] = {}
        for i, r in enumerate(df.itertuples(index=False)):
            if r.measure not in _MEASURES:
                _fail(name, i, "measure", f"{r.measure!r} is not one of {', '.join(_MEASURES)}")
            for col in ("year", "value"):
                if not str(getattr(r, col)).isdigit():
                    _fail(name, i, col, f"{getattr(r, col)!r} is not a whole number")
            if (r.year, r.measure) in keys:
                _fail(name, i, "measure", f"{r.measure} of {r.year} repeats row {keys[r.year, r.measure] + 1}")
            keys[r.year, r.measure] = i


def validate(directory: str | Path | None = None) -> None:
    """Check every file of the data pack; raise on the first fault.

    Checks: the expected columns are present; ``quality`` is one of :data:`GRADES` on
    every row; ``source`` is non-empty on every row, except rows for which
    ``HISTORY.md`` gives no source, which must be graded ``unverified``; ``annual.csv``
    holds one whole number per (year, measure); every tag of ``sources.csv`` is well
    formed, unique and has a citation or a URL.

    Parameters
    ----------
    directory : str or pathlib.Path, optional
        Check the CSVs of this folder instead of the packaged ones (e.g. an edited copy).

    Raises
    ------
    MakhovikError
        One line naming the file, the row and the column at fault.
    """
    for name in FILES:
        if directory is None:
            df = _read(data_path(name))
        else:
            path = Path(directory) / name
            if not path.is_file():
                raise MakhovikError(f"{name}: file missing from {directory}")
            df = _read(path)
        _check(name, df)


validate()
