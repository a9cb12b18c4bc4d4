"""Everything archivekit asks of ReportLab beyond its documented API, in one place.

ReportLab (pinned: reportlab==4.4.4) has no API for three things the layout needs, so this module
gives each a name and `tests/test_reportlab_adapter.py` checks each assumption against the
installed ReportLab: a new ReportLab that breaks one fails that test by name, before it can change
a page.

- Fonts: re-registering a font under a name already taken (a second edition in the same process
  has other subsets of the same faces). `pdfmetrics.registerFont` keeps the first font of a name or
  of a face name; `TTFont.unregister` (public) forgets one, so the registry is cleared through it.
- Embedding only the glyphs drawn: `DrawnGlyphsFont` overrides the public `TTFont.splitString`
  and `TTFont.addObjects` and its face is a `TTFontFace` subclass overriding `makeSubset`.
- Codes in character order: ReportLab gives a character its code in a document when
  `splitString` first meets it; `codes_in_order` has it meet the characters the story draws,
  sorted, before any text is drawn.
- Drawing text fast: `show_text` writes the operators `PDFTextObject.textOut` writes for a
  TrueType font (its `_curSubset`, `_fontsize`, `_leading`, `_code`, `_x` and the canvas's
  `_escape`, `_doc`), remembering each text's subset codes per document; widths are remembered
  per (text, font, size) until a font is registered again. `move_text` writes what
  `setTextOrigin` writes on a bottom-up canvas (`_code`, `_x0`, `_x`, `_y0`, `_y`);
  `DrawnGlyphsFont.show_at` writes both, for a run of pieces, in one call.
- Pages drawn in another process (layout.py's halves): `name_font` names a font in a document as
  its first show would (`getSubsetInternalName` names it on first ask, `F` + the count of
  `doc.fontMapping`); `font_names` reads `doc.fontMapping`, `codes_given` each font's
  `state[doc].assignments`, `drawn_chars`/`add_drawn` our fonts' drawn characters; `page_streams`
  and `set_page_stream` read and replace `PDFPage.stream` in `doc.Pages.pages`, which showPage
  fills and only the save compresses.
- Frames: room kept at the foot of a frame for footnotes. `Frame._y1p` is the frame's working
  bottom and `Frame._geom()` restores it; a flowable learns its frame from `flowable._frame`,
  which `Frame.add` sets. There is no public equivalent.

- Streams compressed once: `flate_only()` clears `rl_config.useA85` while a document is built, so
  ReportLab writes `/Filter /FlateDecode` streams (not ASCII85 over Flate) that qpdf keeps as they
  are on every save instead of decoding and compressing them again. It also gives the module's
  one Flate filter, `pdfdoc.PDFZCompress`, an `encode` that remembers what it compressed: each
  build subsets the fonts again to the same bytes, and compressing them was a few milliseconds a
  document in a resident process. zlib is deterministic, so the bytes are the same.

Positions on the page come from the public `Canvas.absolutePosition`. Public behaviour the
typesetting also leans on, to check when the pin moves: `Canvas.addLiteral` writes raw operators
(tagging.py); `BaseDocTemplate(initialFontName=...)` keeps the un-embedded Helvetica out
(layout.py); `TTFont(asciiReadable=True)` keeps code 32 a space; `TTFontFace.charToGlyph` tells
which characters a face has (content.py: ReportLab silently draws .notdef for a missing glyph).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from weakref import WeakKeyDictionary

from reportlab import rl_config
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, TTFontFace
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject
from reportlab.platypus.flowables import Flowable
from reportlab.platypus.frames import Frame

from archivekit.typeset.tounicode import NO_BREAK_STAND_IN

WIDTHS_KEPT = 500_000  # remembered widths, beyond which they are forgotten (resident builds)
_widths: dict[tuple[str, str, float], float] = {}  # (text, font name, size) -> points
Shown = tuple[str, int, float]  # operators, the subset in use after them, the width they advance

# -- fonts -------------------------------------------------------------------------------------


SHOWN_KEPT = 200_000  # texts' operators a font remembers across documents (resident builds)
SUBSETS_KEPT = 64  # subset programs a face remembers (a resident process forgets them beyond)


class DrawnGlyphsFace(TTFontFace):
    """A TrueType face whose subsets embed glyph 0 in place of every code not in `drawn`.

    The program of a subset depends only on the face's file, read once when the face is made,
    and on the characters of its codes: a face remembers the programs it made, so the print
    edition meets again the archival PDF's subsets (the same text drawn in the same order) and a
    resident rebuild those of every subset an edit left unchanged.
    """

    drawn: frozenset[int] | None = None  # None: every code of the subset is embedded

    def makeSubset(self, subset: list[int]) -> bytes:
        """ReportLab's subset of these codes, undrawn codes mapped to -1 (in no cmap: glyph 0)."""
        drawn = self.drawn
        if drawn is not None:
            subset = [c if c in drawn else -1 for c in subset]
        made: dict[tuple[int, ...], bytes] = self.__dict__.setdefault("_made", {})
        key = tuple(subset)
        program = made.get(key)
        if program is None:
            if len(made) >= SUBSETS_KEPT:
                made.clear()
            program = made[key] = super().makeSubset(subset)
        return program


class DrawnGlyphsFont(TTFont):
    """A ReportLab TrueType font whose embedded subsets hold only the glyphs the document drew.

    asciiReadable keeps the codes of subset 0 equal to ASCII, so ReportLab reserves the code of
    every ASCII character the font maps and embeds its glyph whether drawn or not: the Latin
    letters of each CJK face, every letter in the bold faces: for a short bilingual text most of its
    embedded font bytes. Codes not drawn point at glyph 0 in the font program instead; the codes in the
    content, Widths and ToUnicode stay exactly as ReportLab writes them.
    """

    def __init__(self, name: str, filename: str) -> None:
        super().__init__(name, filename, asciiReadable=True)
        # TTFont builds a plain TTFontFace; ours is the same face able to leave undrawn glyphs out
        # (a prepared font is small: reading it twice costs well under a millisecond).
        self.face = DrawnGlyphsFace(filename)
        # ReportLab draws a no-break space with the space's code, so text extraction reads a space:
        # it is drawn under a code of its own instead, the stand-in's, with the space's glyph and
        # width, which the ToUnicode repair maps back to U+00A0 (tounicode.NO_BREAK_STAND_IN).
        stand_in, space = ord(NO_BREAK_STAND_IN), self.face.charToGlyph.get(0x20)
        if space is not None:
            self.face.charToGlyph[stand_in] = space
            self.face.charWidths[stand_in] = self.face.charWidths[0x20]
        self._drawn: WeakKeyDictionary[Any, set[int]] = WeakKeyDictionary()
        # Per document: (text, subset in use, size, leading) -> the operators that show it, the
        # subset in use after them and its width (see show_text); the last document's at hand.
        self._shown: WeakKeyDictionary[Any, dict[tuple[str, int, float, float], Shown]] = WeakKeyDictionary()
        self._last: tuple[Any, dict[tuple[str, int, float, float], Shown]] | None = None
        self.code_order = ""  # characters coded first in each document, in this order (codes_in_order)
        self._ordered: WeakKeyDictionary[Any, bool] = WeakKeyDictionary()
        # Across documents: (code order, the font's name in the document, the per-document key) ->
        # what `show` appended, for texts of characters coded first only. Their codes are those
        # the first coding gave, the same in every document coded in that order, so a resident
        # rebuild works out the operators of the text an edit changed alone (a third of drawing).
        self._shown_before: dict[tuple[str, str, tuple[str, int, float, float]], Shown] = {}
        self._coded_first: frozenset[str] = frozenset()  # the characters of last_order
        self.last_order = ""  # the code order of the document before

    def show(self, tx: PDFTextObject, text: str) -> float:
        """Append textOut's operators for this text to the text object, as textOut would; return
        the width it advanced (string_width of the text in the text object's font and size)."""
        doc = tx._canvas._doc
        known = self._shown_for(doc)
        key = (text, tx._curSubset, tx._fontsize, tx._leading)
        found = known.get(key)
        if found is None:
            found = known[key] = self._shown_in(doc, tx, text, key)
        code, tx._curSubset, width = found
        tx._x += width
        tx._code.append(code)
        return width

    def show_at(
        self, tx: PDFTextObject, placed: Iterable[tuple[float, str, float]], y: float, tolerance: float
    ) -> None:
        """Show each (x, text, _) on the baseline y: the operators move_text then show write for
        each, the move left out where a text begins within `tolerance` of where the one before
        ended. One call for a run of pieces: a line of Han text is a piece per character."""
        if not tx._canvas.bottomup:  # move_text's own way there: ReportLab's setTextOrigin
            show_each(tx, placed, y, tolerance)
            return
        doc = tx._canvas._doc
        known = self._shown_for(doc)
        append = tx._code.append
        size, leading, subset = tx._fontsize, tx._leading, tx._curSubset
        at_y = f" {fp_str(y)} Tm"  # fp_str(x, y) is fp_str(x), a space and fp_str(y)
        pen: float | None = None
        for x, text, _ in placed:
            if pen is None or abs(pen - x) > tolerance:
                append("1 0 0 1 " + fp_str(x) + at_y)
                tx._x0 = tx._x = x
                tx._y0 = tx._y = y
            key = (text, subset, size, leading)
            found = known.get(key)
            if found is None:
                tx._curSubset = subset  # what _operators starts from
                found = known[key] = self._shown_in(doc, tx, text, key)
            code, subset, width = found
            tx._x += width
            append(code)
            pen = x + width
        tx._curSubset = subset

    def _shown_for(self, doc: Any) -> dict[tuple[str, int, float, float], Shown]:
        """The operators remembered for this document (the last document's at hand)."""
        if self._last is not None and self._last[0] is doc:
            return self._last[1]
        known = self._shown.setdefault(doc, {})
        self._last = (doc, known)
        return known

    def _shown_in(self, doc: Any, tx: PDFTextObject, text: str, key: tuple[str, int, float, float]) -> Shown:
        """What `show` appends for this text, first shown in this document: found again when
        another document coded in the same order, with this font under the same name, showed
        it, provided this document's codes are given (its first coding done)."""
        order = self.code_order
        state = self.state.get(doc) if order else None
        if state is not None and state.internalName is not None and doc in self._ordered:
            found = self._shown_before.get((order, state.internalName, key))
            if found is not None:
                self._drawn[doc].update(map(ord, text.replace("\u00a0", NO_BREAK_STAND_IN)))
                return found
        found = self._operators(tx, text)
        state = self.state.get(doc) if order else None
        if (
            state is not None
            and state.internalName is not None
            and self._coded_first.issuperset(text.replace("\u00a0", NO_BREAK_STAND_IN))
        ):
            if len(self._shown_before) >= SHOWN_KEPT:
                self._shown_before.clear()
            self._shown_before[(order, state.internalName, key)] = found
        return found

    def _operators(self, tx: PDFTextObject, text: str) -> Shown:
        """textOut's TrueType branch (reportlab 4.4.4 `_formatText`, unshaped text): a font change
        for each new subset, then `(codes) Tj`; ReportLab keeps a character's code in a document
        once given, so the same text after the same subset always gives the same operators."""
        canv, size = tx._canvas, tx._fontsize
        out = []
        template = None
        subset_in_use = tx._curSubset
        for subset, codes in self.splitString(text, canv._doc):
            if subset != subset_in_use:
                if template is None:
                    template = f"{fp_str(size)} Tf {fp_str(tx._leading)} TL"
                out.append(f"{self.getSubsetInternalName(subset, canv._doc)} {template}")
                subset_in_use = subset
            out.append(f"({canv._escape(codes)}) Tj")
        return " ".join(out), subset_in_use, string_width(text, tx._fontname, size)

    def splitString(self, text: str | bytes, doc: Any, encoding: str = "utf-8") -> list[tuple[int, bytes]]:
        """ReportLab's split into subsets, remembering each character drawn in this document."""
        chars = text if isinstance(text, str) else text.decode("utf-8")
        chars = chars.replace("\u00a0", NO_BREAK_STAND_IN)
        if self.code_order and doc not in self._ordered:
            self._ordered[doc] = True
            super().splitString(self.code_order, doc)  # codes only: drawn is what is shown below
        self._drawn.setdefault(doc, set()).update(map(ord, chars))
        return super().splitString(chars, doc, encoding)  # type: ignore[no-any-return]

    def addObjects(self, doc: Any) -> None:
        """ReportLab's font objects, with undrawn codes left out of the embedded programs."""
        self.face.drawn = frozenset(self._drawn.pop(doc, set()))
        self._shown.pop(doc, None)
        self._last = None
        try:
            super().addObjects(doc)
        finally:
            self.face.drawn = None


@contextmanager
def codes_in_order(chars_by_font: dict[str, set[str]]) -> Iterator[None]:
    """While a document is built, each of our fonts codes the characters it is known to draw in
    code point order before any text, not in the order first drawn, as ReportLab would: an edit
    that keeps a font's characters then keeps every code, so the pages it did not touch (and the
    font subsets) come out byte for byte as before (the print proofs render only the pages
    changed). Characters drawn outside the set (page furniture) are coded after them as met."""
    ordered = []
    for name, chars in chars_by_font.items():
        font = drawn_font(name)
        if font is None:
            continue
        mapped = font.face.charToGlyph
        order = "".join(
            sorted(c for c in (ch.replace("\u00a0", NO_BREAK_STAND_IN) for ch in chars) if ord(c) in mapped)
        )
        if order != font.last_order:
            font.last_order, font._coded_first = order, frozenset(order)
        # The order of the build before when it is the same: one string, compared by identity.
        font.code_order = font.last_order
        ordered.append(font)
    try:
        yield
    finally:
        for font in ordered:
            font.code_order = ""


def string_width(text: str, font: str, size: float) -> float:
    """pdfmetrics.stringWidth, remembered: a typeset measures the same words thousands of times.

    Forgotten when a font is registered (another edition's subset under the same name).
    """
    key = (text, font, size)
    try:
        return _widths[key]
    except KeyError:
        if len(_widths) > WIDTHS_KEPT:
            _widths.clear()
        found = _widths[key] = float(pdfmetrics.stringWidth(text, font, size))
        return found


def show_text(tx: PDFTextObject, text: str) -> None:
    """PDFTextObject.textOut, the same operators, for our fonts without ReportLab's per-call work."""
    font = pdfmetrics.getFont(tx._fontname)
    if isinstance(font, DrawnGlyphsFont):
        font.show(tx, text)
    else:
        tx.textOut(text)


def show_each(
    tx: PDFTextObject, placed: Iterable[tuple[float, str, float]], y: float, tolerance: float
) -> None:
    """Show each (x, text, _) on the baseline y with move_text and show_text, the move left out
    where a text begins within `tolerance` of where the one before ended: any font, any canvas
    (DrawnGlyphsFont.show_at is the fast way for ours on a bottom-up one)."""
    ended: float | None = None
    for x, text, _ in placed:
        if ended is None or abs(ended - x) > tolerance:
            move_text(tx, x, y)
        show_text(tx, text)
        ended = x + string_width(text, tx._fontname, tx._fontsize)


def name_font(name: str, text: str, doc: Any) -> bool:
    """Have the font named in the document (F1, F2... in the order fonts are first shown, with their
    Font objects written in that order) as showing this text in it first would: its subset names
    come from `getSubsetInternalName`, which names the font the first time it is asked. True when
    the font has its name (now or before); False for a font ReportLab names otherwise (not dynamic)
    or an empty text."""
    font = pdfmetrics.getFont(name)
    if not font._dynamicFont:
        return False
    chunks = font.splitString(text, doc)
    if not chunks:
        return False
    font.getSubsetInternalName(chunks[0][0], doc)
    return True


def font_names(doc: Any) -> list[tuple[str, str]]:
    """The fonts named in the document so far, in naming order: (font, its name in the document)."""
    return list(doc.fontMapping.items())


def codes_given(doc: Any) -> dict[str, dict[int, int]]:
    """Each dynamic font's codes in this document: font -> character -> code (what its pages show)."""
    out = {}
    for name in pdfmetrics.getRegisteredFontNames():
        font = pdfmetrics.getFont(name)
        state = getattr(font, "state", {}).get(doc) if font._dynamicFont else None
        if state is not None:
            out[name] = dict(state.assignments)
    return out


def drawn_chars(doc: Any) -> dict[str, set[int]]:
    """The characters each of our fonts has drawn in this document (the glyphs it will embed)."""
    out = {}
    for name in pdfmetrics.getRegisteredFontNames():
        font = pdfmetrics.getFont(name)
        if isinstance(font, DrawnGlyphsFont) and doc in font._drawn:
            out[name] = set(font._drawn[doc])
    return out


def add_drawn(doc: Any, drawn: dict[str, set[int]]) -> None:
    """Count these characters as drawn in the document (pages drawn by another process)."""
    for name, chars in drawn.items():
        font = drawn_font(name)
        if font is not None:
            font._drawn.setdefault(doc, set()).update(chars)


def page_streams(canv: Canvas) -> list[str]:
    """The content stream of every page the canvas has finished, in page order (showPage joins a
    page's operators into `PDFPage.stream`; they are compressed only when the document is saved)."""
    return [page.stream for page in canv._doc.Pages.pages]


def set_page_stream(canv: Canvas, number: int, stream: str) -> None:
    """Give finished page `number` (1-based) these operators in place of its own."""
    canv._doc.Pages.pages[number - 1].stream = stream


def drawn_font(name: str) -> DrawnGlyphsFont | None:
    """The font registered under this name when it is ours (its `show` is show_text's fast way)."""
    font = pdfmetrics.getFont(name)
    return font if isinstance(font, DrawnGlyphsFont) else None


def move_text(tx: PDFTextObject, x: float, y: float) -> None:
    """PDFTextObject.setTextOrigin for a bottom-up canvas: the same `Tm` operator and cursor."""
    if not tx._canvas.bottomup:
        tx.setTextOrigin(x, y)
        return
    tx._code.append(f"1 0 0 1 {fp_str(x, y)} Tm")
    tx._x0 = tx._x = x
    tx._y0 = tx._y = y


@contextmanager
def flate_only() -> Iterator[None]:
    """While a document is built, compress its streams with Flate alone (no ASCII85 wrapping),
    a stream compressed before (a font subset in the last build) by its remembered bytes."""
    kept = rl_config.useA85
    rl_config.useA85 = 0
    pdfdoc.PDFZCompress.encode = _remembered_flate
    try:
        yield
    finally:
        rl_config.useA85 = kept
        del pdfdoc.PDFZCompress.encode  # the class's own again


FLATE_KEPT = 64  # compressed streams remembered (the largest, fonts, are tens of kilobytes)
FLATE_WORTH = 4096  # smaller streams compress faster than they are looked up and kept
_flated: dict[bytes, bytes] = {}


def _remembered_flate(text: str | bytes) -> bytes:
    data = text.encode("utf8") if isinstance(text, str) else text
    if len(data) < FLATE_WORTH:
        return zlib.compress(data)
    if data not in _flated:
        if len(_flated) >= FLATE_KEPT:
            del _flated[next(iter(_flated))]  # the oldest
        _flated[data] = zlib.compress(data)
    return _flated[data]


def registered_file(name: str) -> str | None:
    """The file of the TrueType font registered under this name, None when there is none."""
    if name not in pdfmetrics.getRegisteredFontNames():
        return None
    return getattr(getattr(pdfmetrics.getFont(name), "face", None), "filename", None)


def register_font(font: TTFont) -> None:
    """Register this font under its name, replacing any font of the same name or face name.

    registerFont keeps an old font of the same name, or of the same face name (every subset of a
    face has one), so a second edition would otherwise get the first one's glyphs.
    """
    face_name = font.face.name
    for name in pdfmetrics.getRegisteredFontNames():
        old = pdfmetrics.getFont(name)
        if name == font.fontName or (isinstance(old, TTFont) and old.face.name == face_name):
            old.unregister()
    _widths.clear()
    pdfmetrics.registerFont(font)
    if pdfmetrics.getFont(font.fontName) is not font:
        raise RuntimeError(f"ReportLab kept another font under {font.fontName!r}: see reportlab_adapter.py")


# -- frames and positions ----------------------------------------------------------------------


def keep_foot(frame: Frame, points: float) -> None:
    """Raise the frame's working bottom: the next flowables leave this much room at its foot."""
    frame._y1p += points


def reset_frame(frame: Frame) -> None:
    """Give the frame back its full height (at each page start)."""
    frame._geom()


def frame_of(flowable: Flowable) -> Frame | None:
    """The frame drawing this flowable (None outside a frame: notes set at the page foot)."""
    return getattr(flowable, "_frame", None)


def lend_frame(flowable: Flowable, frame: Frame | None) -> None:
    """Let a flowable drawn by another one (a column of a row) keep room in the row's frame."""
    flowable._frame = frame


def origin(canv: Canvas) -> tuple[float, float]:
    """Where the canvas's current origin is on the page (drawOn translates it)."""
    x, y = canv.absolutePosition(0, 0)
    return float(x), float(y)
