"""EPUB 3.3 writer: accessible, deterministic, with the archival PDF's page numbers as its page-list.

Written from the model with lxml rather than through pandoc's EPUB writer: the model already holds
everything (languages, notes, editorial marks, block ids), page-break markers must land at exact
character offsets the PDF reports, and every byte must be reproducible; post-processing pandoc's
output would mean re-finding in its XHTML what the model states directly.

The build makes the EPUB twice: a candidate, which Ace by DAISY and EPUBCheck judge (the pipeline
hands the writer a judge from validate/; the writer runs none), then the final
file, whose accessibility summary, report page and (only when earned) conformance claim say what
the judges found.
"""

from __future__ import annotations

import shutil
from concurrent import futures
from concurrent.futures import Future

from archivekit import jsonfile
from archivekit.model import Document
from archivekit.model.pagination import PageStart
from archivekit.writers.base import Artifact, BuildContext
from archivekit.writers.epub import a11y
from archivekit.writers.epub.documents import content_documents
from archivekit.writers.epub.nav import NAV_FILE, nav_document
from archivekit.writers.epub.ocf import write_epub
from archivekit.writers.epub.opf import BIBLIOGRAPHY_FILE, Context, Item, package
from archivekit.writers.epub.pagebreaks import insert_page_breaks
from archivekit.writers.epub.style import CSS
from archivekit.writers.epub.xhtml import STYLESHEET, TocEntry
from archivekit.writers.verdict import EpubJudge, Verdict

MEDIA_TYPE = "application/epub+zip"
XHTML_TYPE = "application/xhtml+xml"


def assemble(
    doc: Document,
    ctx: BuildContext,
    starts: list[PageStart],
    verdict: Verdict | None,
    *,
    candidate: bool = False,
) -> dict[str, bytes]:
    """Every file of the EPUB folder (names relative to it) for this document and verdict."""
    docs = content_documents(doc)
    pages = insert_page_breaks(docs, starts) if starts else []
    report = a11y.report_page(doc, verdict, bool(pages))
    report.toc.append(TocEntry(f"{report.name}#a11y-h", report.title, report.lang, 1))
    docs.append(report)
    nav = nav_document(doc, docs, pages)

    files: dict[str, bytes] = {cd.name: cd.serialize() for cd in docs}
    files[NAV_FILE] = nav.serialize()
    files[STYLESHEET] = CSS.encode("utf-8")
    # The table of contents is also a page of the book, after the title page: a reader sees it in order.
    spine = [docs[0], nav, *docs[1:]]
    items = [Item(STYLESHEET, "text/css")]
    items += [
        Item(cd.name, XHTML_TYPE, properties=cd.properties, spine=True, linear=cd.linear) for cd in spine
    ]
    if doc.bibliography:
        # A linked record, not a publication resource: in the container, not in the manifest.
        text = jsonfile.dumps(list(doc.bibliography))
        files[BIBLIOGRAPHY_FILE] = text.encode("utf-8")
    print_source = f"{doc.edition.id}.pdf" if pages else None
    opf_ctx = Context(epoch=ctx.source_date_epoch, print_source=print_source)
    files["content.opf"] = package(
        doc, opf_ctx, a11y.metadata(doc, bool(pages), verdict, candidate=candidate), items
    )
    return files


class EpubWriter:
    """Writes <edition-id>.epub; the judge the pipeline hands it earns (or not) its claim.

    The judges take seconds (a browser, a JVM) in other processes, so the writer returns at once
    and hands the pipeline a pending finish: html and print are written while the judges work.
    """

    name = "epub"

    def write(self, doc: Document, ctx: BuildContext) -> list[Artifact]:
        """Write the candidate and hand it to the judge; the final EPUB follows once it has spoken."""
        starts: list[PageStart] = list(ctx.products.page_starts or [])
        if not starts:
            ctx.log.warning("epub: no page starts from the PDF writer; the EPUB gets no page-list")
        pending = _PendingEpub(doc, ctx, starts)
        if ctx.judge_epub is None:
            return pending.finish()
        pending.start_judges(ctx.judge_epub)
        ctx.pending.append(pending)
        return []


class _PendingEpub:
    """The EPUB while its candidate is being judged in the background."""

    def __init__(self, doc: Document, ctx: BuildContext, starts: list[PageStart]) -> None:
        self.doc, self.ctx, self.starts = doc, ctx, starts
        self.work = ctx.out_dir / ".epub-work"
        self.verdict: Future[Verdict | None] | None = None

    def start_judges(self, judge: EpubJudge) -> None:
        shutil.rmtree(self.work, ignore_errors=True)
        self.work.mkdir(parents=True)
        candidate = self.work / "candidate.epub"
        files = assemble(self.doc, self.ctx, self.starts, None, candidate=True)
        write_epub(candidate, files, self.ctx.source_date_epoch)
        self.verdict = judge(candidate, self.work)

    def wait(self) -> None:
        if self.verdict is not None:
            futures.wait([self.verdict])
        shutil.rmtree(self.work, ignore_errors=True)

    def finish(self) -> list[Artifact]:
        """Write <edition-id>.epub with what the judges found (no claim unless both passed)."""
        verdict: Verdict | None = None
        if self.verdict is not None:
            try:
                verdict = self.verdict.result()
            finally:
                self.wait()
            if verdict is None:
                self.ctx.log.info("epub: judged after this build; no conformance claim until then")
            else:
                _log(self.ctx, verdict)
        name = f"{self.doc.edition.id}.epub"
        files = assemble(self.doc, self.ctx, self.starts, verdict)
        write_epub(self.ctx.out_dir / name, files, self.ctx.source_date_epoch)
        conforms: tuple[str, ...] = ("EPUB 3.3",)
        if verdict is not None and verdict.earned:
            conforms += (a11y.CONFORMANCE,)
        return [Artifact("epub", name, MEDIA_TYPE, conforms)]


def _log(ctx: BuildContext, verdict: Verdict) -> None:
    """Say in the build log what the judges found and whether the claim was made."""
    judges = (
        ("Ace by DAISY", verdict.ace_version, verdict.ace_error,
         [f"Ace {v.rule} ({v.impact}) in {v.file}: {v.description}" for v in verdict.ace_violations]),
        ("EPUBCheck", verdict.epubcheck_version, verdict.epubcheck_error,
         [f"EPUBCheck {message}" for message in verdict.epubcheck_messages]),
    )  # fmt: skip
    for name, version, error, found in judges:
        if version is None:
            ctx.log.warning(
                "epub: %s is not installed (make validators): no accessibility conformance claim", name
            )
        elif error:
            ctx.log.warning("epub: %s: no accessibility conformance claim", error)
        else:
            for line in found:
                ctx.log.warning("epub: %s", line)
    if verdict.earned:
        ctx.log.info("epub: Ace and EPUBCheck passed: claims %s", a11y.CONFORMANCE)


WRITER = EpubWriter()

__all__ = ["WRITER", "EpubWriter", "assemble"]
