"""The page's editorial words: every label comes from model.locale in the edition's language.

Nothing here names a document: labels are composed from the model (languages, roles, dates), so
one edition's words never reach another's page.
"""

from __future__ import annotations

from archivekit.model import Document, Part
from archivekit.model.locale import language_name, message


def editorial_lang(doc: Document) -> str:
    """The language of the edition's own words (labels, colophon, navigation)."""
    return doc.edition.editorial_language


def say(doc: Document, key: str, **values: object) -> str:
    """The editorial text `key` in the edition's language."""
    return message(editorial_lang(doc), key, **values)


def language_label(tag: str, in_lang: str, tags: tuple[str, ...]) -> str:
    """A language's CLDR name; script or region only when another of the edition's shares its base."""
    base = tag.split("-")[0]
    twins = {t for t in tags if t.split("-")[0] == base}
    return language_name(tag if len(twins) > 1 else base, in_lang)


def part_date(doc: Document, part: Part) -> str | None:
    """The date a part's date line stands for: its own, else the edition's, only as precise as given."""
    return part.date or doc.edition.date_text or None
