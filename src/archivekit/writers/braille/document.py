"""The braille edition's reading order: transcriber's note, title, parts with their notes, colophon.

Every block becomes one or more layout `Item`s; the archival PDF's page starts become print page
indicators at the cell where that page's text begins. Editorial words come from `model.locale` in
the edition's editorial language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from archivekit import __version__
from archivekit.errors import BuildError
from archivekit.model import Block, BulletList, Document, Heading, MarkedList, Paragraph, Part
from archivekit.model.document import Note, Text
from archivekit.model.locale import language_name, message, role_name
from archivekit.model.pagination import PageStart
from archivekit.writers.braille.layout import Composer, Item, Page
from archivekit.writers.braille.transcribe import LATIN_IN, NOTE_SIGN, Cells, Transcriber

PLACEHOLDER = "\ue000"  # stands for braille signs inside an editorial sentence until it is translated


@dataclass
class Edition:
    """The laid-out braille edition and what the transcriber's note says."""

    pages: list[Page]
    composer: Composer
    tables: dict[str, str]  # language -> table, as used
    note_lines: list[str]  # the transcriber's note in print (editorial language), for the record


class Formatter:
    """Turns the document into layout items and lays them out."""

    def __init__(
        self, doc: Document, tr: Transcriber, starts: list[PageStart], cells: int, lines: int
    ) -> None:
        self.doc, self.tr = doc, tr
        self.lang = doc.edition.editorial_language
        self.cells, self.lines = cells, lines
        self.starts: dict[str, list[PageStart]] = {}
        for start in starts:
            self.starts.setdefault(start.block_id, []).append(start)
        self.placed: set[int] = set()
        self.items: list[Item] = []

    # -- editorial words -------------------------------------------------------------------
    def words(self, key: str, sign: str = "", **values: object) -> Cells:
        """An editorial sentence in braille; {sign} (if any) is the given braille, untranslated."""
        text = (
            message(self.lang, key, sign=PLACEHOLDER, **values) if sign else message(self.lang, key, **values)
        )
        out = Cells()
        for index, piece in enumerate(text.split(PLACEHOLDER)):
            if index:
                out.add(sign, [0])
            part = self.tr.text(piece, self.lang, f"editorial text {key!r}")
            out.add(part.cells, part.positions[:-1])
        return out.end()

    def number(self, value: int | str) -> str:
        """A page number in braille, in the editorial language's table."""
        return self.tr.text(str(value), self.lang, "a page number").cells

    # -- blocks ------------------------------------------------------------------------------
    def _item(self, cells: Cells, block_id: str, **layout: object) -> Item:
        item = Item(cells.cells, source=block_id, **layout)  # type: ignore[arg-type]
        for start in self.starts.get(block_id, []):
            if start.offset >= len(cells.positions):
                raise BuildError(
                    f"the PDF's page {start.page} starts at offset {start.offset} of block {block_id!r}, "
                    f"which has {len(cells.positions) - 1} characters",
                    hint="rebuild the PDF and the braille edition from the same sources (archivekit build)",
                )
            item.breaks.append((cells.positions[start.offset], self.number(start.label), start.page))
            self.placed.add(start.page)
        return item

    def heading(self, block: Heading, where: str, lang: str) -> list[str]:
        """A centred heading (kicker above it); returns the notes it calls."""
        notes: list[str] = []
        if block.kicker:
            kicker = self.tr.inlines(block.kicker, block.lang or lang, where)
            self.items.append(Item(kicker.cells, first=0, centred=True, blank_before=True, source=block.id))
            notes += kicker.notes
        cells = self.tr.inlines(block.inlines, block.lang or lang, where)
        level = {"first": 0, "runover": 0, "centred": True, "blank_before": not block.kicker}
        if block.level >= 3:  # minor headings in cell 5, kept with what follows
            level = {"first": 4, "runover": 4, "blank_before": True, "keep_with_next": True}
        self.items.append(self._item(cells, block.id, **level))
        self.items[-1].keep_with_next = True
        return notes + cells.notes

    def block(self, block: Block, part: Part | None, depth: int = 0) -> list[str]:
        """Items for one block; returns the ids of the notes it refers to, in order."""
        lang = (part.lang if part else None) or self.lang
        where = f"{part.source if part else 'editorial matter'}, block {getattr(block, 'id', '?')}"
        match block:
            case Heading():
                return self.heading(block, where, lang)
            case Paragraph(inlines=inlines, id=ident):
                cells = self.tr.inlines(inlines, block.lang or lang, where)
                indent = {"first": 2 + 2 * depth, "runover": 2 * depth}
                self.items.append(self._item(cells, ident, **indent))
                return cells.notes
            case BulletList(items=items):
                notes: list[str] = []
                for blocks in items:
                    notes += self.list_item("", " ", blocks, part, depth, block.id)
                return notes
            case MarkedList(items=items):
                notes = []
                for marked in items:
                    notes += self.list_item(
                        marked.marker, marked.separator, marked.blocks, part, depth, block.id
                    )
                return notes
        return []

    def list_item(
        self,
        marker: str,
        separator: str,
        blocks: tuple[Block, ...],
        part: Part | None,
        depth: int,
        list_id: str,
    ) -> list[str]:
        """The source's marker and separator, then the item's first paragraph; the rest one level in."""
        lang = (part.lang if part else None) or self.lang
        where = f"{part.source if part else 'editorial matter'}, list {list_id}"
        notes: list[str] = []
        for index, block in enumerate(blocks):
            if index == 0 and isinstance(block, Paragraph):
                head = self.tr.text(marker + separator, lang, where) if marker else Cells().end()
                body = self.tr.inlines(block.inlines, block.lang or lang, where)
                cells = Cells()
                cells.add(head.cells, [])
                cells.add(body.cells, body.positions[:-1])
                cells.end()
                self.items.append(self._item(cells, block.id, first=2 * depth, runover=2 * depth + 2))
                notes += body.notes
            else:
                notes += self.block(block, part, depth + 1)
        return notes

    def notes(self, note_ids: list[str], part: Part) -> None:
        """The notes, after the paragraph that calls them: number, then text, in cell 7 / cell 5."""
        for note_id in note_ids:
            note: Note = self.doc.notes[note_id]
            label = self.words("note", label=note.label)
            where = f"{part.source}, note {note.label}"
            for index, block in enumerate(note.blocks):
                if not isinstance(block, Paragraph):
                    self.block(block, part, 2)
                    continue
                body = self.tr.inlines(block.inlines, block.lang or part.lang, where)
                cells = Cells()
                if index == 0:
                    cells.add(label.cells + "\u2800", [])
                cells.add(body.cells, body.positions[:-1])
                self.items.append(self._item(cells.end(), block.id, first=6, runover=4))

    # -- the edition ------------------------------------------------------------------------
    def transcriber_note(self, louis_version: str) -> list[str]:
        """The transcriber's note page (in braille items) and its print wording, for the record:
        made once the text is transcribed, so it names every table used (a stretch in another
        language, Latin words in Chinese) and what 6-dot braille left out."""
        sentences: list[tuple[str, Mapping[str, object]]] = [
            ("braille_tn_made", {"version": __version__, "louis": louis_version}),
            *[self._table_sentence(lang, table) for lang, table in self.tr.tables.items()],
            *[("braille_tn_six_dot", {"table": table}) for table in sorted(self.tr.six_dot)],
            ("braille_tn_page", {"cells": self.cells, "lines": self.lines}),
            ("braille_tn_notes", {}),
            ("braille_tn_added", {}),
        ]
        title = self.words("braille_tn")
        self.items.append(Item(title.cells, first=0, centred=True, keep_with_next=True))
        record = [message(self.lang, "braille_tn")]
        for key, values in sentences:
            sign = NOTE_SIGN if key == "braille_tn_notes" else ""
            self.items.append(Item(self.words(key, sign=sign, **values).cells, first=2, runover=0))
            record.append(
                message(self.lang, key, sign="⠠⠔", **values) if sign else message(self.lang, key, **values)
            )
        return record

    def _table_sentence(self, lang: str, table: str) -> tuple[str, Mapping[str, object]]:
        if lang.endswith(LATIN_IN):
            return "braille_tn_latin", {
                "language": language_name(lang.removesuffix(LATIN_IN), self.lang),
                "table": table,
            }
        return "braille_tn_table", {"language": language_name(lang, self.lang), "table": table}

    def part(self, part: Part) -> None:
        """A part: its title (or an added heading naming it), its blocks, each note after its paragraph."""
        if part.title:
            self.tr.source = part.source
            self.block(part.title, part)
        else:
            role = role_name(self.lang, part.role, capital=True)
            words = message(
                self.lang, "part_in_language", role=role, language=language_name(part.lang, self.lang)
            )
            heading = Heading(f"{part.id}-braille-heading", 2, (Text(words),), editorial=True, lang=self.lang)
            self.block(heading, None)
        self.tr.source = part.source  # named by an error, with the line of what it could not translate
        for block in part.blocks:
            self.notes(self.block(block, part), part)
        self.tr.source = None

    def run(self, louis_version: str) -> Edition:
        """Lay out the whole edition."""
        # The tables of the edition's own languages first, in this order, as the note lists them.
        for lang in dict.fromkeys([self.lang, *(part.lang for part in self.doc.parts)]):
            self.tr.table(lang)
        for block in self.doc.front:
            self.block(block, None)
        for part in self.doc.parts:
            self.part(part)
        for block in self.doc.colophon:
            self.block(block, None)
        # The note comes first in the volume but is written last, when every table is known.
        text, self.items = self.items, []
        record = self.transcriber_note(louis_version)
        self.items.append(Item("", first=0, source="new-page"))
        self.items += text
        missing = sorted({s.page for starts in self.starts.values() for s in starts} - self.placed)
        if missing:
            raise BuildError(
                f"the PDF's pages {missing} begin in blocks the braille edition does not have",
                hint="rebuild the PDF and the braille edition from the same sources (archivekit build)",
            )
        composer = Composer(self.cells, self.lines, _Numbers(self))
        for item in self.items:
            if item.source == "new-page":
                composer.new_page()
                continue
            composer.item(item)
        return Edition(composer.finish(), composer, dict(self.tr.tables), record)


class _Numbers(dict):  # type: ignore[type-arg]
    """Braille page numbers, translated when first asked for."""

    def __init__(self, formatter: Formatter) -> None:
        super().__init__()
        self.formatter = formatter

    def __missing__(self, number: int) -> str:
        self[number] = self.formatter.number(number)
        return self[number]
