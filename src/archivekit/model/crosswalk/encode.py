"""One encoder per target format: each walks the table's rows and writes the values in its own syntax.

The encoders know syntax (how a name, a date or a page range is spelled in BibTeX or a KEV), never
which field goes where: that is model.crosswalk.table. A field a format has by design no place for is
a documented NotCarried cell of the table; any other field without a cell is logged as a warning
(values.warn_unmapped), never dropped silently.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, NamedTuple
from urllib.parse import quote

from archivekit.model.crosswalk.table import FIELDS, FieldRow, NotCarried
from archivekit.model.crosswalk.values import (
    creators,
    csl_type,
    date_parts,
    iso_date,
    name_text,
    page_range,
    present,
    scalar,
    translated_titles,
    type_row,
    warn_unknown,
    warn_unmapped,
)


def rows(item: dict[str, Any], fmt: str) -> Iterator[tuple[FieldRow, str]]:
    """(row, target name) for every field the record has and `fmt` has a place for.

    A documented "not carried" cell is skipped silently; a cell the table leaves open warns.
    """
    kind = csl_type(item)
    warn_unknown(item)
    for row in FIELDS:
        if not present(item, row.csl):
            continue
        target = row.target(fmt, kind)
        if isinstance(target, NotCarried):
            continue
        if target is None:
            warn_unmapped(item, fmt, row.csl)
            continue
        yield row, target


def texts(item: dict[str, Any], row: FieldRow) -> list[str]:
    """The field's values as plain text (names "Family, Given", dates ISO 8601, one page range)."""
    if row.kind == "names":
        return [name_text(n) for n in creators(item)]
    if row.kind == "date":
        value = iso_date(item)
        return [value] if value else []
    if row.kind == "title-translations":
        return [text for _, text in translated_titles(item)]
    value = item.get(row.csl)
    if isinstance(value, list):
        # A package record lists some values (an edition holds several languages).
        return [str(v) for v in value if v not in (None, "")]
    value = scalar(item, row.csl)
    return [value] if value is not None else []


# ---------------------------------------------------------------- Highwire Press citation_*


def _pages(item: dict[str, Any], first_key: str, last_key: str) -> list[tuple[str, str]]:
    """The first page under `first_key` and, when the pages are a range, the last under `last_key`."""
    first, last = page_range(item) or ("", None)
    return [(first_key, first), (last_key, last)] if last else [(first_key, first)]


def highwire(item: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, content) Highwire `citation_*` pairs for this record."""
    out: list[tuple[str, str]] = []
    for row, name in rows(item, "highwire"):
        if row.kind == "date":
            # Google Scholar documents YYYY/MM/DD.
            out.append(
                (name, "/".join(f"{p:02d}" if i else f"{p:04d}" for i, p in enumerate(date_parts(item))))
            )
        elif row.kind == "pages":
            out += _pages(item, name, "citation_lastpage")
        else:
            out += [(name, value) for value in texts(item, row)]
    return out


def highwire_reference(item: dict[str, Any]) -> str:
    """One `citation_reference` value: the cited work's own citation_* pairs joined by "; "."""
    return "; ".join(f"{name}={value}" for name, value in highwire(item))


# ---------------------------------------------------------------- Dublin Core (DC.* elements, dcterms.*)


def bibliographic_citation(item: dict[str, Any], parts: list[tuple[str, str]]) -> str:
    """dcterms:bibliographicCitation for what DC has no element of (container, volume, page)."""
    labels = {"container-title": "{}", "volume": "vol. {}", "number": "no. {}", "page": "p. {}"}
    return ", ".join(labels.get(field, "{}").format(value) for field, value in parts)


def dublin_core(item: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    """(name, content, language) Dublin Core meta for this record, DC.type the Zotero item type."""
    out: list[tuple[str, str, str | None]] = []
    citation: list[tuple[str, str]] = []
    for row, name in rows(item, "dc"):
        if name == "dcterms.bibliographicCitation":
            citation += [(row.csl, value) for value in texts(item, row)]
        elif row.kind == "title-translations":
            out += [(name, text, lang) for lang, text in translated_titles(item)]
        else:
            out += [(name, value, None) for value in texts(item, row)]
    order = ("container-title", "volume", "number", "page")
    citation.sort(key=lambda pair: order.index(pair[0]) if pair[0] in order else len(order))
    if citation:
        out.append(("dcterms.bibliographicCitation", bibliographic_citation(item, citation), None))
    # Zotero's Embedded Metadata translator reads DC.type as the item type.
    out.append(("DC.type", type_row(item).zotero, None))
    return out


# ---------------------------------------------------------------- COinS (OpenURL 1.0 KEV in a span)


def coins(item: dict[str, Any]) -> str:
    """The ContextObject for a COinS span's title attribute."""
    fmt, genre = type_row(item).coins
    pairs: list[tuple[str, str]] = [
        ("ctx_ver", "Z39.88-2004"),
        ("rft_val_fmt", f"info:ofi/fmt:kev:mtx:{fmt}"),
        ("rft.genre", genre),
    ]
    for row, key in rows(item, "coins"):
        if row.kind == "names":
            # Organisations (literal names) are rft.aucorp, persons rft.au, as the KEV matrices define.
            pairs += [("rft.aucorp" if "literal" in n else key, name_text(n)) for n in creators(item)]
        elif row.kind == "pages":
            pairs += _pages(item, key, "rft.epage")
        else:
            pairs += [(key, value) for value in texts(item, row)]
            if key == "rft.btitle" and (fmt, genre) == ("book", "document"):
                # The book matrix's `title` (its OpenURL 0.1 name for btitle) too: Zotero's OpenURL
                # reader takes a book/document's title only from rft.title, and drops a span with none.
                pairs += [("rft.title", value) for value in texts(item, row)]
    return "&".join(f"{k}={quote(v, safe='')}" for k, v in pairs)


# ---------------------------------------------------------------- schema.org JSON-LD


def schema_person(name: dict[str, Any], *, body: bool = False) -> dict[str, Any]:
    """A CSL name as a schema.org Person (family/given), an Organization (an issuing body), or a name.

    A literal name says nothing of who bears it (a person's name written as the source writes it, or
    an institution's), so it is a name with no guessed @type, as a part's own author is; only an
    authority, an issuing body by definition, is an Organization.
    """
    if "literal" in name:
        return {"@type": "Organization", "name": name["literal"]} if body else {"name": name["literal"]}
    person: dict[str, Any] = {"@type": "Person", "name": name_text(name, inverted=False)}
    if name.get("family"):
        person["familyName"] = name["family"]
    if name.get("given"):
        person["givenName"] = name["given"]
    return person


def schema_work(item: dict[str, Any], *, node_id: str | None = None) -> dict[str, Any]:
    """A CSL record as a schema.org CreativeWork (or subtype) node."""
    node: dict[str, Any] = {"@type": type_row(item).schema}
    if node_id:
        node["@id"] = node_id
    for row, prop in rows(item, "schema"):
        values = texts(item, row)
        if row.kind == "names":
            issuers = not item.get("author")  # creators() gives the authority when there is no author
            node[prop] = [schema_person(n, body=issuers) for n in creators(item)]
        elif row.kind == "title-translations":
            node[prop] = [{"@value": text, "@language": lang} for lang, text in translated_titles(item)]
        elif row.csl == "publisher":
            node[prop] = {"@type": "Organization", "name": values[0]}
        elif row.csl in ("container-title", "collection-title"):
            # A container is a periodical or book of its own; volume and pages stay on the item.
            node.setdefault(prop, []).append({"@type": "CreativeWork", "name": values[0]})
        elif row.kind == "pages":
            first, last = page_range(item) or ("", None)
            node[prop] = first
            if last:
                node["pageEnd"] = last
            node["pagination"] = values[0]
        elif prop == "identifier":
            node[prop] = {"@type": "PropertyValue", "propertyID": "number", "value": values[0]}
        elif row.csl == "DOI":
            node[prop] = f"https://doi.org/{values[0]}"
        else:
            node[prop] = values[0]
    return node


def script_json(data: Any) -> str:
    """JSON safe inside an HTML <script> data block: no "</script", no "<!--" can appear in it."""
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# ---------------------------------------------------------------- BibTeX (biblatex) and RIS

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
    """One biblatex entry for this record (year and month too, for plain BibTeX styles)."""
    fields: list[tuple[str, str]] = []
    for row, name in rows(item, "bibtex"):
        if row.kind == "names":
            # Organisations in double braces, so BibTeX never splits them into given and family names.
            people = [
                "{" + bibtex_escape(n["literal"]) + "}" if "literal" in n else bibtex_escape(name_text(n))
                for n in creators(item)
            ]
            fields.append((name, " and ".join(people)))
        elif row.kind == "date":
            parts = date_parts(item)
            fields.append(("year", str(parts[0])))
            if len(parts) > 1:
                fields.append(("month", _MONTHS[parts[1] - 1]))
            fields.append((name, iso_date(item) or ""))
        elif row.kind == "pages":
            first, last = page_range(item) or ("", None)
            fields.append((name, f"{first}--{last}" if last else first))
        elif row.csl in ("URL", "DOI"):
            fields.append((name, texts(item, row)[0]))
        else:
            fields.append((name, bibtex_escape(texts(item, row)[0])))
    body = ",\n".join(
        f"  {name} = {value}" if name == "month" else f"  {name} = {{{value}}}" for name, value in fields
    )
    return f"@{type_row(item).bibtex}{{{bibtex_key(item)},\n{body}\n}}\n"


def ris(item: dict[str, Any]) -> str:
    """One RIS record (one tag per line, "ER" closes it)."""
    lines = [("TY", type_row(item).ris)]
    for row, tag in rows(item, "ris"):
        if row.kind == "date":
            parts = date_parts(item)
            lines.append(("PY", str(parts[0])))
            lines.append((tag, "/".join([f"{parts[0]:04d}", *[f"{p:02d}" for p in parts[1:]]])))
        elif row.kind == "pages":
            lines += _pages(item, tag, "EP")
        else:
            # RIS is line based: a value never spans lines.
            lines += [(tag, " ".join(value.split())) for value in texts(item, row)]
    lines.append(("ER", ""))
    # Every line is "TAG  - value", the closing one included ("ER  - "), as the RIS specification writes it.
    return "".join(f"{tag}  - {value}\n" for tag, value in lines)


# ---------------------------------------------------------------- OPF, XMP, PREMIS (package vocabularies)


class Prop(NamedTuple):
    """One package property: its name, value, language, and refinements (OPF refines; others ignore)."""

    prop: str
    value: str
    lang: str | None = None
    refines: tuple[tuple[str, str, str | None], ...] = ()


TYPE_PROPERTY = {"opf": "dc:type", "xmp": "dc:type", "premis": "type"}


def _main_lang(item: dict[str, Any], field: str) -> str | None:
    return ((item.get("multi") or {}).get("main") or {}).get(field)


def _other_langs(item: dict[str, Any], field: str) -> list[tuple[str, str]]:
    keys = ((item.get("multi") or {}).get("_keys") or {}).get(field) or {}
    return [(str(lang), str(text)) for lang, text in sorted(keys.items()) if text]


def package_fields(item: dict[str, Any], fmt: str) -> list[Prop]:
    """The record's properties in a package vocabulary (opf, xmp, premis), as the table places them.

    A field's values in other languages (CSL-JSON `multi`) follow it under the same property, except
    translated titles, whose cell may name a refinement of the title (OPF alternate-script) instead.
    Names carry their MARC role and other-script forms as refinements. dc:type is the type row's.
    """
    out: list[Prop] = []
    title_at: int | None = None
    for row, prop in rows(item, fmt):
        if row.kind == "title-translations":
            titles = translated_titles(item)
            if prop == next(r for r in FIELDS if r.csl == "title").target(fmt, csl_type(item)):
                out += [Prop(prop, text, lang) for lang, text in titles]
            elif title_at is not None:
                main = out[title_at]
                out[title_at] = main._replace(refines=main.refines + tuple((prop, t, lg) for lg, t in titles))
        elif row.kind == "names":
            for name in creators(item):
                refines: list[tuple[str, str, str | None]] = []
                if name.get("role"):
                    refines.append(("role", str(name["role"]), None))
                for lang, other in sorted(((name.get("multi") or {}).get("_key") or {}).items()):
                    refines.append(("alternate-script", name_text(other, inverted=False), str(lang)))
                out.append(Prop(prop, name_text(name, inverted=False), name.get("lang"), tuple(refines)))
        else:
            if row.csl == "title":
                title_at = len(out)
            out += [Prop(prop, value, _main_lang(item, row.csl)) for value in texts(item, row)]
            if row.csl != "title":
                out += [Prop(prop, text, lang) for lang, text in _other_langs(item, row.csl)]
    out.append(Prop(TYPE_PROPERTY[fmt], type_row(item).zotero))
    return out


def _as_refinement(prop: str) -> str:
    """A DC element as an EPUB meta property: the DCMI term of that name (dc:title -> dcterms:title)."""
    return "dcterms:" + prop[3:] if prop.startswith("dc:") else prop


def opf_reference(item: dict[str, Any]) -> Prop:
    """A cited work in the package metadata: dcterms:references (its title) refined by its other fields.

    Every property comes from the table's OPF column; DC elements become their DCMI terms, since an
    EPUB refinement is a meta property, not an element.
    """
    fields = package_fields(item, "opf")
    title = next(p for p in fields if p.prop == "dc:title")
    refines: list[tuple[str, str, str | None]] = [(_as_refinement(r[0]), r[1], r[2]) for r in title.refines]
    for p in fields:
        if p is not title:
            refines.append((_as_refinement(p.prop), p.value, p.lang))
    return Prop("dcterms:references", title.value, title.lang, tuple(refines))
