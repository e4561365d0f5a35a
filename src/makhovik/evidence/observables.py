"""Observables: the declared mapping from simulated outputs to archival numbers, and the distance between them.

The mapping lives in ``observables.yaml`` beside this module: each observable names a
simulated quantity and the data-pack rows that give its archival values. Where several
sources give different numbers, the target is the range they span (rows graded
``unverified`` are shown but left out of the range unless nothing else exists).

Distances (each observable's is dimensionless; 1 means "one scale unit outside the range"):

- ``count``: ``|ln(x + 1) - ln(clip(x, lo, hi) + 1)| / ln(1 + s)`` with ``s = 0.25``: a count
  25% outside its range is 1 unit away;
- ``share`` (elite losses of a body of ``n``): ``|x/n - clip(x/n, lo/n, hi/n)| / s`` with
  ``s = 0.05``: five percentage points outside is 1 unit;
- ``ratio`` (the final Order 00447 limits as a multiple of the initial): ``|ln x - ln clip(x, lo, hi)| /
  ln(1 + s)`` with ``s = 0.25``, as a count without the + 1;
- ``date``: days outside the range over ``s = 30`` days; an event the run did not produce is
  dated the day after the simulated period.

Each observable's distance is capped at ``DISTANCE_CAP`` = 5 units, so that one wild value (an
event a run never produces, a single arrest two years off) cannot outweigh the rest: the
run-to-run spread of such single-agent observables is itself several units.

The total distance is the quality-weighted root mean square over the observables used
(weights: verified 1, secondary 0.5, unverified 0).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd
import yaml

from ..codes import Rank
from ..errors import MakhovikError, ScenarioError, did_you_mean, short_repr
from ..world.inputs import data_path
from .datapack import GRADES

__all__ = [
    "Observable",
    "Target",
    "observables",
    "simulated_values",
    "synthetic_targets",
    "distances",
    "total_distance",
    "parse_numbers",
    "SCALES",
    "DISTANCE_CAP",
    "QUALITY_WEIGHT",
]

SCALES = {"count": 0.25, "share": 0.05, "ratio": 0.25, "date": 30.0}
DISTANCE_CAP = 5.0
RATIO_FLOOR = 1e-3  # ratios below it count as it (a limit multiple of 0: the operations never began)
QUALITY_WEIGHT = {"verified": 1.0, "secondary": 0.5, "unverified": 0.0}
_NUM = re.compile(r"^\s*~?\s*(\d[\d,]*)(?:\s*-\s*(\d[\d,]*))?")


def parse_numbers(cell) -> list[float]:
    """Numbers at the start of a data-pack cell: one value, or both ends of ``A-B``.

    Examples
    --------
    >>> parse_numbers("340,000-350,000 (353,513 arrested)")
    [340000.0, 350000.0]
    >>> parse_numbers(790665)
    [790665.0]
    >>> parse_numbers("1938-11-17")
    [1938.0, 11.0]
    """
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return []
    m = _NUM.match(str(cell))
    if not m:
        return []
    return [float(g.replace(",", "")) for g in m.groups() if g]


@dataclass(frozen=True)
class Target:
    """One archival number and where it comes from."""

    value: float
    file: str
    key: dict
    column: str
    quality: str
    source: str


@dataclass(frozen=True)
class Observable:
    """A simulated quantity held against a range of archival numbers."""

    name: str
    group: str
    sim: str
    kind: str
    targets: tuple[Target, ...]
    denominator: int | None = None
    scale: float = 0.0
    held_out: bool = field(default=False)

    @property
    def used(self) -> tuple[Target, ...]:
        """Targets that make the range: all but the unverified, unless only those exist."""
        ok = tuple(t for t in self.targets if t.quality != "unverified")
        return ok or self.targets

    @property
    def lo(self) -> float:
        return min(t.value for t in self.used)

    @property
    def hi(self) -> float:
        return max(t.value for t in self.used)

    @property
    def quality(self) -> str:
        """The best grade among the targets used."""
        return min((t.quality for t in self.used), key=GRADES.index)

    @property
    def weight(self) -> float:
        return QUALITY_WEIGHT[self.quality]

    def distance(self, x: float) -> float:
        """Distance of a simulated value to the archival range, in scale units (0 inside, at most the cap)."""
        lo, hi, s = self.lo, self.hi, self.scale or SCALES[self.kind]
        if x is None or (isinstance(x, float) and math.isnan(x)):
            return DISTANCE_CAP
        if self.kind == "count":
            d = abs(math.log(x + 1) - math.log(min(max(x, lo), hi) + 1)) / math.log(1 + s)
        elif self.kind == "ratio":
            c = min(max(x, lo), hi)  # a range may be 0 (a synthetic target from a run whose operations never began)
            d = abs(math.log(max(x, RATIO_FLOOR)) - math.log(max(c, RATIO_FLOOR))) / math.log(1 + s)
        elif self.kind == "share":
            n = self.denominator
            d = abs(x / n - min(max(x, lo), hi) / n) / s
        else:
            d = max(lo - x, 0.0, x - hi) / s  # dates as day numbers
        return min(d, DISTANCE_CAP)

    def format(self, x: float) -> str:
        """A value of this observable as people read it: an ISO date, a multiple or a whole count."""
        if x is None or (isinstance(x, float) and math.isnan(x)):
            return "–"
        if self.kind == "date":
            return dt.date.fromordinal(int(round(x))).isoformat()
        if self.kind == "ratio":
            return f"{x:.1f}x"
        return f"{x:,.0f}"

    def describe_range(self) -> str:
        a, b = self.format(self.lo), self.format(self.hi)
        rng = a if a == b else f"{a} – {b}"
        return f"{rng} of {self.denominator:,}" if self.kind == "share" else rng


def _load(file: str) -> pd.DataFrame:
    return pd.read_csv(data_path(file), dtype=str, keep_default_na=False)


def _quality(row: pd.Series) -> str:
    if "quality" in row.index and row["quality"]:
        return row["quality"]
    v = str(row.get("verified", "yes")).lower()
    return "unverified" if v.startswith("no") else ("secondary" if "weak" in v or "secondary" in v else "verified")


@cache
def _observables() -> tuple[Observable, ...]:
    spec = yaml.safe_load((resources.files("makhovik") / "evidence" / "observables.yaml").read_text(encoding="utf-8"))
    tables: dict[str, pd.DataFrame] = {}
    out = []
    for group, items in spec.items():
        for it in items:
            targets = []
            for ref in it["from"]:
                df = tables.setdefault(ref["file"], _load(ref["file"]))
                mask = np.ones(len(df), bool)
                for col, val in ref["key"].items():
                    mask &= df[col].str.strip().to_numpy() == str(val)
                rows = df[mask]
                if len(rows) != 1:
                    raise MakhovikError(f"observables.yaml: {it['name']}: {ref['file']} has {len(rows)} rows for {ref['key']}")
                row = rows.iloc[0]
                cell = row[ref["column"]]
                if it["kind"] == "date":
                    vals = [float(dt.date.fromisoformat(cell).toordinal())]
                else:
                    vals = parse_numbers(cell)
                if not vals:
                    raise MakhovikError(f"observables.yaml: {it['name']}: no number in {ref['file']} {ref['key']} "
                                        f"column {ref['column']} ({cell!r})")
                grade = ref.get("quality", _quality(row))  # a number graded apart from its row (see the yaml)
                for v in vals:
                    targets.append(Target(ref.get("sign", 1) * v, ref["file"], dict(ref["key"]), ref["column"], grade,
                                          row.get("source", "")))
            if it.get("combine") == "sum":  # one number derived from several: their signed sum, graded by the worst
                what = [str(list(t.key.values())[-1]) for t in targets]  # each reference's last key: its series
                parts = "".join(f" {'-' if t.value < 0 else '+'} {w}" for t, w in zip(targets[1:], what[1:], strict=True))
                targets = [Target(sum(t.value for t in targets), targets[0].file, {"derived": what[0] + parts}, "value",
                                  max((t.quality for t in targets), key=GRADES.index),
                                  "; ".join(dict.fromkeys(t.source for t in targets)))]
            out.append(Observable(it["name"], group, it["sim"], it["kind"], tuple(targets),
                                  it.get("denominator"), float(it.get("scale", 0.0))))
    return tuple(out)


def observables(held_out: tuple[str, ...] | list[str] = ()) -> list[Observable]:
    """The declared observables, with ``held_out`` ones marked (they are scored but not fitted).

    Parameters
    ----------
    held_out : sequence of str
        Names of observables kept out of the fit (scored against the record, never fitted).

    Returns
    -------
    list of Observable
        Each with its name, group, kind (count, share, date), archival targets and their
        range (``lo``, ``hi``), quality and weight.

    Examples
    --------
    >>> obs = {o.name: o for o in observables()}
    >>> obs["executed_1937"].lo, obs["cc_1934_repressed"].describe_range()
    (353074.0, '98 of 139')
    """
    obs = list(_observables())
    names = {o.name for o in obs}
    for h in held_out:
        if h not in names:
            raise ScenarioError("--hold-out", f"unknown observable {short_repr(h, 60)}{did_you_mean(h, names)} "
                                              "(`makhovik data` lists them)")
    return [Observable(**{**o.__dict__, "held_out": o.name in held_out}) for o in obs]


# ------------------------------------------------------------------ simulated values
def _weekly_arrays(res) -> dict[str, np.ndarray]:
    """The weekly table as arrays: dates (datetime64[D]), operation masks, counts in persons."""
    df = res.weekly
    exp = df["expansion"].to_numpy()
    op = df["operation"].astype("category")
    names = np.asarray(op.cat.categories, dtype=str)
    codes = op.cat.codes.to_numpy()
    return {
        "date": pd.to_datetime(df["date"]).to_numpy().astype("datetime64[D]"),
        "op": names[codes] if codes.size else np.empty(0, str),
        "national": np.char.startswith(names, "national_")[codes] if codes.size else np.empty(0, bool),
        "arrests": df["arrests"].to_numpy() * exp,
        "convicted": (df["cat1"] + df["cat2"]).to_numpy() * exp,
        "cat1": df["cat1"].to_numpy() * exp,
        "executed": df["executions"].to_numpy() * exp,
    }


#: The elite bodies' observables: the column of the agents table that marks the body's members.
BODY_COLUMN = {"cc_1934_repressed": "cc_1934", "delegates_17_repressed": "delegate_17",
               "military_council_repressed": "military_council"}

SIMULATED = (
    "convicted_year_Y", "executed_year_Y", "arrested_year_Y", "OP_MEASURE_by:DATE", "MEASURE_between:DATE:DATE",
    "op00447_convicted", "op00447_executed", "national_convicted", "national_executed",
    "national_NAME_convicted", "national_NAME_executed", "cc_1934_repressed", "delegates_17_repressed", "military_council_repressed",
    "mil_repressed:RANK", "event:NAME", "MEASURE_outside_mass_between:DATE:DATE", "limit_multiple:CATEGORY",
    "list_names_between:DATE:DATE",
)


def simulated_values(res, names: list[str] | None = None) -> dict[str, float]:
    """The simulated value of every observable (by observable name) for one run.

    Counts are persons (expanded to scale 1); dates are day numbers (``date.toordinal()``).
    Cumulative counts "by" a date include the weeks that start before it.

    Parameters
    ----------
    res : Result
        A run (:func:`makhovik.simulate`).
    names : list of str, optional
        Only these observables; all by default.

    Returns
    -------
    dict of str to float
        Observable name to value; NaN for a date of an event that never happened.

    Examples
    --------
    >>> import datetime as dt, makhovik
    >>> res = makhovik.simulate(makhovik.load_scenario("great-terror", hypothesis="center", scale=0.001), seed=1)
    >>> v = simulated_values(res)
    >>> v["arrested_1937"], v["executed_1937"], v["cc_1934_repressed"]
    (902141.0, 281990.0, 116.0)
    >>> dt.date.fromordinal(int(v["stop_order"]))
    datetime.date(1938, 10, 31)
    """
    obs = observables()
    if names is not None:
        obs = [o for o in obs if o.name in names]
    w = _weekly_arrays(res)
    annual = res.annual().set_index("year")
    a = res.agents
    repressed = (a["status"] != "free").to_numpy()  # categorical: compares codes, no strings made
    end = res.scenario.calendar.end
    mil = a["mil_rank"]
    out: dict[str, float] = {}
    measure_col = {"arrested": "arrests", "convicted": "convicted", "cat1": "cat1", "executed": "executed"}

    def day(iso: str) -> np.datetime64:
        return np.datetime64(iso, "D")

    for o in obs:
        key = o.sim
        if key.startswith(("convicted_year_", "executed_year_", "arrested_year_")):
            meas, _, year = key.rpartition("_year_")
            out[o.name] = float(annual[meas].get(int(year), 0.0))
        elif "_by:" in key:
            head, date = key.split("_by:")
            op, _, meas = head.partition("_")
            sel = (w["date"] < day(date)) & ((w["op"] == "op00447") if op == "op00447" else w["national"])
            out[o.name] = float(w[measure_col[meas]][sel].sum())
        elif key.startswith("list_names_between:"):  # sentenced through the centre's lists (nkvd.list_min_rank up)
            d0, d1 = (dt.date.fromisoformat(x) for x in key.split(":")[1:])
            w0, w1 = ((d - res.scenario.calendar.start).days // 7 for d in (d0, d1))
            rank = a["rank"].cat.codes.to_numpy()
            listed = rank >= res.scenario.mechanisms.nkvd.list_min_rank
            sw = a["sentence_week"].to_numpy()
            sent = a["sentence"].isin(["cat1", "cat2"]).to_numpy() & (sw >= w0) & (sw < w1) & listed
            persons = np.where(rank >= Rank.SENIOR, 1.0, 1.0 / res.scenario.world.scale)  # the senior are whole
            out[o.name] = float(persons[sent].sum())
        elif "_between:" in key:
            meas, _, span = key.partition("_between:")
            meas, outside, _ = meas.partition("_outside_mass")  # outside Order 00447 and the national operations
            d0, d1 = (day(x) for x in span.split(":"))
            sel = (w["date"] >= d0) & (w["date"] < d1)
            if outside:
                sel &= (w["op"] != "op00447") & ~w["national"]
            out[o.name] = float(w[measure_col[meas]][sel].sum())
        elif key in ("op00447_convicted", "op00447_executed"):
            out[o.name] = float(w[key.split("_")[1]][w["op"] == "op00447"].sum())
        elif key in ("national_convicted", "national_executed"):
            out[o.name] = float(w[key.split("_")[1]][w["national"]].sum())
        elif key.startswith("national_"):
            op, _, meas = key.rpartition("_")
            out[o.name] = float(w[meas][w["op"] == op].sum())
        elif key in BODY_COLUMN:
            out[o.name] = float((a[BODY_COLUMN[key]].to_numpy() & repressed).sum())
        elif key.startswith("mil_repressed:"):
            rank = key.split(":", 1)[1]
            out[o.name] = float(((mil == rank).to_numpy() & repressed).sum())
        elif key.startswith("limit_multiple:"):  # the final Order 00447 limits over the initial, all regions
            cat = key.split(":", 1)[1][-1]
            lim = res.limits
            out[o.name] = float(lim[f"limit_cat{cat}"].sum() / lim[f"initial_cat{cat}"].sum())
        elif key.startswith("event:"):
            d = res.event_date(key.split(":", 1)[1])
            out[o.name] = float((d or end + dt.timedelta(days=1)).toordinal())
        else:  # pragma: no cover - guarded by the tests of observables.yaml
            raise MakhovikError(f"observables.yaml: {o.name}: unknown simulated quantity {key!r}")
    return out


def synthetic_targets(values: dict[str, float], obs: list[Observable] | None = None) -> list[Observable]:
    """Observables whose archival range is replaced by values the model produced (identifiability, scale checks).

    Parameters
    ----------
    values : dict of str to float
        Simulated values (:func:`simulated_values`); only the observables named here are kept.
    obs : list of Observable, optional
        The observables to start from; :func:`observables` by default.

    Returns
    -------
    list of Observable
        Each with one synthetic target whose range is the single value given.

    Examples
    --------
    >>> (o,) = synthetic_targets({"executed_1937": 300000.0})
    >>> o.name, o.lo, o.hi, o.distance(300000.0)
    ('executed_1937', 300000.0, 300000.0, 0.0)
    """
    obs = observables() if obs is None else obs
    out = []
    for o in obs:
        if o.name in values:
            t = Target(float(values[o.name]), "synthetic", {}, "", o.quality, "model output")
            out.append(Observable(**{**o.__dict__, "targets": (t,)}))
    return out


def distances(values: dict[str, float], obs: list[Observable] | None = None) -> dict[str, float]:
    """Distance of each simulated value to its archival range.

    Parameters
    ----------
    values : dict of str to float
        Simulated values by observable name (:func:`simulated_values`).
    obs : list of Observable, optional
        :func:`observables` by default.

    Returns
    -------
    dict of str to float
        For each observable given a value: 0 inside the archival range; outside it, the
        distance in the kind's scale units (counts on a log scale, shares in points, dates in
        days), capped.

    Examples
    --------
    >>> d = distances({"executed_1937": 353074.0, "cc_1934_repressed": 98.0})
    >>> d["executed_1937"], d["cc_1934_repressed"]
    (0.0, 0.0)
    >>> round(distances({"executed_1937": 2 * 353074.0})["executed_1937"], 3)  # twice the record
    3.106
    """
    obs = observables() if obs is None else obs
    return {o.name: o.distance(values[o.name]) for o in obs if o.name in values}


def total_distance(values: dict[str, float], obs: list[Observable] | None = None, held_out: bool = False) -> float:
    """Quality-weighted root mean square distance over the fitted (or, with ``held_out``, the held-out) observables.

    Parameters
    ----------
    values : dict of str to float
        Simulated values by observable name.
    obs : list of Observable, optional
        :func:`observables` by default.
    held_out : bool
        Over the held-out observables instead of the fitted ones.

    Returns
    -------
    float
        0 when every value lies in its range.

    Examples
    --------
    >>> import makhovik
    >>> res = makhovik.simulate(makhovik.load_scenario("great-terror", hypothesis="center", scale=0.001), seed=1)
    >>> round(total_distance(simulated_values(res)), 3)
    2.969
    """
    obs = observables() if obs is None else obs
    num = den = 0.0
    for o in obs:
        if o.held_out != held_out or o.weight == 0 or o.name not in values:
            continue
        d = o.distance(values[o.name])
        num += o.weight * d * d
        den += o.weight
    return math.sqrt(num / den) if den else 0.0
