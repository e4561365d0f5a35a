"""Makhovik: simulate factional struggle and repression cascades, and test rival accounts against the record."""

from importlib.metadata import PackageNotFoundError, version

from ._kernel_cache import clear_if_stale

clear_if_stale()  # before any kernel is loaded: cached kernels of changed sources would mix versions

from .engine import run_world, simulate  # noqa: E402
from .errors import MakhovikError, ScenarioError  # noqa: E402
from .observe import Result  # noqa: E402
from .scenario import load_scenario  # noqa: E402
from .world import World, build_world  # noqa: E402

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
