"""The pamphlet's title page: the edition's own words (title, author, date, edition), set apart.

Everything on it comes from edition.yaml and is editorial, so it is set in the sans the archival
PDF uses for editorial matter and says so in a line at its foot. It is drawn with ReportLab in
the same fonts as the text pages, in 100 % K.
"""

from __future__ import annotations

import io

from reportlab.lib.colors import CMYKColor
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from archivekit.errors import BuildError
from archivekit.model import Document
from archivekit.typeset.content import (
    STATEMENT_JOIN,
    VERSION_JOIN,
    creators_line,
    document_chars,
    document_langs,
    title_page_note,
)
from archivekit.typeset.fonts import cjk_variant
from archivekit.typeset.layout import register_fonts
from archivekit.typeset.linebreak import Run, balanced_lines
from archivekit.typeset.styles import Face, localise
from archivekit.writers.base import BuildContext
from archivekit.writers.print_edition.boxes import MM, Geometry

BLACK = CMYKColor(0, 0, 0, 1)  # K only: text must print on the black plate alone
SANS = ("zh-sans", "en-sans")
SANS_BOLD = ("zh-sans-bold", "en-sans-bold")
LATIN_SANS = ("en-sans", "zh-sans")
INITIAL_FONT = "en-sans"  # TrueType: ReportLab would otherwise list Helvetica, which is never embedded


Entry = tuple[str, tuple[str, ...], float, float]  # text, font chain, size, space above in points


def lines_of(doc: Document) -> list[Entry]:
    """The title page's text, top to bottom: (text, font chain, size, space above in points)."""
    ed = doc.edition
    # Han characters in the shapes of the edition's main language (Traditional Chinese: TC faces).
    variant = cjk_variant(ed.language)
    sans, sans_bold, latin = (localise(chain, variant) for chain in (SANS, SANS_BOLD, LATIN_SANS))
    statement = STATEMENT_JOIN.join(text for _, text in ed.statement.values)
    out: list[Entry] = [
        (creators_line(doc), sans, 10.5, 0.0),
        (ed.title.first(), sans_bold, 18.0, 14 * MM),
    ]
    english = ed.title.get("en")
    if english and english != ed.title.first():
        out.append((english, latin, 10.0, 8 * MM))
    out.append((ed.date_text or ed.date.isoformat(), latin, 10.0, 14 * MM))
    out.append((f"{statement}{VERSION_JOIN}{ed.version}", sans, 9.0, 0.0))  # placed at the foot
    return out


def _font_for(char: str, chain: tuple[str, ...]) -> str:
    for name in chain:
        if ord(char) in pdfmetrics.getFont(name).face.charToGlyph:
            return name
    raise BuildError(
        f"no font has a glyph for U+{ord(char):04X} {char!r} on the print title page",
        file="edition.yaml",
        hint="check the title, creator and statement in edition.yaml",
    )


def _runs(text: str, chain: tuple[str, ...]) -> list[tuple[str, str]]:
    """(font, text) runs: each character in the first font of the chain that has it."""
    runs: list[tuple[str, str]] = []
    for char in text:
        font = runs[-1][0] if char == " " and runs else _font_for(char, chain)
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + char)
        else:
            runs.append((font, char))
    return runs


def _width(text: str, chain: tuple[str, ...], size: float) -> float:
    return sum(pdfmetrics.stringWidth(t, f, size) for f, t in _runs(text, chain))


def wrap(text: str, chain: tuple[str, ...], size: float, width: float) -> list[str]:
    """Balanced lines by the text pages' rules (clreq): even lengths, no character alone on a line."""
    runs: list[Run] = []
    offset = 0
    for font, part in _runs(text, chain):
        runs.append(Run(part, Face(font, size), None, offset))
        offset += len(part)
    lines = balanced_lines(runs, _measure, width, em=size)
    return [line.text.strip() for line in lines if line.text.strip()]


def _measure(text: str, face: Face) -> float:
    return pdfmetrics.stringWidth(text, face.font, face.size)


def _centred(canv: Canvas, text: str, chain: tuple[str, ...], size: float, cx: float, y: float) -> None:
    x = cx - _width(text, chain, size) / 2
    for font, part in _runs(text, chain):
        canv.setFont(font, size)
        canv.drawString(x, y, part)
        x += pdfmetrics.stringWidth(part, font, size)


def title_page(doc: Document, ctx: BuildContext, g: Geometry) -> bytes:
    """A one-page PDF, media size of the print pages, with the title page drawn on the trim."""
    entries = lines_of(doc)
    # The character set of the text pages, so the fonts they prepared are reused, not prepared again.
    chars = document_chars(doc)
    note = title_page_note(doc)
    drawn = {ord(c) for t, *_ in entries for c in t + note if not c.isspace() or c == " "}
    if not drawn <= chars:
        missing = ", ".join(f"U+{c:04X}" for c in sorted(drawn - chars))
        # A fault of this code, not of the edition: document_chars must cover what this page says.
        raise RuntimeError(f"the title page draws characters document_chars() leaves out: {missing}")
    register_fonts(chars, ctx, document_langs(doc))
    # The page depends on its words, the geometry and the font files registered under the names it
    # draws with (prepared for the document's characters, named by their content): a resident
    # process (watch's print worker) draws it once for all the rebuilds an edit of the text makes.
    note_chain = localise(LATIN_SANS, cjk_variant(doc.edition.editorial_language))
    names = sorted({n for _, chain, *_ in entries for n in chain} | {*note_chain, INITIAL_FONT})
    key = repr((entries, note, note_chain, g, [(n, pdfmetrics.getFont(n).face.filename) for n in names]))
    drawn_before = _drawn.get(key)
    if drawn_before is None:
        if len(_drawn) >= DRAWN_KEPT:
            _drawn.clear()
        drawn_before = _drawn[key] = _draw(g, entries, note, note_chain)
    return drawn_before


DRAWN_KEPT = 8  # title pages a process remembers
_drawn: dict[str, bytes] = {}


def _draw(g: Geometry, entries: list[Entry], note: str, note_chain: tuple[str, ...]) -> bytes:
    buffer = io.BytesIO()
    canv = Canvas(buffer, pagesize=g.media, invariant=1, pageCompression=1, initialFontName=INITIAL_FONT)
    canv.setFillColor(BLACK)
    canv.setStrokeColor(BLACK)
    x0, y0, x1, y1 = g.trim_box
    cx = (x0 + x1) / 2
    measure = g.trim_w - 2 * 22 * MM
    y = y1 - 42 * MM
    *body, foot = entries
    for text, chain, size, above in body:
        y -= above
        for line in wrap(text, chain, size, measure):
            _centred(canv, line, chain, size, cx, y)
            y -= size * 1.55
    text, chain, size, _ = foot
    _centred(canv, text, chain, size, cx, y0 + 30 * MM)
    for index, line in enumerate(wrap(note, note_chain, 6.5, measure)):
        _centred(canv, line, note_chain, 6.5, cx, y0 + 14 * MM - index * 6.5 * 1.4)
    canv.showPage()
    canv.save()
    return buffer.getvalue()
