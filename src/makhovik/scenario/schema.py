"""Scenario schema: frozen pydantic models for every input, parameter and decision rule.

Each numeric parameter carries its meaning (``description``), its unit and a prior
range (``json_schema_extra``: ``unit``, ``prior``) that calibration uses later. The
prior range is a statement of plausible values, not a hard bound; hard bounds
(probabilities in [0, 1], counts >= 0) are enforced by validation.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ..codes import CADRE_FACTIONS, FACTIONS, RANKS, TIE_TYPES

__all__ = [
    "FACTIONS",
    "CADRE_FACTIONS",
    "TIE_TYPES",
    "RANKS",
    "UNIT_BOUNDS",
    "DATE_MIN",
    "DATE_MAX",
    "RELIABLE_SCALE",
    "Scenario",
    "Calendar",
    "World",
    "Contingent",
    "RegionSpec",
    "NamedAgent",
    "Ties",
    "Alarm",
    "Pressure",
    "Centre",
    "NKVD",
    "Flywheel",
    "Control",
    "Decline",
    "Mechanisms",
    "Event",
    "HypothesisInfo",
    "Calibration",
    "param",
    "per_entry",
    "parameter_table",
    "prior_warnings",
    "scaled_tiers",
    "min_scale",
]

# FACTIONS, CADRE_FACTIONS, TIE_TYPES and RANKS: names in code order, from ``makhovik.codes``.

#: Every date of a scenario lies in these years (the week counters, pandas' dates and the figures hold them).
DATE_MIN, DATE_MAX = dt.date(1900, 1, 1), dt.date(2100, 12, 31)
#: Below this scale the thinnest scaled tier (army officers) is too thin for the elite losses (README, Caveats).
RELIABLE_SCALE = 0.01

#: Physical bounds of a value by its unit, where a parameter gives none of its own: a probability lies
#: in [0, 1], nothing is negative, and no rate or size is beyond what any world could hold. The
#: prior range (calibration's) is narrower; a value outside it but inside these bounds is allowed,
#: with a warning (:func:`prior_warnings`).
UNIT_BOUNDS: dict[str, tuple[float, float]] = {
    "fraction": (0, 1), "probability": (0, 1), "0-1": (0, 1), "share of power": (0, 1), "per week": (0, 1),
    "fraction of national pools per week": (0, 1), "rank code": (1, 5), "weeks": (0, 5200),
    "persons": (0, 1e9), "count": (0, 1e7), "ties per agent": (0, 1e6), "multiplier": (0, 1e6),
    "per week per naming": (0, 1e6), "arrests per staff-week": (0, 1e6), "fraction of initial limit": (0, 1e6),
    "fraction of limit": (0, 1e6), "alarm units": (0, 1e9), "power per person": (0, 1e9), "pressure units": (0, 1e9),
    "fraction of resistance": (0, 1e9), "ratio": (0, 1e9),
}

#: A name (of a scenario, an event, a contingent, a region): one line of at most 200 characters.
def _printable(allowed: str):
    """A check that a string holds no control characters but ``allowed`` (a name is one line; text may break)."""
    def check(v: str) -> str:
        bad = next((c for c in v if (ord(c) < 32 or ord(c) == 127) and c not in allowed), None)
        if bad is not None:
            raise ValueError(f"expected printable text, got the control character #x{ord(bad):04x}")
        return v
    return AfterValidator(check)


Name = Annotated[str, StringConstraints(min_length=1, max_length=200), _printable("")]
#: Free text (a description, a label, a source): at most 5,000 characters; tabs and line breaks allowed.
Text = Annotated[str, StringConstraints(max_length=5000), _printable("\t\n\r")]


def _date_bounds(ge: dt.date = DATE_MIN, le: dt.date = DATE_MAX) -> dict:
    """Validation bounds of a date and the same bounds as JSON Schema states them for a ``format: date`` string."""
    return {"ge": ge, "le": le, "json_schema_extra": {"formatMinimum": ge.isoformat(), "formatMaximum": le.isoformat()}}


#: A date inside :data:`DATE_MIN` .. :data:`DATE_MAX`.
Date = Annotated[dt.date, Field(**_date_bounds())]


def field_error(field: str, message: str) -> PydanticCustomError:
    """A validation error about ``field`` below the model being validated (the message names its path)."""
    return PydanticCustomError("field_error", "{message}", {"field": field, "message": message})


def _bounds(unit: str, bounds: dict) -> dict:
    """``bounds`` with the unit's physical bounds filled in where the parameter gives none."""
    lo, hi = UNIT_BOUNDS.get(unit, (0, None))
    out = dict(bounds)
    if "ge" not in out and "gt" not in out:
        out["ge"] = lo
    if "le" not in out and "lt" not in out and hi is not None:
        out["le"] = hi
    return out


def param(default: Any, lo: Any, hi: Any, unit: str, doc: str, **bounds: Any) -> Any:
    """A scenario parameter with meaning, unit and prior range.

    Parameters
    ----------
    default : Any
        The base value.
    lo, hi : Any
        Prior range for calibration (dates as ISO strings).
    unit : str
        Unit in words (``persons``, ``per week``, ``probability``, ``date``...).
    doc : str
        What the parameter means.
    **bounds
        Hard validation bounds passed to :func:`pydantic.Field` (``ge``, ``le``, ``gt``); where
        none is given, the unit's (:data:`UNIT_BOUNDS`; dates: :data:`DATE_MIN` .. :data:`DATE_MAX`).
    """
    extra = {}
    if unit == "date":
        bounds = _date_bounds(**bounds)
        extra = bounds.pop("json_schema_extra")
    else:
        bounds = _bounds(unit, bounds)
    lo = lo.isoformat() if isinstance(lo, dt.date) else lo
    hi = hi.isoformat() if isinstance(hi, dt.date) else hi
    return Field(default, description=doc, json_schema_extra={"unit": unit, **extra, "prior": [lo, hi]}, **bounds)


def per_entry(default_factory, lo: Any, hi: Any, unit: str, doc: str, bounds: tuple[float, float] | None = None) -> Any:
    """A mapping or list parameter whose every entry has the unit and prior range given.

    ``bounds`` are the entries' hard bounds (default: the unit's, :data:`UNIT_BOUNDS`); every
    model checks them (``_Model``), naming the entry at fault.
    """
    b = bounds or UNIT_BOUNDS.get(unit, (0, math.inf))
    return Field(default_factory=default_factory, description=doc,
                 json_schema_extra={"unit": unit, "prior": [lo, hi], "per_entry": True, "bounds": list(b)})


def _leaves(value, path: str):
    """(path, number) for every number inside nested mappings and lists."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, f"{path}.{k}")
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            yield from _leaves(v, f"{path}.{i}")
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield path, value


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    @model_validator(mode="after")
    def _entries_in_bounds(self):
        """Every entry of a per-entry parameter (:func:`per_entry`) inside its hard bounds."""
        for name, f in type(self).model_fields.items():
            extra = f.json_schema_extra
            if not isinstance(extra, dict) or not extra.get("per_entry"):
                continue
            lo, hi = extra["bounds"]
            for path, v in _leaves(getattr(self, name), name):
                if not (math.isfinite(v) and lo <= v <= hi):
                    raise field_error(path, f"expected a number in [{lo:g}, {hi:g}], got {v!r}")
        return self


def _check_keys(mapping: dict, allowed: tuple[str, ...], what: str, prefix: str = "") -> dict:
    """Refuse a key that is not one of ``allowed``, naming it (``prefix`` is the path above the mapping)."""
    from ..errors import did_you_mean, short_repr

    for k in mapping:
        if k not in allowed:
            raise field_error(f"{prefix}{k}", f"unknown {what} {short_repr(k, 40)}{did_you_mean(k, allowed)}; "
                                             f"expected one of {', '.join(allowed)}")
    return mapping


def _unit_mapping(mapping: dict, allowed: tuple[str, ...], what: str, name: str, prefix: str = "") -> dict:
    """Check a mapping of known keys to values in [0, 1]."""
    _check_keys(mapping, allowed, what, prefix)
    for k, x in mapping.items():
        if not 0 <= x <= 1:
            raise field_error(f"{prefix}{k}", f"expected {name} in [0, 1], got {x!r}")
    return mapping


def scaled_tiers(world: World) -> dict[str, float]:
    """Persons at scale 1 in each tier that shrinks with ``world.scale`` (the elite tiers are kept whole).

    Examples
    --------
    >>> t = scaled_tiers(World())
    >>> t["world.nkvd_staff"], round(t["world.party_members"])
    (25000, 1884800)
    """
    senior = world.rank_shares.get("senior", 0.0)
    out = {"world.party_members": world.party_members * (1.0 - senior), "world.army_officers": world.army_officers,
           "world.nkvd_staff": world.nkvd_staff}
    out.update({f"world.contingents.{name}.pool": c.pool for name, c in world.contingents.items()})
    return out


def min_scale(world: World) -> float:
    """The smallest scale at which every non-empty scaled tier keeps at least one agent."""
    sizes = [n for n in scaled_tiers(world).values() if n > 0]
    return 1.0 / min(sizes) if sizes else 0.0


class Calendar(_Model):
    """Simulated period. The engine ticks weekly from ``start``."""

    start: Date = Field(dt.date(1936, 1, 6), description="First simulated week (ISO date, a Monday).")
    end: Date = Field(dt.date(1939, 12, 31), description="Last simulated day (ISO date).")

    @field_validator("start")
    @classmethod
    def _monday(cls, v):
        if v.weekday() != 0:
            raise ValueError(f"expected a Monday (weeks run Monday to Sunday), {v} is a {v.strftime('%A')}")
        return v

    @model_validator(mode="after")
    def _order(self):
        if self.end <= self.start:
            raise field_error("end", f"expected a date after calendar.start ({self.start}), got {self.end}")
        return self

    @property
    def n_weeks(self) -> int:
        return (self.end - self.start).days // 7 + 1


class RegionSpec(_Model):
    """A limit-holding region given explicitly (instead of from the data pack)."""

    name: Name
    republic: Name | Literal[""] = Field("", description="Republic the region belongs to.")
    cat1: int = Field(0, ge=0, le=10**9, description="Initial Order 00447 category-1 limit (persons).")
    cat2: int = Field(0, ge=0, le=10**9, description="Initial Order 00447 category-2 limit (persons).")
    party_orgs: int = Field(1, ge=1, le=10**7, description="Number of obkom-level party organisations.")
    weight: float | None = Field(None, ge=0, le=1e12,
                                 description="Share of population; default: proportional to initial limits.")


class NamedAgent(_Model):
    """An individual the model tracks by name (Kosior, Eikhe...): the head of a party organisation."""

    faction: Literal[CADRE_FACTIONS] = "regionals"  # type: ignore[valid-type]
    region: Name = Field(..., description="Region name (must exist).")
    rank: int = Field(5, ge=1, le=5, description="Rank code (5 = Politburo level).")
    cc_member: bool = Field(True, description="Member or candidate of the 1934 Central Committee.")
    role: Literal["party_head", "nkvd_chief", "army_head", "opposition_leader"] = "party_head"


class Contingent(_Model):
    """A registered population targeted by a mass operation."""

    operation: Literal["op00447", "national", "routine"] = Field(
        ..., description="op00447: the kulak operation under limits; national: a national operation "
        "without limits, sentenced by album; routine: ordinary NKVD cases all along."
    )
    pool: int = param(0, 0, 5_000_000, "persons", "Size of the contingent at scale 1.", ge=0)
    registered_share: float = param(
        0.3, 0.05, 0.8, "fraction", "Share already on NKVD registers when the operation starts.", ge=0, le=1
    )
    region_weights: dict[Name, Annotated[float, Field(ge=0, le=1e12)]] | None = Field(
        None, description="Where the contingent lives: region name -> weight; default: proportional to "
        "region weight. Regions not named share nothing."
    )
    launch_lag_weeks: float = param(
        2.0, 0, 40, "weeks", "For national operations: weeks from the mass-operations decision to this "
        "operation's order.", ge=0,
    )
    cat1_share: float = param(
        0.7, 0.0, 0.95, "probability", "For national and routine cases: probability a sentence is category 1.",
        ge=0, le=1,
    )
    arrest_share: float = param(
        0.02, 0.002, 0.1, "per week", "For national operations: share of the registered pool the NKVD "
        "takes per week at full capacity.", ge=0, le=1,
    )


class World(_Model):
    """Sizes and composition of the world. Elite tiers come from the data pack and stay whole."""

    scale: float = param(1.0, 0.001, 1.0, "fraction", "Scale of the rank-and-file and mass tiers.", gt=0, le=1)
    party_members: int = param(
        1_900_000, 1_500_000, 2_400_000, "persons", "Party members and candidates, 1937 (rank-and-file tier).", ge=0
    )
    army_officers: int = param(
        130_000, 100_000, 180_000, "persons", "Red Army command and political staff below the named ranks.", ge=0
    )
    nkvd_staff: int = param(25_000, 15_000, 40_000, "persons", "NKVD state-security operational staff.", ge=0)
    party_faction_shares: dict[str, float] = per_entry(
        lambda: {
            "regionals": 0.62, "technocrats": 0.22, "center": 0.03,
            "left_conservatives": 0.08, "rightists": 0.03, "leftists": 0.02,
        },
        0, 1, "fraction",
        "Shares of the party rank-and-file by faction (normalised).",
    )
    rank_shares: dict[str, float] = per_entry(
        lambda: {"mid": 0.06, "senior": 0.008},
        0, 0.2, "fraction",
        "Shares of the party at mid and senior rank (the rest are members). Senior cadre are "
        "kept whole at every scale; mid and members shrink with the scale.",
    )
    cc_composition: dict[str, int] = per_entry(
        lambda: {
            "center": 10, "regionals": 52, "technocrats": 34, "military": 12, "nkvd": 3,
            "rightists": 3, "leftists": 4, "left_conservatives": 21,
        },
        0, 139, "persons",
        "Faction of each member and candidate of the 1934 CC (must sum to the data pack's 139).",
    )
    delegate_shares: dict[str, float] = per_entry(
        lambda: {
            "regionals": 0.58, "technocrats": 0.2, "military": 0.08, "center": 0.04, "nkvd": 0.02,
            "left_conservatives": 0.06, "rightists": 0.01, "leftists": 0.01,
        },
        0, 1, "fraction",
        "Faction shares of the 17th Congress delegates who were not CC members.",
    )
    opposition_leaders: dict[str, int] = per_entry(
        lambda: {"rightists": 30, "leftists": 40},
        0, 200, "persons",
        "Old-Bolshevik opposition leaders outside the CC (top rank; the show trials' defendants).",
    )
    center_marshals: int = param(
        2, 1, 3, "marshals", "Marshals of the Soviet Union (5 in the data pack) who belong to Stalin's own group, not "
        "to the military faction: Voroshilov (Politburo, People's Commissar of Defence) and Budyonny (the First "
        "Cavalry Army). They take seats of the centre's share of the 1934 CC.", ge=0, le=5,
    )
    commissariats: int = param(20, 10, 40, "count", "People's commissariats (technocrats' organisations).", ge=1)
    army_districts: int = param(12, 8, 20, "count", "Military districts (army organisations).", ge=1)
    party_orgs: dict[Name, int] = per_entry(
        lambda: {"RSFSR (other)": 52, "Ukrainian SSR (other)": 7},
        1, 80, "count",
        "Number of obkom-level party organisations per region (default 1).",
    )
    regions: list[RegionSpec] | None = Field(
        None, max_length=10_000,
        description="Explicit regions; default: the leaf units of the Order 00447 table in the data pack.",
    )
    named: dict[Name, NamedAgent] = Field(
        default_factory=lambda: {
            "kosior": NamedAgent(region="Ukrainian SSR (other)"),
            "eikhe": NamedAgent(region="RSFSR (other)"),
            "postyshev": NamedAgent(region="RSFSR (other)"),
        },
        description="Individuals tracked by name; each heads a party organisation in its region.",
    )
    contingents: dict[Name, Contingent] = Field(default_factory=dict, description="Mass contingents by name.")

    @field_validator("party_faction_shares", "delegate_shares")
    @classmethod
    def _fac(cls, v):
        _check_keys(v, CADRE_FACTIONS, "faction")
        if any(x < 0 for x in v.values()) or sum(v.values()) <= 0:
            raise ValueError("shares must be >= 0 and not all zero")
        return v

    @field_validator("opposition_leaders")
    @classmethod
    def _opp(cls, v):
        _check_keys(v, ("rightists", "leftists"), "faction")
        if any(x < 0 for x in v.values()):
            raise ValueError("counts must be >= 0")
        return v

    @field_validator("cc_composition")
    @classmethod
    def _cc(cls, v):
        _check_keys(v, CADRE_FACTIONS, "faction")
        if any(x < 0 for x in v.values()):
            raise ValueError("counts must be >= 0")
        return v

    @field_validator("rank_shares")
    @classmethod
    def _ranks(cls, v):
        _check_keys(v, ("mid", "senior"), "rank")
        if any(x < 0 for x in v.values()) or sum(v.values()) >= 1:
            raise ValueError("shares must be >= 0 and sum below 1")
        return v

    @model_validator(mode="after")
    def _references(self):
        """Every region named (party organisations, named agents, contingents' weights) exists, the CC has the data
        pack's size, and there is somewhere for the party organisations and contingents to be."""
        from ..world.inputs import elite_sizes, region_plan

        plan = region_plan(self)
        names = list(plan.names)
        if len(set(names)) != len(names):
            dup = next(n for n in names if names.count(n) > 1)
            raise field_error("regions", f"expected unique region names, {dup!r} is given twice")

        def unknown(path: str, name: str):
            return field_error(path, f"unknown region {name!r}{_suggest(name, names)} (`makhovik params` lists the "
                                     "regions of the data pack)")

        for name in self.party_orgs:
            if name not in names:
                raise unknown(f"party_orgs.{name}", name)
        orgs = dict(zip(names, plan.party_orgs, strict=True))
        if sum(orgs.values()) <= 0:
            raise field_error("party_orgs", "expected at least one region with a party organisation")
        if sum(plan.weights) <= 0:
            raise field_error("regions", "expected at least one region with a positive weight")
        heads: dict[str, int] = {}
        for label, spec in self.named.items():
            if spec.region not in names:
                raise unknown(f"named.{label}.region", spec.region)
            heads[spec.region] = heads.get(spec.region, 0) + 1
            if heads[spec.region] > orgs[spec.region]:
                raise field_error(f"named.{label}.region", f"expected a region with a party organisation left to head, "
                                                           f"{spec.region!r} has {orgs[spec.region]}")
        for cname, c in self.contingents.items():
            if c.region_weights is None:
                continue
            for rname in c.region_weights:
                if rname not in names:
                    raise unknown(f"contingents.{cname}.region_weights.{rname}", rname)
            if c.pool > 0 and sum(c.region_weights.values()) <= 0:
                raise field_error(f"contingents.{cname}.region_weights", "expected a positive weight somewhere")
        want = elite_sizes()["cc_1934"]
        if sum(self.cc_composition.values()) != want:
            raise field_error("cc_composition", f"expected counts summing to {want} (the 1934 CC of the data pack), got "
                                                f"{sum(self.cc_composition.values())}")
        return self

    @model_validator(mode="after")
    def _scale_keeps_every_tier(self):
        """Refuse a scale at which a scaled tier would have no agent at all (its size times the scale below 1)."""
        least = min_scale(self)
        if self.scale < least:
            path, n = min(((p, n) for p, n in scaled_tiers(self).items() if n > 0), key=lambda x: x[1])
            raise field_error("scale", f"expected at least {least:.3g}, the smallest scale at which every scaled "
                                       f"tier keeps an agent ({path}: {n:,.0f} persons), got {self.scale:g}")
        return self


class Ties(_Model):
    """Network construction: mean degrees per tie type."""

    clique_size: int = param(5, 3, 10, "persons", "Size of workplace cliques inside an organisation.", ge=2, le=1000)
    opposition_degree: float = param(
        6.0, 2, 15, "ties per agent", "Mean past-opposition ties of a former rightist or leftist.", ge=0
    )
    right_left_degree: float = param(
        1.0, 0, 4, "ties per agent", "Mean ties between former rightists and former leftists.", ge=0
    )
    nkvd_link_degree: float = param(
        1.0, 0, 4, "ties per agent", "Mean ties of a rightist or leftist into the NKVD (Yagoda's network, C5).", ge=0
    )
    military_party_degree: float = param(
        1.0, 0, 4, "ties per agent", "Mean ties of senior commanders to senior party cadre of their region (C13).", ge=0
    )
    elite_degree: float = param(
        8.0, 2, 20, "ties per agent", "Mean ties among CC members, congress delegates and senior ranks.", ge=0
    )
    council_density: float = param(
        0.5, 0.1, 1.0, "fraction", "Share of the pairs of the Military Council's members (the data pack's 85 of "
        "1935: the highest-ranked commanders and commissars, the marshals first) tied to each other, as elite "
        "ties: the high command that sat together names each other.", ge=0, le=1,
    )


class Alarm(_Model):
    """Alarm and precedent (C3, C4, C5)."""

    half_life_weeks: float = param(26, 8, 104, "weeks", "Half-life of the leadership's alarm.", gt=0)
    trial_alarm: float = param(1.0, 0, 3, "alarm units", "Alarm a show trial adds about its defendants' faction (C3).", ge=0)
    link_alarm: float = param(
        2.0, 0, 6, "alarm units", "Alarm per unit of rightist-NKVD-leftist link density when the link is exposed (C5).",
        ge=0,
    )
    military_alarm: float = param(1.5, 0, 4, "alarm units", "Alarm the exposure of the military conspiracy adds.", ge=0)
    precedent_floor: float = param(
        0.3, 0.0, 0.9, "fraction of initial immunity", "Share of a rank's initial immunity no precedent removes: "
        "where immunity saturates (C4).", ge=0, le=1,
    )
    precedent_half: float = param(
        0.05, 0.005, 0.5, "share of the rank", "Share of the individuals at a rank or above prosecuted that halves "
        "the part of the rank's immunity precedent can remove (C4).", gt=0,
    )
    trial_precedent: float = param(
        0.15, 0.0, 0.5, "fraction", "Share of the removable immunity of every rank each show trial takes away (C3, "
        "C4).", ge=0, le=1,
    )
    immunity: list[float] = per_entry(
        lambda: [0.0, 0.0, 0.2, 0.5, 0.85, 0.97],
        0, 1, "probability",
        "Initial immunity by rank code 0-5 (probability a targeting or cascade arrest is blocked).",
    )

    @field_validator("immunity")
    @classmethod
    def _imm(cls, v):
        if len(v) != len(RANKS) or any(not 0 <= x <= 1 for x in v):
            raise ValueError(f"expected {len(RANKS)} probabilities in [0, 1], one per rank")
        return v


class Pressure(_Model):
    """Factional pressure on the centre (C6-C11)."""

    hostility: dict[str, dict[str, float]] = per_entry(
        lambda: {
            "regionals": {"rightists": 1.0, "technocrats": 1.0, "leftists": 0.5},
            "left_conservatives": {"rightists": 1.0, "leftists": 1.0, "technocrats": 0.5},
            "center": {"rightists": 1.0, "leftists": 1.0, "technocrats": 0.6},
            "technocrats": {"regionals": 0.5},
        },
        0, 1, "0-1",
        "Hostility of a faction (outer key) toward another (inner key), 0-1 (C6, C7, C8).",
    )
    punitive: dict[str, float] = per_entry(
        lambda: {
            "regionals": 0.6, "left_conservatives": 1.0, "center": 0.3, "technocrats": 0.1,
            "nkvd": 0.5, "military": 0.1, "rightists": 0.0, "leftists": 0.0,
        },
        0, 1, "0-1",
        "Preference for repression as the answer to political problems, 0-1 (C10, C11).",
    )
    centre_authority: float = param(
        0.3, 0.1, 0.6, "share of power", "Power the centre holds by its office, beside the weight of its members.",
        ge=0, le=1,
    )
    rank_power: list[float] = per_entry(
        lambda: [0.0, 0.0, 0.05, 1.0, 20.0, 100.0],
        0, 200, "power per person",
        "Weight of a free agent of each rank code 0-5 in its faction's power.",
    )
    election_fear: float = param(
        1.5, 0, 4, "multiplier", "How much the prospect of competitive elections raises regional pressure (C10).", ge=0
    )
    election_horizon_weeks: float = param(
        30, 8, 60, "weeks", "How far ahead the regionals feel the elections coming.", gt=0
    )

    @field_validator("rank_power")
    @classmethod
    def _rp(cls, v):
        if len(v) != len(RANKS) or any(x < 0 for x in v):
            raise ValueError(f"expected {len(RANKS)} weights >= 0, one per rank")
        return v

    @field_validator("hostility")
    @classmethod
    def _host(cls, v):
        _check_keys(v, CADRE_FACTIONS, "faction")
        for outer, inner in v.items():
            _unit_mapping(inner, CADRE_FACTIONS, "faction", "hostility values", f"{outer}.")
        return v

    @field_validator("punitive")
    @classmethod
    def _pun(cls, v):
        return _unit_mapping(v, CADRE_FACTIONS, "faction", "punitive values")


class Centre(_Model):
    """The centre's decision rules (C1, C8, C9, C15, C16)."""

    initiative: Literal["pressure", "schedule", "either"] = Field(
        "pressure",
        description="Who starts the mass operations: pressure (the centre yields when pressure crosses its "
        "resistance), schedule (the centre decides at initiative_date), either (whichever comes first).",
    )
    initiative_date: Date = param(
        dt.date(1937, 6, 1), dt.date(1936, 7, 1), dt.date(1938, 6, 30), "date",
        "When the centre decides on mass operations of its own accord (schedule/either rules).",
    )
    resistance: float = param(
        1.6, 0.2, 3.0, "pressure units", "Pressure the centre withstands before it yields to mass operations.", gt=0
    )
    launch_lag_weeks: float = param(
        4, 1, 10, "weeks", "From the mass-operations decision to the start of the kulak operation.", ge=0
    )
    appetite_initial: float = param(
        0.3, 0, 1, "0-1", "Centre's own appetite for repression before any strategy switch (C9).", ge=0, le=1
    )
    appetite_after_switch: float = param(
        1.0, 0, 1, "0-1", "Centre's appetite for repression after its strategy switch (C16).", ge=0, le=1
    )
    switch: Literal["never", "initiative", "ukraine_failure"] = Field(
        "ukraine_failure",
        description="What switches the centre to its post-switch appetite: never, its own decision "
        "(initiative), or the failure of the Ukrainian replacement attempt (C15, C16).",
    )
    target_weight: dict[str, float] = per_entry(
        lambda: {"rightists": 1.0, "technocrats": 0.8, "leftists": 1.0, "military": 0.2,
                                 "regionals": 0.2, "nkvd": 0.3},
        0, 1, "0-1",
        "The centre's own wish to remove each faction, 0-1 (C8).",
    )
    yield_to_pressure: float = param(
        0.5, 0, 1, "0-1", "How far the centre's sanctions follow the factions' pressure rather than its own wish.",
        ge=0, le=1,
    )
    elite_rate: float = param(
        0.004, 0.0005, 0.02, "per week", "Weekly hazard of a sanctioned arrest for a fully targeted cadre "
        "without immunity, at appetite 1.", ge=0, le=1,
    )
    elite_sanction: Literal["follows", "lists", "both"] = Field(
        "follows",
        description="Who drives the arrests of senior cadre (DESIGN's elite-arrests row): follows (cascades and "
        "regional initiative arrest them; the centre's lists sanction their sentences after), lists (a senior cadre "
        "named or targeted is arrested only when the centre puts him on its next list, with list_approval), both "
        "(so for the top ranks, rank 4 and above; the senior below follow).",
    )
    list_approval: float = param(
        0.8, 0.2, 1.0, "probability", "Probability the centre puts a named or targeted senior cadre on its next list "
        "(elite_sanction lists or both).", ge=0, le=1,
    )
    list_own: float = param(
        0.0, 0.0, 0.5, "probability", "Probability the centre puts a named member of its own group (faction center) "
        "at the gated ranks on its list, in place of list_approval: Stalin's lists did not name his own group in "
        "1937-38 (elite_sanction lists or both).", ge=0, le=1,
    )
    regional_rate: float = param(
        0.004, 0.0, 0.02, "per week", "Weekly hazard of a regional-initiative arrest for a fully hostile "
        "target, at full regional power (C6, C7).", ge=0, le=1,
    )
    election_preference: float = param(
        0.8, 0, 1, "0-1", "The centre's preference for competitive elections (C9).", ge=0, le=1
    )
    ukraine_attempt: bool = Field(True, description="Whether the centre tries to replace the Ukrainian leadership (C15).")
    ukraine_attempt_pressure: float = param(
        0.8, 0.3, 1.0, "fraction of resistance", "Pressure, as a share of resistance, at which the attempt is made.",
        gt=0,
    )
    ukraine_entrenchment: float = param(
        2.0, 0.2, 5.0, "ratio", "How entrenched the Ukrainian leadership is: success probability is "
        "centre power / (centre power + entrenchment x regional power).", ge=0,
    )
    appointments: bool = Field(
        True, description="After the switch, vacated regional posts go to the centre's appointees (C16)."
    )
    limit_mode: Literal["requests", "central", "both"] = Field(
        "requests", description="Who raises Order 00447 limits: regional requests, central reviews, or both."
    )
    approval_prob: float = param(
        0.9, 0, 1, "probability", "Probability the centre approves a regional request to raise limits.", ge=0, le=1
    )
    central_increase: float = param(
        0.5, 0, 2, "fraction of initial limit", "Limit added at each central review when a region's use is high.",
        ge=0,
    )
    review_interval_weeks: int = param(8, 2, 26, "weeks", "Interval between central limit reviews.", ge=1)
    planned_duration_weeks: int = param(17, 8, 30, "weeks", "Planned length of the kulak operation (4 months).", ge=1)
    extend_threshold: float = param(
        0.4, 0, 2, "pressure units", "Drive (appetite + pressure share) above which the centre extends the operations.",
        ge=0,
    )
    stop_rule: Literal["schedule", "pressure", "either"] = Field(
        "pressure",
        description="How the stop order comes: at stop_date, when pressure falls below stop_pressure after the "
        "regional top is removed, or whichever first.",
    )
    stop_date: Date = param(
        dt.date(1938, 10, 31), dt.date(1937, 10, 1), dt.date(1939, 12, 1), "date",
        "When the centre orders the stop of its own accord (schedule/either rules). The default is the prior's "
        "midpoint, not the record's date (17 Nov 1938), which the model is scored on.",
    )
    stop_pressure: float = param(
        0.75, 0.05, 1.5, "pressure units", "Pressure below which the centre stops the mass operations (pressure rule).",
        ge=0,
    )
    stop_min_weeks: int = param(
        26, 4, 80, "weeks", "Minimum weeks of mass operations before a pressure stop can come.", ge=0
    )

    @field_validator("target_weight")
    @classmethod
    def _tw(cls, v):
        return _unit_mapping(v, CADRE_FACTIONS, "faction", "target weights")


class NKVD(_Model):
    """The NKVD machine: capacity, limits, troikas, lists, its own purge."""

    capacity_per_staff: float = param(
        1.5, 0.3, 5.0, "arrests per staff-week", "Weekly mass-arrest capacity per free NKVD officer.", ge=0
    )
    registration_rate: float = param(
        0.02, 0, 0.1, "per week", "Share of an unregistered contingent the NKVD adds to its registers weekly "
        "during the operations.", ge=0, le=1,
    )
    troika_lag_weeks: float = param(3, 1, 10, "weeks", "Mean weeks from arrest to a troika sentence.", ge=1)
    first_wave_boost: float = param(
        2.0, 1.0, 5.0, "multiplier", "Order 00447's arrest capacity in its first week, times its usual: the "
        "registered lists taken at once by every operational group.", ge=1,
    )
    first_wave_weeks: float = param(
        2.0, 0.5, 8.0, "weeks", "Weeks over which the first wave's surge decays by a factor e.", gt=0,
    )
    troika_throughput: float = param(
        0.1, 0.02, 0.4, "fraction of initial limit per week", "Cases a region's troika can decide in a week, as a "
        "share of the region's initial Order 00447 limits: a queue between arrest and sentence.", ge=0,
    )
    troika_cat1: float = param(
        0.45, 0.1, 0.9, "probability", "Troika's preference for category 1 while category-1 room remains.", ge=0, le=1
    )
    overfulfil: float = param(
        0.1, 0, 0.5, "fraction of limit", "How far regions may exceed their limits without sanction.", ge=0
    )
    request_threshold: float = param(
        0.85, 0.5, 1.0, "fraction of limit", "Use of its limit at which a region asks for more.", ge=0, le=1
    )
    request_size: float = param(
        0.6, 0.1, 2.0, "fraction of initial limit", "Size of a region's request at full regional zeal.", ge=0
    )
    request_cat1_share: float = param(
        0.6, 0.2, 0.9, "fraction", "Share of a requested or centrally added limit that is category 1.", ge=0, le=1
    )
    request_interval_weeks: int = param(4, 1, 13, "weeks", "Minimum weeks between a region's requests.", ge=1)
    national_capacity_share: float = param(
        0.35, 0.1, 0.7, "fraction", "Share of mass-arrest capacity given to the national operations.", ge=0, le=1
    )
    album_capacity: float = param(
        0.004, 0.001, 0.02, "fraction of national pools per week", "Weekly throughput of the central album "
        "review (dvoika), as a share of the national contingents' total size.", ge=0,
    )
    routine_rate: float = param(
        0.0012, 0.0002, 0.004, "per week", "Weekly arrest hazard of the routine contingent (ordinary cases).", ge=0, le=1
    )
    post_stop_routine: float = param(
        0.5, 0.1, 1.0, "multiplier", "The routine arrest hazard after the stop, times ``routine_rate``: the resolution "
        "of 17 Nov 1938 that bans the mass operations puts every arrest under a court's or a procurator's sanction "
        "(HISTORY.md, [S44]). 1: the stop changes nothing in ordinary cases.", ge=0, le=1,
    )
    routine_lag_weeks: float = param(10, 2, 30, "weeks", "Mean weeks from arrest to sentence in ordinary cases.", ge=1)
    list_min_rank: int = param(3, 2, 5, "rank code", "Lowest rank whose case goes to a central sanction list.", ge=1, le=5)
    list_interval_weeks: int = param(2, 1, 8, "weeks", "Weeks between batches of signed lists.", ge=1)
    lists_from: Date = param(
        dt.date(1936, 10, 4), dt.date(1936, 6, 1), dt.date(1937, 6, 30), "date",
        "The day the first sanction list is signed (4 Oct 1936, 585 names, after Yezhov's appointment: HISTORY.md, "
        "[S52]); before it the centre signs none and the cases of the listed ranks go through ordinary procedure. "
        "A dated fact, like the show trials, not calibrated.",
    )
    list_cat1: float = param(0.85, 0.5, 1.0, "probability", "Share of list names sentenced to category 1.", ge=0, le=1)
    cadre_cat1: float = param(
        0.4, 0.1, 0.8, "probability", "Probability a troika sentences an arrested cadre to category 1.", ge=0, le=1
    )
    cadre_lag_weeks: float = param(6, 1, 20, "weeks", "Mean weeks from a cadre's arrest to a sentence.", ge=1)
    release_rate: float = param(
        0.002, 0, 0.02, "per week", "Weekly probability a pending detainee is released before the stop.", ge=0, le=1
    )
    post_stop_release: float = param(
        0.3, 0, 0.8, "fraction", "Share of detainees pending at the stop who are released.", ge=0, le=1
    )
    ordinary_cat1: float = param(
        0.03, 0, 0.2, "probability", "Probability of category 1 in ordinary procedure: cadre cases off the lists "
        "before the campaign, and every case sentenced after the stop.", ge=0, le=1
    )
    purge_naming: float = param(
        0.3, 0, 1, "probability", "Probability a client of an outgoing NKVD chief is named when the chief falls.",
        ge=0, le=1,
    )
    recruitment_weeks: float = param(
        26, 4, 104, "weeks", "Mean weeks to replace an arrested NKVD officer: each week 1 - exp(-1 / recruitment_weeks) "
        "of the vacancies is filled with recruits.", gt=0,
    )
    exec_lag_weeks: int = param(1, 0, 4, "weeks", "Weeks from a category-1 sentence to execution.", ge=0)
    special_troika_weeks: int = param(
        9, 6, 13, "weeks", "How long the special troikas (the ``special_troikas`` event, September 1938) sentence the "
        "national cases in place of the album; about two months in the record.", ge=0,
    )


class Flywheel(_Model):
    """Interrogation, naming and the cascade (C13, C14, C17)."""

    naming: dict[str, float] = per_entry(
        lambda: {
            "patronage": 0.25, "workplace": 0.12, "opposition": 0.3, "cross_faction": 0.3, "elite": 0.1,
        },
        0, 0.6, "probability",
        "Probability an interrogated prisoner names a neighbour along each tie type, at intensity 1.",
    )
    hazard_per_name: float = param(
        0.08, 0.01, 0.4, "per week per naming", "Weekly arrest hazard added by each time an agent was named.", ge=0
    )
    shelve_rate: float = param(
        0.0, 0.0, 0.1, "per week", "Weekly probability a free suspect's file is shelved: his namings stop counting "
        "against him until he is named again.", ge=0, le=1,
    )
    precampaign_intensity: float = param(
        0.3, 0, 1, "multiplier", "Interrogation intensity before the mass-operations decision.", ge=0
    )
    campaign_intensity: float = param(
        1.0, 0.3, 3, "multiplier", "Interrogation intensity during the campaign.", ge=0
    )
    post_stop_intensity: float = param(
        0.05, 0, 0.5, "multiplier", "Interrogation intensity after the stop takes effect.", ge=0
    )

    @field_validator("naming")
    @classmethod
    def _naming(cls, v):
        return _unit_mapping(v, TIE_TYPES, "tie type", "naming probabilities")


class Control(_Model):
    """Control index and stop-order latency (C17, C20)."""

    smoothing_weeks: float = param(4, 1, 12, "weeks", "Smoothing window of the control index (EWMA).", ge=1)
    stop_latency_base: float = param(1, 0, 4, "weeks", "Latency of a stop order under full central control.", ge=0)
    stop_latency_slope: float = param(
        4, 0, 12, "weeks", "Extra latency of a stop order when control is zero.", ge=0
    )


class Decline(_Model):
    """Self-consumption and decline (C18, C19, C20)."""

    top_removal_power_ratio: float = param(
        0.75, 0.3, 1.0, "ratio", "Regional strength (rank-weighted free membership relative to its start) below "
        "which the centre removes the weakened regional top (C19).", ge=0, le=1,
    )
    top_removal: bool = Field(
        True, description="Whether the centre removes the weakened regional top (C19); without it the top falls only "
        "as other cadre do."
    )
    remove_before_list: bool = Field(
        False, description="Whether the centre moves a top regional out of his posts before it puts him on a "
        "sanction list (removed with the probability the list would name him, arrested after the removal lag): "
        "removal as the centre's targeting rather than the regionals' weakness."
    )
    top_removal_rate: float = param(
        0.1, 0.01, 0.5, "per week", "Weekly probability each top regional is removed once removal begins.", ge=0, le=1
    )
    removal_lag_weeks: float = param(
        10, 1, 40, "weeks", "Mean weeks from a top regional's removal from his post (moved elsewhere) to his arrest.",
        ge=1,
    )


class Mechanisms(_Model):
    alarm: Alarm = Alarm()
    pressure: Pressure = Pressure()
    centre: Centre = Centre()
    nkvd: NKVD = NKVD()
    flywheel: Flywheel = Flywheel()
    control: Control = Control()
    decline: Decline = Decline()


class Event(_Model):
    """A dated exogenous event (a shock the hypothesis does not explain)."""

    id: Name = Field(..., description="Identifier, unique in the scenario.")
    date: Date = Field(..., description="ISO date.")
    kind: Literal["show_trial", "nkvd_chief_change", "link_exposed", "military_conspiracy", "elections",
                  "special_troikas"] = Field(..., description="What the event does in the model.")
    faction: str | None = Field(None, description="Faction concerned (defendants, the new NKVD chief's patron...).")
    defendants: int = Field(0, ge=0, le=100_000, description="Cadre of rank >= 4 in `faction` arrested by the event.")
    label: Text = Field("", description="Text for figures and the event log.")
    source: Text = Field("", description="Row of events.csv or other source.")

    @field_validator("faction")
    @classmethod
    def _f(cls, v):
        if v is not None:
            _check_keys({v: 0}, CADRE_FACTIONS, "faction")
        return v

    @model_validator(mode="after")
    def _needs_faction(self):
        if self.kind in ("show_trial", "nkvd_chief_change") and self.faction is None:
            raise field_error("faction", f"a {self.kind} event needs a faction")
        return self


#: One end of a prior range: a number or an ISO date.
PriorEnd = Annotated[float, Field(allow_inf_nan=False)] | Date


class Calibration(_Model):
    """What calibration varies, and within which priors."""

    parameters: dict[Name, tuple[PriorEnd, PriorEnd] | None] = Field(
        default_factory=dict, max_length=1000,
        description="Dotted parameter path -> prior [low, high] (null: the schema's prior). Hypothesis overlays "
        "narrow or widen them; dates as ISO dates.",
    )
    scale: float = param(0.01, 0.001, 0.1, "fraction", "Scale at which calibration runs the model.", gt=0, le=1)
    held_out: list[Name] = Field(default_factory=list, max_length=1000, description="Observables scored but not fitted.")


class HypothesisInfo(_Model):
    """What an overlay claims and how it encodes it."""

    name: Name = Field("base", description="Name of the hypothesis (seed, center, interaction, or your own).")
    summary: Text = Field("", description="One sentence: what the hypothesis says happened.")
    claims: dict[Name, Text] = Field(default_factory=dict, max_length=100,
                                     description="Claim id (C1-C20) -> how it is encoded.")


class Scenario(_Model):
    """A complete, validated scenario: world, mechanisms, events, and the hypothesis it encodes."""

    name: Name = Field(..., description="Name of the scenario.")
    description: Text = Field("", description="What the scenario models.")
    hypothesis: HypothesisInfo = HypothesisInfo()
    calendar: Calendar = Calendar()
    world: World = Field(default_factory=World)  # made when needed: its validation reads the data pack
    ties: Ties = Ties()
    mechanisms: Mechanisms = Mechanisms()
    events: list[Event] = Field(default_factory=list, max_length=10_000, description="Dated exogenous events (shocks).")
    calibration: Calibration = Calibration()

    @model_validator(mode="after")
    def _events(self):
        first: dict[str, int] = {}
        c = self.calendar
        for k, e in enumerate(self.events):
            if e.id in first:
                raise field_error(f"events.{k}.id", f"expected a unique id, {e.id!r} is also events.{first[e.id]}.id")
            first[e.id] = k
            if not c.start <= e.date <= c.end:
                raise field_error(f"events.{k}.date", f"expected a date inside the calendar ({c.start} to {c.end}), "
                                                      f"got {e.date} (event {e.id!r})")
        return self

    @model_validator(mode="after")
    def _priors(self):
        """Every calibrated parameter is a numeric or date parameter with a prior, given as [low, high]."""
        rows = scenario_parameters(self, self.calibration.parameters)  # a contingent replaced away is no error
        for path, prior in self.calibration.parameters.items():
            field = f"calibration.parameters.{path}"
            row = rows.get(path)
            if row is None or row["prior"] is None or row["unit"] in ("choice", "") or row["per_entry"]:
                raise field_error(field, "expected a numeric or date parameter with a prior (`makhovik params`)"
                                         + _suggest(path, [r for r, v in rows.items() if v["unit"] not in ("choice", "")
                                                           and v["prior"] is not None and not v["per_entry"]]))
            if prior is None:
                continue
            lo, hi = prior
            is_date = row["unit"] == "date"
            if is_date != isinstance(lo, dt.date) or is_date != isinstance(hi, dt.date):
                raise field_error(field, "expected [low, high] as " + ("ISO dates" if is_date else "numbers")
                                         + f", got {[str(lo), str(hi)]}")
            if not lo < hi:
                raise field_error(field, f"expected low < high, got [{lo}, {hi}]")
        return self


def scenario_parameters(scenario: Scenario, paths=()) -> dict[str, dict]:
    """:func:`parameter_table` by path, with the fields of the contingents of the scenario and of those named in
    ``paths`` as ``world.contingents.NAME.FIELD`` (a contingent's pool or arrest share can be calibrated), and each
    entry of a mapping whose entries share a prior as ``PATH.KEY`` (``mechanisms.centre.target_weight.military``)."""
    rows = {r["path"]: r for r in _parameter_table(Scenario, "")}
    names = set(scenario.world.contingents)
    names |= {p.split(".")[2] for p in paths if p.startswith("world.contingents.") and p.count(".") == 3}
    for name in sorted(names):
        rows |= {r["path"]: r for r in _parameter_table(Contingent, f"world.contingents.{name}.")}
    for path, r in list(rows.items()):  # one entry of a mapping with a shared prior: PATH.KEY
        if r["per_entry"] and r["unit"] not in ("choice", "") and r["prior"] is not None:
            node = scenario
            for k in path.split("."):
                node = node.get(k) if isinstance(node, dict) else getattr(node, k, None)
            keys = set(node) if isinstance(node, dict) else set()
            keys |= {p[len(path) + 1:] for p in paths if p.startswith(path + ".") and "." not in p[len(path) + 1:]}
            rows |= {f"{path}.{key}": {**r, "path": f"{path}.{key}", "per_entry": False} for key in sorted(keys)}
    return rows


def _suggest(word: str, choices) -> str:
    from ..errors import did_you_mean

    return did_you_mean(word, choices)


def parameter_table(model: type[BaseModel] = Scenario, prefix: str = "") -> list[dict]:
    """Every documented parameter with its dotted path, unit, prior and description.

    ``prior`` is ``[low, high]`` for a number or a date, the list of choices for a decision
    rule, and applies to every entry of a mapping or list when ``per_entry`` is true.

    Examples
    --------
    >>> rows = parameter_table()
    >>> any(r["path"] == "mechanisms.nkvd.troika_lag_weeks" for r in rows)
    True
    """
    return [dict(r) for r in _parameter_table(model, prefix)]


@functools.cache
def _parameter_table(model: type[BaseModel], prefix: str) -> tuple[dict, ...]:
    """:func:`parameter_table`, worked out once per model (validation reads it for every scenario)."""
    rows: list[dict] = []
    for name, f in model.model_fields.items():
        path = f"{prefix}{name}"
        ann = f.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            rows.extend(_parameter_table(ann, path + "."))
            continue
        extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
        choices = list(get_args(ann)) if get_origin(ann) is Literal else ([False, True] if ann is bool else None)
        rows.append({
            "path": path,
            "unit": extra.get("unit", "choice" if choices else ""),
            "prior": extra.get("prior", choices),
            "per_entry": bool(extra.get("per_entry", False)),
            "description": f.description or "",
        })
    return tuple(rows)


def prior_warnings(scenario: Scenario) -> list[str]:
    """Values inside their physical bounds but outside their prior ranges, one line each.

    A calibrated parameter is held against the prior the scenario gives it in
    ``calibration.parameters``, every other against the schema's. A scale below
    :data:`RELIABLE_SCALE` is reported too: the results there are unreliable.

    Examples
    --------
    >>> from makhovik.scenario import load_scenario
    >>> prior_warnings(load_scenario("great-terror", hypothesis="seed", scale=0.01))
    []
    """
    own = {p: v for p, v in scenario.calibration.parameters.items() if v is not None}
    out: list[str] = []

    def check(model: BaseModel, prefix: str) -> None:
        for name, f in type(model).model_fields.items():
            path = f"{prefix}{name}"
            value = getattr(model, name)
            extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
            prior = own.get(path) or extra.get("prior")
            if prior is not None and extra.get("unit") not in (None, "choice"):
                lo, hi = prior
                if isinstance(value, dt.date):
                    lo, hi = (x if isinstance(x, dt.date) else dt.date.fromisoformat(str(x)) for x in (lo, hi))
                    leaves = [(path, value)]
                else:
                    leaves = list(_leaves(value, path)) if extra.get("per_entry") else [(path, value)]
                for p, v in leaves:
                    if isinstance(v, int | float | dt.date) and not isinstance(v, bool) and not lo <= v <= hi:
                        out.append(f"{p} = {v} lies outside its prior [{lo}, {hi}]")
            for sub, child in _children(value, path):
                check(child, sub + ".")

    check(scenario, "")
    if scenario.world.scale < RELIABLE_SCALE:
        out.append(f"world.scale = {scenario.world.scale:g} is below {RELIABLE_SCALE:g}: the army officer tier is too "
                   "thin there for the military losses, and totals are unreliable (README, Caveats)")
    return out


def _children(value, path: str):
    """(path, model) for the pydantic models directly inside a field's value (itself, or in a mapping or list)."""
    if isinstance(value, BaseModel):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, BaseModel):
                yield f"{path}.{k}", v
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            if isinstance(v, BaseModel):
                yield f"{path}.{i}", v
