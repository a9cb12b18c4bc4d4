"""Print geometry: trim sizes, bleed, the slug that holds crop marks, and the page boxes.

Every print page is laid out on a sheet larger than the trim: trim + bleed on each side is the
BleedBox, and beyond it a slug wide enough for crop marks, so the marks lie outside the BleedBox
and a printer's guillotine never cuts through them.
"""

from __future__ import annotations

from dataclasses import dataclass

from pikepdf import Array, Page

from archivekit.errors import UsageError
from archivekit.model.metadata import PAGE_SIZES_MM

MM = 72 / 25.4  # points per millimetre

TRIMS_MM = PAGE_SIZES_MM  # trim sizes: the same table as the archival PDF's page sizes
MIN_BLEED_MM = 3.0  # what commercial prepress asks for; the preflight enforces it
MARK_GAP_MM = 1.0  # crop marks start this far beyond the bleed edge
MARK_LENGTH_MM = 5.0
SLUG_MM = MARK_GAP_MM + MARK_LENGTH_MM + 2.0  # room beyond the bleed for the marks and a margin
MARK_WIDTH_PT = 0.25  # hairline marks, as imagesetters expect


@dataclass(frozen=True)
class Geometry:
    """Where trim, bleed and media lie on one print page, in points (origin at the media corner)."""

    trim_name: str
    trim_w: float
    trim_h: float
    bleed: float
    slug: float

    @property
    def offset(self) -> float:
        """Distance from the media edge to the trim edge."""
        return self.bleed + self.slug

    @property
    def media(self) -> tuple[float, float]:
        """Media width and height."""
        return (self.trim_w + 2 * self.offset, self.trim_h + 2 * self.offset)

    @property
    def trim_box(self) -> tuple[float, float, float, float]:
        """TrimBox as (x0, y0, x1, y1)."""
        o = self.offset
        return (o, o, o + self.trim_w, o + self.trim_h)

    @property
    def bleed_box(self) -> tuple[float, float, float, float]:
        """BleedBox as (x0, y0, x1, y1)."""
        s = self.slug
        return (s, s, s + self.trim_w + 2 * self.bleed, s + self.trim_h + 2 * self.bleed)

    @property
    def trim_mm(self) -> tuple[float, float]:
        """Trim width and height in millimetres."""
        return TRIMS_MM[self.trim_name]

    @property
    def bleed_mm(self) -> float:
        """Bleed in millimetres."""
        return round(self.bleed / MM, 3)


def geometry(trim_name: str, bleed_mm: float) -> Geometry:
    """The geometry of a named trim size with this bleed."""
    if trim_name not in TRIMS_MM:
        raise UsageError(
            f"unknown print trim {trim_name!r} in edition.yaml settings.print_trim",
            file="edition.yaml",
            hint=f"use one of {', '.join(TRIMS_MM)}",
        )
    if bleed_mm < 0:
        raise UsageError("settings.bleed_mm is negative", file="edition.yaml", hint="use 3 (mm)")
    w, h = TRIMS_MM[trim_name]
    return Geometry(trim_name, w * MM, h * MM, bleed_mm * MM, SLUG_MM * MM)


def _box(values: tuple[float, float, float, float]) -> Array:
    # Rounded so the boxes print the same on every machine and read back exactly.
    return Array([round(v, 4) for v in values])


def set_boxes(page: Page, g: Geometry) -> None:
    """MediaBox, BleedBox and TrimBox of one print page."""
    page.obj.MediaBox = _box((0.0, 0.0, *g.media))
    page.obj.BleedBox = _box(g.bleed_box)
    page.obj.TrimBox = _box(g.trim_box)
    for key in ("/CropBox", "/ArtBox"):
        if key in page.obj:
            del page.obj[key]


def crop_marks(g: Geometry) -> bytes:
    """A content stream drawing the eight crop marks in 100 % K, all outside the BleedBox."""
    x0, y0, x1, y1 = g.trim_box
    near = g.bleed + MARK_GAP_MM * MM  # distance from the trim edge where a mark starts
    far = near + MARK_LENGTH_MM * MM
    lines: list[tuple[float, float, float, float]] = []
    for x, sx in ((x0, -1), (x1, 1)):
        for y, sy in ((y0, -1), (y1, 1)):
            lines.append((x + sx * near, y, x + sx * far, y))  # horizontal, on the trim line
            lines.append((x, y + sy * near, x, y + sy * far))  # vertical, on the trim line
    ops = [f"q 0 0 0 1 K {MARK_WIDTH_PT} w 0 J [] 0 d"]
    ops += [f"{a:.4f} {b:.4f} m {c:.4f} {d:.4f} l S" for a, b, c, d in lines]
    ops.append("Q")
    return ("\n".join(ops) + "\n").encode("ascii")
