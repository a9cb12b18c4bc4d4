"""Text fidelity: does an output carry exactly the transcribed text?

White space is ignored (line breaks and spaces become layout), and so are the seed's `- ` list
markers and the `注1.` note label, which become markup. Everything else must be there, in order.
"""

from __future__ import annotations

import re

_WS = re.compile(r"\s+")
_NOTE_LABEL = re.compile(r"^注\d+\.\s*")


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
    haystack = squeeze(text)
    if paged:
        for note in note_units(seed):
            if note not in haystack:
                return f"note not found whole: {note[:30]}…"
    position = 0
    for unit in seed_units(seed, notes=not paged):
        for index, char in enumerate(unit):
            found = haystack.find(char, position)
            if found < 0:
                return f"missing {char!r} (U+{ord(char):04X}) in …{unit[max(0, index - 10) : index + 10]}…"
            position = found + 1
    return None


def broken_units(seed: str, text: str) -> list[str]:
    """Seed lines that do not appear whole (contiguously) in `text`: something was dropped or inserted."""
    haystack = squeeze(text)
    return [unit for unit in seed_units(seed) if unit not in haystack]
