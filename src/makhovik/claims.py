"""The claims of the source text: their text (``sources/seed_en.md``) and where the model carries them (``claims.yaml``).

The source text itself ships with the package (:func:`source_text`): the Russian original,
its English translation with the numbered claims C1-C20, and the historical notes the data
pack is drawn from.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import yaml

from .errors import ScenarioError, did_you_mean

__all__ = ["load_claims", "claim_texts", "source_text", "CLAIM_IDS", "SOURCES"]

CLAIM_IDS = tuple(f"C{i}" for i in range(1, 21))
#: The texts shipped in ``makhovik/sources``: the original, the translation with the claims, the historical notes.
SOURCES = {"ru": "seed_ru.txt", "en": "seed_en.md", "history": "HISTORY.md"}
_ROW = re.compile(r"^\|\s*(C\d+)\s*\|\s*(.+?)\s*\|\s*([^|]+?)\s*\|\s*$")


def source_text(which: str = "en") -> str:
    """One of the shipped texts: ``en`` (translation and claims), ``ru`` (the original) or ``history``.

    Examples
    --------
    >>> source_text("en").splitlines()[0]
    '# The source text, in English'
    """
    if which not in SOURCES:
        raise ScenarioError("--source", f"expected one of {', '.join(SOURCES)}, got {which!r}"
                                        f"{did_you_mean(which, SOURCES)}")
    return (resources.files("makhovik") / "sources" / SOURCES[which]).read_text(encoding="utf-8")


@cache
def claim_texts() -> dict[str, tuple[str, str]]:
    """Claim id -> (text, kind), from the numbered table of the translation (``sources/seed_en.md``).

    Examples
    --------
    >>> claim_texts()["C14"]
    ('That widened repression fed on itself (the flywheel).', 'mechanism')
    """
    out = {}
    for line in source_text("en").splitlines():
        m = _ROW.match(line)
        if m and m.group(1) in CLAIM_IDS:
            out[m.group(1)] = (m.group(2), m.group(3))
    return out


@cache
def load_claims() -> dict[str, dict]:
    """The claims table, in claim order: each claim's text and kind, mechanisms, parameters and outputs.

    Examples
    --------
    >>> c = load_claims()
    >>> list(c)[:3], c["C14"]["mechanisms"]
    (['C1', 'C2', 'C3'], ['flywheel'])
    """
    data = yaml.safe_load((resources.files("makhovik") / "claims.yaml").read_text(encoding="utf-8"))
    texts = claim_texts()
    return {k: {"text": texts[k][0], "kind": texts[k][1], **data[k]} for k in sorted(data, key=lambda c: int(c[1:]))}
