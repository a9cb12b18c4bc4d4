"""Typesetting the document with ReportLab: the story, the page template, notes at the page foot.

`typeset(doc, ctx, profile=..., page_size=..., bleed=...)` is the one entry point, shared by every
writer that draws pages (archival PDF, print edition: a page profile each): it returns the bytes
ReportLab wrote plus what a writer needs to make them a tagged PDF (structure tree, MCIDs per
page, outline, page starts). The structure tree is built here from the model, before anything is drawn.
"""

from __future__ import annotations

import contextlib
import gc
import io
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.platypus import BaseDocTemplate, Frame, PageBreak, PageTemplate

from archivekit.errors import UsageError
from archivekit.model import Document
from archivekit.model.locale import message
from archivekit.model.metadata import PAGE_SIZES_MM
from archivekit.model.pagination import PageStart
from archivekit.typeset import fonts, linebreak, reportlab_adapter, styles
from archivekit.typeset.content import ContentBuilder, creators_line, document_chars, document_langs
from archivekit.typeset.flowables import Columns, NoteBox, Outline, TextBlock
from archivekit.typeset.page_profile import ARCHIVAL, PROFILES, PageProfile
from archivekit.typeset.styles import MARGINS, NOTE_SEPARATION, StyleSheet
from archivekit.typeset.tagging import StructNode, TaggingCanvas


class Workspace(Protocol):
    """Where prepared fonts are cached and progress is logged (a writer's BuildContext is one)."""

    cache_dir: Path
    log: logging.Logger


@dataclass
class OutlineEntry:
    """A bookmark: heading level and text, the page and the height of the heading's top."""

    level: int
    title: str
    page: int
    y: float
    node: StructNode | None = None  # the heading's structure element (outline /SE)


@dataclass
class LinkSpot:
    """A note mark's clickable box on a page and the Link element it belongs to."""

    page: int
    rect: tuple[float, float, float, float]
    node: StructNode
    label: str  # the mark the reader sees ("1")
    contents: str = ""  # the annotation's description ("Note 1"), in the edition's language


@dataclass
class Typeset:
    """What ReportLab drew and what the tagging layer recorded while it drew."""

    pdf: bytes
    root: StructNode
    parent_tree: dict[int, list[StructNode]]
    outline: list[OutlineEntry]
    page_starts: list[PageStart]
    page_count: int
    page_size: tuple[float, float]  # trim size in points
    bleed: float  # points added on each side
    fonts_used: dict[str, str] = field(default_factory=dict)  # key -> file embedded
    links: list[LinkSpot] = field(default_factory=list)
    note_spots: dict[str, tuple[int, float, float]] = field(default_factory=dict)  # id -> page, x, top


def page_size_for(name: str) -> tuple[float, float]:
    """A page size named in the edition settings (A5, A4, Letter, 6x9in), in points, portrait."""
    if name not in PAGE_SIZES_MM:
        raise UsageError(
            f"unknown page size {name!r} in edition.yaml settings.page_size",
            file="edition.yaml",
            hint=f"use one of {', '.join(PAGE_SIZES_MM)}",
        )
    width, height = PAGE_SIZES_MM[name]
    return width * mm, height * mm


def register_fonts(chars: frozenset[int], ctx: Workspace, langs: Iterable[str] = ()) -> dict[str, str]:
    """Register every font of the design (and the CJK faces `langs` need) with ReportLab; key -> path."""
    used: dict[str, str] = {}
    sources = fonts.sources_for(langs)
    # All at once: the faces missing from the cache are prepared side by side.
    prepared = fonts.prepare(sources, chars, ctx.cache_dir, ctx.log)
    for src in sources:
        path = prepared[src.key]
        # One name per file, so two builds in one process never share ReportLab's font state.
        if reportlab_adapter.registered_file(src.key) != str(path):
            reportlab_adapter.register_font(reportlab_adapter.DrawnGlyphsFont(src.key, str(path)))
            linebreak.forget_lines()  # broken to the widths of the font this one replaces
        used[src.key] = str(path)
    return used


class Typesetter:
    """Collects, while ReportLab draws, what the tagging and the EPUB page-list need."""

    def __init__(self, doc: Document, frame_width: float, root: StructNode) -> None:
        self.doc = doc
        self.frame_width = frame_width
        self.root = root
        self.page_starts: dict[int, PageStart] = {}
        self.outlines: list[OutlineEntry] = []
        self.notes_on_page: dict[int, list[NoteBox]] = {}
        self.canvas: TaggingCanvas | None = None
        self.links: list[LinkSpot] = []
        self.note_spots: dict[str, tuple[int, float, float]] = {}

    def link(self, page: int, rect: tuple[float, float, float, float], node: StructNode, label: str) -> None:
        """Remember where a note mark was drawn, for its link annotation."""
        contents = message(self.doc.edition.editorial_language, "note", label=label)
        self.links.append(LinkSpot(page, rect, node, label, contents))

    def page_start(self, page: int, block_id: str, offset: int, text: str) -> None:
        """Remember the first text drawn on a page."""
        if page not in self.page_starts:
            self.page_starts[page] = PageStart(page, str(page), block_id, offset, text.strip()[:24])

    def outline(self, entry: Outline, page: int, y: float, node: StructNode | None = None) -> None:
        """Remember a heading for the bookmarks."""
        self.outlines.append(OutlineEntry(entry.level, entry.title, page, y, node))

    def place_note(self, box: NoteBox, page: int) -> None:
        """A note mark was drawn on this page: set the note at its foot."""
        self.notes_on_page.setdefault(page, []).append(box)

    def note_spot(self, note_id: str, page: int, x: float, top: float) -> None:
        """A note set in the flow begins here."""
        self.note_spots[note_id] = (page, x, top)


def _geometry(
    page: tuple[float, float], bleed: float, size: float, head_room: float = 0.0
) -> tuple[float, float, float, float]:
    """Frame x, y, width, height: a measure of whole ems of body text, centred on the trim; the top
    margin widened by head_room points for a running head larger than the design's."""
    width, height = page
    ems = int((width - 2 * MARGINS["min_side"]) // size)
    measure = ems * size
    x = bleed + (width - measure) / 2
    y = bleed + MARGINS["bottom"]
    return x, y, measure, height - MARGINS["top"] - head_room - MARGINS["bottom"]


def prepare_fonts(doc: Document, ctx: Workspace) -> None:
    """Prepare and register every font the document's pages need (typeset does it too, when not yet)."""
    register_fonts(document_chars(doc), ctx, document_langs(doc))


def check_glyphs(doc: Document, ctx: Workspace) -> None:
    """Raise the BuildError a typeset would raise for a character no font of its chain draws, in
    every page profile, without setting a page: the story is made (each character's font chosen, as
    typeset chooses it) and dropped. `archivekit check` runs it, so a source it passes builds."""
    prepare_fonts(doc, ctx)
    with _collector_paused():
        for profile in PROFILES:
            root = StructNode("Document")
            width = 100 * mm  # any measure: the fonts chosen do not depend on it
            ContentBuilder(doc, Typesetter(doc, width, root), root, width, profile.sheet()).story()


def typeset(
    doc: Document,
    ctx: Workspace,
    *,
    profile: PageProfile = ARCHIVAL,
    page_size: tuple[float, float] | None = None,
    bleed: float = 0.0,
    text_colour: Any = None,
    fork: Fork | None = None,
) -> Typeset:
    """Lay the document out in pages with ReportLab and tag it while drawing.

    page_size (points, the trim) and bleed come from a writer that computes them (the print
    writer's geometry); otherwise the profile's page size or the edition's settings.page_size.
    fork (a BuildContext's): a long document's later pages are drawn in a forked child meanwhile.
    """
    with _collector_paused():
        try:
            return _typeset(doc, ctx, profile, page_size, bleed, text_colour, fork)
        except _Diverged as error:
            # Never expected: the halves would not make the pages one process makes. These do.
            ctx.log.warning("typesetting in two processes gave other pages (%s): typeset again in one", error)
            return _typeset(doc, ctx, profile, page_size, bleed, text_colour, None)


def _typeset(
    doc: Document,
    ctx: Workspace,
    profile: PageProfile,
    page_size: tuple[float, float] | None,
    bleed: float,
    text_colour: Any,
    fork: Fork | None,
) -> Typeset:
    page = page_size or page_size_for(profile.page_size or doc.edition.settings.page_size)
    chars = document_chars(doc)  # page numbers and the bullet included
    used = register_fonts(chars, ctx, document_langs(doc))
    sheet = profile.sheet()
    body = sheet["body-zh"]
    # The running head's line grows with its size (at 1.5 line spacing): the top margin with it, so
    # a large head keeps the design's distance from the trim and the text its distance from the head.
    head_room = 1.5 * max(0.0, sheet["furniture"].size - styles.STYLES["furniture"].size)
    fx, fy, fw, fh = _geometry(page, bleed, body.size, head_room)

    root = StructNode("Document")
    setter = Typesetter(doc, fw, root)
    # A note that leaves no room for two lines of text above it cannot stand at a page foot (large
    # print sets a long note at 18 pt): it follows the block that calls it, in the flow, and runs on.
    foot_room = fh - 2 * body.leading - NOTE_SEPARATION
    builder = ContentBuilder(doc, setter, root, fw, sheet, foot_room=foot_room)
    story = builder.story()

    halves = _Halves(len(story)) if fork is not None and len(story) >= HALVES_FROM else None
    media = (page[0] + 2 * bleed, page[1] + 2 * bleed)
    frame = Frame(fx, fy, fw, fh, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="text")
    title = doc.edition.title.first()

    def on_page(canv: TaggingCanvas, _doc: BaseDocTemplate) -> None:
        reportlab_adapter.reset_frame(frame)  # undo the room kept for last page's notes
        if halves is not None:
            canv.paints = halves.paints(canv.getPageNumber(), len(story))  # build takes from story
        if text_colour is not None:
            canv.setFillColor(text_colour)
            canv.setStrokeColor(text_colour)

    def on_page_end(canv: TaggingCanvas, _doc: BaseDocTemplate) -> None:
        number = canv.getPageNumber()
        _draw_notes(canv, setter.notes_on_page.get(number, []), fx, fy, fw, setter, number)
        _draw_furniture(canv, sheet, number, title, (fx, fy, fw, fh), profile.min_size)

    template = PageTemplate("page", [frame], onPage=on_page, onPageEnd=on_page_end, pagesize=media)
    buffer = io.BytesIO()
    out = BaseDocTemplate(
        buffer,
        pagesize=media,
        pageTemplates=[template],
        # A TrueType font of the profile's face: ReportLab's default Helvetica is never embedded.
        initialFontName=body.fonts[0],
        initialFontSize=body.size,
        invariant=1,
        # Compressed here once, with Flate alone: every save of these pages (two profiles of the
        # archival PDF) keeps the streams as they are (finish.py names the filter for qpdf).
        pageCompression=1,
        title=title,
        author=creators_line(doc),
    )
    canvases: list[TaggingCanvas] = []

    def make_canvas(*args: Any, **kwargs: Any) -> TaggingCanvas:
        canv = TaggingCanvas(*args, **kwargs)
        canv.unsaved = True  # saved below, once the pages drawn elsewhere are in
        canvases.append(canv)
        return canv

    def later_half() -> _Drawn:
        """In the child: lay out every page, draw the later half, send those pages."""
        assert halves is not None
        halves.here_from_half = True
        out.build(story, canvasmaker=make_canvas)
        return _Drawn.of(canvases[-1], halves.drawn)

    with reportlab_adapter.flate_only(), reportlab_adapter.codes_in_order(builder.chars_by_font()):
        other = fork("pdf pages", later_half) if halves is not None and fork is not None else None
        if other is None:
            halves = None  # no child after all (this process runs a thread): every page drawn here
        try:
            out.build(story, canvasmaker=make_canvas)
            canv = canvases[-1]
            if other is not None:
                other.result().adopt(canv)
            canv.unsaved = False
            canv.save()
        finally:
            if other is not None:
                other.stop()
    starts = [setter.page_starts[n] for n in sorted(setter.page_starts)]
    return Typeset(
        pdf=buffer.getvalue(),
        root=root,
        parent_tree=canv.parent_tree,
        outline=setter.outlines,
        page_starts=_fill_page_starts(starts, canv.getPageNumber() - 1),
        page_count=canv.getPageNumber() - 1,
        page_size=page,
        bleed=bleed,
        fonts_used=used,
        links=setter.links,
        note_spots=setter.note_spots,
    )


# A story of this many flowables (about 170 A5 pages of Chinese prose with notes) is typeset in two
# processes when a core is spare: both lay out every page, each draws its part. At 560 (98 pages)
# the fork and the copies of memory it costs took longer than the drawing it saved (2 cores).
HALVES_FROM = 1000
# The child draws the pages begun once this part of the story is left: less than half, as it also
# sends them, and is started a fork later.
CHILD_SHARE = 0.45
Fork = Callable[[str, Callable[[], Any]], Any]  # BuildContext.fork: an Apart, or None


class _Diverged(Exception):
    """The pages another process drew would not fit the document this one made."""


class _Halves:
    """Which pages this process draws: the earlier ones (where more than CHILD_SHARE of the story is
    left at the page's start) in the parent, the rest in the child. Both decide alike, from the story."""

    def __init__(self, flowables: int) -> None:
        self.half = flowables * CHILD_SHARE
        self.here_from_half = False  # True in the child
        self.drawn: list[int] = []  # the pages drawn here

    def paints(self, page: int, left: int) -> bool:
        mine = (left <= self.half) == self.here_from_half
        if mine:
            self.drawn.append(page)
        return mine


@dataclass
class _Drawn:
    """What the child sends back: its pages' operators and what the parent checks them against."""

    pages: dict[int, str]
    drawn: dict[str, set[int]]  # font -> characters drawn (glyphs to embed)
    names: list[tuple[str, str]]  # fonts named in the document, in order
    codes: dict[str, dict[int, int]]  # font -> character -> code
    owners: dict[int, list[int]]  # page -> the id() of each MCID's node (objects made before the fork)

    @classmethod
    def of(cls, canv: TaggingCanvas, pages: list[int]) -> _Drawn:
        streams = reportlab_adapter.page_streams(canv)
        doc = canv._doc
        return cls(
            {n: streams[n - 1] for n in pages},
            reportlab_adapter.drawn_chars(doc),
            reportlab_adapter.font_names(doc),
            reportlab_adapter.codes_given(doc),
            {n: [id(node) for node in canv.parent_tree.get(n, [])] for n in pages},
        )

    def adopt(self, canv: TaggingCanvas) -> None:
        """Put the child's pages into this canvas's document, after checking that the fonts have the
        names and codes here that the child's operators use, and the MCIDs the same owners."""
        doc = canv._doc
        if reportlab_adapter.font_names(doc) != self.names:
            raise _Diverged("fonts named in another order")
        if reportlab_adapter.codes_given(doc) != self.codes:
            raise _Diverged("characters given other codes")
        for number, owners in self.owners.items():
            if [id(node) for node in canv.parent_tree.get(number, [])] != owners:
                raise _Diverged(f"other marked content on page {number}")
        for number, stream in self.pages.items():
            reportlab_adapter.set_page_stream(canv, number, stream)
        reportlab_adapter.add_drawn(doc, self.drawn)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a story is made and drawn.

    Laying out makes hundreds of thousands of short-lived objects (line units, operators, split
    flowables) whose allocations set off collections that walk the whole heap and find next to
    nothing; what cycles the drawing leaves are collected at the next collection after it.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _fill_page_starts(starts: list[PageStart], pages: int) -> list[PageStart]:
    """One entry per page: a page with no text of its own continues the block of the page before."""
    by_page = {s.page: s for s in starts}
    out: list[PageStart] = []
    previous: PageStart | None = None
    for number in range(1, pages + 1):
        current = by_page.get(number)
        if current is None and previous is not None:
            current = PageStart(number, str(number), previous.block_id, previous.offset, "")
        if current is not None:
            out.append(current)
            previous = current
    return out


def _draw_notes(
    canv: TaggingCanvas, boxes: list[NoteBox], fx: float, fy: float, fw: float, setter: Typesetter, page: int
) -> None:
    """Set this page's notes at the foot of the text block, under a short rule."""
    if not boxes:
        return
    total = sum(box.height for box in boxes)
    y = fy + total
    with canv.artifact("Layout"):
        canv.setLineWidth(0.4)
        canv.line(fx, y + NOTE_SEPARATION / 2, fx + fw / 4, y + NOTE_SEPARATION / 2)
    for box in boxes:
        block = box.block
        block.wrap(fw, 1e9)
        setter.note_spots[box.note_id] = (page, fx, y)
        y -= box.height
        block.drawOn(canv, fx, y)


FOLIO_SIZE = 8.5  # the page number's least size, in the design's Latin face
HEAD_SHRINK = (1.0, 0.9, 0.8)  # a long title first gets smaller, down to 80 % of the head's size


def running_head(title: str, font: str, size: float, width: float, least: float = 0.0) -> tuple[str, float]:
    """The running head that fits the type area: the title, smaller if need be, else cut with an ellipsis.

    The head is a pagination artifact, not text of the edition, so shortening it loses nothing: the
    title stands whole on page 1 and in the metadata. It is never set below `least` points (a
    profile's least text size: large print shortens the head rather than shrinking it).
    """
    scales = [scale for scale in HEAD_SHRINK if size * scale >= least] or [1.0]
    for scale in scales:
        if stringWidth(title, font, size * scale) <= width:
            return title, size * scale
    size *= scales[-1]
    glyphs = getattr(getFont(font).face, "charToGlyph", None)  # None: a standard font, ASCII only

    def drawable(mark: str) -> bool:
        return mark.isascii() if glyphs is None else all(ord(c) in glyphs for c in mark)

    ellipsis = next((mark for mark in ("…", "...") if drawable(mark)), "")
    cut = title
    while cut and stringWidth(cut + ellipsis, font, size) > width:
        shorter = cut.rsplit(" ", 1)[0] if " " in cut else cut[:-1]  # words where there are spaces
        cut = shorter.rstrip(" ,;:(") if shorter != cut else cut[:-1]
    return cut + ellipsis, size


def _draw_furniture(
    canv: TaggingCanvas,
    sheet: StyleSheet,
    number: int,
    title: str,
    area: tuple[float, float, float, float],
    least: float,
) -> None:
    """Running head (from page 2) and page number, as pagination artifacts, in the profile's face,
    size and alignment (centred in the house design, at the left edge in large print)."""
    fx, fy, fw, fh = area
    face = sheet["furniture"]
    font = face.fonts[0]

    def show(text: str, y: float) -> None:
        if face.align == "center":
            canv.drawCentredString(fx + fw / 2, y, text)
        else:
            canv.drawString(fx, y, text)

    with canv.artifact("Pagination", "Footer"):
        canv.setFont(sheet.latin[0], max(FOLIO_SIZE, face.size))
        show(str(number), fy - 10 * mm)
    if number > 1:
        with canv.artifact("Pagination", "Header"):
            head, size = running_head(title, font, face.size, fw, least)
            canv.setFont(font, size)
            show(head, fy + fh + 7 * mm)
            canv.setLineWidth(0.3)
            canv.line(fx, fy + fh + 5 * mm, fx + fw, fy + fh + 5 * mm)


__all__ = ["Columns", "OutlineEntry", "PageBreak", "TextBlock", "Typeset", "page_size_for", "typeset"]
