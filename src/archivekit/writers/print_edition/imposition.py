"""Saddle-stitch imposition: the print pages, two up on a double-width sheet, in signature order.

For n pages (a multiple of 4) there are n/4 sheets, each printed on both sides. Sheet s
(0-based) carries pages n-2s and 2s+1 on its front and 2s+2 and n-2s-1 on its back (1-based),
so the folded, nested and stitched sheets read 1, 2, 3 ... n. Each page is placed by its
TrimBox (clipped there), which is what a duplex printer of the double-width sheet needs.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from pikepdf import Array, Dictionary, Name, Page, Pdf, Stream, String

from archivekit.writers.print_edition.boxes import Geometry


@dataclass(frozen=True)
class Side:
    """One side of one sheet: the 0-based print pages on its left and right halves."""

    sheet: int  # 1-based
    face: str  # "front" | "back"
    left: int
    right: int


def signature_order(pages: int) -> list[Side]:
    """Sheet sides in printing order for a saddle-stitched booklet of `pages` pages."""
    if pages <= 0 or pages % 4:
        raise ValueError(f"a saddle-stitched booklet needs a multiple of 4 pages, not {pages}")
    sides: list[Side] = []
    for s in range(pages // 4):
        sides.append(Side(s + 1, "front", pages - 1 - 2 * s, 2 * s))
        sides.append(Side(s + 1, "back", 2 * s + 1, pages - 2 - 2 * s))
    return sides


def side_label(side: Side, labels: list[str]) -> str:
    """The page label of a sheet side: which sheet, which face, which pages."""
    return f"sheet {side.sheet} {side.face}: {labels[side.left]} | {labels[side.right]}"


def _form(pdf: Pdf, page: Page, g: Geometry) -> Stream:
    """The page as a Form XObject clipped to its TrimBox."""
    data = b""
    if "/Contents" in page.obj:
        page.contents_coalesce()
        data = page.obj.Contents.read_bytes()
    form = Stream(pdf, data)
    form.Type = Name.XObject
    form.Subtype = Name.Form
    form.BBox = Array([round(v, 4) for v in g.trim_box])
    form.Resources = page.obj.get("/Resources", Dictionary())
    return pdf.make_indirect(form)


def impose(print_pdf: bytes, labels: list[str], g: Geometry) -> tuple[Pdf, list[Side]]:
    """The booklet: one page per sheet side, (page count / 2) of them, labelled by sheet and pages."""
    pdf = Pdf.open(io.BytesIO(print_pdf))
    count = len(pdf.pages)
    sides = signature_order(count)
    forms = [_form(pdf, page, g) for page in pdf.pages]
    x0, y0, _, _ = g.trim_box
    width, height = 2 * g.trim_w, g.trim_h
    sheet_box = Array([0, 0, round(width, 4), round(height, 4)])
    nums = Array()
    for index, side in enumerate(sides):
        content = (
            f"q 1 0 0 1 {-x0:.4f} {-y0:.4f} cm /L Do Q\nq 1 0 0 1 {g.trim_w - x0:.4f} {-y0:.4f} cm /R Do Q\n"
        ).encode("ascii")
        page = Dictionary(
            Type=Name.Page,
            MediaBox=sheet_box,
            BleedBox=sheet_box,
            TrimBox=sheet_box,
            Resources=Dictionary(XObject=Dictionary(L=forms[side.left], R=forms[side.right])),
            Contents=pdf.make_stream(content),
        )
        pdf.pages.append(Page(pdf.make_indirect(page)))
        nums.extend(Array([index, Dictionary(P=String(side_label(side, labels)))]))
    for _ in range(count):
        del pdf.pages[0]
    pdf.Root.PageLabels = Dictionary(Nums=nums)
    return pdf, sides
