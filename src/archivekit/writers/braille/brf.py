"""BRF: the edition as North American ASCII braille, the file embossers and braille displays read.

One ASCII character per 6-dot cell (the braille ASCII code of the Computer Braille Code tables,
codes 0x20-0x5F), CR LF line ends and a form feed after every page, the layout embossers expect.
"""

from __future__ import annotations

from archivekit.writers.braille.layout import Page

# Braille ASCII for cells U+2800..U+283F, in Unicode order (dot 1 = bit 0 ... dot 6 = bit 5).
ASCII = " A1B'K2L@CIF/MSP\"E3H9O6R^DJG>NTQ,*5<-U8V.%[$+X!&;:4\\0Z7(_?W]#Y)="
FORM_FEED = "\f"
LINE_END = "\r\n"


def to_ascii(cells: str) -> str:
    """One line of Unicode braille as braille ASCII (6-dot cells only; 8-dot cells were refused before)."""
    return "".join(ASCII[ord(cell) - 0x2800] for cell in cells)


def render(pages: list[Page]) -> bytes:
    """The BRF bytes: each page's lines, then a form feed."""
    out = [LINE_END.join(to_ascii(line) for line in page.lines) + LINE_END + FORM_FEED for page in pages]
    return "".join(out).encode("ascii")
