"""Fidelity: every output holds every character of the sources, in order, and every note whole."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from archivekit.errors import Finding
from archivekit.validate.judge.findings import finding
from archivekit.validate.judge.outputs import epub_text, html_text, pdf_text
from archivekit.validate.judge.sources import Sources
from archivekit.validate.judge.text import Gap, match_units, missing_note, squeeze

FIX = "the writer of this format dropped or changed source text; compare its output with sources/"


def _reader(artifact: str, fmt: str) -> Callable[[Path], tuple[str, str]] | None:
    if artifact.endswith(".pdf"):
        return pdf_text
    if artifact.endswith(".epub"):
        return lambda p: (epub_text(p), "spine")
    if fmt == "html" and artifact.endswith(".html"):
        return lambda p: (html_text(p), "body")
    if artifact.endswith(".txt"):
        return lambda p: (p.read_text(encoding="utf-8"), "text")
    return None


# Formats that carry the text (the booklet is the print PDF's pages reordered for folding).
TEXT_FORMATS = {"pdf", "pdfa3", "pdfa2u", "print", "large-print", "epub", "html", "text"}


def applies(fmt: str, artifact: str) -> bool:
    """Whether this artifact is an edition of the text the judge must read."""
    return _reader(artifact, fmt) is not None and (fmt in TEXT_FORMATS or fmt.startswith(("pdf", "print")))


def check(sources: Sources, artifact: str, fmt: str, path: Path) -> list[Finding]:
    """The first divergence of one output from the sources (none: it carries them whole)."""
    reader = _reader(artifact, fmt)
    if reader is None:
        return []
    text, origin = reader(path)
    gap = _first_gap(sources, squeeze(text))
    if gap is None:
        return []
    where = _place(sources, gap.unit_index)
    return [finding("fidelity", artifact, where, f"{gap.message} (read from its {origin})", FIX)]


def _first_gap(sources: Sources, haystack: str) -> Gap | None:
    """Parts in reading order; parts that translate each other may be interleaved (aligned), so
    each member of a parallel group is matched on its own from where the group starts."""
    groups = sources.reading_groups()
    position = 0
    for group in groups:
        ends = []
        for part in group:
            gap, end = match_units(list(part.units), haystack, position, sources.first_unit(part))
            if gap is not None:
                return gap
            ends.append(end)
        position = max(ends)
    return missing_note(sources.notes, haystack)


def _place(sources: Sources, index: int) -> str:
    """The source part and paragraph (or note) a unit index names."""
    if index < 0:
        return f"note {-index}"
    for part in sources.parts:
        if index < len(part.units):
            return f"sources/{part.file} paragraph {index + 1}"
        index -= len(part.units)
    return ""
