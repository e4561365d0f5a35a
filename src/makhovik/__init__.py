"""Makhovik: simulate factional struggle and repression cascades, and test rival accounts against the record."""

from importlib.metadata import PackageNotFoundError, version

from .engine import run_world, simulate
from .errors import MakhovikError, ScenarioError
from .observe import Result
from .scenario import load_scenario
from .world import World, build_world

try:
    __version__ = version("makhovik")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "MakhovikError",
    "Result",
    "ScenarioError",
    "World",
    "__version__",
    "build_world",
    "load_scenario",
    "run_world",
    "simulate",
]
