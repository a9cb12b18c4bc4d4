"""The ReportLab internals typeset/reportlab_adapter.py relies on, checked against the installed ReportLab.

A ReportLab release that renames or changes one of them fails the test named after it here,
before it can change a page; the page profiles are checked here too (a row, not an engine).
"""

from __future__ import annotations

import io
import zlib
from pathlib import Path

import pikepdf
import pytest
from fontTools.ttLib import TTFont
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus.flowables import Flowable
from reportlab.platypus.frames import Frame

from archivekit.typeset import reportlab_adapter, styles
from archivekit.typeset.fonts import source
from archivekit.typeset.page_profile import ARCHIVAL, PRINT, PageProfile
from conftest import require

LATIN = source("en-serif").path
LATIN_BOLD = source("en-serif-bold").path


class _Box(Flowable):
    """A flowable that remembers the frame drawing it."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: Frame | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return availWidth, 10

    def draw(self) -> None:
        self.seen = reportlab_adapter.frame_of(self)


def test_frame_lends_itself_to_the_flowable_it_draws() -> None:
    frame = Frame(0, 0, 100, 100)
    box = _Box()
    frame.add(box, Canvas(io.BytesIO()))
    assert box.seen is frame
    other = _Box()
    reportlab_adapter.lend_frame(other, frame)
    assert reportlab_adapter.frame_of(other) is frame


def test_room_kept_at_a_frame_foot_shrinks_it_until_reset() -> None:
    frame = Frame(0, 0, 100, 100, topPadding=0, bottomPadding=0)
    canvas = Canvas(io.BytesIO())
    assert frame.add(_Box(), canvas)
    reportlab_adapter.keep_foot(frame, 85)  # 90 points left above the first box, 5 after this
    assert not frame.add(_Box(), canvas)
    reportlab_adapter.reset_frame(frame)
    assert frame.add(_Box(), canvas)


def test_origin_follows_the_translation_drawon_applies() -> None:
    canvas = Canvas(io.BytesIO())
    canvas.translate(12.5, 30)
    assert reportlab_adapter.origin(canvas) == (12.5, 30.0)


def test_a_font_registered_again_replaces_the_old_one_by_name_and_by_face(tmp_path: Path) -> None:
    require(LATIN.is_file() and LATIN_BOLD.is_file(), "Debian's fonts-noto-core")
    copy = tmp_path / "copy.ttf"
    copy.write_bytes(LATIN.read_bytes())
    for path in (LATIN, copy):
        reportlab_adapter.register_font(reportlab_adapter.DrawnGlyphsFont("adapter-test", str(path)))
        assert reportlab_adapter.registered_file("adapter-test") == str(path)
    # Another name for the same face: ReportLab would alias it to the first font of that face.
    reportlab_adapter.register_font(reportlab_adapter.DrawnGlyphsFont("adapter-test-2", str(LATIN)))
    assert reportlab_adapter.registered_file("adapter-test-2") == str(LATIN)
    assert "adapter-test" not in pdfmetrics.getRegisteredFontNames()
    assert reportlab_adapter.registered_file("no-such-font") is None


def test_only_the_glyphs_drawn_are_embedded() -> None:
    require(LATIN.is_file(), "Debian's fonts-noto-core")
    reportlab_adapter.register_font(reportlab_adapter.DrawnGlyphsFont("adapter-drawn", str(LATIN)))
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    canvas.setFont("adapter-drawn", 12)
    canvas.drawString(10, 10, "AA")
    canvas.save()
    with pikepdf.open(io.BytesIO(buffer.getvalue())) as pdf:
        (font,) = [f for f in pdf.pages[0].Resources.Font.values() if "/FontDescriptor" in f]
        program = font.FontDescriptor.FontFile2.read_bytes()
    glyf = TTFont(io.BytesIO(program))["glyf"]
    drawn = [name for name in glyf if glyf[name].numberOfContours]
    # ReportLab alone embeds every ASCII letter the face maps; here .notdef and "A" are left.
    assert len(drawn) <= 2, drawn


def test_show_text_writes_what_textout_writes() -> None:
    """show_text replays PDFTextObject.textOut (its private state and operators): same file."""
    require(LATIN.is_file(), "Debian's fonts-noto-core")
    reportlab_adapter.register_font(reportlab_adapter.DrawnGlyphsFont("adapter-show", str(LATIN)))
    texts = ["Abc ", "é", "Abc", "éΩA", "é", " Ω", "Abc"]  # subsets 0 and 1, in and out of order

    def draw(show: bool) -> tuple[bytes, list[float]]:
        buffer = io.BytesIO()
        canvas = Canvas(buffer, invariant=1)
        xs = []
        for size in (12, 9.5, 12):
            tx = canvas.beginText()
            tx.setFont("adapter-show", size)
            tx.setTextOrigin(10, 10 * size)
            for text in texts:
                if show:
                    reportlab_adapter.show_text(tx, text)
                else:
                    tx.textOut(text)
                xs.append(tx.getX())
            canvas.drawText(tx)
        canvas.save()
        return buffer.getvalue(), xs

    assert draw(True) == draw(False)


def test_move_text_and_the_drawn_font_write_what_setTextOrigin_and_textOut_write() -> None:
    """The drawing fast way (move_text, then the font's own show and its advance) gives ReportLab's file."""
    require(LATIN.is_file(), "Debian's fonts-noto-core")
    reportlab_adapter.register_font(reportlab_adapter.DrawnGlyphsFont("adapter-move", str(LATIN)))
    font = reportlab_adapter.drawn_font("adapter-move")
    assert font is not None and reportlab_adapter.drawn_font("Helvetica") is None
    spots = [(10.0, 20.5), (33.333333, 20.5), (1 / 3, 7.25)]

    def draw(fast: bool) -> tuple[bytes, list[tuple[float, float, float, float, float]]]:
        buffer = io.BytesIO()
        canvas = Canvas(buffer, invariant=1)
        seen = []
        for size in (12, 9.5):
            tx = canvas.beginText()
            tx.setFont("adapter-move", size)
            for (x, y), text in zip(spots, ["Abc ", "éΩA", " Ω"], strict=True):
                if fast:
                    reportlab_adapter.move_text(tx, x, y)
                    advance = font.show(tx, text)
                else:
                    tx.setTextOrigin(x, y)
                    tx.textOut(text)
                    advance = reportlab_adapter.string_width(text, "adapter-move", size)
                seen.append((tx._x0, tx._y0, tx.getX(), tx.getY(), advance))
            canvas.drawText(tx)
        canvas.save()
        return buffer.getvalue(), seen

    assert draw(True) == draw(False)


@pytest.mark.parametrize("bottomup", [1, 0])
def test_show_at_writes_what_moving_to_and_showing_each_piece_writes(bottomup: int) -> None:
    """show_at, one call for a run of pieces, gives ReportLab's file: a move to each piece but one
    that begins within the tolerance of where the piece before ended, then the piece's codes."""
    require(LATIN.is_file(), "Debian's fonts-noto-core")
    reportlab_adapter.register_font(reportlab_adapter.DrawnGlyphsFont("adapter-run", str(LATIN)))
    font = reportlab_adapter.drawn_font("adapter-run")
    assert font is not None
    texts = ["Abc", " ", "éΩA", "Ω", "Abc", " Ω"]  # subsets 0 and 1, in and out of order

    def draw(fast: bool) -> tuple[bytes, list[tuple[float, float, float, float]]]:
        buffer = io.BytesIO()
        canvas = Canvas(buffer, invariant=1, pageCompression=0, bottomup=bottomup)
        seen = []
        for size, y in ((12, 20.5), (9.5, 1 / 3)):
            tx = canvas.beginText()
            tx.setFont("adapter-run", size)
            placed, x = [], 10.0
            for n, text in enumerate(texts):
                width = reportlab_adapter.string_width(text, "adapter-run", size)
                placed.append((x, text, width))
                x += width + (0.0 if n % 2 else 3.25)  # every other piece where the one before ended
            if fast:
                font.show_at(tx, placed, y, 1e-3)
            else:
                pen = None
                for x, text, _ in placed:
                    if pen is None or abs(pen - x) > 1e-3:
                        tx.setTextOrigin(x, y)
                    tx.textOut(text)
                    pen = x + reportlab_adapter.string_width(text, "adapter-run", size)
            seen.append((tx._x0, tx._y0, tx.getX(), tx.getY()))
            canvas.drawText(tx)
        canvas.save()
        return buffer.getvalue(), seen

    fast, slow = draw(True), draw(False)
    assert fast == slow
    # Per text object: its origin, then pieces 1, 2, 4 and 6 (the others follow on).
    assert fast[0].count(b" Tm") == 2 * 5


def test_archival_and_print_profiles_keep_the_house_design() -> None:
    assert ARCHIVAL.sheet() is styles.DESIGN
    assert PRINT.sheet() is styles.DESIGN


def test_large_print_is_a_row() -> None:
    large = PageProfile(
        "large-print",
        page_size="A4",
        body_size=18,
        line_spacing=1.5,
        face="sans",
        align="left",
        min_heading_size=20,
    )
    sheet = large.sheet()
    body = sheet.style("body", "en")
    assert body.size == pytest.approx(18 * 10 / styles.BODY_SIZE)
    assert sheet.style("body", "zh").size == pytest.approx(18)
    assert sheet.style("body", "zh").leading == pytest.approx(27)
    assert all("serif" not in key for row in sheet.rows.values() for key in row.fonts + row.bold_fonts)
    assert all(row.align != "justify" for row in sheet.rows.values())
    assert all(sheet[name].size >= 20 for name in ("h2-zh", "h2-en", "ed-title", "ed-part-title", "ed-h2"))
    assert sheet.latin == ("en-sans", "zh-sans")


def test_a_face_remembers_a_subset_program_by_its_characters_and_the_glyphs_drawn() -> None:
    """A remembered subset program is found only by the same codes with the same glyphs drawn."""
    require(LATIN.is_file(), "Debian's fonts-noto-core")
    face = reportlab_adapter.DrawnGlyphsFace(str(LATIN))
    fresh = reportlab_adapter.DrawnGlyphsFace(str(LATIN))
    codes = [ord(c) for c in "Abc"]
    face.drawn = frozenset(codes[:2])
    fresh.drawn = frozenset(codes[:2])
    first = face.makeSubset(codes)
    assert face.makeSubset(list(codes)) is first and fresh.makeSubset(codes) == first
    face.drawn = frozenset(codes)
    every = face.makeSubset(codes)
    assert every != first
    fresh.drawn = frozenset(codes)
    assert fresh.makeSubset(codes) == every
    assert face.makeSubset([ord(c) for c in "Abd"]) != every


def test_streams_compressed_once_are_kept_by_every_save() -> None:
    """flate_only: ReportLab writes Flate alone (no ASCII85 over it), and once finish.keep_compressed
    names that filter, qpdf's save keeps each page's compressed bytes instead of compressing again."""
    from archivekit.typeset.finish import keep_compressed, save

    buffer = io.BytesIO()
    with reportlab_adapter.flate_only():
        canvas = Canvas(buffer, invariant=1, pageCompression=1)
        canvas.drawString(72, 72, "kept as compressed")
        canvas.showPage()
        canvas.save()
    written = pikepdf.open(io.BytesIO(buffer.getvalue()))
    contents = written.pages[0].obj.Contents
    assert list(contents.Filter) == [pikepdf.Name.FlateDecode]
    compressed = contents.read_raw_bytes()
    keep_compressed(written)
    saved = pikepdf.open(io.BytesIO(save(written)))
    assert saved.pages[0].obj.Contents.read_raw_bytes() == compressed
    assert b"kept as compressed" in saved.pages[0].obj.Contents.read_bytes()
    from reportlab import rl_config

    assert rl_config.useA85  # put back after the document


def test_a_stream_compressed_again_is_remembered_byte_for_byte() -> None:
    """flate_only's Flate filter gives zlib's bytes, a large stream seen before from memory (the
    font subsets a resident build writes again), and ReportLab's own filter comes back after."""
    from reportlab.pdfbase import pdfdoc

    font_like = bytes(range(256)) * 64
    with reportlab_adapter.flate_only():
        first = pdfdoc.PDFZCompress.encode(font_like)
        again = pdfdoc.PDFZCompress.encode(bytes(font_like))
        assert first == zlib.compress(font_like)
        assert again is first  # remembered, not compressed again
        assert pdfdoc.PDFZCompress.encode("small") == zlib.compress(b"small")
    assert "encode" not in vars(pdfdoc.PDFZCompress)  # the class's method again
    assert pdfdoc.PDFZCompress.encode(font_like) is not first


def _glyphs_with_outlines(pdf_bytes: bytes) -> int:
    """How many glyphs with contours the embedded subset of the one font drawn on page 1 holds."""
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        (font,) = [f for f in pdf.pages[0].Resources.Font.values() if "/FontDescriptor" in f]
        program = font.FontDescriptor.FontFile2.read_bytes()
    glyf = TTFont(io.BytesIO(program))["glyf"]
    return sum(1 for name in glyf if glyf[name].numberOfContours)


def test_a_font_named_before_it_is_shown_gets_the_name_its_first_show_gives() -> None:
    """name_font asks getSubsetInternalName as a font's first show does: fonts are named F1, F2...
    and their objects written in the order named, whatever order they are then drawn in."""
    require(LATIN.is_file() and LATIN_BOLD.is_file(), "Debian's fonts-noto-core")
    reportlab_adapter.register_font(reportlab_adapter.DrawnGlyphsFont("adapter-name-a", str(LATIN)))
    reportlab_adapter.register_font(reportlab_adapter.DrawnGlyphsFont("adapter-name-b", str(LATIN_BOLD)))
    shown = [("adapter-name-b", "Bé"), ("adapter-name-a", "A")]

    def draw(
        named: list[tuple[str, str]], drawn: list[tuple[str, str]]
    ) -> tuple[bytes, list[tuple[str, str]]]:
        buffer = io.BytesIO()
        canvas = Canvas(buffer, invariant=1)
        for font, text in named:
            assert reportlab_adapter.name_font(font, text, canvas._doc)
        for font, text in drawn:
            canvas.setFont(font, 12)
            canvas.drawString(10, 10, text)
        names = reportlab_adapter.font_names(canvas._doc)
        canvas.save()
        return buffer.getvalue(), [(font, name) for font, name in names if font.startswith("adapter-name")]

    first_shown, names = draw([], shown)
    assert [font for font, _ in names] == ["adapter-name-b", "adapter-name-a"]
    assert draw(shown, shown) == (first_shown, names)  # naming adds nothing else to the file
    assert draw(shown, shown[::-1])[1] == names  # the names stay where naming put them
    canvas = Canvas(io.BytesIO())
    assert not reportlab_adapter.name_font("adapter-name-a", "", canvas._doc)
    assert not reportlab_adapter.name_font("Helvetica", "A", canvas._doc)  # a standard font: not dynamic


def test_page_streams_are_taken_and_given_before_the_document_is_saved() -> None:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1, pageCompression=0)
    for text in ("first page", "second page"):
        canvas.drawString(10, 10, text)
        canvas.showPage()
    streams = reportlab_adapter.page_streams(canvas)
    assert len(streams) == 2 and "first page" in streams[0] and "second page" in streams[1]
    reportlab_adapter.set_page_stream(canvas, 2, streams[0])
    canvas.save()
    with pikepdf.open(io.BytesIO(buffer.getvalue())) as pdf:
        assert pdf.pages[1].Contents.read_bytes() == pdf.pages[0].Contents.read_bytes()


def test_codes_and_drawn_glyphs_are_read_and_added_per_document() -> None:
    require(LATIN.is_file(), "Debian's fonts-noto-core")
    reportlab_adapter.register_font(reportlab_adapter.DrawnGlyphsFont("adapter-codes", str(LATIN)))

    def draw(more: set[int]) -> tuple[bytes, dict[str, dict[int, int]], dict[str, set[int]]]:
        buffer = io.BytesIO()
        canvas = Canvas(buffer, invariant=1)
        canvas.setFont("adapter-codes", 12)
        canvas.drawString(10, 10, "éA")
        reportlab_adapter.add_drawn(canvas._doc, {"adapter-codes": more})
        codes = reportlab_adapter.codes_given(canvas._doc)
        drawn = reportlab_adapter.drawn_chars(canvas._doc)
        canvas.save()
        return buffer.getvalue(), codes, drawn

    alone, codes, drawn = draw(set())
    assert ord("é") in codes["adapter-codes"] and ord("A") in codes["adapter-codes"]
    assert {ord("é"), ord("A")} <= drawn["adapter-codes"]
    more, _, drawn_more = draw({ord("Z")})  # drawn on a page of another process
    assert ord("Z") in drawn_more["adapter-codes"]
    assert _glyphs_with_outlines(more) == _glyphs_with_outlines(alone) + 1
