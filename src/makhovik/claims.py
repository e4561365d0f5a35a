"""The claims table (``claims.yaml``): every claim C1-C20 mapped to mechanisms, parameters and outputs."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml

__all__ = ["load_claims", "CLAIM_IDS"]

CLAIM_IDS = tuple(f"C{i}" for i in range(1, 21))


@cache
def load_claims() -> dict[str, dict]:
    """The claims table, in claim order.

    Examples
    --------
    >>> c = load_claims()
    >>> list(c)[:3], c["C14"]["mechanisms"]
    (['C1', 'C2', 'C3'], ['flywheel'])
    """
    text = (resources.files("makhovik") / "claims.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return {k: data[k] for k in sorted(data, key=lambda c: int(c[1:]))}
