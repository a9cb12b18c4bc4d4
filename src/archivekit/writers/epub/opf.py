"""The package document (content.opf): metadata through a crosswalk from the edition, manifest, spine."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lxml import etree

from archivekit import clock
from archivekit.model import Document
from archivekit.model import crosswalk as cw
from archivekit.model.crosswalk.edition import edition_record
from archivekit.writers.epub.a11y import Meta

OPF_NS = "http://www.idpf.org/2007/opf"
DC_NS = "http://purl.org/dc/elements/1.1/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
BIBLIOGRAPHY_FILE = "bibliography.json"
CSL_MEDIA_TYPE = "application/vnd.citationstyles.csl+json"
# Prefixes the crosswalk's OPF column uses beyond EPUB's reserved ones (dcterms, schema, marc...).
PREFIXES = {"prism": "http://prismstandard.org/namespaces/basic/3.0/"}


@dataclass(frozen=True)
class Item:
    """A manifest item."""

    href: str
    media_type: str
    properties: tuple[str, ...] = ()
    spine: bool = False
    linear: bool = True

    @property
    def id(self) -> str:
        stem = self.href.rsplit(".", 1)[0].replace("/", "-").replace(".", "-")
        return f"i-{stem}"


@dataclass(frozen=True)
class Context:
    """What the crosswalk may read besides the document."""

    epoch: int  # SOURCE_DATE_EPOCH: dcterms:modified and the edition record's date
    print_source: str | None  # the archival PDF the page-list comes from, when there is one

    @property
    def modified(self) -> str:
        """dcterms:modified (UTC, seconds)."""
        return clock.utc_seconds(self.epoch)


def _record(doc: Document, c: Context) -> dict[str, Any]:
    return edition_record(doc.edition, clock.day(c.epoch))


def _safe_id(text: str) -> str:
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "-" for ch in text)


def _props(props: list[cw.Prop], ids: dict[str, str], seen: dict[str, int]) -> list[Meta]:
    """Package properties as metas, refinements pointing at their property's id."""
    rows: list[Meta] = []
    for p in props:
        ident = None
        if p.refines or p.prop in ids:
            base = ids.get(p.prop) or _safe_id(p.prop.split(":")[-1])
            seen[base] = seen.get(base, 0) + 1
            ident = base if seen[base] == 1 else f"{base}-{seen[base]}"
        rows.append(Meta(p.prop, p.value, lang=p.lang, id=ident))
        if p.prop == "dc:title" and ident == "title":
            rows.append(Meta("title-type", "main", refines="#title"))
        rows += [Meta(prop, value, lang=lang, refines=f"#{ident}") for prop, value, lang in p.refines]
    return rows


# Ids the package document's own structure needs: unique-identifier, the main title, the creator.
_IDS = {"dc:identifier": "pub-id", "dc:title": "title", "dc:creator": "creator"}


def _edition(doc: Document, c: Context) -> list[Meta]:
    """The edition's own record through the crosswalk's OPF column (model.crosswalk.edition)."""
    props = cw.package_fields(_record(doc, c), "opf")
    # The unique identifier first, as reading systems expect.
    props.sort(key=lambda p: p.prop != "dc:identifier")
    return _props(props, _IDS, {})


def _source(doc: Document, c: Context) -> list[Meta]:
    if not c.print_source:
        return []
    return [
        Meta("dc:source", c.print_source, id="print-source"),
        Meta("source-of", "pagination", refines="#print-source"),
    ]


def _related(doc: Document, c: Context) -> list[Meta]:
    """The works the notes cite: each a dcterms:references refined by its fields (the crosswalk's
    OPF column), and their CSL-JSON inside the EPUB."""
    seen: dict[str, int] = {}
    rows: list[Meta] = []
    for item in doc.bibliography:
        ref = cw.opf_reference(item)
        rows += _props([ref], {"dcterms:references": f"cite-{_safe_id(str(item['id']))}"}, seen)
    if doc.bibliography:
        rows.append(Meta("dcterms:references", href=BIBLIOGRAPHY_FILE, media_type=CSL_MEDIA_TYPE))
    return rows


# What the package metadata holds, in the order it is written. The edition's description and every
# cited work come from model.crosswalk (one row per field, a column per format); the rest is the
# package's own bookkeeping.
CROSSWALK: tuple[tuple[str, Callable[[Document, Context], list[Meta]]], ...] = (
    ("edition record (model.crosswalk, OPF column)", _edition),
    ("SOURCE_DATE_EPOCH -> dcterms:modified", lambda d, c: [Meta("dcterms:modified", c.modified)]),
    ("archival PDF (page-list) -> dc:source + source-of pagination", _source),
    (
        "bibliography (model.crosswalk, OPF column) -> dcterms:references + refinements, CSL-JSON link",
        _related,
    ),
)


def package(doc: Document, ctx: Context, a11y: list[Meta], items: list[Item]) -> bytes:
    """content.opf bytes for this document, accessibility metadata and manifest items."""
    nsmap = {None: OPF_NS, "dc": DC_NS}
    root = etree.Element(f"{{{OPF_NS}}}package", nsmap=nsmap)
    root.set("version", "3.0")
    root.set("unique-identifier", "pub-id")
    root.set(XML_LANG, doc.edition.language)
    root.set("dir", "ltr")
    md = etree.SubElement(root, f"{{{OPF_NS}}}metadata")
    metas = [row for _, rows in CROSSWALK for row in rows(doc, ctx)]
    used = {row.property.split(":")[0] for row in metas if ":" in row.property}
    declared = [f"{prefix}: {uri}" for prefix, uri in PREFIXES.items() if prefix in used]
    if declared:
        root.set("prefix", " ".join(declared))
    for row in metas:
        _meta(md, row)
    for row in a11y:
        _meta(md, row)
    manifest = etree.SubElement(root, f"{{{OPF_NS}}}manifest")
    for item in items:
        node = etree.SubElement(manifest, f"{{{OPF_NS}}}item", id=item.id, href=item.href)
        node.set("media-type", item.media_type)
        if item.properties:
            node.set("properties", " ".join(item.properties))
    spine = etree.SubElement(root, f"{{{OPF_NS}}}spine")
    for item in items:
        if item.spine:
            ref = etree.SubElement(spine, f"{{{OPF_NS}}}itemref", idref=item.id)
            if not item.linear:
                ref.set("linear", "no")
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="utf-8") + b"\n"


def _meta(parent: etree._Element, row: Meta) -> None:
    if row.href is not None:
        node = etree.SubElement(parent, f"{{{OPF_NS}}}link", rel=row.property, href=row.href)
        if row.media_type:
            node.set("media-type", row.media_type)
        if row.refines:
            node.set("refines", row.refines)
        return
    if row.property.startswith("dc:"):
        node = etree.SubElement(parent, f"{{{DC_NS}}}{row.property[3:]}")
    else:
        node = etree.SubElement(parent, f"{{{OPF_NS}}}meta", property=row.property)
    if row.id:
        node.set("id", row.id)
    if row.refines:
        node.set("refines", row.refines)
    if row.property == "role":
        node.set("scheme", "marc:relators")
    if row.lang:
        node.set(XML_LANG, row.lang)
    node.text = row.value
