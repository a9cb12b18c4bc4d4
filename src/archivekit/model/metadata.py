"""Edition metadata: what the edition says about itself (titles, creators, dates, rights, settings).

Everything here comes from `edition.yaml`; titles and the edition statement are editorial
(the edition's words, not the source's) and writers must present them as such.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

# A fixed namespace so the identifier of an edition id never changes between machines or versions.
EDITION_NAMESPACE = uuid.UUID("6f0c7a52-8d0e-5a4e-9f3b-61726368766b")


@dataclass(frozen=True)
class LangText:
    """The same short text in several languages, in a stable order (first = main language)."""

    values: tuple[tuple[str, str], ...]  # (BCP 47 tag, text)

    def get(self, lang: str) -> str | None:
        """The text in this language, or None."""
        for tag, text in self.values:
            if tag == lang:
                return text
        return None

    def first(self) -> str:
        """The text in the first (main) language."""
        return self.values[0][1]

    def prefer(self, lang: str) -> str:
        """The text in this language when there is one, else in the main language."""
        return self.get(lang) or self.first()


@dataclass(frozen=True)
class Creator:
    """One who made the text: the name per language as the source writes it (never reordered into family
    and given names), and a MARC relator code (aut: author)."""

    name: LangText
    role: str = "aut"


def creator_names(creators: tuple[Creator, ...], lang: str | None = None) -> list[str]:
    """Each creator's name in order: in `lang` when given and the name has it, else in its main language."""
    return [c.name.prefer(lang) if lang else c.name.first() for c in creators]


@dataclass(frozen=True)
class PartSpec:
    """One entry of the reading order, as declared in edition.yaml."""

    id: str
    file: str
    lang: str
    role: str  # a role of model.roles.ROLES
    title: LangText | None = None  # editorial heading, when the source has none
    creators: tuple[Creator, ...] = ()  # the part's own authors, in order, if not the edition's
    date: str | None = None  # YYYY, YYYY-MM or YYYY-MM-DD, as precise as the source
    cite_key: str | None = None  # the part's own source in the bibliography


# Page and trim sizes in millimetres, portrait, spelled as edition.schema.json spells them: the one
# table the archival PDF and the print edition both read.
PAGE_SIZES_MM: dict[str, tuple[float, float]] = {
    "A5": (148.0, 210.0),
    "A4": (210.0, 297.0),
    "Letter": (215.9, 279.4),
    "6x9in": (152.4, 228.6),
}


@dataclass(frozen=True)
class BrailleSettings:
    """Braille edition settings: liblouis tables by language, and the page in cells and lines."""

    tables: tuple[tuple[str, str], ...] = ()  # (BCP 47 tag, liblouis table file); unset: defaults
    cells: int = 40  # cells per line (40 x 25: the common 11 x 11.5 in embosser page)
    lines: int = 25  # lines per page


@dataclass(frozen=True)
class Settings:
    """Layout settings the PDF and print writers read."""

    page_size: str = "A5"
    print_trim: str = "A5"
    bleed_mm: float = 3.0
    editorial_language: str | None = None  # the edition's own words; None: the main language
    title_page: bool = False  # the title on a page of its own in the PDFs
    csl_style: str | None = None  # CSL style of the HTML citations and downloads; None: Chicago author-date
    print_icc: str | None = None  # printer's CMYK profile, relative to the edition folder; None: Ghostscript
    braille: BrailleSettings = field(default_factory=BrailleSettings)
    extra: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True)
class Edition:
    """Metadata of one edition."""

    id: str
    version: str
    title: LangText
    creators: tuple[Creator, ...]  # in order, as edition.yaml lists them
    date: dt.date
    language: str
    languages: tuple[str, ...]
    rights: LangText
    statement: LangText
    parts: tuple[PartSpec, ...]
    parallel: tuple[tuple[str, str], ...] = ()
    bibliography: str | None = None
    description: LangText | None = None
    publisher: LangText | None = None
    source_description: str | None = None
    settings: Settings = field(default_factory=Settings)
    date_text: str = ""  # the date as precise as edition.yaml gives it (YYYY, YYYY-MM, YYYY-MM-DD)
    type: str | None = None  # the edition's role when its parts' roles do not say it
    license: str | None = None
    license_note: LangText | None = None
    source_url: str | None = None
    source_citation: str | None = None

    @property
    def date_parts(self) -> tuple[int, ...]:
        """The date as CSL date-parts: (year,), (year, month) or (year, month, day)."""
        text = self.date_text or self.date.isoformat()
        return tuple(int(piece) for piece in text.split("-"))

    @property
    def editorial_language(self) -> str:
        """The language of the edition's own words (colophon, labels, summaries)."""
        return self.settings.editorial_language or self.language

    @property
    def identifier(self) -> str:
        """A stable URN derived from the edition id alone."""
        return f"urn:uuid:{uuid.uuid5(EDITION_NAMESPACE, self.id)}"
