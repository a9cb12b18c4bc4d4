"""One XMP packet builder for every PDF archivekit writes (archival PDF/A, print PDF/X, booklet).

The edition's description comes from model.crosswalk's XMP column (one row per field), read from the
edition's package record (model.crosswalk.edition); what describes the file rather than the work (dates,
tool, producer, document ids, PDF/A, PDF/UA and PDF/X identification) is the writer's `Stamp`. Values
are set through pikepdf's XMP editor (`XmpDocument`, what `Pdf.open_metadata` edits with); two things it
cannot write are made first, with lxml, in the packet it then edits: the other languages of a language
alternative (pikepdf sets the x-default item and keeps the others) and the PDF/A extension-schema block
describing pdfuaid, a fixed template. The Info dictionary is written from the same values, so PDF/A's
rule that present Info entries equal their XMP counterparts holds by construction.

Here, not in a writer, so that the archival and the print writer share it without importing each
other; like the rest of archivekit.typeset it imports only archivekit.model, lxml and pikepdf.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from lxml import etree
from pikepdf import Dictionary, Name, Pdf, String
from pikepdf.models.metadata import XMP_NS_PDFX_ID, XMP_SCHEMA, XmpContainerType, XmpDocument

from archivekit.model import crosswalk as cw

# Our own template, parsed like every XML archivekit reads: no entities, no DTD, no network.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NS = {
    "x": "adobe:ns:meta/",
    "rdf": RDF,
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "xmpMM": "http://ns.adobe.com/xap/1.0/mm/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
    "pdfxid": XMP_NS_PDFX_ID,
    "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
    "pdfd": "http://pdfa.org/declarations/",
}

# pdfuaid is no schema PDF/A predefines: a PDF/A file that uses it describes it here (ISO 19005-2 6.6.2.3).
PDFUAID_EXTENSION = """<pdfaExtension:schemas xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
 xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#"
 xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Bag><rdf:li rdf:parseType="Resource">
<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
<pdfaProperty:name>part</pdfaProperty:name>
<pdfaProperty:valueType>Integer</pdfaProperty:valueType>
<pdfaProperty:category>internal</pdfaProperty:category>
<pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>
</rdf:li></rdf:Seq></pdfaSchema:property>
</rdf:li></rdf:Bag></pdfaExtension:schemas>"""


@dataclass(frozen=True)
class Stamp:
    """What the packet says about this file rather than the work: dates, software, ids, conformance."""

    created: dt.datetime
    creator_tool: str
    producer: str
    document_id: str
    instance_id: str | None = None
    # Identification properties in packet order, e.g. ("pdfaid:part", "2"), ("pdfxid:GTS_PDFXVersion", ...).
    claims: tuple[tuple[str, str], ...] = ()
    trapped: bool | None = None  # pdf:Trapped and /Trapped (PDF/X asks for it)
    # PDF Declarations (pdfd:declarations): the URI of each standard or profile the file declares.
    declarations: tuple[str, ...] = ()
    info: bool = True  # an Info dictionary mirroring the packet (PDF/A-4 wants none: XMP only)


def xmp_date(moment: dt.datetime) -> str:
    """An XMP date in UTC, the same instant as pdf_date()."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def pdf_date(moment: dt.datetime) -> str:
    """A PDF date string (Info dictionary) in UTC."""
    return moment.strftime("D:%Y%m%d%H%M%S+00'00'")


def _qname(prop: str) -> str:
    prefix, local = prop.split(":", 1)
    return f"{{{NS.get(prefix) or XmpDocument.NS[prefix]}}}{local}"


def _container(prop: str) -> XmpContainerType | None:
    known = XMP_SCHEMA.get(_qname(prop))
    return known.container if known else None


def description(record: dict[str, Any]) -> dict[str, list[tuple[str, str | None]]]:
    """The record's XMP properties (model.crosswalk, XMP column): property -> [(value, language)]."""
    out: dict[str, list[tuple[str, str | None]]] = {}
    for p in cw.package_fields(record, "xmp"):
        values = out.setdefault(p.prop, [])
        if (p.value, p.lang) not in values:
            values.append((p.value, p.lang))
    return out


def _base_packet(
    props: dict[str, list[tuple[str, str | None]]],
    claims: Sequence[tuple[str, str]],
    declarations: Sequence[str] = (),
) -> bytes:
    """The packet pikepdf edits: language alternatives in every language, the extension block and
    the PDF Declarations."""
    root = etree.Element(f"{{{NS['x']}}}xmpmeta", nsmap={"x": NS["x"]})
    rdf = etree.SubElement(root, f"{{{RDF}}}RDF", nsmap={"rdf": RDF})
    used = {p.split(":")[0] for p in props} | {k.split(":")[0] for k, _ in claims} | {"xmp", "pdf", "xmpMM"}
    if declarations:
        used.add("pdfd")
    desc = etree.SubElement(
        rdf,
        f"{{{RDF}}}Description",
        {f"{{{RDF}}}about": ""},
        nsmap={p: NS[p] for p in sorted(used) if p in NS},
    )
    for prop, values in props.items():
        if _container(prop) != XmpContainerType.ALT or len(values) < 2:
            continue
        alt = etree.SubElement(etree.SubElement(desc, _qname(prop)), f"{{{RDF}}}Alt")
        for text, lang in values:
            if lang:
                etree.SubElement(alt, f"{{{RDF}}}li", {XML_LANG: lang}).text = text
    if any(key.startswith("pdfaid:") for key, _ in claims) and any(
        k.startswith("pdfuaid:") for k, _ in claims
    ):
        desc.append(etree.fromstring(PDFUAID_EXTENSION, _PARSER))
    if declarations:
        # PDF Declarations 7.2: an unordered array of declarations, each with its pdfd:conformsTo URI.
        bag = etree.SubElement(etree.SubElement(desc, f"{{{NS['pdfd']}}}declarations"), f"{{{RDF}}}Bag")
        for uri in declarations:
            item = etree.SubElement(bag, f"{{{RDF}}}li", {f"{{{RDF}}}parseType": "Resource"})
            etree.SubElement(item, f"{{{NS['pdfd']}}}conformsTo").text = uri
    return bytes(etree.tostring(root, encoding="utf-8"))


def write_metadata(pdf: Pdf, record: dict[str, Any], stamp: Stamp) -> dict[str, str]:
    """Write the XMP packet and the matching Info dictionary; returns the Info entries written."""
    props = description(record)
    base = _base_packet(props, stamp.claims, stamp.declarations)
    packet = _packet(base, tuple(_settings(props, stamp)))
    pdf.Root.Metadata = pdf.make_stream(packet, Type=Name.Metadata, Subtype=Name.XML)
    info = info_entries(props, stamp)
    if not stamp.info:
        if "/Info" in pdf.trailer:
            del pdf.trailer.Info
        return {}
    entries: dict[str, Any] = {k: String(v) for k, v in info.items()}
    if stamp.trapped is not None:
        entries["/Trapped"] = Name("/True" if stamp.trapped else "/False")
    for key, value in stamp.claims:
        if key == "pdfxid:GTS_PDFXVersion":
            entries["/GTS_PDFXVersion"] = String(value)
    pdf.trailer.Info = pdf.make_indirect(Dictionary(entries))
    return info


# A resident process (watch) writes the same description into every rebuild of an edition (an
# edit changes the text, not the record), and pikepdf's editing was a tenth of a PDF's finishing.
@lru_cache(maxsize=64)
def _packet(base: bytes, settings: tuple[tuple[str, str | tuple[str, ...]], ...]) -> bytes:
    """The base packet with these properties set by pikepdf's XMP editor, strictly."""
    xmp = XmpDocument(base, overwrite_invalid_xml=False)
    for prop, value in settings:
        xmp.set_value(prop, list(value) if isinstance(value, tuple) else value)
    return xmp.to_bytes()


def _settings(
    props: dict[str, list[tuple[str, str | None]]], stamp: Stamp
) -> Iterator[tuple[str, str | tuple[str, ...]]]:
    """What pikepdf sets in the packet, in order: the description, then what the stamp says."""
    yield "dc:format", "application/pdf"
    for prop, values in props.items():
        kind = _container(prop)
        texts = tuple(text for text, _ in values)
        if kind in (XmpContainerType.BAG, XmpContainerType.SEQ):
            yield prop, texts
        else:
            # An Alt's x-default is the first (main) language; a simple property has one value.
            yield prop, texts[0]
    when = xmp_date(stamp.created)
    yield "xmp:CreateDate", when
    yield "xmp:ModifyDate", when
    yield "xmp:MetadataDate", when
    yield "xmp:CreatorTool", stamp.creator_tool
    yield "pdf:Producer", stamp.producer
    if stamp.trapped is not None:
        yield "pdf:Trapped", "True" if stamp.trapped else "False"
    yield "xmpMM:DocumentID", stamp.document_id
    if stamp.instance_id:
        yield "xmpMM:InstanceID", stamp.instance_id
    yield from stamp.claims


def info_entries(props: dict[str, list[tuple[str, str | None]]], stamp: Stamp) -> dict[str, str]:
    """The Info entries, each equal to its XMP counterpart (Author only for a single dc:creator)."""
    moment = pdf_date(stamp.created)
    out = {"/Title": props["dc:title"][0][0]}
    creators = props.get("dc:creator", [])
    if len(creators) == 1:
        out["/Author"] = creators[0][0]
    if props.get("dc:description"):
        out["/Subject"] = props["dc:description"][0][0]
    out |= {
        "/Creator": stamp.creator_tool,
        "/Producer": stamp.producer,
        "/CreationDate": moment,
        "/ModDate": moment,
    }
    return out
