"""Text fidelity primitives: does an output carry exactly the transcribed text, in order?

White space is ignored (line breaks and spaces become layout), and so are list bullets and note
labels, which become markup. Every other character of a unit must be there, in order.
"""

from __future__ import annotations

import re

_WS = re.compile(r"\s+")
_NOTE_LABEL = re.compile(r"^注\d+\.\s*")
# How far past a unit's start its characters may spread in an output: a paged edition puts a
# page's notes, running head and folio inside a paragraph that crosses a page break.
SLACK_CHARS = 4000
# Stands in a source note for text the edition adds (a citation's reference, formatted from the
# bibliography): the note is whole when its pieces stand in order with at most EDITORIAL_CHARS between.
EDITORIAL = "\x00"
EDITORIAL_CHARS = 1000


def squeeze(text: str) -> str:
    """The text without white space."""
    return _WS.sub("", text)


def seed_units(seed: str, *, notes: bool = True) -> list[str]:
    """The seed's lines as units that must survive: markers stripped, white space removed.

    With notes=False the note lines (`注1. …`) are left out, for paged editions that set a note
    at the foot of the page where it is referenced rather than where the seed has it."""
    units = []
    for line in seed.split("\n"):
        line = line.removeprefix("- ")
        if _NOTE_LABEL.match(line) and not notes:
            continue
        line = _NOTE_LABEL.sub("", line)
        unit = squeeze(line)
        if unit:
            units.append(unit)
    return units


def note_units(seed: str) -> list[str]:
    """The seed's note texts, without their labels and white space."""
    return [squeeze(_NOTE_LABEL.sub("", line)) for line in seed.split("\n") if _NOTE_LABEL.match(line)]


def first_gap(seed: str, text: str, *, paged: bool = False) -> str | None:
    """Where the seed's characters stop appearing in order in `text` (None: all appear, in order).

    paged=True: the notes may stand anywhere (at the foot of their page) but each must be whole."""
    notes = note_units(seed) if paged else []
    gap = divergence(seed_units(seed, notes=not paged), notes, text)
    return gap.message if gap else None


def broken_units(seed: str, text: str) -> list[str]:
    """Seed lines that do not appear whole (contiguously) in `text`: something was dropped or inserted."""
    haystack = squeeze(text)
    return [unit for unit in seed_units(seed) if unit not in haystack]


class Gap:
    """The first place an output stops carrying the source: which unit, which character, and where."""

    def __init__(self, unit_index: int, message: str, near: str) -> None:
        self.unit_index = unit_index
        self.message = message
        self.near = near


def divergence(units: list[str], notes: list[str], text: str) -> Gap | None:
    """The first unit whose characters are not found in order in `text`, or a note not found whole."""
    haystack = squeeze(text)
    gap, _ = match_units(units, haystack, 0)
    return gap or missing_note(notes, haystack)


def match_units(units: list[str], haystack: str, position: int, first: int = 0) -> tuple[Gap | None, int]:
    """Find units in order in a squeezed text from `position`; return the first gap and where matching ended.

    Each unit must lie within SLACK_CHARS of where it starts, so a dropped paragraph is named where
    it was dropped, not pages later. `first` numbers the units in messages."""
    for number, unit in enumerate(units, start=first):
        whole = haystack.find(unit, position)
        if whole >= 0:
            position = whole + len(unit)
            continue
        start = haystack.find(unit[0], position)
        if start < 0:
            return _gap(number, unit, 0, haystack, position), position
        limit = start + len(unit) + SLACK_CHARS
        cursor = start
        for index, char in enumerate(unit):
            found = haystack.find(char, cursor, limit)
            if found < 0:
                return _gap(number, unit, index, haystack, cursor), position
            cursor = found + 1
        position = cursor
    return None, position


def missing_note(notes: list[str], haystack: str) -> Gap | None:
    """The first note whose text does not stand whole (contiguous but for its editorial insertions)."""
    for number, note in enumerate(notes):
        if not _whole(note, haystack):
            shown = note.replace(EDITORIAL, "…")[:40]
            return Gap(-1 - number, f"note {number + 1} not found whole: {shown}…", shown)
    return None


def _whole(note: str, haystack: str) -> bool:
    """Whether the note's pieces stand in order, each contiguous, at most EDITORIAL_CHARS apart."""
    first, *rest = note.split(EDITORIAL)
    start = haystack.find(first)
    while start >= 0:
        end = start + len(first)
        for piece in rest:
            at = haystack.find(piece, end, end + EDITORIAL_CHARS + len(piece))
            if at < 0:
                break
            end = at + len(piece)
        else:
            return True
        start = haystack.find(first, start + 1)
    return False


def _gap(number: int, unit: str, index: int, haystack: str, at: int) -> Gap:
    char = unit[index]
    context = unit[max(0, index - 12) : index + 12]
    after = haystack[max(0, at - 12) : at + 12]
    return Gap(
        number,
        f"missing {char!r} (U+{ord(char):04X}) of …{context}…; the output has …{after}… there",
        context,
    )
