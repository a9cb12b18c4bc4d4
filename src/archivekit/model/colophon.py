"""Editorial matter the edition adds around the text: its title heading and its colophon.

These blocks are the edition's words, never the source's: every one is marked editorial
(Heading.editorial, or ids starting with "colophon"), and writers present them apart from the text.
Their words come from model.locale in the edition's editorial language; values in another
language (titles, rights, the formatted citation) are spans with their own language tag.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from archivekit.model.document import Block, Heading, Inline, LineBreak, Paragraph, Span, Text
from archivekit.model.locale import join, language_name, message, role_name
from archivekit.model.metadata import Edition, LangText, creator_names
from archivekit.model.roles import ROLES, edition_role

CITATION_STYLE = "chicago-author-date"


def title_block(edition: Edition) -> Heading:
    """The edition's title as the document's one level-1 heading."""
    return Heading("title", 1, (Text(edition.title.first()),), editorial=True, lang=edition.language)


def edition_role_of(edition: Edition) -> str:
    """What the edition as a whole is (a role of model.roles), from edition.yaml or its parts."""
    return edition_role((part.role for part in edition.parts), edition.type)


def edition_csl(edition: Edition, built: dt.date) -> dict[str, Any]:
    """A CSL-JSON record describing this edition, for "how to cite this edition"."""
    record: dict[str, Any] = {
        "id": edition.id,
        "type": ROLES[edition_role_of(edition)].csl_type,
        "title": edition.title.first(),
        # One name per creator, in order, as written: literal, never split into family and given.
        "author": [{"literal": name} for name in creator_names(edition.creators)],
        "issued": {"date-parts": [list(edition.date_parts)]},
        "language": edition.language,
        "version": edition.version,
        "medium": edition.statement.prefer(edition.editorial_language),
        "URL": None,
        "note": f"Edition {edition.version}, {built.isoformat()}. {edition.identifier}",
    }
    if edition.publisher:
        record["publisher"] = edition.publisher.first()
    others = {lang: text for lang, text in edition.title.values[1:] if text != record["title"]}
    if others:
        # The edition's titles in its other languages, as CSL-JSON `multi` (Juris-M) carries them.
        record["multi"] = {"main": {"title": edition.title.values[0][0]}, "_keys": {"title": others}}
    return {k: v for k, v in record.items() if v is not None}


def _in(lang: str, tag: str, text: str) -> Inline:
    """Text in language `tag`, in a span when it differs from the surrounding `lang`.

    Line ends in metadata (a licence notice kept as its lines) become line breaks, not characters.
    """
    pieces: list[Inline] = []
    for index, line in enumerate(text.split("\n")):
        if index:
            pieces.append(LineBreak())
        pieces.append(Text(line))
    return (
        Span(tuple(pieces), lang=tag if tag != lang else None)
        if len(pieces) > 1 or tag != lang
        else pieces[0]
    )


def _compose(lang: str, key: str, **values: str | Inline | tuple[Inline, ...]) -> tuple[Inline, ...]:
    """A locale message with inline values (spans in other languages) put in its placeholders."""
    marks = {name: f"\x00{index}\x00" for index, name in enumerate(values)}
    template = message(lang, key, **marks)
    out: list[Inline] = []
    for piece in re.split("\x00([0-9]+)\x00", template):
        if piece.isdigit():
            value = list(values.values())[int(piece)]
            out.extend(
                value if isinstance(value, tuple) else (value if not isinstance(value, str) else Text(value),)
            )
        elif piece:
            out.append(Text(piece))
    return _merge(out)


def _merge(inlines: list[Inline]) -> tuple[Inline, ...]:
    out: list[Inline] = []
    for inline in inlines:
        if isinstance(inline, Text) and out and isinstance(out[-1], Text):
            out[-1] = Text(out[-1].text + inline.text)
        elif not (isinstance(inline, Text) and not inline.text):
            out.append(inline)
    return tuple(out)


def _joined(lang: str, texts: LangText, separator: str = " / ") -> tuple[Inline, ...]:
    out: list[Inline] = []
    for index, (tag, text) in enumerate(texts.values):
        if index:
            out.append(Text(separator))
        out.append(_in(lang, tag, text))
    return tuple(out)


def contents_phrase(doc_parts: Iterable[tuple[str, str]], lang: str) -> str:
    """The parts as "role (language)" phrases in `lang`, consecutive repeats named once."""
    phrases: list[str] = []
    for role, part_lang in doc_parts:
        phrase = message(
            lang, "part_in_language", role=role_name(lang, role), language=language_name(part_lang, lang)
        )
        if not phrases or phrases[-1] != phrase:
            phrases.append(phrase)
    return join(lang, phrases)


def colophon_blocks(
    edition: Edition, sources_sha256: str, files: tuple[str, ...], built: dt.date, *, note_count: int = 0
) -> tuple[Block, ...]:
    """The colophon: edition, version, dates, contents, sources, transcription, rights, how to cite."""
    from archivekit.model.citation import format_bibliography

    lang = edition.editorial_language
    cite = format_bibliography(edition_csl(edition, built), CITATION_STYLE)
    role = role_name(lang, edition_role_of(edition), capital=True)
    lines: list[tuple[str, tuple[Inline, ...]]] = [
        (
            "edition",
            _compose(
                lang,
                "colophon_edition",
                statement=_joined(lang, edition.statement),
                version=edition.version,
                identifier=edition.identifier,
            ),
        ),
        (
            "date",
            _compose(lang, "colophon_dated", role=role, date=edition.date_text, built=built.isoformat()),
        ),
        (
            "contents",
            _compose(
                lang,
                "colophon_contents",
                parts=contents_phrase(((p.role, p.lang) for p in edition.parts), lang),
                notes=str(note_count),
            ),
        ),
        ("sources", _compose(lang, "colophon_sources", sha256=sources_sha256, files=", ".join(files))),
    ]
    source = edition.source_url or edition.source_citation or edition.source_description
    if source:
        lines.append(("transcribed", _compose(lang, "colophon_transcribed", source=source)))
    lines.append(("transcription", _compose(lang, "colophon_transcription")))
    rights_tag = lang if edition.rights.get(lang) else edition.rights.values[0][0]
    lines.append(
        (
            "rights",
            _compose(lang, "colophon_rights", rights=_in(lang, rights_tag, edition.rights.prefer(lang))),
        )
    )
    if edition.license:
        lines.append(("license", _compose(lang, "colophon_license", license=edition.license)))
    lines.append(
        (
            "cite",
            _compose(lang, "colophon_cite", cite=cite),
        )
    )
    heading = Heading("colophon", 2, (Text(message(lang, "colophon")),), editorial=True, lang=lang)
    paragraphs = tuple(Paragraph(f"colophon-{key}", inlines, lang=lang) for key, inlines in lines)
    return (heading, *paragraphs)
