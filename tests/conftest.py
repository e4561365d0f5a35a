import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import makhovik  # noqa: E402

HYPOTHESES = ("seed", "center", "interaction")
TINY = 0.002


@pytest.fixture(scope="session")
def tiny_results():
    """One small run per hypothesis, shared by the tests that only read results."""
    return {h: makhovik.simulate(makhovik.load_scenario("great-terror", hypothesis=h, scale=TINY), seed=11)
            for h in HYPOTHESES}
