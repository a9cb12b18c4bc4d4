"""File formats of the bag's objects, named as PRONOM names them, with their PRONOM identifiers (PUIDs).

Every PUID below was checked against The National Archives' PRONOM master list (release v97,
October 2020: `v97_master_list.csv` in digital-preservation/pronom-research-week). Where PRONOM
has no record for a format, or only one without a version, that is said here and in the record
(`formatNote`), never papered over with a near miss.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

PRONOM_RELEASE = "PRONOM v97 (2020-10)"
# PDF/A-4 came to PRONOM after v97: its records were read in The National Archives' signature
# repository (github.com/nationalarchives/pronom-signatures, signatures/fmt/1910-1912.json,
# records last updated 2023-08-25).
PRONOM_PDFA4 = "PRONOM record fmt/{} (updated 2023-08-25, nationalarchives/pronom-signatures)"
PRESERVATION_MASTER = "preservation master"


@dataclass(frozen=True)
class FormatInfo:
    """What PREMIS records about one file's format."""

    name: str
    version: str | None = None
    puid: str | None = None  # None: PRONOM has no record for this format
    note: str | None = None
    source: str = PRONOM_RELEASE  # where the PUID was checked
    role: str | None = None  # PRESERVATION_MASTER for the file an archive keeps above the others


# PDF/A part and conformance level -> PUID (PRONOM "Acrobat PDF/A - Portable Document Format").
_PDFA = {
    "1a": "fmt/95",
    "1b": "fmt/354",
    "2a": "fmt/476",
    "2b": "fmt/477",
    "2u": "fmt/478",
    "3a": "fmt/479",
    "3b": "fmt/480",
    "3u": "fmt/481",
}
# PDF header version -> PUID (PRONOM "Acrobat PDF 1.x - Portable Document Format", "PDF 2.0").
# PDF/A-4 (PDF 2.0) level -> PUID: "" plain, "e" engineering, "f" with embedded files.
_PDFA4 = {"": "fmt/1910", "e": "fmt/1911", "f": "fmt/1912"}
_PDF = {
    "1.3": "fmt/17",
    "1.4": "fmt/18",
    "1.5": "fmt/19",
    "1.6": "fmt/20",
    "1.7": "fmt/276",
    "2.0": "fmt/1129",
}
_PDFX = {"4": "fmt/488", "4p": "fmt/489"}

_PDFA_RE = re.compile(r"pdf\s*/?\s*a\s*-?\s*([123])\s*-?\s*([abu])\b", re.IGNORECASE)
_PDFA4_RE = re.compile(r"pdf\s*/?\s*a\s*-?\s*4\s*-?\s*([ef]?)\b", re.IGNORECASE)
_PDFX_RE = re.compile(r"pdf\s*/?\s*x\s*-?\s*(4p?)\b", re.IGNORECASE)
_PDFUA_RE = re.compile(r"pdf\s*/?\s*ua\s*-?\s*([12])\b", re.IGNORECASE)
_EPUB_RE = re.compile(r"epub\s*([0-9](?:\.[0-9])?)", re.IGNORECASE)

_BY_SUFFIX = {
    ".txt": FormatInfo("Plain Text File", puid="x-fmt/111"),
    ".md": FormatInfo("Markdown", puid="fmt/1149"),
    ".json": FormatInfo("JSON Data Interchange Format", puid="fmt/817"),
    ".yaml": FormatInfo("YAML", puid="fmt/818"),
    ".yml": FormatInfo("YAML", puid="fmt/818"),
    ".xml": FormatInfo("Extensible Markup Language", version="1", puid="fmt/101"),
    ".css": FormatInfo("Cascading Style Sheet", puid="x-fmt/224"),
    ".csv": FormatInfo("Comma Separated Values", puid="x-fmt/18"),
    ".bib": FormatInfo("BibTeX", note=f"no PRONOM record in {PRONOM_RELEASE}"),
    ".ris": FormatInfo(
        "RIS (Research Information Systems) citation", note=f"no PRONOM record in {PRONOM_RELEASE}"
    ),
    ".png": FormatInfo("Portable Network Graphics", note="PNG version not determined, so no PUID chosen"),
    ".ttf": FormatInfo("TrueType Font", puid="x-fmt/453"),
    ".otf": FormatInfo("OpenType Font File", puid="fmt/520"),
}


def _pdf_header_version(path: Path) -> str | None:
    with path.open("rb") as fh:
        head = fh.read(16)
    match = re.match(rb"%PDF-(\d\.\d)", head)
    return match.group(1).decode("ascii") if match else None


def identify(path: Path, *, media_type: str | None = None, conforms_to: tuple[str, ...] = ()) -> FormatInfo:
    """The format of this file, from what the writer declared (media type, conformance) and its header."""
    claims = " ".join(conforms_to)
    media_type = media_type.split(";")[0].strip().lower() if media_type else None
    suffix = path.suffix.lower()
    if media_type == "application/pdf" or suffix == ".pdf":
        also = [f"PDF/UA-{m.group(1)}" for m in _PDFUA_RE.finditer(claims)]
        ua_note = f"also declared {', '.join(also)}; {PRONOM_RELEASE} has no PDF/UA record" if also else None
        pdfa4 = _PDFA4_RE.search(claims)
        if pdfa4:
            level = pdfa4.group(1).lower()
            puid = _PDFA4[level]
            return FormatInfo(
                "Acrobat PDF/A - Portable Document Format",
                version="4" + level,
                puid=puid,
                note=ua_note,
                source=PRONOM_PDFA4.format(puid.removeprefix("fmt/")),
                # The PDF 2.0 file that carries its sources is the one to migrate from.
                role=PRESERVATION_MASTER if level == "f" else None,
            )
        pdfa = _PDFA_RE.search(claims)
        if pdfa:
            level = f"{pdfa.group(1)}{pdfa.group(2).lower()}"
            return FormatInfo(
                "Acrobat PDF/A - Portable Document Format", version=level, puid=_PDFA[level], note=ua_note
            )
        pdfx = _PDFX_RE.search(claims)
        if pdfx:
            level = pdfx.group(1).lower()
            return FormatInfo(
                f"Acrobat PDF/X - Portable Document Format - Exchange PDF/X-{level}",
                puid=_PDFX[level],
                note=ua_note,
            )
        version = _pdf_header_version(path) if path.is_file() else None
        if version in _PDF:
            name = (
                "PDF 2.0 - Portable Document Format"
                if version == "2.0"
                else (f"Acrobat PDF {version} - Portable Document Format")
            )
            return FormatInfo(name, version=version, puid=_PDF[version], note=ua_note)
        return FormatInfo("Portable Document Format", version=version, note=ua_note)
    if media_type == "application/epub+zip" or suffix == ".epub":
        epub = _EPUB_RE.search(claims)
        return FormatInfo(
            "ePub format",
            version=epub.group(1) if epub else "3",
            puid="fmt/483",
            note="PRONOM's fmt/483 (ePub format) does not distinguish EPUB versions",
        )
    if media_type == "text/html" or suffix in (".html", ".htm"):
        return FormatInfo("Hypertext Markup Language", version="5", puid="fmt/471")
    if media_type == "application/xhtml+xml" or suffix == ".xhtml":
        return FormatInfo(
            "Extensible Hypertext Markup Language",
            version="5",
            note="PRONOM has records for XHTML 1.0 and 1.1 only; none for the XML syntax of HTML 5",
        )
    known = _BY_SUFFIX.get(suffix)
    if known:
        return known
    return FormatInfo(media_type or "application/octet-stream", note="no PRONOM record identified")
