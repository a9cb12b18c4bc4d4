"""PDF/X-4 identification: the XMP packet, the Info dictionary and the CMYK output intent.

ISO 15930-7 asks for pdfxid:GTS_PDFXVersion, a Trapped key, xmpMM DocumentID/VersionID/
RenditionClass, and an OutputIntent of subtype GTS_PDFX with its ICC profile embedded. The
same values go to XMP and Info so they never disagree.
"""

from __future__ import annotations

import io
import uuid
from functools import lru_cache
from pathlib import Path

from pikepdf import Array, Dictionary, Name, Pdf, String

from archivekit import __version__, clock
from archivekit.errors import ToolMissing, UsageError
from archivekit.model import Document
from archivekit.model.crosswalk.edition import edition_record
from archivekit.model.metadata import EDITION_NAMESPACE
from archivekit.toolpaths import ENV_ICC, icc_dirs, icc_profile
from archivekit.typeset.xmp import Stamp, write_metadata

PDFX_VERSION = "PDF/X-4"
# Ghostscript's own CMYK profile, read where Ghostscript installed it (never copied into this repo).
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
    installed = icc_profile(GS_CMYK)
    if installed is not None:
        return installed.read_bytes(), GS_CMYK_CONDITION, GS_CMYK
    raise ToolMissing(
        f"Ghostscript's {GS_CMYK} not found (looked in {', '.join(map(str, icc_dirs()))})",
        hint=f"install Ghostscript (Debian: apt-get install ghostscript), name its folder in ${ENV_ICC}, "
        "or pass a CMYK profile",
    )


def output_intent(pdf: Pdf, icc: bytes, condition: str) -> None:
    """The GTS_PDFX OutputIntent with the CMYK profile embedded."""
    stream = pdf.make_stream(b"")
    stream.N = 4  # first: qpdf writes the keys in the order they were set
    stream.write(_compressed(icc), filter=Name.FlateDecode)
    intent = Dictionary(
        Type=Name.OutputIntent,
        S=Name.GTS_PDFX,
        OutputConditionIdentifier=String("Custom"),
        OutputCondition=String(condition),
        Info=String(condition),
        DestOutputProfile=stream,
    )
    pdf.Root.OutputIntents = Array([pdf.make_indirect(intent)])


@lru_cache(maxsize=2)
def _compressed(data: bytes) -> bytes:
    """These bytes as qpdf compresses a stream on save (the bytes the print PDF had when qpdf
    compressed the profile itself), once per process, not on every build's save."""
    scratch = Pdf.new()
    scratch.Root.Kept = scratch.make_stream(data)
    saved = io.BytesIO()
    scratch.save(saved, compress_streams=True, deterministic_id=True)
    with Pdf.open(io.BytesIO(saved.getvalue())) as again:
        return again.Root.Kept.read_raw_bytes()


def document_id(doc: Document, kind: str) -> str:
    """A stable id for one rendition of one edition version (same on every machine)."""
    return f"uuid:{uuid.uuid5(EDITION_NAMESPACE, f'{doc.edition.id}/{doc.edition.version}/{kind}')}"


def set_metadata(pdf: Pdf, doc: Document, epoch: int, kind: str, *, pdfx: bool, producer: str) -> None:
    """XMP and the matching Info dictionary (Trapped and GTS_PDFXVersion for PDF/X), by the shared
    builder (archivekit.typeset.xmp) from the crosswalk's XMP column, as the archival PDF's."""
    created = clock.moment(epoch)
    stamp = Stamp(
        created=created,
        creator_tool=f"archivekit {__version__}",
        producer=producer,
        document_id=document_id(doc, kind),
        instance_id=document_id(doc, kind + "/" + str(epoch)),
        claims=(
            ("xmpMM:RenditionClass", "default"),
            *((("pdfxid:GTS_PDFXVersion", PDFX_VERSION),) if pdfx else ()),
        ),
        trapped=False,
    )
    write_metadata(pdf, edition_record(doc.edition, created.date()), stamp)
    pdf.Root.Lang = String(doc.edition.language)
