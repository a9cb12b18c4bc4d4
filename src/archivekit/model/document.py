"""The document: what the source says, in reading order, independent of any output format.

Inlines and blocks are small frozen dataclasses, so writers pattern-match on them and cannot
change the text they are given. Text is kept exactly as in the source: nothing is normalised.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from archivekit.model.metadata import Creator, Edition


@dataclass(frozen=True)
class Text:
    """A run of source characters (spaces included), exactly as transcribed."""

    text: str


@dataclass(frozen=True)
class LineBreak:
    """A hard line break inside a block."""


@dataclass(frozen=True)
class NoteRef:
    """The place in the text that refers to a note; `label` is the mark the reader sees ("1")."""

    note_id: str
    label: str


@dataclass(frozen=True)
class Span:
    """Inline content with its own language or classes."""

    children: tuple[Inline, ...]
    lang: str | None = None
    classes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Emphasis:
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Strong:
    children: tuple[Inline, ...]


Inline = Text | LineBreak | NoteRef | Span | Emphasis | Strong


@dataclass(frozen=True)
class Paragraph:
    """A paragraph; `role` says what it is when it is more than body text.

    Roles: "dateline", "salutation", "closing", "signature", "kicker" (a line set above a heading,
    such as an author's name above a section title) or None for body text.
    """

    id: str
    inlines: tuple[Inline, ...]
    role: str | None = None
    lang: str | None = None


@dataclass(frozen=True)
class Heading:
    """A heading. `editorial` is True when the edition added it (it is not in the source text)."""

    id: str
    level: int
    inlines: tuple[Inline, ...]
    kicker: tuple[Inline, ...] | None = None
    editorial: bool = False
    lang: str | None = None


@dataclass(frozen=True)
class BulletList:
    """An unordered list; each item is a tuple of blocks."""

    id: str
    items: tuple[tuple[Block, ...], ...]


@dataclass(frozen=True)
class MarkedItem:
    """One item of a marked list: the source's own marker ("1.", "(a)", "（甲）", "第一条") and its blocks.

    The marker is source text, never generated: writers show it as written (PDF `Lbl`, HTML text).
    The first block is the paragraph the marker starts; nested marked lists may follow it.
    """

    marker: str
    blocks: tuple[Block, ...]
    separator: str = " "  # what stands between marker and text in the source ("" after 一、)


@dataclass(frozen=True)
class MarkedList:
    """A list whose item markers are characters of the source (numbered paragraphs, nested clauses)."""

    id: str
    items: tuple[MarkedItem, ...]
    depth: int = 1  # 1 for a top-level list, 2 for a list inside an item, ...


Block = Paragraph | Heading | BulletList | MarkedList


@dataclass(frozen=True)
class Citation:
    """A machine-readable pointer from a note to a bibliography entry; never replaces the note's words."""

    key: str
    locators: tuple[tuple[str, str], ...] = ()  # (CSL locator label, value), e.g. ("page", "12")


@dataclass(frozen=True)
class Note:
    """A footnote: its verbatim text, and the citation it makes when it cites a work."""

    id: str
    label: str
    blocks: tuple[Block, ...]
    part_id: str
    citation: Citation | None = None


@dataclass(frozen=True)
class Part:
    """One source file: a part of the document in one language, in reading order."""

    id: str
    lang: str
    role: str
    title: Heading | None
    blocks: tuple[Block, ...]
    source: str  # path relative to the edition folder
    creators: tuple[Creator, ...] = ()  # the part's own authors, in order, if not the edition's
    date: str | None = None  # the part's own date (YYYY, YYYY-MM or YYYY-MM-DD)
    cite_key: str | None = None  # the part's own source, an id in the bibliography


@dataclass(frozen=True)
class Document:
    """The whole edition: metadata, parts in reading order, notes by id, and the bibliography."""

    edition: Edition
    parts: tuple[Part, ...]
    notes: dict[str, Note]
    bibliography: tuple[dict[str, Any], ...]
    sources_sha256: str
    source_files: tuple[str, ...] = field(default=())  # relative paths, sorted, that were hashed
    # Editorial matter the edition adds around the text (never part of the source): the edition's
    # title heading (id "title") before the parts, and the colophon after them.
    front: tuple[Block, ...] = field(default=())
    colophon: tuple[Block, ...] = field(default=())
    # The programs that read the sources into this model, as (name, version): the manifest records them.
    readers: tuple[tuple[str, str], ...] = field(default=())

    def part(self, part_id: str) -> Part:
        """The part with this id."""
        for part in self.parts:
            if part.id == part_id:
                return part
        raise KeyError(part_id)

    def reference(self, key: str) -> dict[str, Any]:
        """The CSL-JSON record with this id."""
        for item in self.bibliography:
            if item.get("id") == key:
                return item
        raise KeyError(key)

    def parallel_pairs(self) -> list[tuple[Part, Part]]:
        """Parts declared as translations of each other, paired in declaration order."""
        return [(self.part(a), self.part(b)) for a, b in self.edition.parallel]


def iter_inlines(inlines: Iterable[Inline]) -> Iterator[Inline]:
    """Every inline, depth first, containers before their children."""
    for inline in inlines:
        yield inline
        if isinstance(inline, Span | Emphasis | Strong):
            yield from iter_inlines(inline.children)


def iter_blocks(blocks: Iterable[Block]) -> Iterator[Block]:
    """Every block, depth first, lists before their items' blocks."""
    for block in blocks:
        yield block
        if isinstance(block, BulletList):
            for item in block.items:
                yield from iter_blocks(item)
        elif isinstance(block, MarkedList):
            for marked in block.items:
                yield from iter_blocks(marked.blocks)


def plain_text(inlines: Iterable[Inline], *, note_labels: bool = True) -> str:
    """The characters of these inlines as a reader sees them (note marks included unless asked not to)."""
    out: list[str] = []
    for inline in inlines:
        match inline:
            case Text(text=text):
                out.append(text)
            case LineBreak():
                out.append("\n")
            case NoteRef(label=label):
                if note_labels:
                    out.append(label)
            case Span(children=children) | Emphasis(children=children) | Strong(children=children):
                out.append(plain_text(children, note_labels=note_labels))
    return "".join(out)
