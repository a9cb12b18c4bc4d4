"""The package document (content.opf): metadata through a crosswalk from the edition, manifest, spine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from archivekit.model import Document
from archivekit.model import crosswalk as cw
from archivekit.model.colophon import edition_csl
from archivekit.writers.epub.a11y import Meta

OPF_NS = "http://www.idpf.org/2007/opf"
DC_NS = "http://purl.org/dc/elements/1.1/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
BIBLIOGRAPHY_FILE = "bibliography.json"
CSL_MEDIA_TYPE = "application/vnd.citationstyles.csl+json"


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

    modified: str  # dcterms:modified, from SOURCE_DATE_EPOCH
    print_source: str | None  # the archival PDF the page-list comes from, when there is one


def modified(epoch: int) -> str:
    """dcterms:modified (UTC, seconds) from SOURCE_DATE_EPOCH."""
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _titles(doc: Document, c: Context) -> list[Meta]:
    ed = doc.edition
    main_lang, main = ed.title.values[0]
    rows = [Meta("dc:title", main, lang=main_lang, id="title"), Meta("title-type", "main", refines="#title")]
    rows += [
        Meta("alternate-script", text, lang=lang, refines="#title") for lang, text in ed.title.values[1:]
    ]
    return rows


def _creator(doc: Document, c: Context) -> list[Meta]:
    ed = doc.edition
    lang, name = ed.creator.values[0]
    rows = [Meta("dc:creator", name, lang=lang, id="creator")]
    rows.append(Meta("role", ed.creator_role, refines="#creator"))
    rows += [
        Meta("alternate-script", text, lang=lg, refines="#creator") for lg, text in ed.creator.values[1:]
    ]
    return rows


def _part_creators(doc: Document, c: Context) -> list[Meta]:
    """Parts by another author than the edition's: each author a dc:creator of its own, with its role.

    A part's own date has no place here (the package has one dc:date, the edition's); it stays in
    the part's metadata in the model and the HTML edition.
    """
    ed = doc.edition
    specs = {spec.id: spec for spec in ed.parts}
    rows: list[Meta] = []
    seen = {ed.creator.first()}
    for part in doc.parts:
        if part.creator is None or part.creator.first() in seen:
            continue
        seen.add(part.creator.first())
        ident = f"creator-{part.id}"
        lang, name = part.creator.values[0]
        rows.append(Meta("dc:creator", name, lang=lang, id=ident))
        spec = specs.get(part.id)
        rows.append(Meta("role", spec.creator_role if spec else "aut", refines=f"#{ident}"))
        rows += [
            Meta("alternate-script", text, lang=lg, refines=f"#{ident}")
            for lg, text in part.creator.values[1:]
        ]
    return rows


def _langtext(prop: str) -> Callable[[Document, Context], list[Meta]]:
    def rows(doc: Document, c: Context) -> list[Meta]:
        value = {
            "dc:rights": doc.edition.rights,
            "dc:description": doc.edition.description,
            "dc:publisher": doc.edition.publisher,
            "schema:bookEdition": doc.edition.statement,
        }[prop]
        return [Meta(prop, text, lang=lang) for lang, text in value.values] if value else []

    return rows


def _type(doc: Document, c: Context) -> list[Meta]:
    """dc:type as the crosswalk names the edition's CSL type (from its parts' roles and edition.yaml)."""
    record = edition_csl(doc.edition, dt.date.fromisoformat(c.modified[:10]))
    return [Meta(prop, value) for prop, value, _ in cw.package_fields(record, "opf") if prop == "dc:type"]


def _source(doc: Document, c: Context) -> list[Meta]:
    if not c.print_source:
        return []
    return [
        Meta("dc:source", c.print_source, id="print-source"),
        Meta("source-of", "pagination", refines="#print-source"),
    ]


def _related(doc: Document, c: Context) -> list[Meta]:
    """The works the notes cite: their addresses, and their CSL-JSON inside the EPUB."""
    rows = [Meta("dc:relation", str(item["URL"])) for item in doc.bibliography if item.get("URL")]
    if doc.bibliography:
        rows.append(Meta("dcterms:references", href=BIBLIOGRAPHY_FILE, media_type=CSL_MEDIA_TYPE))
    return rows


# The crosswalk: edition field -> package metadata, one row per field, in the order they are written.
CROSSWALK: tuple[tuple[str, Callable[[Document, Context], list[Meta]]], ...] = (
    (
        "id -> dc:identifier (urn:uuid)",
        lambda d, c: [Meta("dc:identifier", d.edition.identifier, id="pub-id")],
    ),
    ("title -> dc:title + alternate-script", _titles),
    ("creator -> dc:creator + role (MARC relator) + alternate-script", _creator),
    ("parts' own creators -> dc:creator + role + alternate-script", _part_creators),
    # As precise as the sources give it: a year stays a year (never a made-up 1 January).
    (
        "date (of the text) -> dc:date",
        lambda d, c: [Meta("dc:date", d.edition.date_text or d.edition.date.isoformat())],
    ),
    ("type (parts' roles, model.crosswalk) -> dc:type", _type),
    ("languages -> dc:language", lambda d, c: [Meta("dc:language", lg) for lg in d.edition.languages]),
    ("publisher -> dc:publisher", _langtext("dc:publisher")),
    ("description -> dc:description", _langtext("dc:description")),
    ("rights -> dc:rights", _langtext("dc:rights")),
    ("statement -> schema:bookEdition", _langtext("schema:bookEdition")),
    ("version -> schema:version", lambda d, c: [Meta("schema:version", d.edition.version)]),
    ("SOURCE_DATE_EPOCH -> dcterms:modified", lambda d, c: [Meta("dcterms:modified", c.modified)]),
    ("archival PDF (page-list) -> dc:source + source-of pagination", _source),
    ("bibliography -> dc:relation + dcterms:references link", _related),
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
    for _, rows in CROSSWALK:
        for row in rows(doc, ctx):
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
