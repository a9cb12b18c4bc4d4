"""PDF/X-4 identification: the XMP packet, the Info dictionary and the CMYK output intent.

ISO 15930-7 asks for pdfxid:GTS_PDFXVersion, a Trapped key, xmpMM DocumentID/VersionID/
RenditionClass, and an OutputIntent of subtype GTS_PDFX with its ICC profile embedded. The
same values go to XMP and Info so they never disagree.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from xml.sax.saxutils import escape

from pikepdf import Array, Dictionary, Name, Pdf, String

from archivekit import __version__
from archivekit.errors import ToolMissing, UsageError
from archivekit.model import Document
from archivekit.model.metadata import EDITION_NAMESPACE
from archivekit.writers.pdf.xmp import dc_types, pdf_date, wrap_packet, xmp_date

PDFX_VERSION = "PDF/X-4"
# Ghostscript's own CMYK profile, read where Ghostscript installed it (never copied into this repo).
GS_ICC_DIRS = (Path("/usr/share/color/icc/ghostscript"), Path("/usr/share/ghostscript/iccprofiles"))
GS_CMYK = "default_cmyk.icc"
GS_CMYK_CONDITION = "Artifex CMYK SWOP Profile (Ghostscript default_cmyk.icc), approximating SWOP coated"


def cmyk_profile(override: str | None = None) -> tuple[bytes, str, str]:
    """The output intent's ICC profile: (bytes, condition text, where it came from)."""
    if override:
        path = Path(override)
        if not path.is_file():
            raise UsageError(f"no ICC profile at {override}", hint="name the printer's CMYK .icc file")
        data = path.read_bytes()
        if data[16:20] != b"CMYK":
            raise UsageError(
                f"{override} is not a CMYK ICC profile", hint="ask the printer for their CMYK profile"
            )
        return data, f"printer's profile {path.name}", path.name
    for folder in GS_ICC_DIRS:
        path = folder / GS_CMYK
        if path.is_file():
            return path.read_bytes(), GS_CMYK_CONDITION, GS_CMYK
    raise ToolMissing(
        f"Ghostscript's {GS_CMYK} not found (looked in {', '.join(map(str, GS_ICC_DIRS))})",
        hint="install Ghostscript (Debian: apt-get install ghostscript), or pass a CMYK profile",
    )


def output_intent(pdf: Pdf, icc: bytes, condition: str) -> None:
    """The GTS_PDFX OutputIntent with the CMYK profile embedded."""
    stream = pdf.make_stream(icc)
    stream.N = 4
    intent = Dictionary(
        Type=Name.OutputIntent,
        S=Name.GTS_PDFX,
        OutputConditionIdentifier=String("Custom"),
        OutputCondition=String(condition),
        Info=String(condition),
        DestOutputProfile=stream,
    )
    pdf.Root.OutputIntents = Array([pdf.make_indirect(intent)])


def document_id(doc: Document, kind: str) -> str:
    """A stable id for one rendition of one edition version (same on every machine)."""
    return f"uuid:{uuid.uuid5(EDITION_NAMESPACE, f'{doc.edition.id}/{doc.edition.version}/{kind}')}"


def xmp_packet(doc: Document, epoch: int, kind: str, *, pdfx: bool, producer: str) -> bytes:
    """An XMP packet; with pdfx=True it carries the PDF/X-4 identification."""
    ed = doc.edition
    when = xmp_date(dt.datetime.fromtimestamp(epoch, tz=dt.UTC))
    built = dt.datetime.fromtimestamp(epoch, tz=dt.UTC).date()
    titles = "".join(
        f'<rdf:li xml:lang="{escape(lang)}">{escape(text)}</rdf:li>'
        for lang, text in (("x-default", ed.title.first()), *ed.title.values)
    )
    props = [
        "<dc:format>application/pdf</dc:format>",
        f"<dc:title><rdf:Alt>{titles}</rdf:Alt></dc:title>",
        f"<dc:creator><rdf:Seq><rdf:li>{escape(ed.creator.first())}</rdf:li></rdf:Seq></dc:creator>",
        f"<dc:identifier>{escape(ed.identifier)}</dc:identifier>",
        "<dc:type><rdf:Bag>"
        + "".join(f"<rdf:li>{escape(t)}</rdf:li>" for t in dc_types(doc, built))
        + "</rdf:Bag></dc:type>",
        f"<xmp:CreateDate>{when}</xmp:CreateDate>",
        f"<xmp:ModifyDate>{when}</xmp:ModifyDate>",
        f"<xmp:MetadataDate>{when}</xmp:MetadataDate>",
        f"<xmp:CreatorTool>archivekit {__version__}</xmp:CreatorTool>",
        f"<pdf:Producer>{escape(producer)}</pdf:Producer>",
        "<pdf:Trapped>False</pdf:Trapped>",
        f"<xmpMM:DocumentID>{document_id(doc, kind)}</xmpMM:DocumentID>",
        f"<xmpMM:InstanceID>{document_id(doc, kind + '/' + str(epoch))}</xmpMM:InstanceID>",
        f"<xmpMM:VersionID>{escape(ed.version)}</xmpMM:VersionID>",
        "<xmpMM:RenditionClass>default</xmpMM:RenditionClass>",
    ]
    if pdfx:
        props.append(f"<pdfxid:GTS_PDFXVersion>{PDFX_VERSION}</pdfxid:GTS_PDFXVersion>")
    ns = (
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
        'xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/" '
        'xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/"'
    )
    return wrap_packet(ns, props, padding_lines=10)


def set_metadata(pdf: Pdf, doc: Document, epoch: int, kind: str, *, pdfx: bool, producer: str) -> None:
    """XMP and the matching Info dictionary (Trapped and GTS_PDFXVersion for PDF/X)."""
    ed = doc.edition
    moment = pdf_date(dt.datetime.fromtimestamp(epoch, tz=dt.UTC))
    info = Dictionary(
        Title=String(ed.title.first()),
        Author=String(ed.creator.first()),
        Creator=String(f"archivekit {__version__}"),
        Producer=String(producer),
        CreationDate=String(moment),
        ModDate=String(moment),
        Trapped=Name("/False"),
    )
    if pdfx:
        info.GTS_PDFXVersion = String(PDFX_VERSION)
    pdf.trailer.Info = pdf.make_indirect(info)
    packet = xmp_packet(doc, epoch, kind, pdfx=pdfx, producer=producer)
    pdf.Root.Metadata = pdf.make_stream(packet, Type=Name.Metadata, Subtype=Name.XML)
    pdf.Root.Lang = String(ed.language)
