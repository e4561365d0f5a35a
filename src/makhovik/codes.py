"""The integer codes the model's arrays hold: statuses, sentences, ranks, factions, institutions, operations,
causes, tracks, tie types.

Each set of codes is an :class:`~enum.IntEnum` (``Status.FREE``, ``Rank.SENIOR``...) for the
Python side, and its names, lower-case and in code order, label the tables (``STATUSES``,
``RANKS``...). Compiled kernels take plain integers, not enum members (numba cannot use an
enum member in an array expression), so the codes they read are also given here as module
constants (``FREE``, ``DETAINED``...): one definition of each, imported wherever it is used.

Examples
--------
>>> Status.EXECUTED, int(Rank.TOP), FACTIONS[-1], CADRE_FACTIONS[-1]
(<Status.EXECUTED: 3>, 4, 'mass', 'nkvd')
>>> STATUS_OF_SENTENCE[Sentence.CAT1] == Status.EXECUTED
True
"""

from __future__ import annotations

from enum import IntEnum

__all__ = [
    "Status", "Sentence", "Rank", "Faction", "Institution", "Operation", "Cause", "Track", "TieType", "names",
    "STATUSES", "SENTENCES", "RANKS", "FACTIONS", "CADRE_FACTIONS", "INSTITUTIONS", "OPERATIONS", "CAUSES", "TRACKS",
    "TIE_TYPES", "STATUS_OF_SENTENCE", "FREE", "DETAINED", "CAMP", "EXECUTED", "RELEASED", "N_CADRE_FACTIONS",
]


class Status(IntEnum):
    """Where an agent stands."""

    FREE = 0
    DETAINED = 1
    CAMP = 2
    EXECUTED = 3
    RELEASED = 4


class Sentence(IntEnum):
    """A case's outcome: none yet, category 1 (shot), category 2 (camp), released."""

    NONE = 0
    CAT1 = 1
    CAT2 = 2
    RELEASED = 3


class Rank(IntEnum):
    """Rank codes: non-member (mass), member, mid cadre, senior, top, Politburo level."""

    MASS = 0
    MEMBER = 1
    MID = 2
    SENIOR = 3
    TOP = 4
    POLITBURO = 5


class Faction(IntEnum):
    """Factions; every faction but the mass contingents' is one of cadre (party, army, NKVD)."""

    CENTER = 0
    REGIONALS = 1
    TECHNOCRATS = 2
    RIGHTISTS = 3
    LEFTISTS = 4
    LEFT_CONSERVATIVES = 5
    MILITARY = 6
    NKVD = 7
    MASS = 8


class Institution(IntEnum):
    """Kinds of organisation (and an agent's institution): a party organisation, a commissariat..."""

    PARTY = 0
    COMMISSARIAT = 1
    ARMY = 2
    NKVD = 3
    CENTRAL = 4
    NONE = 5


class Operation(IntEnum):
    """The operation a mass contingent belongs to."""

    ROUTINE = 0
    OP00447 = 1
    NATIONAL = 2


class Cause(IntEnum):
    """Why an agent was arrested. ``ordered`` and ``approved`` count as controlled by the centre."""

    ORDERED = 0
    APPROVED = 1
    CASCADE = 2
    REGIONAL = 3
    OVER_LIMIT = 4
    ROUTINE = 5


class Track(IntEnum):
    """The two tracks of the weekly table: the elite (cadre) and the mass operations."""

    ELITE = 0
    MASS = 1


class TieType(IntEnum):
    """Tie types, one CSR matrix each."""

    PATRONAGE = 0
    WORKPLACE = 1
    OPPOSITION = 2
    CROSS_FACTION = 3
    ELITE = 4


def names(codes: type[IntEnum]) -> tuple[str, ...]:
    """The lower-case names of a set of codes, in code order (the labels of the tables)."""
    return tuple(c.name.lower() for c in sorted(codes))


STATUSES = names(Status)
SENTENCES = names(Sentence)
RANKS = names(Rank)
FACTIONS = names(Faction)
CADRE_FACTIONS = tuple(f for f in FACTIONS if f != "mass")
N_CADRE_FACTIONS = len(CADRE_FACTIONS)
INSTITUTIONS = names(Institution)
OPERATIONS = names(Operation)
CAUSES = names(Cause)
TRACKS = names(Track)
TIE_TYPES = names(TieType)
#: The status a sentence leaves an agent in, by sentence code.
STATUS_OF_SENTENCE = (Status.DETAINED, Status.EXECUTED, Status.CAMP, Status.RELEASED)

#: The status codes as plain integers, for compiled code.
FREE, DETAINED, CAMP, EXECUTED, RELEASED = (int(s) for s in Status)

assert Faction.MASS == len(CADRE_FACTIONS), "the mass contingents' faction comes after every cadre faction"
