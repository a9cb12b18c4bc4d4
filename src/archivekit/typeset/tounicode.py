"""ReportLab's ToUnicode maps repaired: every PDF typeset here (archival, print) passes through fix_fonts.

ReportLab maps the unused codes of its single-byte font subsets to U+0000; PDF/A and PDF/UA
readers then see a NUL where no glyph is drawn. The maps are rebuilt with only the codes that
stand for a real character, a no-break space's stand-in mapped back to U+00A0.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pikepdf import Dictionary, Pdf

# The code point a no-break space is drawn as (reportlab_adapter.DrawnGlyphsFont), mapped back to
# U+00A0 here: a noncharacter, which no source may hold (ingest refuses it).
NO_BREAK_STAND_IN = "\ufdd0"
_BFCHAR_BLOCK = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_BFCHAR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")


def to_unicode_cmap(name: str, mapping: dict[int, str]) -> bytes:
    """A ToUnicode CMap for single-byte codes: only codes that map to a real character."""
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        f"/CMapName /{name}-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<00> <FF>",
        "endcodespacerange",
    ]
    items = sorted(mapping.items())
    for start in range(0, len(items), 100):  # at most 100 entries per block (PDF spec)
        chunk = items[start : start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        for code, text in chunk:
            lines.append(f"<{code:02X}> <{text.encode('utf-16-be').hex().upper()}>")
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return ("\n".join(lines) + "\n").encode("ascii")


def fix_fonts(pdf: Pdf) -> None:
    """Rewrite ReportLab's ToUnicode maps without the U+0000 entries for codes it never used."""
    seen: set[tuple[int, int]] = set()
    for page in pdf.pages:
        fonts = page.obj.get("/Resources", Dictionary()).get("/Font", Dictionary())
        for _, font in fonts.items():
            key = font.objgen
            if key in seen or "/ToUnicode" not in font:
                continue
            seen.add(key)
            base = str(font.get("/BaseFont", "/F"))[1:].replace("+", "-")
            font.ToUnicode = pdf.make_stream(repaired(font.ToUnicode.read_bytes(), base))


@lru_cache(maxsize=4096)  # repaired maps remembered by a resident process
def repaired(cmap: bytes, name: str) -> bytes:
    """ReportLab's ToUnicode CMap rebuilt with only the codes that stand for a real character.

    A function of the map's bytes and the font's name, so remembered by them: the archival PDF's
    two profiles finish the same pages, and a rebuild after an edit draws most subsets unchanged.
    """
    mapping: dict[int, str] = {}
    for block in _BFCHAR_BLOCK.findall(cmap):
        for code, uni in _BFCHAR.findall(block):
            text = _text_of(uni.decode()).replace(NO_BREAK_STAND_IN, "\u00a0")
            if text and text != "\x00":
                mapping[int(code, 16)] = text
    return to_unicode_cmap(name, mapping)


def _text_of(hex_digits: str) -> str:
    """A ToUnicode destination as text. ReportLab writes a character beyond the Basic Multilingual
    Plane (𠀋, U+2000B) as its code point in five or six digits, not as the UTF-16 pair the PDF
    format asks for (which to_unicode_cmap writes); four digits are one UTF-16 unit, more in
    fours a UTF-16 string."""
    if len(hex_digits) in (5, 6):
        return chr(int(hex_digits, 16))
    return bytes.fromhex(hex_digits).decode("utf-16-be")
