"""XMP metadata and the matching Info dictionary: one table of fields, written both ways.

PDF/A requires the Info entries that are present to equal their XMP counterparts (title =
dc:title x-default, Author = the single dc:creator, dates = xmp dates), so both are made
from the same values here. pdfuaid is not a schema PDF/A predefines, so it is described in a
pdfaExtension block.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from xml.sax.saxutils import escape

from archivekit import __version__
from archivekit.model import Document
from archivekit.model import crosswalk as cw
from archivekit.model.colophon import edition_csl
from archivekit.writers.pdf.profiles import Profile

NS = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
    "xmpMM": "http://ns.adobe.com/xap/1.0/mm/",
    "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
}


@dataclass(frozen=True)
class Fields:
    """The metadata values both XMP and the Info dictionary carry."""

    title: str
    titles: tuple[tuple[str, str], ...]
    creator: str
    description: str | None
    rights: tuple[tuple[str, str], ...]
    languages: tuple[str, ...]
    date: dt.date
    identifier: str
    created: dt.datetime
    creator_tool: str
    producer: str
    types: tuple[str, ...] = ()  # dc:type, as model.crosswalk names the edition's type


def fields(doc: Document, source_date_epoch: int, producer_libs: str) -> Fields:
    """The metadata of this edition, dated by the build clock."""
    ed = doc.edition
    return Fields(
        title=ed.title.first(),
        titles=ed.title.values,
        creator=ed.creator.first(),
        description=ed.description.first() if ed.description else None,
        rights=ed.rights.values,
        languages=ed.languages,
        date=ed.date,
        identifier=ed.identifier,
        created=dt.datetime.fromtimestamp(source_date_epoch, tz=dt.UTC),
        creator_tool=f"archivekit {__version__}",
        producer=f"archivekit {__version__} ({producer_libs})",
        types=dc_types(doc, dt.datetime.fromtimestamp(source_date_epoch, tz=dt.UTC).date()),
    )


def dc_types(doc: Document, built: dt.date) -> tuple[str, ...]:
    """dc:type values of the edition (from its parts' roles) as the crosswalk gives them for XMP."""
    record = edition_csl(doc.edition, built)
    return tuple(value for prop, value, _ in cw.package_fields(record, "xmp") if prop == "dc:type")


def pdf_date(moment: dt.datetime) -> str:
    """A PDF date string (Info dictionary) in UTC."""
    return moment.strftime("D:%Y%m%d%H%M%S+00'00'")


def xmp_date(moment: dt.datetime) -> str:
    """An XMP date in UTC, the same instant as pdf_date()."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _alt(values: tuple[tuple[str, str], ...]) -> str:
    items = [f'<rdf:li xml:lang="x-default">{escape(values[0][1])}</rdf:li>']
    items += [f'<rdf:li xml:lang="{escape(lang)}">{escape(text)}</rdf:li>' for lang, text in values]
    return "<rdf:Alt>" + "".join(items) + "</rdf:Alt>"


def _list(kind: str, values: tuple[str, ...]) -> str:
    return f"<rdf:{kind}>" + "".join(f"<rdf:li>{escape(v)}</rdf:li>" for v in values) + f"</rdf:{kind}>"


_PDFUAID_EXTENSION = """<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
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


def packet(f: Fields, profile: Profile) -> bytes:
    """The XMP packet for the catalog's /Metadata stream."""
    ns = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in NS.items())
    when = xmp_date(f.created)
    props = [
        "<dc:format>application/pdf</dc:format>",
        f"<dc:title>{_alt(f.titles)}</dc:title>",
        f"<dc:creator>{_list('Seq', (f.creator,))}</dc:creator>",
        f"<dc:language>{_list('Bag', f.languages)}</dc:language>",
        f"<dc:date>{_list('Seq', (f.date.isoformat(),))}</dc:date>",
        f"<dc:rights>{_alt(f.rights)}</dc:rights>",
        f"<dc:identifier>{escape(f.identifier)}</dc:identifier>",
        f"<dc:type>{_list('Bag', f.types)}</dc:type>",
        f"<xmp:CreateDate>{when}</xmp:CreateDate>",
        f"<xmp:ModifyDate>{when}</xmp:ModifyDate>",
        f"<xmp:MetadataDate>{when}</xmp:MetadataDate>",
        f"<xmp:CreatorTool>{escape(f.creator_tool)}</xmp:CreatorTool>",
        f"<pdf:Producer>{escape(f.producer)}</pdf:Producer>",
        f"<xmpMM:DocumentID>{escape(f.identifier)}</xmpMM:DocumentID>",
        f"<pdfaid:part>{profile.part}</pdfaid:part>",
        f"<pdfaid:conformance>{profile.conformance}</pdfaid:conformance>",
        "<pdfuaid:part>1</pdfuaid:part>",
        _PDFUAID_EXTENSION,
    ]
    if f.description:
        props.insert(2, f"<dc:description>{_alt((('en', f.description),))}</dc:description>")
    return wrap_packet(ns, props, padding_lines=20)


def wrap_packet(ns: str, props: list[str], *, padding_lines: int) -> bytes:
    """An XMP packet: one rdf:Description with these namespaces and properties, padded."""
    body = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        f'<rdf:Description rdf:about="" {ns}>\n' + "\n".join(props) + "\n</rdf:Description>\n"
        "</rdf:RDF>\n</x:xmpmeta>\n"
    )
    # Padding lets an editor update the packet in place, as the XMP specification recommends.
    return (body + (" " * 99 + "\n") * padding_lines + '<?xpacket end="w"?>').encode("utf-8")


def info(f: Fields) -> dict[str, str]:
    """The Info dictionary entries, each equal to its XMP counterpart."""
    out = {
        "/Title": f.title,
        "/Author": f.creator,
        "/Creator": f.creator_tool,
        "/Producer": f.producer,
        "/CreationDate": pdf_date(f.created),
        "/ModDate": pdf_date(f.created),
    }
    if f.description:
        out["/Subject"] = f.description
    return out
