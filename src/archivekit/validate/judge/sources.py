"""The transcribed text as the build carries it (`sources/` beside the outputs), markup stripped.

Read from the build, not from the pipeline: the judge must see what was published from, whatever
the writers made of it. Only as much Pandoc Markdown is understood as sources may hold (fenced
divs, headings, bullets, footnotes, spans with attributes, citations, emphasis, escapes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from archivekit.validate.judge.text import EDITORIAL, squeeze

SOURCES = "sources"
EDITION_FILE = "edition.yaml"

_FENCE = re.compile(r"^\s*:::")
_HEADING = re.compile(r"^#{1,6}\s+(.*?)(?:\s+\{[^}]*\})?\s*$")
_BULLET = re.compile(r"^\s*[-*+]\s+")
_NOTE_DEF = re.compile(r"^\[\^([^\]]+)\]:\s?(.*)$")
_NOTE_REF = re.compile(r"\[\^[^\]]+\]")
# A pandoc citation `[see @key, p. 12; @other]`: the author's prefix and suffix are source text;
# the reference between them is formatted from the bibliography, so it is editorial (EDITORIAL).
_CITATION = re.compile(r"\[[^\]\[]*@[\w:.#$%&+?<>~/-]+[^\]\[]*\]")
_CITE_ITEM = re.compile(r"^(?P<prefix>.*?)-?@[\w:.#$%&+?<>~/-]*[\w#$%&+?<>~/](?P<suffix>.*)$", re.DOTALL)
_SPAN = re.compile(r"\[([^\]\[]*)\]\{[^}]*\}")
_EMPHASIS = re.compile(r"(?<!\\)[*]")
_ESCAPE = re.compile(r"\\(.)")
_HARD_BREAK = re.compile(r"\\$", re.MULTILINE)  # pandoc's backslash line break: markup, not text


@dataclass(frozen=True)
class Part:
    """One source part: its id, language, body units in reading order and its notes' texts."""

    id: str
    file: str
    lang: str
    units: tuple[str, ...]
    notes: tuple[str, ...]
    role: str = ""


@dataclass
class Sources:
    """The build's copy of the sources, read as text the outputs must carry."""

    edition: dict[str, Any] = field(default_factory=dict)
    parts: list[Part] = field(default_factory=list)

    @property
    def units(self) -> list[str]:
        """Every part's body units, in reading order."""
        return [u for p in self.parts for u in p.units]

    @property
    def notes(self) -> list[str]:
        """Every note's text, in order."""
        return [n for p in self.parts for n in p.notes]

    def first_unit(self, part: Part) -> int:
        """The index of a part's first unit among all units."""
        index = 0
        for p in self.parts:
            if p is part:
                return index
            index += len(p.units)
        return index

    def reading_groups(self) -> list[list[Part]]:
        """Parts in reading order, those of one `parallel` group of edition.yaml together."""
        parallel = [set(map(str, g)) for g in self.edition.get("parallel") or [] if isinstance(g, list)]
        groups: list[list[Part]] = []
        for part in self.parts:
            together = next((g for g in parallel if part.id in g), None)
            if together and groups and groups[-1][0].id in together:
                groups[-1].append(part)
            else:
                groups.append([part])
        return groups

    def runs(self) -> list[tuple[str, str, int]]:
        """Consecutive parts of one role and language as (role, language, how many)."""
        runs: list[tuple[str, str, int]] = []
        for part in self.parts:
            if runs and runs[-1][:2] == (part.role, part.lang):
                runs[-1] = (part.role, part.lang, runs[-1][2] + 1)
            else:
                runs.append((part.role, part.lang, 1))
        return runs

    @property
    def languages(self) -> list[str]:
        """The parts' languages, each once, in order of first use."""
        return list(dict.fromkeys(p.lang for p in self.parts))


def _citation(match: re.Match[str]) -> str:
    """A citation as its prefix, the editorial reference (EDITORIAL), its suffix; items joined by `;`."""
    items = []
    for item in match.group(0)[1:-1].split(";"):
        parts = _CITE_ITEM.match(item)
        items.append(f"{parts['prefix']}{EDITORIAL}{parts['suffix']}" if parts else item)
    return ";".join(items)


def inline(text: str) -> str:
    """A paragraph's characters as a reader sees them: markup removed, a citation's reference EDITORIAL."""
    text = _NOTE_REF.sub("", _HARD_BREAK.sub("", text))
    text = _CITATION.sub(_citation, text)
    while True:
        stripped = _SPAN.sub(r"\1", text)
        if stripped == text:
            break
        text = stripped
    text = _EMPHASIS.sub("", text)
    return _ESCAPE.sub(r"\1", text)


def _blocks(text: str) -> list[list[str]]:
    """Paragraphs: runs of non-blank lines (a span or emphasis may cross a line end inside one)."""
    blocks: list[list[str]] = [[]]
    for line in text.split("\n"):
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def read_markdown(text: str) -> tuple[list[str], list[str]]:
    """A part's body units (one per line of a paragraph) and note texts, white space squeezed."""
    units: list[str] = []
    notes: list[str] = []
    in_note = False
    for block in _blocks(text):
        body: list[str] = []
        for raw in block:
            definition = _NOTE_DEF.match(raw)
            if definition:
                notes.append(definition.group(2))
                in_note = True
            elif in_note and (raw.startswith(("    ", "\t")) or not body):
                # A note's continuation: indented, or the lazy lines of its first paragraph.
                notes[-1] += "\n" + raw
            elif _FENCE.match(raw):
                in_note = False
            else:
                in_note = False
                heading = _HEADING.match(raw)
                body.append(heading.group(1) if heading else _BULLET.sub("", raw, count=1))
        if body:
            # In running text a reference is an insertion the in-order match allows; notes must be whole.
            lines = inline("\n".join(body)).replace(EDITORIAL, "").split("\n")
            units += [u for u in (squeeze(line) for line in lines) if u]
    return units, [n for n in (squeeze(inline(note)) for note in notes) if n]


def read_sources(build_dir: Path) -> Sources:
    """The parts named by the build's sources/edition.yaml, in its order."""
    folder = build_dir / SOURCES
    edition = yaml.safe_load((folder / EDITION_FILE).read_text(encoding="utf-8")) or {}
    parts = []
    for entry in edition.get("parts") or []:
        path = folder / str(entry["file"])
        units, notes = read_markdown(path.read_text(encoding="utf-8"))
        lang = str(entry.get("lang") or edition.get("language") or "und")
        part_id, role = str(entry.get("id", path.stem)), str(entry.get("role") or "")
        parts.append(Part(part_id, path.name, lang, tuple(units), tuple(notes), role))
    return Sources(edition, parts)
