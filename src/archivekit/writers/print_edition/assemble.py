"""The print PDF's pages: title page, its blank verso, the typeset text, blank pages to a multiple of 4.

The text pages are the archival layout engine's own (same fonts, same breaks at the same trim),
so a page number cited from the archival PDF at the same page size finds the same words here.
The front matter is numbered in roman (i, ii) and the padding pages are labelled "blank-1"...
in /PageLabels, so a reader of the file sees which pages are empty on purpose.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf, String

from archivekit.model.pagination import PageStart
from archivekit.typeset.finish import keep_compressed
from archivekit.typeset.tounicode import fix_fonts
from archivekit.writers.print_edition.boxes import Geometry, crop_marks, set_boxes

BLANK_PREFIX = "blank-"
FRONT_PAGES = 2  # the title page and its blank verso, so the text opens on a right-hand page


@dataclass(frozen=True)
class PrintPage:
    """One page of the print PDF: what it holds and the label a reader sees."""

    page: int  # 1-based position in the print PDF
    label: str
    kind: str  # "title" | "verso" | "text" | "blank"
    block_id: str | None = None
    offset: int | None = None
    first_words: str = ""


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out += letters
            n -= value
    return out


def plan(page_starts: list[PageStart], text_pages: int) -> list[PrintPage]:
    """Every page of the print PDF in order, padded with blank pages to a multiple of 4."""
    starts = {s.page: s for s in page_starts}
    pages = [PrintPage(1, _roman(1), "title"), PrintPage(2, _roman(2), "verso")]
    for n in range(1, text_pages + 1):
        s = starts.get(n)
        pages.append(
            PrintPage(
                FRONT_PAGES + n,
                str(n),
                "text",
                s.block_id if s else None,
                s.offset if s else None,
                s.first_words if s else "",
            )
        )
    for k in range(1, (-len(pages)) % 4 + 1):
        pages.append(PrintPage(len(pages) + 1, f"{BLANK_PREFIX}{k}", "blank"))
    return pages


def page_labels(pages: list[PrintPage]) -> Dictionary:
    """/PageLabels: roman front matter, arabic text pages (as printed on them), blank-N padding."""
    nums = Array([0, Dictionary(S=Name.r)])
    first_text = next((p.page for p in pages if p.kind == "text"), None)
    if first_text is not None:
        nums.extend(Array([first_text - 1, Dictionary(S=Name.D, St=1)]))
    first_blank = next((p.page for p in pages if p.kind == "blank"), None)
    if first_blank is not None:
        nums.extend(Array([first_blank - 1, Dictionary(S=Name.D, P=String(BLANK_PREFIX), St=1)]))
    return Dictionary(Nums=nums)


def _finish_page(pdf: Pdf, page: pikepdf.Page, g: Geometry) -> None:
    """Isolate the page's own drawing in q/Q, then add the crop marks and set the boxes."""
    if "/Contents" in page.obj:
        page.contents_coalesce()
        page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
        page.contents_add(pdf.make_stream(b"\nQ\n"))
    if "/Resources" not in page.obj:
        page.obj.Resources = Dictionary()
    page.contents_add(pdf.make_stream(crop_marks(g)))
    set_boxes(page, g)


def assemble(title_pdf: bytes, text_pdf: bytes, pages: list[PrintPage], g: Geometry) -> Pdf:
    """One PDF with every print page, boxes and crop marks set, labels written."""
    out = Pdf.new()
    title = Pdf.open(io.BytesIO(title_pdf))
    text = Pdf.open(io.BytesIO(text_pdf))
    keep_compressed(title)
    keep_compressed(text)
    fix_fonts(title)
    fix_fonts(text)
    text_pages = iter(text.pages)
    for p in pages:
        if p.kind == "title":
            out.pages.append(title.pages[0])
        elif p.kind == "text":
            out.pages.append(next(text_pages))
        else:
            out.add_blank_page(page_size=g.media)
    for page in out.pages:
        _finish_page(out, page, g)
    out.Root.PageLabels = page_labels(pages)
    return out


def save(pdf: Pdf) -> bytes:
    """The file bytes, deterministic (content-derived /ID), PDF 1.6 as PDF/X-4 requires."""
    buffer = io.BytesIO()
    pdf.save(
        buffer,
        deterministic_id=True,
        force_version="1.6",
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
        compress_streams=True,
        fix_metadata_version=False,
    )
    return buffer.getvalue()
