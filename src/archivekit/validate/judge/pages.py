"""A PDF's pages as poppler lays them out: page size, trim box, and word boxes grouped in lines."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from archivekit.validate.judge.outputs import poppler

XHTML = "{http://www.w3.org/1999/xhtml}"
_BOX = re.compile(r"^Page\s+(\d+)\s+(\w+):\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)", re.MULTILINE)


@dataclass(frozen=True)
class Box:
    """A rectangle in points, y growing downwards from the top of the page (poppler's text space)."""

    x0: float
    y0: float
    x1: float
    y1: float

    def overlap(self, other: Box) -> tuple[float, float]:
        """How far two boxes overlap horizontally and vertically (negative: they do not)."""
        return min(self.x1, other.x1) - max(self.x0, other.x0), min(self.y1, other.y1) - max(
            self.y0, other.y0
        )


@dataclass
class Line:
    """One line poppler found: its box, its words' boxes, and its text (words joined by spaces)."""

    box: Box
    words: list[tuple[Box, str]] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The line's text, words separated by one space."""
        return " ".join(w for _, w in self.words)


@dataclass
class Page:
    """One page: number, size, trim box (in text space) and lines in poppler's reading order."""

    number: int
    width: float
    height: float
    trim: Box
    lines: list[Line] = field(default_factory=list)


def _box(el: etree._Element) -> Box:
    return Box(*(float(el.get(k, "0")) for k in ("xMin", "yMin", "xMax", "yMax")))


def read_pages(path: Path) -> list[Page]:
    """Every page of a PDF with its lines and word boxes (pdftotext -bbox-layout) and trim box (pdfinfo)."""
    layout = etree.fromstring(poppler("pdftotext", "-bbox-layout", "-enc", "UTF-8", str(path), "-").encode())
    info = poppler("pdfinfo", "-box", "-f", "1", "-l", "100000", str(path))
    boxes: dict[tuple[int, str], tuple[float, ...]] = {
        (int(m.group(1)), m.group(2)): tuple(float(m.group(i)) for i in range(3, 7))
        for m in _BOX.finditer(info)
    }
    pages = []
    for number, page_el in enumerate(layout.iter(f"{XHTML}page"), start=1):
        width, height = float(page_el.get("width", "0")), float(page_el.get("height", "0"))
        crop = boxes.get((number, "CropBox"), (0.0, 0.0, width, height))
        x0, y0, x1, y1 = boxes.get((number, "TrimBox"), crop)
        # PDF boxes grow upwards from the crop box's corner; poppler's text space grows downwards.
        trim = Box(x0 - crop[0], crop[3] - y1, x1 - crop[0], crop[3] - y0)
        page = Page(number, width, height, trim)
        for line_el in page_el.iter(f"{XHTML}line"):
            line = Line(_box(line_el))
            line.words = [(_box(w), w.text or "") for w in line_el.iter(f"{XHTML}word")]
            if line.words:
                page.lines.append(line)
        pages.append(page)
    return pages
