"""The large-print edition: the archival PDF's text, tags, language marks and notes, set for
low-vision readers by the same typesetter with the LARGE_PRINT page profile (A4, 18 pt Noto Sans /
Noto Sans CJK, 1.5 line spacing, every row left-aligned and ragged right, no hyphenation, headings
at least 20 pt, nothing smaller than 18 pt but the note marks).

File: <edition-id>.large-print.pdf, PDF/A-2a + PDF/UA-1 like the archival PDF: it is finished by
the shared archivekit.typeset.finish (structure tree, links, outline, sRGB intent) and described
by the shared XMP builder; this writer imports no other writer. docs/large-print.md says who it is
for, which guidance it follows and how to change it.
"""

from __future__ import annotations

import time

from reportlab.platypus.doctemplate import LayoutError

from archivekit.errors import BuildError
from archivekit.model import Document
from archivekit.typeset import finish
from archivekit.typeset.layout import typeset
from archivekit.typeset.page_profile import LARGE_PRINT
from archivekit.writers.base import Artifact, BuildContext
from archivekit.writers.large_print.metadata import CONFORMANCE, PART, set_metadata

MEDIA_TYPE = "application/pdf"
SUFFIX = ".large-print.pdf"


class LargePrintWriter:
    """Writes <edition-id>.large-print.pdf."""

    name = "large-print"

    def write(self, doc: Document, ctx: BuildContext) -> list[Artifact]:
        """Typeset with the large-print profile, then tag, describe and save it as PDF/A-2a + UA-1."""
        started = time.perf_counter()
        try:
            ts = typeset(doc, ctx, profile=LARGE_PRINT)
        except LayoutError as exc:
            raise BuildError(
                f"the text cannot be set in large print: {str(exc).splitlines()[0]}",
                hint="a block is taller than an A4 page at 18 pt: split it in the sources",
            ) from exc
        pdf = finish.tagged(ts, lang=doc.edition.language)
        set_metadata(pdf, doc, ctx.source_date_epoch)
        data = finish.save(pdf)
        name = doc.edition.id + SUFFIX
        (ctx.out_dir / name).write_bytes(data)
        ctx.log.debug("large-print: %d pages in %.2f s", ts.page_count, time.perf_counter() - started)
        claims = (f"PDF/A-{PART}{CONFORMANCE.lower()}", "PDF/UA-1")
        return [Artifact(self.name, name, MEDIA_TYPE, claims)]


WRITER = LargePrintWriter()
