"""Braille pages from formatted items: wrapping, indents, headings, page numbers, print page indicators.

Conventions (after BANA Braille Formats, which Chinese and German practice share in these points):
paragraphs begin in cell 3 and run over to cell 1; list items begin at their level's margin and run
over two cells further in; notes begin in cell 7 and run over to cell 5; headings are centred with
a blank line before. Line 1 carries the current print page number at the right, the last line the
braille page number; a print page change inside the text is a line of dots 36 ending in the new
print page number, and the text resumes on the next line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BLANK = "\u2800"
DOTS36 = "\u2824"


@dataclass
class Item:
    """A paragraph-like unit to lay out: its cells, indents and the print pages that begin inside it."""

    cells: str
    first: int = 2  # indent of the first line, in cells
    runover: int = 0  # indent of the following lines
    centred: bool = False
    blank_before: bool = False
    keep_with_next: bool = False
    breaks: list[tuple[int, str, int]] = field(default_factory=list)  # (cell index, label cells, PDF page)
    source: str = ""  # block id, for the record of where print pages begin


@dataclass
class Indicator:
    """Where a print page indicator was placed: braille page and line, and what it marks."""

    pdf_page: int
    braille_page: int
    line: int  # 1-based line on the braille page
    block_id: str
    cell: int  # cell index in the block's braille where the print page begins


@dataclass
class Page:
    number: int
    lines: list[str]


class Composer:
    """Fills pages of `cells` x `lines` with items; numbers them; records print page indicators."""

    def __init__(self, cells: int, lines: int, number_cells: dict[int, str]) -> None:
        self.width, self.height = cells, lines
        self.numbers = number_cells  # page number -> its braille (translated by the caller)
        self.pages: list[Page] = []
        self.body: list[str] = []
        self.print_label = ""  # braille of the print page in effect
        self.top_label = ""  # print page shown on the current braille page's first line
        self.indicators: list[Indicator] = []

    @property
    def room(self) -> int:
        """Body lines left on the current page (line 1 and the last line hold page numbers)."""
        return self.height - 2 - len(self.body)

    def new_page(self) -> None:
        """End the current page (if it has body text) and start the next."""
        if self.body:
            self._flush()

    def _flush(self) -> None:
        number = len(self.pages) + 1
        head = self._right(self.top_label)
        foot = self._right(self.numbers[number])
        lines = [head, *self.body]
        lines += [""] * (self.height - 1 - len(lines)) + [foot]
        self.pages.append(Page(number, [line.rstrip(BLANK) for line in lines]))
        self.body = []
        self.top_label = self.print_label

    def _right(self, label: str) -> str:
        return BLANK * (self.width - len(label)) + label if label else ""

    def _line(self, text: str) -> None:
        if self.room <= 0:
            self._flush()
        if not self.body and text == "":
            return  # no blank line at the top of a page
        self.body.append(text)

    def blank(self) -> None:
        if self.body and self.body[-1] != "":
            self._line("")

    def print_page(self, label: str, pdf_page: int, block_id: str, cell: int) -> None:
        """A print page begins here: a dots-36 line ending in its number (or the page head, at a page top)."""
        self.print_label = label
        if not self.body:
            self.top_label = label
        line = DOTS36 * (self.width - len(label)) + label
        if self.room <= 1:  # the indicator must not be the last body line: the text follows it
            self._flush()
            self.top_label = label
        self._line(line)
        self.indicators.append(Indicator(pdf_page, len(self.pages) + 1, len(self.body) + 1, block_id, cell))

    def item(self, item: Item) -> None:
        """Lay out one item, splitting it where print pages begin."""
        if item.blank_before:
            self.blank()
        cuts = sorted(item.breaks)
        start, first = 0, True
        for cell, label, pdf_page in [*cuts, (len(item.cells), "", 0)]:
            chunk = item.cells[start:cell].strip(BLANK)
            if chunk or (first and not cuts):
                lines = wrap(chunk, self.width, item.first if first else item.runover, item.runover)
                if item.centred:
                    lines = [centre(line.strip(BLANK), self.width) for line in lines]
                if (item.keep_with_next or item.centred) and self.room < len(lines) + 2:
                    self._flush()
                for line in lines:
                    self._line(line)
                first = False
            if label:
                self.print_page(label, pdf_page, item.source, cell)
            start = cell

    def finish(self) -> list[Page]:
        """The pages, the last one ended."""
        if self.body:
            self._flush()
        return self.pages


def centre(text: str, width: int) -> str:
    """The text centred in the line."""
    return BLANK * max(0, (width - len(text)) // 2) + text


def wrap(cells: str, width: int, first: int, runover: int) -> list[str]:
    """Break braille at blank cells (hard breaks at newlines); a word longer than a line is cut."""
    lines: list[str] = []
    for para_index, paragraph in enumerate(cells.split("\n")):
        indent = first if para_index == 0 else runover
        line = ""
        for word in [w for w in paragraph.split(BLANK) if w]:
            room = width - indent
            candidate = f"{line}{BLANK}{word}" if line else word
            if len(candidate) <= room:
                line = candidate
                continue
            if line:
                lines.append(BLANK * indent + line)
                indent, room = runover, width - runover
            while len(word) > room:  # no blank to break at (a long number, a run of CJK words)
                lines.append(BLANK * indent + word[:room])
                word = word[room:]
                indent, room = runover, width - runover
            line = word
        lines.append(BLANK * indent + line if line else "")
        first = runover
    return lines
