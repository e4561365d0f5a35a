"""What a user installs with ``pip install .``: every data file the code reads is in the wheel, and the tests
exercise the installed package."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import makhovik

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "src" / "makhovik"
#: what Python and numba leave beside the sources, never part of the package
BUILD_LEFTOVERS = (".pyc", ".nbi", ".nbc", ".stamp")


def _data_files() -> set[str]:
    """Every file of the source package that is not Python (its data), relative to the package."""
    return {str(f.relative_to(SOURCE.parent)) for f in SOURCE.rglob("*")
            if f.is_file() and f.suffix != ".py" and "__pycache__" not in f.parts and not f.name.endswith(BUILD_LEFTOVERS)}


def test_the_package_reads_data_files():
    """The data the code opens (observables, claims, scenarios, the data pack, the texts, the report's template)."""
    names = _data_files()
    for f in ("makhovik/evidence/observables.yaml", "makhovik/claims.yaml", "makhovik/data/limits_00447.csv",
              "makhovik/scenarios/great-terror/base.yaml", "makhovik/sources/seed_en.md", "makhovik/sources/seed_ru.txt",
              "makhovik/sources/HISTORY.md", "makhovik/report/templates/report.html.j2"):
        assert f in names, f


def test_the_wheel_holds_every_data_file(tmp_path):
    """Build the wheel as ``pip install .`` does and look inside: a data file left out of ``package-data`` fails here
    (``observables.yaml`` once was, and every command that scores a run crashed on a fresh install)."""
    proj = tmp_path / "project"  # a copy, so that the build leaves nothing (egg-info, build/) in the source tree
    shutil.copytree(REPO / "src", proj / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for f in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(REPO / f, proj / f)
    p = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                        str(tmp_path), str(proj)], capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-2000:]
    wheel = next(tmp_path.glob("makhovik-*.whl"))
    inside = set(zipfile.ZipFile(wheel).namelist())
    missing = sorted(_data_files() - inside)
    assert not missing, f"not in the wheel: {missing}"
    assert "makhovik/evidence/sampler.py" in inside and "makhovik/scenario/yamlio.py" in inside


def test_the_tests_run_the_installed_package():
    """The package under test is the one pip installed: from site-packages for ``pip install .`` (as ``.ci/run``
    installs it), from the source tree only for an editable install (``pip install -e .``)."""
    import json
    from importlib.metadata import distributions

    # what pip installed records how (direct_url.json); a build's egg-info left in src/ records nothing
    urls = [d.read_text("direct_url.json") for d in distributions(name="makhovik")]
    url = next((u for u in urls if u), None)
    assert url, "makhovik is not installed by pip"
    editable = json.loads(url).get("dir_info", {}).get("editable", False)
    where = Path(makhovik.__file__).resolve()
    if editable:
        assert SOURCE in where.parents, where
    else:
        assert SOURCE not in where.parents and "site-packages" in where.parts, where
