"""The print edition: a PDF/X-4 file with bleed and crop marks, a saddle-stitch booklet, proofs,
a print order and a pagination report, all from one typesetting by the archival layout engine.

Artifacts (relative to the build folder): <id>.print.pdf, <id>.booklet.pdf, proof/*.png,
print-order.json, print-order.html, pagination-report.json. The printer's own CMYK profile may be
named by ctx.options["print_icc"] or edition.yaml's settings.print_icc (relative to the edition
folder); by default Ghostscript's default_cmyk.icc is embedded.
"""

from __future__ import annotations

import hashlib
import time

from reportlab.platypus.doctemplate import LayoutError

from archivekit.errors import BuildError
from archivekit.model import Document
from archivekit.toolpaths import library_version
from archivekit.typeset.layout import Typeset, typeset
from archivekit.typeset.page_profile import PRINT
from archivekit.writers.base import Artifact, BuildContext
from archivekit.writers.print_edition import assemble, imposition, order, pagination, proofs
from archivekit.writers.print_edition.boxes import Geometry, geometry
from archivekit.writers.print_edition.metadata import cmyk_profile, output_intent, set_metadata
from archivekit.writers.print_edition.titlepage import BLACK, title_page

PDF = "application/pdf"
PNG = "image/png"
JSON = "application/json"
HTML = "text/html"
BOOKLET_DESCRIPTION = (
    "imposed for saddle stitch: 2-up on the double-width sheet, duplex, "
    "flip on the short edge, sheet sides in printing order"
)


def _icc_choice(ctx: BuildContext, setting: str | None) -> str | None:
    """The printer's profile: the build option first, else edition.yaml's (relative to its folder)."""
    if ctx.options.get("print_icc"):
        return str(ctx.options["print_icc"])
    return str(ctx.edition_dir / setting) if setting else None


class PrintWriter:
    """Writes the print-ready PDF and what a printer needs around it."""

    name = "print"

    def write(self, doc: Document, ctx: BuildContext) -> list[Artifact]:
        """Typeset at the trim size with bleed, then assemble, impose, proof and describe the job."""
        started = time.perf_counter()
        settings = doc.edition.settings
        g = geometry(settings.print_trim, settings.bleed_mm)
        icc, condition, _ = cmyk_profile(_icc_choice(ctx, settings.print_icc))
        producer = f"archivekit ({'; '.join(f'{m} {library_version(m)}' for m in ('reportlab', 'pikepdf'))})"
        ts = _typeset_at_trim(doc, ctx, g)
        pages = assemble.plan(ts.page_starts, ts.page_count)
        labels = [p.label for p in pages]
        pdf = assemble.assemble(title_page(doc, ctx, g), ts.pdf, pages, g)
        output_intent(pdf, icc, condition)
        set_metadata(pdf, doc, ctx.source_date_epoch, "print", pdfx=True, producer=producer)
        print_bytes = assemble.save(pdf)
        ed = doc.edition
        print_name = f"{ed.id}.print.pdf"
        (ctx.out_dir / print_name).write_bytes(print_bytes)

        trim = f"{g.trim_name} {g.trim_mm[0]:g} x {g.trim_mm[1]:g} mm"
        print_description = (
            f"print PDF (PDF/X-4): single pages, trim {trim}, {g.bleed_mm:g} mm bleed, crop marks"
        )
        heading = (
            f"{ed.id} {ed.version}: print proof, {len(pages)} pages, trim {trim}, bleed {g.bleed_mm:g} mm"
        )
        # The proofs are rendered (PDFium, in a thread) while the booklet and the order are
        # made here: a rebuild after a correction waits for the longer of the two, not their sum.
        proof_job = proofs.start(ctx.out_dir / print_name, ctx.out_dir, g, labels, heading, ctx.cache_dir)
        try:
            booklet_name, booklet_bytes, sides = _booklet(doc, ctx, print_bytes, labels, g, producer)
            files = [
                _file_row("print", print_name, print_bytes, len(pages), print_description),
                _file_row("booklet", booklet_name, booklet_bytes, len(sides), BOOKLET_DESCRIPTION),
            ]
            ctx.products.print_pages = list(pages)
            data = order.order(doc, g, files, sides, labels, condition)
            (ctx.out_dir / order.ORDER_JSON).write_text(order.to_json(data), encoding="utf-8")
            (ctx.out_dir / order.ORDER_HTML).write_text(order.to_html(data), encoding="utf-8")
            edition = {"id": ed.id, "version": ed.version}
            report = pagination.report(ctx.previous_build, edition, pages, files[0].sha256, ctx.log)
            (ctx.out_dir / pagination.REPORT).write_text(pagination.to_json(report), encoding="utf-8")
            proof_files = proof_job.finish()
        finally:
            proof_job.stop()  # a failure or an interrupt meanwhile: the rendering ends with the writer
        ctx.log.debug(
            "print: %d pages, %d sheet sides in %.2f s", len(pages), len(sides), time.perf_counter() - started
        )
        return [
            Artifact("print-pdf", print_name, PDF, ("PDF/X-4",)),
            Artifact("print-booklet", booklet_name, PDF),
            *[Artifact("print-proof", path, PNG) for path in proof_files],
            Artifact("print-order", order.ORDER_JSON, JSON),
            Artifact("print-order-html", order.ORDER_HTML, HTML),
            Artifact("pagination-report", pagination.REPORT, JSON),
        ]


def _typeset_at_trim(doc: Document, ctx: BuildContext, g: Geometry) -> Typeset:
    """The text set at the trim size with bleed, in black ink."""
    try:
        return typeset(
            doc, ctx, profile=PRINT, page_size=(g.trim_w, g.trim_h), bleed=g.offset, text_colour=BLACK
        )
    except LayoutError as exc:
        # A user can pick a trim the layout engine cannot fill: say which setting, not a traceback.
        raise BuildError(
            f"the text cannot be set at print trim {g.trim_name}: {str(exc).splitlines()[0]}",
            file="edition.yaml",
            hint="choose another settings.print_trim",
        ) from exc


def _booklet(
    doc: Document, ctx: BuildContext, print_bytes: bytes, labels: list[str], g: Geometry, producer: str
) -> tuple[str, bytes, list[imposition.Side]]:
    """The print PDF imposed for saddle stitch, written: its file name, bytes and sheet sides."""
    booklet, sides = imposition.impose(print_bytes, labels, g)
    set_metadata(booklet, doc, ctx.source_date_epoch, "booklet", pdfx=False, producer=producer)
    name = f"{doc.edition.id}.booklet.pdf"
    data = assemble.save(booklet)
    (ctx.out_dir / name).write_bytes(data)
    return name, data, sides


def _file_row(role: str, name: str, data: bytes, pages: int, description: str) -> order.FileRow:
    """A file the printer receives, as the print order lists it."""
    return order.FileRow(role, name, hashlib.sha256(data).hexdigest(), len(data), pages, description)


WRITER = PrintWriter()
