"""What only the archival PDF adds to the shared finishing (archivekit.typeset.finish): the PDF/A-3
and PDF/A-4f associated files (the sources, edition.yaml and the CSL-JSON) and the XMP of its
PDF/A profile."""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pikepdf import Array, Dictionary, Name, Pdf, String

from archivekit.typeset import finish as shared
from archivekit.typeset.layout import Typeset
from archivekit.writers.pdf import xmp
from archivekit.writers.pdf.profiles import Profile


@dataclass(frozen=True)
class Attachment:
    """A file carried inside a PDF/A-3: its name, bytes, media type and relation to the document."""

    name: str
    data: bytes
    relationship: str  # "Source" | "Data" | "Supplement"
    description: str
    media_type: str | None = None


def add_attachments(pdf: Pdf, files: Sequence[Attachment], moment: dt.datetime) -> None:
    """Embed files as PDF/A-3 associated files of the document (catalog /AF and EmbeddedFiles)."""
    names = Array()
    specs = Array()
    for item in sorted(files, key=lambda a: a.name):
        media = item.media_type or mimetypes.guess_type(item.name)[0] or "application/octet-stream"
        stream = pdf.make_stream(item.data)
        stream.Type = Name.EmbeddedFile
        stream.Subtype = Name("/" + media)
        stream.Params = Dictionary(
            Size=len(item.data),
            ModDate=String(xmp.pdf_date(moment)),
            CheckSum=String(hashlib.md5(item.data).digest()),  # the PDF spec asks for MD5 here
        )
        spec = pdf.make_indirect(
            Dictionary(
                Type=Name.Filespec,
                F=String(item.name),
                UF=String(item.name),
                Desc=String(item.description),
                AFRelationship=Name("/" + item.relationship),
                EF=Dictionary(F=stream, UF=stream),
            )
        )
        names.append(String(item.name))
        names.append(spec)
        specs.append(spec)
    pdf.Root.Names = Dictionary(EmbeddedFiles=Dictionary(Names=names))
    pdf.Root.AF = specs


def finish(
    ts: Typeset,
    fields: xmp.Fields,
    profile: Profile,
    *,
    lang: str,
    attachments: Sequence[Attachment] = (),
) -> bytes:
    """The PDF/A file: ReportLab's pages with tags, metadata and colour added, saved by qpdf."""
    pdf = shared.tagged(ts, lang=lang, dialect=profile.dialect)
    if attachments:
        add_attachments(pdf, attachments, fields.created)
    # XMP and a new Info (replacing ReportLab's Producer, placeholder Subject and 2000-01-01 dates).
    xmp.apply(pdf, fields, profile)
    return shared.save(pdf, profile.dialect.version)


def read_attachments(edition_dir: Path, files: Sequence[str], texts: Sequence[str]) -> list[Attachment]:
    """The edition's sources as PDF/A-3 attachments: the texts as Source, metadata and CSL-JSON as Data."""
    out = []
    for name in files:
        data = (edition_dir / name).read_bytes()
        if name in texts:
            rel, media, desc = "Source", "text/markdown", "canonical source text (diplomatic transcription)"
        elif name.endswith(".json"):
            rel, media, desc = "Data", "application/vnd.citationstyles.csl+json", "bibliography (CSL-JSON)"
        elif name.endswith((".yaml", ".yml")):
            rel, media, desc = "Data", "application/yaml", "edition metadata"
        else:
            rel, media, desc = "Supplement", None, "file of the edition's sources"
            if name.endswith(".md"):
                media = "text/markdown"
        out.append(Attachment(name, data, rel, desc, media))
    return out
