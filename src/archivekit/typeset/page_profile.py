"""Page profiles: what differs between the editions one layout engine sets (archival, print, large print).

A profile is a row, not a second engine: the page size, the body size, the line spacing, the face
(serif or sans), the alignment, the least size of a heading and of any text. Everything a profile
leaves None (or 0) keeps the house design (styles.STYLES); the archival and print rows leave
everything so, and their pages are the design's. The engine never hyphenates, whatever the profile.

The large-print edition (UKAAF and RNIB guidance: 18 pt sans, 1.5 line spacing, left-aligned and
ragged right, no hyphenation, headings at least 20 pt, A4; notes, running heads and page numbers no
smaller than the text) is one more row, LARGE_PRINT; docs/large-print.md says how to change it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from archivekit.typeset import styles
from archivekit.typeset.styles import BlockStyle, StyleSheet

# The rows that are headings (the least heading size applies to them).
HEADING_ROWS = frozenset({"h2-zh", "h2-en", "ed-title", "ed-part-title", "ed-h2"})
# A font key of the serif design -> the key of the same weight in the sans (no sans italic exists:
# italic text takes the upright sans, as large-print guidance advises anyway).
SANS_OF = {
    "zh-serif": "zh-sans",
    "zh-serif-bold": "zh-sans-bold",
    "en-serif": "en-sans",
    "en-serif-bold": "en-sans-bold",
    "en-serif-italic": "en-sans",
}


@dataclass(frozen=True)
class PageProfile:
    """How one kind of edition sets its pages; None keeps the house design's value."""

    name: str
    page_size: str | None = None  # a name from model.metadata.PAGE_SIZES_MM; None: settings.page_size
    body_size: float | None = None  # points; every row is scaled by body_size / styles.BODY_SIZE
    line_spacing: float | None = None  # leading as a multiple of each row's size
    face: Literal["serif", "sans"] | None = None
    # "left": every row starts at the left edge, ragged right (justified, centred and right-aligned
    # rows alike: a low-vision reader following the left margin misses nothing set elsewhere).
    align: Literal["left"] | None = None
    min_heading_size: float = 0.0  # points
    # points: no row of text is smaller (notes, parallel columns, editorial matter, running head,
    # page numbers); note marks stay a superscript of their row's size.
    min_size: float = 0.0

    def sheet(self) -> StyleSheet:
        """The style rows this profile sets text in."""
        if self == PageProfile(self.name, self.page_size):
            return styles.DESIGN  # nothing changed: the design itself, the same objects
        rows = {name: self._row(name, row) for name, row in styles.STYLES.items()}
        latin = _sans(styles.EN_SERIF) if self.face == "sans" else styles.EN_SERIF
        return StyleSheet(rows, latin)

    def _row(self, name: str, row: BlockStyle) -> BlockStyle:
        size = row.size * (self.body_size / styles.BODY_SIZE) if self.body_size else row.size
        size = max(size, self.min_size)
        if name in HEADING_ROWS:
            size = max(size, self.min_heading_size)
        leading = size * self.line_spacing if self.line_spacing else row.leading * size / row.size
        out = replace(row, size=size, leading=leading)
        if self.align == "left":
            out = replace(out, align="left")
        if self.face == "sans":
            out = replace(
                out,
                fonts=_sans(row.fonts),
                bold_fonts=_sans(row.bold_fonts),
                italic_fonts=_sans(row.italic_fonts),
            )
        return out


def _sans(chain: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(SANS_OF.get(key, key) for key in chain)


ARCHIVAL = PageProfile("archival")
PRINT = PageProfile("print")  # the trim, bleed and black ink come from the print writer's geometry
LARGE_PRINT = PageProfile(
    "large-print",
    page_size="A4",
    body_size=18,
    line_spacing=1.5,
    face="sans",
    align="left",
    min_heading_size=20,
    min_size=18,
)
PROFILES: tuple[PageProfile, ...] = (ARCHIVAL, PRINT, LARGE_PRINT)
