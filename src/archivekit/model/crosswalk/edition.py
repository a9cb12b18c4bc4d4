"""The edition's own package record: its CSL record plus what only a package describes.

OPF, XMP and PREMIS describe the edition itself. They read this record through the same table as the
citation formats (model.crosswalk.encode.package_fields); it is the CSL-JSON record of
model.colophon.edition_csl with the values a CSL record has no variable for or keeps in one language
only: the edition's urn:uuid ("identifier"), its rights, every language it holds, its description
("abstract"), its statement ("medium"), its parts' own creators with their MARC roles, and each
text in every language edition.yaml gives (CSL-JSON `multi`: `main` names a field's language,
`_keys` its other languages; names carry theirs in `multi._key`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from archivekit.model.colophon import edition_csl
from archivekit.model.metadata import Edition, LangText

# Fields of the package record that edition.yaml gives in several languages.
_LANG_FIELDS = ("title", "publisher", "rights", "abstract", "medium")


def _name(text: LangText, role: str) -> dict[str, Any]:
    lang, main = text.values[0]
    name: dict[str, Any] = {"literal": main, "role": role, "lang": lang}
    others = {lg: {"literal": t} for lg, t in text.values[1:] if t != main}
    if others:
        name["multi"] = {"_key": others}
    return name


def edition_record(edition: Edition, built: dt.date) -> dict[str, Any]:
    """The edition's record for OPF, XMP and PREMIS (never written as CSL-JSON: it has non-CSL keys)."""
    record = edition_csl(edition, built)
    record.pop("multi", None)
    record["identifier"] = edition.identifier
    record["language"] = list(edition.languages)
    # The edition's creators in order, then each part's own creators not named before.
    names: list[dict[str, Any]] = []
    seen: set[str] = set()
    for creator in (*edition.creators, *(c for part in edition.parts for c in part.creators)):
        if creator.name.first() not in seen:
            seen.add(creator.name.first())
            names.append(_name(creator.name, creator.role))
    record["author"] = names
    texts = {
        "title": edition.title,
        "publisher": edition.publisher,
        "rights": edition.rights,
        "abstract": edition.description,
        "medium": edition.statement,
    }
    main: dict[str, str] = {}
    keys: dict[str, dict[str, str]] = {}
    for field in _LANG_FIELDS:
        value = texts[field]
        if not value or not value.values:
            record.pop(field, None)
            continue
        lang, text = value.values[0]
        record[field], main[field] = text, lang
        others = {lg: t for lg, t in value.values[1:] if t != text}
        if others:
            keys[field] = others
    record["multi"] = {"main": main, "_keys": keys}
    return record
