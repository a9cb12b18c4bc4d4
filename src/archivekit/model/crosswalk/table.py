"""The crosswalk as data: where each CSL type and each CSL variable goes in every target vocabulary.

One row per CSL type (TYPES) and one row per CSL variable (FIELDS); one column per target format
(FORMATS). A field target is a name, NotCarried (the vocabulary has by design no place for it: silent,
its reason listed in docs/metadata.md), None (the table does not cover it: a build warning when a
record has the field), or a mapping from CSL type to name with "*" for every other type, where a
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
class NotCarried:
    """A documented "not carried" cell: the vocabulary has by design no place for this field.

    Silent at build time (the table and docs/metadata.md say it), unlike None, which means the table
    does not cover the combination and is a build warning whenever a record has the field.
    """

    reason: str


Cell = str | NotCarried | None
Target = Cell | Mapping[str, Cell]

# Reasons shared by several cells.
NO_TRANSLATED_TITLE = NotCarried("one title per record; translations stay in CSL-JSON multi and RIS TT")
NO_GENRE = NotCarried("no genre/subtype key (the type row gives the item type)")
FREE_TEXT = NotCarried("free text: only BibTeX and RIS have a note field")
EDITION_ONLY = NotCarried("an edition statement: citation vocabularies have no key for it")
PACKAGE_ONLY = NotCarried("describes the edition package, not a cited work; no key in this vocabulary")


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

    def target(self, fmt: str, csl_type: str) -> Cell:
        """This field's name in `fmt` for a record of `csl_type`: a name, NotCarried, or None (uncovered)."""
        value: Target = getattr(self, fmt)
        if isinstance(value, Mapping):
            return value.get(csl_type, value.get("*"))
        return value


# "creators" is not a CSL variable: it is author, else authority (an issuing body is the creator
# of a law, a treaty or a resolution that has no personal author), read by model.crosswalk.values.
# "identifier" and "rights" are not CSL variables either: only the edition's package record
# (model.crosswalk.edition) has them.
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
        bibtex=NO_TRANSLATED_TITLE,
        ris="TT",
        highwire=NO_TRANSLATED_TITLE,
        dc="dcterms.alternative",
        coins=NO_TRANSLATED_TITLE,
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
        highwire=NotCarried("no short-title key"),
        coins=NotCarried("no short-title key"),
        opf=NotCarried("the package has its full title; EPUB has no short-title refinement"),
        xmp=NotCarried("dc:title is the full title"),
        premis=NotCarried("the full title is the significant property"),
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
        opf="prism:number",
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
        ris={
            "*": "T2",
            "article-journal": "JO",
            "report": NotCarried("RIS RPRT has no container tag: its T2 is the report's series title"),
        },
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
        # RIS puts a book's and a report's series in T2 (BOOK, RPRT: "Series Title"), a chapter's in T3;
        # Zotero's RIS reader reads a report's T3 as nothing.
        ris={"*": "T3", "book": "T2", "report": "T2"},
        highwire="citation_series_title",
        dc="dcterms.isPartOf",
        coins="rft.series",
        schema="isPartOf",
        opf="prism:seriesTitle",
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
        highwire=NotCarried("no place key"),
        dc="dcterms.spatial",
        coins="rft.place",
        schema="locationCreated",
        opf="dcterms:spatial",
        xmp=NotCarried("no place property in the schemas PDF/A predefines"),
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
        opf="prism:url",
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
        opf="prism:doi",
        xmp="prism:doi",
        premis="doi",
    ),
    FieldRow(
        "identifier",
        "text",
        bibtex=PACKAGE_ONLY,
        ris=PACKAGE_ONLY,
        highwire=PACKAGE_ONLY,
        dc="DC.identifier",
        coins=PACKAGE_ONLY,
        schema="identifier",
        opf="dc:identifier",
        xmp="dc:identifier",
        premis=NotCarried("the intellectual entity's objectIdentifier (URN) already is this value"),
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
        highwire=NO_GENRE,
        dc="dcterms.type",
        coins=NO_GENRE,
        schema="genre",
        opf="schema:genre",
        xmp="dc:type",
        premis="genre",
    ),
    FieldRow(
        "status",
        "text",
        bibtex="pubstate",
        ris=NotCarried("no status tag"),
        highwire=NotCarried("no status key"),
        dc=NotCarried("no status element"),
        coins=NotCarried("no status key"),
        schema="creativeWorkStatus",
        opf=NotCarried("an edition is published: no status"),
        xmp=NotCarried("no status property in the schemas PDF/A predefines"),
        premis="status",
    ),
    FieldRow(
        "version",
        "text",
        bibtex="version",
        ris="ET",
        highwire=EDITION_ONLY,
        dc="dcterms.hasVersion",
        coins=EDITION_ONLY,
        schema="version",
        opf="schema:version",
        xmp="xmpMM:VersionID",
        premis="version",
    ),
    FieldRow(
        "medium",
        "text",
        bibtex="howpublished",
        ris=EDITION_ONLY,
        highwire=EDITION_ONLY,
        dc="dcterms.medium",
        coins=EDITION_ONLY,
        schema="bookEdition",
        opf="schema:bookEdition",
        xmp=NotCarried("no edition-statement property in the schemas PDF/A predefines"),
        premis="edition",
    ),
    FieldRow(
        "abstract",
        "text",
        bibtex="abstract",
        ris="AB",
        highwire="citation_abstract",
        dc="DC.description",
        coins=NotCarried("no abstract key"),
        schema="abstract",
        opf="dc:description",
        xmp="dc:description",
        premis=NotCarried("a description is no significant property of the files"),
    ),
    FieldRow(
        "rights",
        "text",
        bibtex=PACKAGE_ONLY,
        ris=PACKAGE_ONLY,
        highwire=PACKAGE_ONLY,
        dc="DC.rights",
        coins=PACKAGE_ONLY,
        schema="copyrightNotice",
        opf="dc:rights",
        xmp="dc:rights",
        premis=NotCarried("PREMIS states rights as a rights entity, not a significant property"),
    ),
    FieldRow(
        "note",
        "text",
        bibtex="note",
        ris="N1",
        highwire=FREE_TEXT,
        dc=FREE_TEXT,
        coins=FREE_TEXT,
        schema=FREE_TEXT,
        opf=FREE_TEXT,
        xmp=FREE_TEXT,
        premis=FREE_TEXT,
    ),
)

# CSL variables the crosswalk reads through another row (authority through "creators", multi through
# "title-translations"), or that are bookkeeping: never warned about.
READ_ELSEWHERE = frozenset({"id", "type", "author", "authority", "multi"})


def not_carried() -> list[tuple[str, str, str]]:
    """(field, format, reason) of every documented "not carried" cell, for docs and tests."""
    out = []
    for row in FIELDS:
        for fmt in FORMATS:
            value = getattr(row, fmt)
            cells = value.values() if isinstance(value, Mapping) else (value,)
            out += [(row.csl, fmt, c.reason) for c in cells if isinstance(c, NotCarried)]
    return out
