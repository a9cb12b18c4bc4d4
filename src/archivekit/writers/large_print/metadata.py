"""The large-print PDF's XMP and Info: the edition's record from the crosswalk (as in the archival
and print PDFs, through the shared builder archivekit.typeset.xmp) and this file's stamp: its own
document id, and the PDF/A-2a + PDF/UA-1 identification of archivekit.typeset.finish."""

from __future__ import annotations

import datetime as dt
import uuid

from pikepdf import Pdf

from archivekit import __version__
from archivekit.model import Document
from archivekit.model.crosswalk.edition import edition_record
from archivekit.model.metadata import EDITION_NAMESPACE
from archivekit.toolpaths import library_version
from archivekit.typeset.finish import identification
from archivekit.typeset.xmp import Stamp, write_metadata

PART = 2
CONFORMANCE = "A"


def document_id(doc: Document) -> str:
    """A stable id for the large-print rendition of one edition version (same on every machine)."""
    return f"uuid:{uuid.uuid5(EDITION_NAMESPACE, f'{doc.edition.id}/{doc.edition.version}/large-print')}"


def set_metadata(pdf: Pdf, doc: Document, epoch: int) -> dict[str, str]:
    """XMP packet and Info dictionary of the large-print PDF; returns the Info entries."""
    created = dt.datetime.fromtimestamp(epoch, tz=dt.UTC)
    libs = f"ReportLab {library_version('reportlab')}; pikepdf {library_version('pikepdf')}"
    stamp = Stamp(
        created=created,
        creator_tool=f"archivekit {__version__}",
        producer=f"archivekit {__version__} ({libs})",
        document_id=document_id(doc),
        claims=identification(PART, CONFORMANCE),
    )
    return write_metadata(pdf, edition_record(doc.edition, created.date()), stamp)
