"""ReportLab flowables that set our own lines and tag what they draw.

TextBlock sets one block: lines broken by linebreak.py, each run of pieces drawn inside the
marked-content sequence of its structure element. It splits between lines (two lines at least
on each side when it can), keeps room at the foot of the page for the notes its lines refer to,
and records where each page's text begins. Columns sets two stacks of blocks side by side.

The room kept for notes goes through reportlab_adapter.py, the one module that knows ReportLab's
frame internals; Flowable.keepWithNext is honoured by BaseDocTemplate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from reportlab.platypus.flowables import Flowable

from archivekit.typeset import reportlab_adapter
from archivekit.typeset.linebreak import EPSILON, Line, Piece, Run, balanced_lines, break_lines, placements
from archivekit.typeset.styles import NOTE_SEPARATION, BlockStyle, Face
from archivekit.typeset.tagging import StructNode

# Gaps this close are one gap: placements adds the same share before each unit, so two gaps of a
# justified line differ only by floating-point rounding.
SAME_GAP = 1e-6


def measure(text: str, face: Any) -> float:
    """Width in points of text in a face."""
    return reportlab_adapter.string_width(text, face.font, face.size)


class Recorder(Protocol):
    """What flowables report while they are drawn (layout.Typesetter keeps it for the tagging)."""

    def link(self, page: int, rect: tuple[float, float, float, float], node: StructNode, label: str) -> None:
        """A note mark was drawn here: its link annotation."""

    def page_start(self, page: int, block_id: str, offset: int, text: str) -> None:
        """Text was drawn on this page (the first call per page is its start)."""

    def outline(self, entry: Outline, page: int, y: float, node: StructNode | None = None) -> None:
        """A heading was drawn: a bookmark."""

    def place_note(self, box: NoteBox, page: int) -> None:
        """A note mark was drawn on this page: its note goes to the page foot."""

    def note_spot(self, note_id: str, page: int, x: float, top: float) -> None:
        """A note set in the flow begins here: the target of its marks' links."""


@dataclass
class NoteBox:
    """A footnote, set once at the text width: its lines and the height it takes at the page foot."""

    note_id: str
    block: TextBlock
    height: float
    placed_on: int | None = None


@dataclass
class Label:
    """A mark set in the hanging indent of a block's first line (a list bullet or marker, a note number)."""

    text: str
    face: Face
    node: StructNode
    indent: float = 0.0  # where it starts, in points from the block's left edge
    parts: tuple[tuple[str, Face], ...] = ()  # the text by face, when it mixes scripts

    def runs(self) -> tuple[tuple[str, Face], ...]:
        """The label's text by face."""
        return self.parts or ((self.text, self.face),)

    def width(self) -> float:
        """The label's width in points."""
        return sum(measure(text, face) for text, face in self.runs())


@dataclass
class Outline:
    """A heading to list in the PDF's bookmarks."""

    level: int
    title: str


@dataclass
class BlockSpec:
    """Everything a TextBlock needs besides its lines."""

    block_id: str
    style: BlockStyle
    runs: tuple[Run, ...]
    label: Label | None = None
    notes: dict[int, NoteBox] = field(default_factory=dict)  # offset of the note mark -> note
    outline: Outline | None = None
    body: bool = True  # records page starts (notes and furniture do not)
    # A heading's kicker has no place in the model's text: a page that begins with it is
    # recorded as beginning at its heading, with the heading's words.
    start_words: str | None = None
    # A note set in the flow (too tall for a page foot): its id, the target of its marks' links,
    # recorded where its first line is drawn. Part of the block, not a flowable kept with it:
    # ReportLab moves a group kept together that is taller than the room left to the next page,
    # which left most of a page empty above a note longer than a page.
    anchor: str | None = None


class TextBlock(Flowable):
    """One block of text set in lines; splits between lines."""

    def __init__(
        self,
        spec: BlockSpec,
        setter: Recorder,
        lines: list[Line] | None = None,
        *,
        first: bool = True,
        last: bool = True,
        width: float | None = None,
    ) -> None:
        super().__init__()
        self.spec = spec
        self.setter = setter
        self.lines = lines
        self._width = width
        self.first = first  # this piece holds the block's first line
        self.last = last  # this piece holds the block's last line
        st = spec.style
        self.spaceBefore = st.space_before if first else 0
        self.spaceAfter = st.space_after if last else 0
        self.keepWithNext = st.keep_with_next and last

    # -- measuring ---------------------------------------------------------
    def _ensure_lines(self, width: float) -> list[Line]:
        if self.lines is None or self._width is None or abs(self._width - width) > EPSILON:
            st = self.spec.style
            if st.balance:
                self.lines = balanced_lines(
                    self.spec.runs,
                    measure,
                    width - st.left_indent,
                    first_indent=st.first_indent * st.size,
                    em=st.size,
                )
            else:
                self.lines = break_lines(
                    self.spec.runs, measure, width - st.left_indent, first_indent=st.first_indent * st.size
                )
            self._width = width
        return self.lines

    def note_reserve(self) -> float:
        """Room at the page foot the notes called from this piece's lines need (not yet placed)."""
        return self._note_reserve(self.lines or [])

    def _note_reserve(self, lines: Sequence[Line]) -> float:
        reserve = 0.0
        if not self.spec.notes:
            return reserve  # most blocks call no note: no piece to look up
        for line in lines:
            for piece in line.pieces:
                box = self.spec.notes.get(piece.offset)
                if box is not None and box.placed_on is None:
                    reserve += box.height + NOTE_SEPARATION
        return reserve

    def _fit(self, count_avail: float) -> int:
        """How many lines fit in this height, their notes' room included."""
        lead = self.spec.style.leading
        lines = self.lines or []
        notes = self.spec.notes
        # The room of the first n + 1 lines' notes, summed line after line as _note_reserve sums it
        # (the same additions in the same order: the same float), without starting again each line.
        reserve = 0.0
        n = 0
        while n < len(lines):
            for piece in lines[n].pieces if notes else ():
                box = notes.get(piece.offset)
                if box is not None and box.placed_on is None:
                    reserve += box.height + NOTE_SEPARATION
            if (n + 1) * lead + reserve > count_avail + EPSILON:
                break
            n += 1
        return n

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        lines = self._ensure_lines(availWidth)
        self.width = availWidth
        self.height = len(lines) * self.spec.style.leading
        if self.height + self._note_reserve(lines) > availHeight + EPSILON:
            # Report a height that does not fit, so the frame asks us to split with our notes' room.
            return availWidth, max(self.height, availHeight + 1)
        return availWidth, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        lines = self._ensure_lines(availWidth)
        n = self._fit(availHeight)
        if n >= len(lines):
            return [self]
        # No single line left behind at the foot or carried to the head of a page (clreq, CLREQ widows).
        if len(lines) >= 4:
            n = min(n, len(lines) - 2)
            if n < 2:
                n = 0
        if n == 0:
            return []
        head = TextBlock(self.spec, self.setter, lines[:n], first=self.first, last=False, width=availWidth)
        tail = TextBlock(self.spec, self.setter, lines[n:], first=False, last=self.last, width=availWidth)
        return [head, tail]

    # -- drawing -------------------------------------------------------------
    def draw(self) -> None:
        canv = self.canv
        st = self.spec.style
        lines = self.lines or []
        frame = reportlab_adapter.frame_of(self)
        reserve = self._note_reserve(lines)
        if reserve and frame is not None:
            reportlab_adapter.keep_foot(frame, reserve)  # the page foot stays free for these notes
        page = canv.getPageNumber()
        if self.spec.anchor is not None and self.first:
            x, y = reportlab_adapter.origin(canv)
            self.setter.note_spot(self.spec.anchor, page, x, y + self.height)
        if self.spec.outline is not None and self.first:
            top = reportlab_adapter.origin(canv)[1] + self.height  # the heading's top on the page
            self.setter.outline(
                self.spec.outline, page, top, self.spec.runs[0].tag if self.spec.runs else None
            )
        if self.spec.body:
            # A piece is drawn on one page: its first line with text is the only one that can
            # begin the page's text (page_start keeps the first call per page).
            first_text = next((line for line in lines if line.pieces), None)
            if first_text is not None and self.spec.start_words is not None:
                self.setter.page_start(page, self.spec.block_id, 0, self.spec.start_words)
            elif first_text is not None:
                self.setter.page_start(page, self.spec.block_id, first_text.offset, first_text.text)
        notes = self.spec.notes
        for index, line in enumerate(lines):
            baseline = self.height - index * st.leading - (st.leading - st.size) / 2 - st.size * 0.88
            self.draw_line(line, st.left_indent, baseline, index == 0 and self.first)
            for piece in line.pieces if notes else ():
                box = notes.get(piece.offset)
                if box is not None and box.placed_on is None:
                    box.placed_on = page
                    self.setter.place_note(box, page)

    def draw_line(self, line: Line, x0: float, baseline: float, first_line: bool) -> None:
        """Draw one line, each structure element's pieces in their own marked-content sequence."""
        canv = self.canv
        if not canv.paints:
            self._record_line(line, x0, baseline, first_line)
            return
        st = self.spec.style
        xs, shift = self._positions(line)
        if first_line and self.spec.label is not None:
            label = self.spec.label
            with canv.marked(label.node):
                x = x0 - st.left_indent + label.indent
                for text, face in label.runs():
                    self._text(text, face, x, baseline)
                    x += measure(text, face)
        i = 0
        pieces = line.pieces
        line_x = x0 + shift
        while i < len(pieces):
            j = i
            while j < len(pieces) and pieces[j].tag is pieces[i].tag:
                j += 1
            canv.begin_marked(pieces[i].tag)
            tx = canv.beginText()
            current = None
            placed: list[Placed] = []  # the pieces of one face, each at its x
            for k in range(i, j):
                piece = pieces[k]
                if piece.kind == "newline":
                    continue
                face = piece.style
                if face is not current and face != current:
                    if current is not None:
                        _draw_run(tx, current, baseline, placed)
                        placed = []
                    tx.setFont(face.font, face.size)
                    current = face
                placed.append((line_x + xs[k], piece.text, piece.width))
            if current is not None:
                _draw_run(tx, current, baseline, placed)
            canv.drawText(tx)
            canv.end_marked()
            tag = pieces[i].tag
            if tag is not None and tag.link_to:
                self._link(tag, pieces[i:j], line_x + xs[i], line_x + xs[j - 1], baseline)
            i = j

    def _record_line(self, line: Line, x0: float, baseline: float, first_line: bool) -> None:
        """What draw_line leaves in this process for a line another process draws: the MCIDs of its
        marked-content sequences, its links, and the fonts it would be the first to show, named in
        the order draw_line would show them (the other process's pages then use the same names)."""
        canv = self.canv
        named = canv.named_fonts
        if first_line and self.spec.label is not None:
            label = self.spec.label
            canv.claim_mcid(label.node)
            for text, face in label.runs():
                if face.font not in named:
                    canv.name_font(face.font, text)
        pieces = line.pieces
        positions = None  # worked out for a line with a link only
        i = 0
        while i < len(pieces):
            tag = pieces[i].tag
            j = i
            while j < len(pieces) and pieces[j].tag is tag:
                piece = pieces[j]
                if piece.style.font not in named and piece.kind != "newline":
                    canv.name_font(piece.style.font, piece.text)
                j += 1
            canv.claim_mcid(tag)
            if tag is not None and tag.link_to:
                xs, shift = positions = positions or self._positions(line)
                self._link(tag, pieces[i:j], x0 + shift + xs[i], x0 + shift + xs[j - 1], baseline)
            i = j

    def _positions(self, line: Line) -> tuple[list[float], float]:
        """The x of each piece of the line from its start, and the start's shift from the left edge."""
        st = self.spec.style
        width = (self._width or self.width) - st.left_indent
        xs = placements(line, width, justify=st.align == "justify")
        shift = 0.0
        if st.align in ("center", "right"):
            spare = width - line.indent - line.width
            shift = spare / 2 if st.align == "center" else spare
        return xs, shift

    def _link(
        self, tag: StructNode, pieces: Sequence[Piece], left: float, last: float, baseline: float
    ) -> None:
        """Record the link of a note mark drawn from `left` to the start `last` of its last piece."""
        canv = self.canv
        right = last + pieces[-1].width
        face = pieces[0].style
        ox, oy = reportlab_adapter.origin(canv)
        # A generous box around the small mark, so a finger or pointer can hit it.
        rect = (
            ox + left - 2,
            oy + baseline - 2,
            ox + right + 2,
            oy + baseline + face.rise + face.size + 2,
        )
        mark = "".join(p.text for p in pieces).strip()
        self.setter.link(canv.getPageNumber(), rect, tag, mark)

    def _text(self, text: str, face: Face, x: float, y: float) -> None:
        tx = self.canv.beginText()
        tx.setFont(face.font, face.size)
        tx.setTextOrigin(x, y + face.rise)
        tx.textOut(text)
        self.canv.drawText(tx)


# A piece to draw: its x, its text and its width as line breaking measured it (a space between
# two Han characters is widened there, so its own measure is taken again where it matters).
Placed = tuple[float, str, float]


def _draw_run(tx: Any, face: Face, baseline: float, placed: list[Placed]) -> None:
    """Draw pieces of one face (just set on the text object), each at its x.

    Single characters evenly spaced (a justified line of Han text) are one string under a
    character spacing (Tc): the glyphs land where moving to each would put them, in one operator
    instead of two per character. Otherwise each piece is moved to unless it starts where the
    one before ended.
    """
    y = baseline + face.rise
    font = reportlab_adapter.drawn_font(face.font)
    spacing = _even_spacing(placed, face) if font is not None else None
    if font is not None and spacing is not None:
        reportlab_adapter.move_text(tx, placed[0][0], y)
        tx.setCharSpace(spacing)
        font.show(tx, "".join(text for _, text, _ in placed))
        tx.setCharSpace(0)  # character spacing is text state: it would outlive this text object
        return
    # Each piece moved to unless it starts where the one before ended.
    if font is not None:
        font.show_at(tx, placed, y, EPSILON)
    else:
        reportlab_adapter.show_each(tx, placed, y, EPSILON)


def _even_spacing(placed: list[Placed], face: Face) -> float | None:
    """The one gap between every two of these pieces when each is a single character and the
    gap is the same throughout (and not nothing); None otherwise."""
    if len(placed) < 3:
        return None
    gap = None
    previous_end = None
    for x, text, width in placed:
        if len(text) != 1:
            return None
        if previous_end is not None:
            here = x - previous_end
            if gap is None:
                if here <= EPSILON:
                    return None
                gap = here
            elif abs(here - gap) > SAME_GAP:
                return None
        # A piece's width is its measure in this face, but for a widened space: measured again.
        previous_end = x + (measure(text, face) if text.isspace() else width)
    return gap


def _stack_height(blocks: Sequence[TextBlock], width: float) -> float:
    """Height of blocks stacked: the last block's space after belongs to the Columns, not the stack
    (counting it made a split part taller than the room it was split for)."""
    total = 0.0
    last = len(blocks) - 1
    for index, block in enumerate(blocks):
        _, h = block.wrap(width, 1e9)
        total += h + (block.getSpaceBefore() if index else 0) + (block.getSpaceAfter() if index < last else 0)
    return total


def _stack_reserve(blocks: Sequence[Flowable]) -> float:
    """Room for the notes the (wrapped) blocks of a stack call."""
    return sum(block.note_reserve() for block in blocks if isinstance(block, TextBlock))


def _stack_split(
    blocks: Sequence[TextBlock], width: float, avail: float
) -> tuple[list[Flowable], list[Flowable]]:
    """The blocks (or first part of a block) that fit in `avail` points, and the rest."""
    fit: list[Flowable] = []
    used = 0.0
    for index, block in enumerate(blocks):
        before = block.getSpaceBefore() if fit else 0
        _, h = block.wrap(width, 1e9)
        if used + before + h <= avail + EPSILON:
            fit.append(block)
            used += before + h + block.getSpaceAfter()
            continue
        parts = block.split(width, avail - used - before)
        if len(parts) == 2:
            fit.append(parts[0])
            return fit, [parts[1], *blocks[index + 1 :]]
        return fit, list(blocks[index:])
    return fit, []


class Columns(Flowable):
    """Two stacks of blocks side by side (the Chinese and English statements, row by row)."""

    def __init__(
        self,
        left: list[TextBlock],
        right: list[TextBlock],
        share: float,
        gutter: float,
        em: float | None = None,
    ) -> None:
        super().__init__()
        self.left = left
        self.right = right
        self.share = share
        self.gutter = gutter
        # Kept from the first row so both halves of a split row keep the same column widths.
        self.em = em or (left[0].spec.style.size if left else 10)
        self.spaceAfter = 8

    def _widths(self, width: float) -> tuple[float, float]:
        left = int((width - self.gutter) * self.share / self.em) * self.em  # whole ems: a clean grid
        return left, width - self.gutter - left

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        lw, rw = self._widths(availWidth)
        self.width = availWidth
        self.height = max(_stack_height(self.left, lw), _stack_height(self.right, rw))
        # The notes called from both columns share one page foot: a row that fits only without
        # them reports a height that does not fit, so the frame asks it to split.
        if self.height + _stack_reserve(self.left) + _stack_reserve(self.right) > availHeight + EPSILON:
            return availWidth, max(self.height, availHeight + 1)
        return availWidth, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        lw, rw = self._widths(availWidth)
        room = availHeight
        # Each column splits in the room left; the notes of both halves then shrink that room until
        # text and notes fit together (a few rounds: each round gives up at least a point).
        for _ in range(64):
            lfit, lrest = _stack_split(self.left, lw, room)
            rfit, rrest = _stack_split(self.right, rw, room)
            if (self.left and not lfit) or (self.right and not rfit):
                return []  # a row starts with both languages or moves whole to the next page
            used = max(_stack_height(lfit, lw), _stack_height(rfit, rw))
            over = used + _stack_reserve(lfit) + _stack_reserve(rfit) - availHeight
            if over <= EPSILON:
                return [
                    Columns(lfit, rfit, self.share, self.gutter, self.em),
                    Columns(lrest, rrest, self.share, self.gutter, self.em),
                ]
            room -= max(over, 1.0)
        return []

    def draw(self) -> None:
        lw, rw = self._widths(self.width)
        # Draw the whole Chinese column, then the English one: each language's text is one run
        # of content in the page, whatever the eye sees side by side.
        for blocks, x, w in ((self.left, 0.0, lw), (self.right, lw + self.gutter, rw)):
            y = self.height
            for index, block in enumerate(blocks):
                if index:
                    y -= block.getSpaceBefore()
                _, h = block.wrap(w, 1e9)
                y -= h
                # The block keeps room for its notes in the frame that holds this row.
                reportlab_adapter.lend_frame(block, reportlab_adapter.frame_of(self))
                block.drawOn(self.canv, x, y)
                y -= block.getSpaceAfter()
