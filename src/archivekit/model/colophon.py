"""Editorial matter the edition adds around the text: its title heading and its colophon.

These blocks are the edition's words, never the letter's: every one is marked editorial
(Heading.editorial, or ids starting with "colophon"), and writers present them apart from the text.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from archivekit.model.document import Block, Heading, Inline, Paragraph, Span, Text
from archivekit.model.metadata import Edition

CITATION_STYLE = "chicago-author-date"


# Han characters and CJK punctuation: runs of them inside the English colophon are Chinese.
_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
_CJK_RUN = re.compile(f"[{_CJK}]+(?:[ ,:()!;.]*[{_CJK}]+)*")


def _language_runs(text: str) -> tuple[Inline, ...]:
    """English text with its Chinese runs in zh-Hans spans, so screen readers switch voice."""
    out: list[Inline] = []
    position = 0
    for match in _CJK_RUN.finditer(text):
        if match.start() > position:
            out.append(Text(text[position : match.start()]))
        out.append(Span((Text(match.group()),), lang="zh-Hans"))
        position = match.end()
    if position < len(text):
        out.append(Text(text[position:]))
    return tuple(out)


def title_block(edition: Edition) -> Heading:
    """The edition's title as the document's one level-1 heading."""
    return Heading("title", 1, (Text(edition.title.first()),), editorial=True, lang=edition.language)


def edition_csl(edition: Edition, built: dt.date) -> dict[str, Any]:
    """A CSL-JSON record describing this edition of the letter, for "how to cite this edition"."""
    english = edition.title.get("en")
    record: dict[str, Any] = {
        "id": edition.id,
        "type": "letter",  # Zotero "letter", RIS PCOMM: every export agrees
        "title": edition.title.first(),
        "author": [{"literal": edition.creator.first()}],
        "issued": {"date-parts": [[edition.date.year, edition.date.month, edition.date.day]]},
        "language": edition.language,
        "version": edition.version,
        "medium": edition.statement.prefer("en"),
        "URL": None,
        "note": f"Edition {edition.version}, {built.isoformat()}. {edition.identifier}",
    }
    if english:
        record["title-short"] = english
    return {k: v for k, v in record.items() if v is not None}


def colophon_blocks(
    edition: Edition, sources_sha256: str, files: tuple[str, ...], built: dt.date
) -> tuple[Block, ...]:
    """The colophon: edition, version, date, sources' sha256, rights, how to cite."""
    from archivekit.model.citation import format_bibliography

    statement = " / ".join(text for _, text in edition.statement.values)
    cite = format_bibliography(edition_csl(edition, built), CITATION_STYLE)
    lines = [
        ("edition", f"Edition: {statement}, version {edition.version} ({edition.identifier})."),
        ("date", f"Letter dated {edition.date.isoformat()}; this edition built {built.isoformat()}."),
        (
            "sources",
            f"Sources: sha256 {sources_sha256}, the sha256 of the sorted `sha256sum` listing of "
            f"{', '.join(files)}.",
        ),
        (
            "transcription",
            "Transcription: diplomatic; no character of the original added, dropped or corrected.",
        ),
        ("rights", f"Rights: {edition.rights.prefer('en')}"),
        ("cite", f"How to cite this edition: {cite}"),
    ]
    heading = Heading("colophon", 2, (Text("Colophon"),), editorial=True, lang="en")
    paragraphs = tuple(Paragraph(f"colophon-{key}", _language_runs(text), lang="en") for key, text in lines)
    return (heading, *paragraphs)
