"""One crosswalk from CSL-JSON to every citation vocabulary the page carries.

schema.org JSON-LD, Highwire Press `citation_*`, Dublin Core, COinS (OpenURL 1.0 KEV), BibTeX and RIS are
all generated from the CSL-JSON records (the edition's and the bibliography's), through the tables below:
one source of truth, so no vocabulary can disagree with another about a title, a date or a number.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from archivekit.model.citation import csl_only


@dataclass(frozen=True)
class TypeRow:
    """How one CSL item type is named in each target vocabulary."""

    schema: str  # schema.org @type
    zotero: str  # Zotero item type (DC.type: Zotero's Embedded Metadata reads it as the item type)
    ris: str  # RIS TY
    bibtex: str  # BibTeX entry type
    openurl: tuple[str, str]  # (rft_val_fmt, rft.genre)


TYPES: dict[str, TypeRow] = {
    "report": TypeRow("Report", "report", "RPRT", "techreport", ("book", "report")),
    "personal_communication": TypeRow("CreativeWork", "letter", "PCOMM", "misc", ("book", "document")),
    "letter": TypeRow("CreativeWork", "letter", "PCOMM", "misc", ("book", "document")),
    "document": TypeRow("CreativeWork", "document", "GEN", "misc", ("book", "document")),
    "manuscript": TypeRow("CreativeWork", "manuscript", "MANSCPT", "unpublished", ("book", "document")),
    "book": TypeRow("Book", "book", "BOOK", "book", ("book", "book")),
    "chapter": TypeRow("Chapter", "bookSection", "CHAP", "incollection", ("book", "bookitem")),
    "article-journal": TypeRow(
        "ScholarlyArticle", "journalArticle", "JOUR", "article", ("journal", "article")
    ),
    "webpage": TypeRow("WebPage", "webpage", "ELEC", "misc", ("book", "document")),
}


@dataclass(frozen=True)
class FieldRow:
    """One CSL variable and its name in each vocabulary (None: the vocabulary has no such field)."""

    csl: str
    schema: str | None
    highwire: str | None
    dc: str | None
    openurl: str | None
    bibtex: str | None
    ris: str | None


# Names (author) and dates (issued) are rows too; their values are converted by type below.
# Report-only Highwire names (citation_technical_report_*) are in REPORT_HIGHWIRE: on any other item they
# would make Zotero call it a report.
FIELDS: tuple[FieldRow, ...] = (
    FieldRow("title", "name", "citation_title", "DC.title", "rft.btitle", "title", "TI"),
    FieldRow("title-short", "alternativeHeadline", None, None, None, "shorttitle", "ST"),
    FieldRow("author", "author", "citation_author", "DC.creator", "rft.au", "author", "AU"),
    FieldRow("issued", "datePublished", "citation_date", "DC.date", "rft.date", "date", "DA"),
    FieldRow("publisher", "publisher", "citation_publisher", "DC.publisher", "rft.pub", "publisher", "PB"),
    FieldRow("number", "identifier", None, "DC.identifier", None, "number", "SN"),
    FieldRow("genre", "genre", None, None, None, "type", "M3"),
    FieldRow("collection-title", None, "citation_series_title", None, "rft.series", "series", "T2"),
    FieldRow("status", "creativeWorkStatus", None, None, None, "pubstate", None),
    FieldRow("version", "version", None, None, None, "version", "ET"),
    FieldRow("medium", None, None, None, None, "howpublished", None),
    FieldRow("language", "inLanguage", "citation_language", "DC.language", "rft.language", "langid", "LA"),
    FieldRow("URL", "url", "citation_public_url", "DC.identifier", "rft_id", "url", "UR"),
    FieldRow("abstract", "abstract", "citation_abstract", "DC.description", None, "abstract", "AB"),
    FieldRow("note", None, None, None, None, "note", "N1"),
)

REPORT_HIGHWIRE = {
    "publisher": "citation_technical_report_institution",
    "number": "citation_technical_report_number",
}


def type_row(item: dict[str, Any]) -> TypeRow:
    """The vocabulary names of this record's CSL type (unknown types fall back to a plain document)."""
    return TYPES.get(str(item.get("type")), TYPES["document"])


def date_parts(item: dict[str, Any], var: str = "issued") -> list[int]:
    """[year, month, day] (as far as known) of a CSL date variable, or []."""
    value = item.get(var) or {}
    parts = value.get("date-parts") or [[]]
    return [int(p) for p in parts[0] if str(p).strip()]


def iso_date(item: dict[str, Any], var: str = "issued") -> str | None:
    """The CSL date as ISO 8601 (2019-05-28, 2019-05 or 2019), or None."""
    parts = date_parts(item, var)
    if not parts:
        return None
    return "-".join([f"{parts[0]:04d}", *[f"{p:02d}" for p in parts[1:]]])


def name_text(name: dict[str, Any], *, inverted: bool = True) -> str:
    """A CSL name as text: "Family, Given" (inverted) or "Given Family"; literal names as they are."""
    if "literal" in name:
        return str(name["literal"])
    family, given = str(name.get("family", "")), str(name.get("given", ""))
    if not given:
        return family
    return f"{family}, {given}" if inverted else f"{given} {family}"


def names(item: dict[str, Any], var: str = "author") -> list[dict[str, Any]]:
    """The CSL names of one variable."""
    return list(item.get(var) or [])


def scalar(item: dict[str, Any], var: str) -> str | None:
    """A CSL string or number variable as text, or None."""
    value = item.get(var)
    return None if value in (None, "") else str(value)


# ---------------------------------------------------------------- schema.org JSON-LD


def schema_person(name: dict[str, Any]) -> dict[str, Any]:
    """A CSL name as a schema.org Person (family/given) or Organization (literal)."""
    if "literal" in name:
        return {"@type": "Organization", "name": name["literal"]}
    person = {"@type": "Person", "name": name_text(name, inverted=False)}
    if name.get("family"):
        person["familyName"] = name["family"]
    if name.get("given"):
        person["givenName"] = name["given"]
    return person


def schema_work(item: dict[str, Any], *, node_id: str | None = None) -> dict[str, Any]:
    """A CSL record as a schema.org CreativeWork (or subtype) node."""
    row = type_row(item)
    node: dict[str, Any] = {"@type": row.schema}
    if node_id:
        node["@id"] = node_id
    for field in FIELDS:
        if not field.schema or field.csl not in item:
            continue
        if field.csl == "author":
            node["author"] = [schema_person(n) for n in names(item)]
        elif field.csl == "issued":
            node[field.schema] = iso_date(item)
        elif field.csl == "publisher":
            node["publisher"] = {"@type": "Organization", "name": item["publisher"]}
        elif field.csl == "number":
            node["identifier"] = {
                "@type": "PropertyValue",
                "propertyID": "document symbol",
                "value": item["number"],
            }
        else:
            node[field.schema] = scalar(item, field.csl)
    return node


def json_ld(
    work: dict[str, Any],
    edition_node: dict[str, Any],
    cited: list[dict[str, Any]],
    *,
    date_created: str,
    work_id: str,
    parts: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The page's JSON-LD: the transcribed work (CreativeWork) with its citations, part of this edition.

    `parts` are the parts that carry their own author, date or source, as nodes of their own.
    """
    node = schema_work(work, node_id=work_id)
    node["@type"] = "CreativeWork"
    node.pop("version", None)  # the edition has a version, the work it transcribes has none
    node["dateCreated"] = date_created
    node["isPartOf"] = edition_node
    if parts:
        node["hasPart"] = parts
    if cited:
        node["citation"] = [schema_work(c, node_id=f"#ref-{c['id']}") for c in cited]
    return {"@context": "https://schema.org", **node}


def script_json(data: Any) -> str:
    """JSON safe inside an HTML <script> data block: no "</script", no "<!--" can appear in it."""
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# ---------------------------------------------------------------- Highwire Press and Dublin Core meta


def highwire_date(item: dict[str, Any]) -> str | None:
    """Highwire's date form, YYYY/MM/DD (as Google Scholar documents it)."""
    parts = date_parts(item)
    if not parts:
        return None
    return "/".join([f"{parts[0]:04d}", *[f"{p:02d}" for p in parts[1:]]])


def highwire_meta(item: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, content) Highwire `citation_*` tags for this record."""
    report = item.get("type") == "report"
    out: list[tuple[str, str]] = []
    for field in FIELDS:
        name = REPORT_HIGHWIRE.get(field.csl) if report else None
        name = name or field.highwire
        if not name or field.csl not in item:
            continue
        if field.csl == "author":
            out += [(name, name_text(n)) for n in names(item)]
        elif field.csl == "issued":
            value = highwire_date(item)
            if value:
                out.append((name, value))
        else:
            out.append((name, str(item[field.csl])))
    return out


def highwire_reference(item: dict[str, Any]) -> str:
    """One `citation_reference` value: the cited work's own citation_* pairs joined by "; "."""
    return "; ".join(f"{name}={value}" for name, value in highwire_meta(item))


def dublin_core_meta(item: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, content) Dublin Core tags (DC.* elements and dcterms.* terms) for this record."""
    out: list[tuple[str, str]] = []
    for field in FIELDS:
        if not field.dc or field.csl not in item:
            continue
        if field.csl == "author":
            out += [(field.dc, name_text(n)) for n in names(item)]
        elif field.csl == "issued":
            value = iso_date(item)
            if value:
                out += [(field.dc, value), ("dcterms.created", value)]
        else:
            out.append((field.dc, str(item[field.csl])))
    # The Zotero type name: its Embedded Metadata translator reads DC.type as the item type.
    out.append(("DC.type", type_row(item).zotero))
    return out


# ---------------------------------------------------------------- COinS (OpenURL 1.0 KEV in a span)


def coins(item: dict[str, Any]) -> str:
    """The ContextObject for a COinS span's title attribute."""
    row = type_row(item)
    fmt, genre = row.openurl
    pairs: list[tuple[str, str]] = [
        ("ctx_ver", "Z39.88-2004"),
        ("rft_val_fmt", f"info:ofi/fmt:kev:mtx:{fmt}"),
        ("rft.genre", genre),
    ]
    for field in FIELDS:
        if not field.openurl or field.csl not in item:
            continue
        key = field.openurl
        if key == "rft.btitle" and fmt == "journal":
            key = "rft.atitle"
        if field.csl == "author":
            pairs += [(key, name_text(n)) for n in names(item)]
        elif field.csl == "issued":
            value = iso_date(item)
            if value:
                pairs.append((key, value))
        elif field.csl == "URL":
            pairs.append(("rft_id", str(item["URL"])))
            pairs.append(("rft.identifier", str(item["URL"])))
        else:
            pairs.append((key, str(item[field.csl])))
    return "&".join(f"{k}={quote(v, safe='')}" for k, v in pairs)


# ---------------------------------------------------------------- BibTeX and RIS

_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def bibtex_escape(text: str) -> str:
    """Text safe in a braced BibTeX field (UTF-8 kept: biblatex and BibTeX 8-bit read it)."""
    return "".join(_BIBTEX_SPECIAL.get(ch, ch) for ch in text)


def bibtex_key(item: dict[str, Any]) -> str:
    """A citation key made of the record id's safe characters."""
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_:") else "-" for ch in str(item["id"]))


def bibtex(item: dict[str, Any]) -> str:
    """One BibTeX entry for this record (biblatex field names where BibTeX has none)."""
    row = type_row(item)
    fields: list[tuple[str, str]] = []
    for field in FIELDS:
        if not field.bibtex or field.csl not in item:
            continue
        if field.csl == "author":
            # Organisations in double braces, so BibTeX never splits them into given and family names.
            parts = [
                "{" + bibtex_escape(n["literal"]) + "}" if "literal" in n else bibtex_escape(name_text(n))
                for n in names(item)
            ]
            fields.append(("author", " and ".join(parts)))
        elif field.csl == "issued":
            parts = date_parts(item)
            if parts:
                fields.append(("year", str(parts[0])))
                if len(parts) > 1:
                    fields.append(("month", _MONTHS[parts[1] - 1]))
                fields.append(("date", iso_date(item) or ""))
        elif field.csl == "publisher" and row.bibtex == "techreport":
            fields.append(("institution", bibtex_escape(str(item["publisher"]))))
        elif field.csl == "URL":
            fields.append(("url", str(item["URL"])))
        else:
            fields.append((field.bibtex, bibtex_escape(str(item[field.csl]))))
    body = ",\n".join(
        f"  {name} = {value}" if name == "month" else f"  {name} = {{{value}}}" for name, value in fields
    )
    return f"@{row.bibtex}{{{bibtex_key(item)},\n{body}\n}}\n"


def ris(item: dict[str, Any]) -> str:
    """One RIS record (CRLF-free, one tag per line, "ER" closes it)."""
    row = type_row(item)
    lines = [("TY", row.ris)]
    for field in FIELDS:
        if not field.ris or field.csl not in item:
            continue
        if field.csl == "author":
            lines += [("AU", name_text(n)) for n in names(item)]
        elif field.csl == "issued":
            parts = date_parts(item)
            if parts:
                lines.append(("PY", str(parts[0])))
                lines.append(("DA", "/".join([f"{parts[0]:04d}", *[f"{p:02d}" for p in parts[1:]]])))
        else:
            # RIS is line based: a value never spans lines.
            lines.append((field.ris, " ".join(str(item[field.csl]).split())))
    lines.append(("ER", ""))
    # Every line is "TAG  - value", the closing one included ("ER  - "), as the RIS specification writes it.
    return "".join(f"{tag}  - {value}\n" for tag, value in lines)


def csl_json(items: list[dict[str, Any]]) -> str:
    """The records as a CSL-JSON file (only CSL variables, stable key order)."""
    return json.dumps([csl_only(i) for i in items], ensure_ascii=False, indent=2, sort_keys=True) + "\n"
