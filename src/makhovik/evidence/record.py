"""Archival targets from the packaged data pack: annual totals and the dates of events the model produces.

The world and the engine never import this module; only summaries, comparisons and
calibration do.
"""

from __future__ import annotations

import csv
import datetime as dt
from functools import cache

import pandas as pd

from ..world.inputs import data_path
from . import datapack

__all__ = ["annual_record", "event_record", "MODEL_EVENTS"]

#: Endogenous model events and the row of ``events.csv`` (by date) each is held against.
MODEL_EVENTS: dict[str, str] = {
    "mass_operations_decision": "1937-07-02",
    "mass_operations_start": "1937-08-05",
    "postyshev_arrested": "1938-02-21",
    "eikhe_arrested": "1938-04-29",
    "kosior_arrested": "1938-05-03",
    "stop_order": "1938-11-17",
}


@cache
def annual_record() -> pd.DataFrame:
    """Annual arrested, convicted and executed (``annual.csv``: MVD 1st special dept.; Pospelov arrests).

    One row per year 1934-1940, columns ``year, arrested, convicted, executed`` (``Int64``;
    missing where the pack has no number). ``annual.csv`` is in long form with a grade per
    number; see :func:`makhovik.evidence.datapack.load` for the sources and grades.

    Returns
    -------
    DataFrame
        ``year``, ``arrested``, ``convicted``, ``executed``.

    Examples
    --------
    >>> annual_record().set_index("year").loc[1937].tolist()
    [918671, 790665, 353074]
    """
    long = datapack.load("annual.csv")
    wide = long.pivot(index="year", columns="measure", values="value")
    wide = wide.reindex(columns=["arrested", "convicted", "executed"]).rename_axis(columns=None)
    return wide.reset_index().astype("Int64")


@cache
def event_record() -> dict[str, tuple[dt.date, str]]:
    """Historical date and description of each model event in :data:`MODEL_EVENTS`.

    Returns
    -------
    dict of str to (datetime.date, str)
        Model event id (``mass_operations_start``, ``stop_order``...) to the date and the
        description of the event in the data pack's ``events.csv``.

    Examples
    --------
    >>> event_record()["stop_order"][0]
    datetime.date(1938, 11, 17)
    """
    with data_path("events.csv").open(encoding="utf-8") as fh:
        rows = {r["date"]: r["event"] for r in csv.DictReader(fh)}
    out = {}
    for name, date in MODEL_EVENTS.items():
        if date not in rows:  # pragma: no cover - guards the data pack
            raise KeyError(f"events.csv has no row dated {date} for {name}")
        out[name] = (dt.date.fromisoformat(date), rows[date])
    return out
