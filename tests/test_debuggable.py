"""The whole model runs as plain Python (``NUMBA_DISABLE_JIT=1``), to be stepped through in a debugger, and gives
the tables the compiled model gives."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

import makhovik

RUNS = [("seed", 1), ("center", 2), ("interaction", 3)]
_CHILD = """
import pickle, sys, warnings
warnings.simplefilter("ignore")
import numpy as np
np.seterr(over="raise")  # small-integer arithmetic that numba widens but Python would wrap: an error here
import makhovik
runs = pickle.loads(sys.stdin.buffer.read())
out = {}
for h, s in runs:
    scn = makhovik.load_scenario("great-terror", hypothesis=h, scale=0.001, warn=False)
    out[(h, s)] = makhovik.simulate(scn, seed=s).tables()
sys.stdout.buffer.write(pickle.dumps(out))
"""


@pytest.fixture(scope="module")
def python_tables():
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
    p = subprocess.run([sys.executable, "-c", _CHILD], input=pickle.dumps(RUNS), capture_output=True, env=env,
                       timeout=900)
    assert p.returncode == 0, p.stderr.decode()[-2000:]
    return pickle.loads(p.stdout)


@pytest.mark.parametrize(("hypothesis", "seed"), RUNS)
def test_the_model_without_the_jit_gives_the_same_tables(python_tables, hypothesis, seed):
    """Every table identical; the weekly series equal to 1e-12 (numba sums and raises to integer powers in an order
    of its own, which changes the last bits of a float and, in these runs, nothing else)."""
    scn = makhovik.load_scenario("great-terror", hypothesis=hypothesis, scale=0.001, warn=False)
    compiled = makhovik.simulate(scn, seed=seed).tables()
    plain = python_tables[(hypothesis, seed)]
    for name in ("weekly", "events", "power", "agents", "limits"):
        assert plain[name].equals(compiled[name]), name
    a, b = plain["series"], compiled["series"]
    assert list(a.columns) == list(b.columns) and a["date"].equals(b["date"])
    num = a.select_dtypes("number").columns
    np.testing.assert_allclose(a[num].to_numpy(float), b[num].to_numpy(float), rtol=1e-12, atol=1e-12)
    assert compiled["weekly"]["arrests"].sum() > 1000  # a run with a terror in it: the comparison is not vacuous
