"""The braille edition: <id>.brf (ASCII braille for embossers) and <id>.pef (PEF 1.0, archival).

Each part is translated by liblouis with its language's table (settings.braille.tables, else the
defaults of tables.py), formatted as braille (document.py, layout.py) with print page indicators
where the archival PDF's pages begin (ctx.products, as for the EPUB page-list), and written twice
from the same pages: brf.py and pef.py. A character a table cannot translate stops the build.
"""

from __future__ import annotations

from archivekit import clock
from archivekit.model import Document
from archivekit.model.pagination import PageStart
from archivekit.writers.base import Artifact, BuildContext
from archivekit.writers.braille import brf, pef
from archivekit.writers.braille.document import Edition, Formatter
from archivekit.writers.braille.louis import Louis
from archivekit.writers.braille.transcribe import Transcriber

BRF_MEDIA_TYPE = "text/plain; charset=us-ascii"  # BRF has no registered media type


def transcribe(doc: Document, starts: list[PageStart]) -> Edition:
    """The edition laid out in braille pages (no files written)."""
    settings = doc.edition.settings.braille
    louis = Louis()
    formatter = Formatter(doc, Transcriber(doc, louis), starts, settings.cells, settings.lines)
    return formatter.run(louis.version())


class BrailleWriter:
    name = "braille"

    def write(self, doc: Document, ctx: BuildContext) -> list[Artifact]:
        """Write <edition-id>.brf and <edition-id>.pef."""
        starts: list[PageStart] = list(ctx.products.page_starts or [])
        if not starts:
            ctx.log.warning("braille: no page starts from the PDF writer; no print page indicators")
        edition = transcribe(doc, starts)
        settings = doc.edition.settings.braille
        ident = doc.edition.id
        (ctx.out_dir / f"{ident}.brf").write_bytes(brf.render(edition.pages))
        built = clock.day(ctx.source_date_epoch).isoformat()
        pef_bytes = pef.render(doc, edition.pages, settings.cells, settings.lines, built)
        (ctx.out_dir / f"{ident}.pef").write_bytes(pef_bytes)
        tables = ", ".join(f"{lang} {table}" for lang, table in edition.tables.items())
        ctx.log.info(
            "braille: %d pages of %d x %d cells, %d print page indicators (%s)",
            len(edition.pages),
            settings.cells,
            settings.lines,
            len(edition.composer.indicators),
            tables,
        )
        return [
            Artifact("braille-brf", f"{ident}.brf", BRF_MEDIA_TYPE, ("BRF (North American ASCII braille)",)),
            Artifact("braille-pef", f"{ident}.pef", pef.MEDIA_TYPE, ("PEF 1.0",)),
        ]


WRITER = BrailleWriter()
