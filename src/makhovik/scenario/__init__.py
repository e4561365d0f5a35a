"""Scenarios: schema, YAML loading, hypothesis overlays and the JSON Schema."""

from .loader import (
    apply_overrides,
    builtin_hypotheses,
    builtin_scenarios,
    load_scenario,
    merge,
    scenario_hash,
    validate,
)
from .schema import CADRE_FACTIONS, FACTIONS, RANKS, TIE_TYPES, Scenario, parameter_table

__all__ = [
    "CADRE_FACTIONS",
    "FACTIONS",
    "RANKS",
    "TIE_TYPES",
    "Scenario",
    "apply_overrides",
    "builtin_hypotheses",
    "builtin_scenarios",
    "json_schema",
    "load_scenario",
    "merge",
    "parameter_table",
    "scenario_hash",
    "validate",
]


def json_schema() -> dict:
    """The published JSON Schema of a scenario file."""
    return Scenario.model_json_schema()
