"""Model text to braille cells, each part in its own table, keeping where every source character went.

A block becomes one `Cells`: Unicode braille (U+2800 for a blank, "\\n" for a hard line break) and,
for each character of the block's plain text (note labels included, as the PDF's page starts count
them), the cell where it begins, so a print page that starts mid-paragraph starts at the right cell.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from archivekit.errors import BuildError
from archivekit.model import Document, Inline
from archivekit.model.document import Emphasis, LineBreak, NoteRef, Span, Strong, Text
from archivekit.writers.braille.louis import Louis, Translation
from archivekit.writers.braille.tables import table_for

# Transcriber-defined sign before a note's number in the text (dots 6, 35: the note reference
# indicator of English braille formats); the transcriber's note explains it in every edition.
NOTE_SIGN = "\u2820\u2814"
HARD_BREAK = "\n"
# Latin words in Chinese text: some Chinese tables (zh-tw) write capitals with dot 7, which a
# 6-dot embosser cannot show; such runs are written in uncontracted English braille instead.
LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z0-9.\-/]*")
LATIN_TABLE = "en-ueb-g1.ctb"
LATIN_IN = "-Latn"  # Transcriber.tables key of the Latin table within a language: "zh-Hant-Latn"
# Tables whose dots 7 and 8 only tell apart what their 6-dot literary code writes alike (zh-tw:
# 他 and 她 beside 它, all "ta"); a 6-dot edition writes the 6-dot form, and the note says so.
SIX_DOT_FORMS = {"zh-tw.ctb"}


@dataclass
class Cells:
    """Braille of one block, the cell of each source character, and the notes it refers to."""

    cells: str = ""
    positions: list[int] = field(default_factory=list)  # one per plain-text character, then the end
    notes: list[str] = field(default_factory=list)

    def add(self, cells: str, positions: Iterable[int]) -> None:
        base = len(self.cells)
        self.positions += [base + p for p in positions]
        self.cells += cells

    def end(self) -> Cells:
        self.positions.append(len(self.cells))
        return self


class Transcriber:
    """Translates the document's inlines with the table of each one's language."""

    def __init__(self, doc: Document, louis: Louis) -> None:
        self.doc, self.louis = doc, louis
        self.tables: dict[str, str] = {}  # language -> table, in order of first use
        self.six_dot: set[str] = set()  # tables whose dots 7 and 8 were left out
        self.source: str | None = None  # the part file being transcribed (None: editorial matter)

    def table(self, lang: str) -> str:
        """The table for this language (checked once with liblouis)."""
        if lang not in self.tables:
            table = table_for(self.doc.edition, lang)
            self.louis.check_table(table)
            self.tables[lang] = table
        return self.tables[lang]

    def text(self, text: str, lang: str, where: str) -> Cells:
        """Braille for a plain string (editorial words, markers)."""
        out = Cells()
        self._segment(out, text, lang, where)
        return out.end()

    def inlines(self, inlines: Iterable[Inline], lang: str, where: str) -> Cells:
        """Braille for a block's inlines; spans with their own language use that language's table."""
        out = Cells()
        self._walk(out, tuple(inlines), lang, where)
        return out.end()

    def _walk(self, out: Cells, inlines: tuple[Inline, ...], lang: str, where: str) -> None:
        for inline in inlines:
            match inline:
                case Text(text=text):
                    self._segment(out, text, lang, where)
                case LineBreak():
                    out.add(HARD_BREAK, [0])
                case NoteRef(note_id=note_id, label=label):
                    number = self._translate(label, lang, where)
                    out.add(NOTE_SIGN + number.cells, [0] * len(label))
                    out.notes.append(note_id)
                case Span(children=children, lang=span_lang):
                    self._walk(out, children, span_lang or lang, where)
                case Emphasis(children=children) | Strong(children=children):
                    self._walk(out, children, lang, where)

    def _segment(self, out: Cells, text: str, lang: str, where: str) -> None:
        # Line ends inside a text run are hard breaks (metadata kept with its line ends).
        for index, piece in enumerate(text.split("\n")):
            if index:
                out.add(HARD_BREAK, [0])
            translated = self._translate(piece, lang, where)
            out.add(translated.cells, translated.positions)

    def _translate(self, text: str, lang: str, where: str) -> Translation:
        table = self.table(lang)
        whole = self._checked(text, table, where)
        if not _eight_dot(whole.cells):
            return whole
        # Retry with Latin runs in their own table; what is still 8-dot is refused below.
        cells, positions, at = "", [], 0
        runs = [(m.start(), m.end()) for m in LATIN_RUN.finditer(text)] + [(len(text), len(text))]
        for start, end in runs:
            for piece, piece_table in ((text[at:start], table), (text[start:end], self._latin(lang))):
                part = self._checked(piece, piece_table, where)
                positions += [len(cells) + p for p in part.positions]
                cells += part.cells
            at = end
        result = Translation(cells, tuple(positions))
        if _eight_dot(result.cells) and table in SIX_DOT_FORMS:
            self.six_dot.add(table)
            return Translation("".join(chr(ord(c) & 0x283F) for c in result.cells), result.positions)
        if _eight_dot(result.cells):
            char = next(c for c in text if _eight_dot(self.louis.translate(table, c).cells))
            raise BuildError(
                f"braille: {table} writes {char!r} (U+{ord(char):04X} {unicodedata.name(char, 'unnamed')}) "
                f"with dots 7 or 8 in {where}: …{text[:40]}…; BRF takes 6-dot braille only",
                hint="choose a 6-dot table for this language in settings.braille.tables",
            )
        return result

    def _latin(self, lang: str) -> str:
        """The table for Latin words inside text of this language (recorded for the transcriber's note)."""
        self.tables.setdefault(f"{lang}{LATIN_IN}", LATIN_TABLE)
        return LATIN_TABLE

    def _checked(self, text: str, table: str, where: str) -> Translation:
        missing = self.louis.undefined(table, text)
        if missing:
            char = missing[0]
            at = text.index(char)
            name = unicodedata.name(char, "unnamed")
            context = text[max(0, at - 12) : at + 13]
            raise BuildError(
                f"braille: {table} cannot translate {char!r} (U+{ord(char):04X} {name}) in {where}: "
                f"…{context}…",
                file=self.source,
                needle=char,
                hint="if the stretch is in another language, mark it so its table is used "
                "([words]{lang=TAG}); else choose another table for this language in "
                "settings.braille.tables, or report the character to liblouis; nothing is left untranslated",
            )
        return self.louis.translate(table, text)


def _eight_dot(cells: str) -> bool:
    return any("\u2840" <= cell <= "\u28ff" for cell in cells)
