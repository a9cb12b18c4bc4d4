"""The archival PDF writer: PDF/A-2a (or 2u, 3a) and PDF/UA-1 in one file, typeset with ReportLab.

typeset.layout.typeset() draws the pages and records the structure while drawing; postprocess.finish()
makes the tagged PDF/A of each profile asked for (ctx.options["pdfa"]: "2a" by default, "2u",
"3a", or several, comma-separated). The page starts go to ctx.products for the EPUB page-list.

Files: <edition-id>.pdf (2a), <edition-id>.pdfa2u.pdf (2u), <edition-id>.pdfa3.pdf (3a).

The pages come from the typesetting layer (archivekit.typeset), which names every ReportLab
internal it relies on in typeset/reportlab_adapter.py (pinned reportlab==4.4.4).
ReportLab's own output defects are repaired by the shared finishing, typeset/finish.py (the
large-print writer uses it too): no EOL before endstream (qpdf rewrites the file), catalog/page
entries it does not know (added with pikepdf), ToUnicode entries to U+0000 (rebuilt);
postprocess.py adds what only this writer carries (PDF/A-3 attachments, its profile's XMP).
"""

from __future__ import annotations

import time

from archivekit.model import Document
from archivekit.toolpaths import library_version
from archivekit.typeset.layout import typeset
from archivekit.typeset.page_profile import ARCHIVAL
from archivekit.writers.base import Artifact, BuildContext
from archivekit.writers.pdf import postprocess, profiles, xmp

MEDIA_TYPE = "application/pdf"


class PdfWriter:
    """Writes <edition-id>.pdf (and the file of each other profile asked for)."""

    name = "pdf"

    def write(self, doc: Document, ctx: BuildContext) -> list[Artifact]:
        """Typeset once, then make one PDF/A file per selected profile."""
        chosen = profiles.selected(ctx.options.get("pdfa"))
        started = time.perf_counter()
        ts = typeset(doc, ctx, profile=ARCHIVAL, fork=ctx.fork)
        ctx.log.debug("pdf: typeset %d pages in %.2f s", ts.page_count, time.perf_counter() - started)
        ctx.products.page_starts = ts.page_starts
        libs = f"ReportLab {library_version('reportlab')}; pikepdf {library_version('pikepdf')}"
        fields = xmp.fields(doc, ctx.source_date_epoch, libs)

        def finish(profile: profiles.Profile) -> Artifact:
            attachments = (
                postprocess.read_attachments(ctx.edition_dir, doc.source_files, [p.source for p in doc.parts])
                if profile.embed_sources
                else ()
            )
            data = postprocess.finish(ts, fields, profile, lang=doc.edition.language, attachments=attachments)
            name = doc.edition.id + profile.suffix
            (ctx.out_dir / name).write_bytes(data)
            return Artifact("pdf", name, MEDIA_TYPE, profile.conforms_to)

        # Each profile's file is finished from the same pages: the second on a spare core, if any
        # (a third of a long document's PDF time), the same bytes as finished here.
        apart = None
        if ctx.run_apart is not None and len(chosen) > 1:
            rest, chosen = chosen[1:], chosen[:1]
            apart = ctx.run_apart("pdf", lambda: [finish(p) for p in rest])
        try:
            return [finish(p) for p in chosen] + (apart.result() if apart else [])
        finally:
            if apart:
                apart.stop()


WRITER = PdfWriter()
