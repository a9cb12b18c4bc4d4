"""The crosswalk as data: where each CSL type and each CSL variable goes in every target vocabulary.

One row per CSL type (TYPES) and one row per CSL variable (FIELDS); one column per target format
(FORMATS). A field target is a name, None (the vocabulary has no place for it: a build warning when
a record has the field), or a mapping from CSL type to name with "*" for every other type, where a
vocabulary names the same variable differently by kind of work (a journal's title is
citation_journal_title, a book's citation_book_title). Adding a field is one row; adding a format is
one column here plus one encoder in model.crosswalk.encode.

Sources of the names: biblatex manual 3.x (entry types and fields, including its "unsupported" legal
types legislation, legal and jurisdiction); RIS (Research Information Systems) tag and type list;
Google Scholar's Highwire `citation_*` names as Zotero's Embedded Metadata translator reads them;
DCMI Metadata Terms; OpenURL 1.0 (Z39.88-2004) KEV book and journal matrices; schema.org;
EPUB 3.3 package metadata; XMP dc and PRISM basic 2.x; PREMIS 3 significantProperties.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

FORMATS = ("bibtex", "ris", "highwire", "dc", "coins", "schema", "opf", "xmp", "premis")

Target = str | None | Mapping[str, str | None]


@dataclass(frozen=True)
class TypeRow:
    """How one CSL item type is named in each vocabulary."""

    bibtex: str  # biblatex entry type
    ris: str  # RIS TY
    schema: str  # schema.org @type
    zotero: str  # Zotero item type: DC.type, OPF and XMP dc:type (Zotero reads DC.type as its item type)
    coins: tuple[str, str]  # Z39.88 (rft_val_fmt matrix, rft.genre)
    highwire: str | None = None  # Highwire has no type name; the row only documents what Zotero infers


# Z39.88 has no genre for laws, treaties or letters: book/document is its "other" and says so.
TYPES: dict[str, TypeRow] = {
    "article-journal": TypeRow(
        "article", "JOUR", "ScholarlyArticle", "journalArticle", ("journal", "article")
    ),
    "article": TypeRow("misc", "GEN", "Article", "document", ("book", "document")),
    "book": TypeRow("book", "BOOK", "Book", "book", ("book", "book")),
    "chapter": TypeRow("incollection", "CHAP", "Chapter", "bookSection", ("book", "bookitem")),
    "report": TypeRow("report", "RPRT", "Report", "report", ("book", "report")),
    "legislation": TypeRow("legislation", "STAT", "Legislation", "statute", ("book", "document")),
    "bill": TypeRow("legislation", "BILL", "Legislation", "bill", ("book", "document")),
    # A treaty in a treaty series is an article of that serial for Z39.88 (the journal matrix is the only
    # one with volume and pages); Zotero has no treaty type, so DC.type says "document".
    "treaty": TypeRow("legal", "LEGAL", "Legislation", "document", ("journal", "article")),
    "legal_case": TypeRow("jurisdiction", "CASE", "CreativeWork", "case", ("book", "document")),
    "webpage": TypeRow("online", "ELEC", "WebPage", "webpage", ("book", "document")),
    "letter": TypeRow("letter", "PCOMM", "Message", "letter", ("book", "document")),
    "personal_communication": TypeRow("letter", "PCOMM", "Message", "letter", ("book", "document")),
    "manuscript": TypeRow("unpublished", "MANSCPT", "Manuscript", "manuscript", ("book", "document")),
    "speech": TypeRow("misc", "GEN", "CreativeWork", "presentation", ("book", "document")),
    "interview": TypeRow("misc", "GEN", "CreativeWork", "interview", ("book", "document")),
    "dataset": TypeRow("dataset", "DATA", "Dataset", "dataset", ("book", "document")),
    "document": TypeRow("misc", "GEN", "CreativeWork", "document", ("book", "document")),
}
FALLBACK_TYPE = "document"


@dataclass(frozen=True)
class FieldRow:
    """One CSL variable: its kind of value and its name in each vocabulary."""

    csl: str
    kind: str  # text, names, date, title-translations, pages: how model.crosswalk.encode converts it
    bibtex: Target = None
    ris: Target = None
    highwire: Target = None
    dc: Target = None
    coins: Target = None
    schema: Target = None
    opf: Target = None
    xmp: Target = None
    premis: Target = None

    def target(self, fmt: str, csl_type: str) -> str | None:
        """This field's name in `fmt` for a record of `csl_type` (None: no place for it)."""
        value = getattr(self, fmt)
        if isinstance(value, Mapping):
            return value.get(csl_type, value.get("*"))
        return value


# "creators" is not a CSL variable: it is author, else authority (an issuing body is the creator
# of a law, a treaty or a resolution that has no personal author), read by model.crosswalk.values.
FIELDS: tuple[FieldRow, ...] = (
    FieldRow(
        "title",
        "text",
        bibtex="title",
        ris="TI",
        highwire="citation_title",
        dc="DC.title",
        coins={
            "*": "rft.btitle",
            "article-journal": "rft.atitle",
            "treaty": "rft.atitle",
            "chapter": "rft.atitle",
        },
        schema="name",
        opf="dc:title",
        xmp="dc:title",
        premis="title",
    ),
    FieldRow(
        "title-translations",
        "title-translations",
        bibtex=None,
        ris="TT",
        highwire=None,
        dc="dcterms.alternative",
        coins=None,
        schema="alternateName",
        opf="alternate-script",
        xmp="dc:title",
        premis="title",
    ),
    FieldRow(
        "title-short",
        "text",
        bibtex="shorttitle",
        ris="ST",
        schema="alternativeHeadline",
        dc="dcterms.alternative",
        highwire=None,
        coins=None,
        opf=None,
        xmp=None,
        premis=None,
    ),
    FieldRow(
        "creators",
        "names",
        bibtex="author",
        ris="AU",
        highwire="citation_author",
        dc="DC.creator",
        coins="rft.au",
        schema="author",
        opf="dc:creator",
        xmp="dc:creator",
        premis="creator",
    ),
    FieldRow(
        "issued",
        "date",
        bibtex="date",
        ris="DA",
        highwire="citation_date",
        dc="DC.date",
        coins="rft.date",
        schema="datePublished",
        opf="dc:date",
        xmp="dc:date",
        premis="date",
    ),
    FieldRow(
        "number",
        "text",
        bibtex="number",
        ris={"*": "SN", "treaty": "M1", "legislation": "M1", "bill": "M1"},
        highwire={
            "*": "citation_number",
            "report": "citation_technical_report_number",
            "article-journal": "citation_issue",
        },
        dc="dcterms.bibliographicCitation",
        coins={"*": "rft.number", "article-journal": "rft.issue"},
        schema={
            "*": "identifier",
            "legislation": "legislationIdentifier",
            "bill": "legislationIdentifier",
            "treaty": "legislationIdentifier",
        },
        opf="dc:identifier",
        xmp="prism:number",
        premis="number",
    ),
    FieldRow(
        "volume",
        "text",
        bibtex="volume",
        ris="VL",
        highwire="citation_volume",
        dc="dcterms.bibliographicCitation",
        coins="rft.volume",
        schema="volumeNumber",
        opf="prism:volume",
        xmp="prism:volume",
        premis="volume",
    ),
    FieldRow(
        "page",
        "pages",
        bibtex="pages",
        ris="SP",
        highwire="citation_firstpage",
        dc="dcterms.bibliographicCitation",
        coins="rft.spage",
        schema="pageStart",
        opf="prism:pageRange",
        xmp="prism:pageRange",
        premis="page",
    ),
    FieldRow(
        "container-title",
        "text",
        bibtex={"*": "journaltitle", "chapter": "booktitle"},
        ris={"*": "T2", "article-journal": "JO"},
        highwire={"*": "citation_journal_title", "chapter": "citation_book_title"},
        dc="dcterms.bibliographicCitation",
        coins={"*": "rft.jtitle", "chapter": "rft.btitle"},
        schema="isPartOf",
        opf="dcterms:isPartOf",
        xmp="prism:publicationName",
        premis="container",
    ),
    FieldRow(
        "collection-title",
        "text",
        bibtex="series",
        ris="T3",
        highwire="citation_series_title",
        dc="dcterms.isPartOf",
        coins="rft.series",
        schema="isPartOf",
        opf="dcterms:isPartOf",
        xmp="prism:seriesTitle",
        premis="series",
    ),
    FieldRow(
        "publisher",
        "text",
        bibtex={"*": "publisher", "report": "institution"},
        ris="PB",
        highwire={"*": "citation_publisher", "report": "citation_technical_report_institution"},
        dc="DC.publisher",
        coins="rft.pub",
        schema="publisher",
        opf="dc:publisher",
        xmp="dc:publisher",
        premis="publisher",
    ),
    FieldRow(
        "event-place",
        "text",
        bibtex="location",
        ris="CY",
        highwire=None,
        dc="dcterms.spatial",
        coins="rft.place",
        schema="locationCreated",
        opf="dcterms:spatial",
        xmp=None,
        premis="place",
    ),
    FieldRow(
        "URL",
        "text",
        bibtex="url",
        ris="UR",
        highwire="citation_public_url",
        dc="dcterms.identifier",
        coins="rft_id",
        schema="url",
        opf="dc:source",
        xmp="prism:url",
        premis="url",
    ),
    FieldRow(
        "DOI",
        "text",
        bibtex="doi",
        ris="DO",
        highwire="citation_doi",
        dc="dcterms.identifier",
        coins="rft_id",
        schema="sameAs",
        opf="dc:identifier",
        xmp="prism:doi",
        premis="doi",
    ),
    FieldRow(
        "language",
        "text",
        bibtex="langid",
        ris="LA",
        highwire="citation_language",
        dc="DC.language",
        coins="rft.language",
        schema="inLanguage",
        opf="dc:language",
        xmp="dc:language",
        premis="language",
    ),
    FieldRow(
        "genre",
        "text",
        bibtex="type",
        ris="M3",
        highwire=None,
        dc="dcterms.type",
        coins=None,
        schema="genre",
        opf="dc:type",
        xmp="dc:type",
        premis="genre",
    ),
    FieldRow(
        "status",
        "text",
        bibtex="pubstate",
        ris=None,
        highwire=None,
        dc=None,
        coins=None,
        schema="creativeWorkStatus",
        opf=None,
        xmp=None,
        premis="status",
    ),
    FieldRow(
        "version",
        "text",
        bibtex="version",
        ris="ET",
        highwire=None,
        dc="dcterms.hasVersion",
        coins=None,
        schema="version",
        opf="schema:version",
        xmp="xmpMM:VersionID",
        premis="version",
    ),
    FieldRow(
        "medium",
        "text",
        bibtex="howpublished",
        ris=None,
        highwire=None,
        dc="dcterms.medium",
        coins=None,
        schema="bookEdition",
        opf="schema:bookEdition",
        xmp=None,
        premis="edition",
    ),
    FieldRow(
        "abstract",
        "text",
        bibtex="abstract",
        ris="AB",
        highwire="citation_abstract",
        dc="DC.description",
        coins=None,
        schema="abstract",
        opf="dc:description",
        xmp="dc:description",
        premis=None,
    ),
    FieldRow(
        "note",
        "text",
        bibtex="note",
        ris="N1",
        highwire=None,
        dc=None,
        coins=None,
        schema=None,
        opf=None,
        xmp=None,
        premis=None,
    ),
)

# CSL variables the crosswalk reads through another row (authority through "creators", multi through
# "title-translations"), or that are bookkeeping: never warned about.
READ_ELSEWHERE = frozenset({"id", "type", "author", "authority", "multi"})

# Fields whose absence from a format is by design, not a loss: the note is free text no structured
# vocabulary but BibTeX and RIS carries; status and medium are edition statements.
QUIET = frozenset({"note", "status", "medium", "title-short", "abstract", "version"})
