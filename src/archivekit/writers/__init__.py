"""Writers: one per output format, looked up by name in a registry.

Writers import only `archivekit.typeset` (the page-drawing engine), `archivekit.model`,
`archivekit.errors`, this package's base types and its HTML builder (`markup`): never each other
and never `ingest`. What one writer produces for another (the PDF's page starts for the EPUB
page-list) passes through
`BuildContext.products` (typed: `base.Products`), so a writer runs after the ones it `needs`;
the others run at once in forked processes (`archivekit.forked`).
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from archivekit.writers.base import Artifact, BuildContext, Products, Writer

if TYPE_CHECKING:
    from archivekit.model import Document

log = logging.getLogger("archivekit")


@dataclass(frozen=True)
class WriterSpec:
    """A row of the registry: name, where the writer lives, what it makes."""

    name: str
    module: str
    summary: str
    needs: tuple[str, ...] = ()  # writers whose products this one reads (run first when selected)
    pages: bool = False  # typesets pages (its fonts are prepared once for every writer of a build)


# Order is build order: producers before consumers.
REGISTRY: tuple[WriterSpec, ...] = (
    WriterSpec("text", "archivekit.writers.text", "UTF-8 plain text of every part"),
    WriterSpec(
        "pdf", "archivekit.writers.pdf", "archival PDF: PDF/A-2a and PDF/UA-1 (--pdfa 2a|2u|3a)", pages=True
    ),
    # The EPUB's judges (Ace, EPUBCheck) run in the background while html and print are written.
    WriterSpec("epub", "archivekit.writers.epub", "accessible EPUB 3 with the PDF's page-list", ("pdf",)),
    WriterSpec("html", "archivekit.writers.html", "tagged, bilingual HTML with citation metadata"),
    WriterSpec(
        "print",
        "archivekit.writers.print_edition",
        "print PDF with bleed, booklet, proofs, print order",
        pages=True,
    ),
    WriterSpec("braille", "archivekit.writers.braille", "braille: BRF for embossers and PEF 1.0", ("pdf",)),
    WriterSpec(
        "large-print",
        "archivekit.writers.large_print",
        "large print: A4, 18 pt sans, PDF/A-2a and PDF/UA-1",
        pages=True,
    ),
)


def names() -> list[str]:
    """Every writer whose module is installed, in build order."""
    return [row.name for row in REGISTRY if importlib.util.find_spec(row.module) is not None]


def spec(name: str) -> WriterSpec:
    """The registry row for this writer name."""
    for row in REGISTRY:
        if row.name == name:
            return row
    raise KeyError(name)


def load(name: str) -> Writer:
    """Import the writer module lazily (start-up stays fast) and return its writer."""
    module = importlib.import_module(spec(name).module)
    return module.WRITER


def write_alone(name: str, doc: Document, ctx: BuildContext) -> tuple[dict[str, list[Artifact]], Products]:
    """One writer's artifacts and the products it made, in a process of its own (a forked child, a
    pool worker): what it sends back. Work left running could not be finished there: refused."""
    started = time.perf_counter()
    artifacts = load(name).write(doc, ctx)
    log.debug("%s took %.2f s", name, time.perf_counter() - started)
    if ctx.pending:
        raise RuntimeError(f"writer {name} left work running, which a process of its own cannot")
    return {name: artifacts}, ctx.products


def plan(selected: list[str] | None) -> list[str]:
    """The writers to run for a selection, dependencies added, in build order."""
    wanted = set(selected or names())
    changed = True
    while changed:
        changed = False
        for row in REGISTRY:
            if row.name in wanted:
                for need in row.needs:
                    if need not in wanted:
                        wanted.add(need)
                        changed = True
    return [name for name in names() if name in wanted]


__all__ = [
    "REGISTRY",
    "Artifact",
    "BuildContext",
    "Writer",
    "WriterSpec",
    "load",
    "names",
    "plan",
    "spec",
    "write_alone",
]
