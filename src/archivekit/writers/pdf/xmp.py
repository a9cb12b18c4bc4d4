"""The archival PDF's metadata: the edition's record and this file's PDF/A and PDF/UA identification.

The packet and the Info dictionary are made by the shared builder, archivekit.typeset.xmp (the print
writer uses the same one): the description from model.crosswalk's XMP column, the identification
from the PDF/A profile row. pdfuaid is not a schema PDF/A predefines, so the builder describes it in a
pdfaExtension block.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pikepdf import Pdf

from archivekit import __version__
from archivekit.model import Document
from archivekit.model.crosswalk.edition import edition_record
from archivekit.typeset.xmp import Stamp, pdf_date, write_metadata, xmp_date
from archivekit.writers.pdf.profiles import Profile

__all__ = ["Fields", "apply", "fields", "pdf_date", "xmp_date"]


@dataclass(frozen=True)
class Fields:
    """The edition's package record and the build's stamp, for every profile of one build."""

    record: dict[str, Any]
    identifier: str
    created: dt.datetime
    creator_tool: str
    producer: str


def fields(doc: Document, source_date_epoch: int, producer_libs: str) -> Fields:
    """The metadata of this edition, dated by the build clock."""
    created = dt.datetime.fromtimestamp(source_date_epoch, tz=dt.UTC)
    return Fields(
        record=edition_record(doc.edition, created.date()),
        identifier=doc.edition.identifier,
        created=created,
        creator_tool=f"archivekit {__version__}",
        producer=f"archivekit {__version__} ({producer_libs})",
    )


def apply(pdf: Pdf, f: Fields, profile: Profile) -> dict[str, str]:
    """XMP packet and Info dictionary of a PDF/A file of this profile; returns the Info entries."""
    stamp = Stamp(
        created=f.created,
        creator_tool=f.creator_tool,
        producer=f.producer,
        document_id=f.identifier,
        claims=profile.claims,
        declarations=tuple(uri for uri, _ in profile.declarations),
        info=profile.info,
    )
    return write_metadata(pdf, f.record, stamp)
