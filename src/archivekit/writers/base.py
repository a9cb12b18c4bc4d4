"""What every writer receives and returns."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from archivekit.model import Document
from archivekit.model.artifact import Artifact
from archivekit.model.pagination import PageStart
from archivekit.writers.verdict import EpubJudge

__all__ = ["Apart", "Artifact", "BuildContext", "Pending", "Products", "Writer"]


@dataclass
class Products:
    """What one writer hands a later one; a writer run in another process sends its own back."""

    page_starts: list[PageStart] | None = None  # the archival PDF's pages: EPUB page-list, braille
    print_pages: list[Any] | None = None  # the print edition's pages (print_edition.assemble.PrintPage)

    def merge(self, other: Products) -> None:
        """Take every product the other set holds."""
        for name, value in vars(other).items():
            if value is not None:
                setattr(self, name, value)


@dataclass
class BuildContext:
    """Everything a writer may use besides the document: where to write, the clock, shared products."""

    out_dir: Path  # the edition's staging folder; writers write only below it
    edition_dir: Path  # the sources, read-only
    source_date_epoch: int  # the only clock a writer may read
    cache_dir: Path  # user cache for expensive, content-addressed intermediates (prepared fonts)
    options: dict[str, Any] = field(default_factory=dict)  # per-writer options, e.g. {"pdfa": "2a"}
    products: Products = field(default_factory=Products)  # results one writer hands to a later one
    log: logging.Logger = field(default_factory=lambda: logging.getLogger("archivekit"))
    # Work a writer left running (a judge in another process): finished after the other writers,
    # so the waiting overlaps with their work.
    pending: list[Pending] = field(default_factory=list)
    # Judges the EPUB candidate for its accessibility claim (given by the pipeline; None: no claim).
    judge_epub: EpubJudge | None = None
    # The last good build of this edition, read-only (None: the first build), for what a writer reports
    # against it: the print edition's pages that begin elsewhere. Given by the pipeline, never guessed.
    previous_build: Path | None = None
    # Runs part of a writer's work in another process, on a core no other writer uses (given by the
    # pipeline; None: no core is spare, do it all here). The work writes its files under out_dir
    # like the writer and returns a picklable value; it must not change what this process keeps.
    run_apart: Callable[[str, Callable[[], Any]], Apart] | None = None
    # The same core for work that must not run here instead (it would change what this process
    # keeps): a forked child started at once, or None when none can be (given by the pipeline).
    fork: Callable[[str, Callable[[], Any]], Apart | None] | None = None


class Apart(Protocol):
    """Work run in another process: result() waits for its value (or raises its error), stop()
    ends it early (the build failed here)."""

    def result(self) -> Any: ...

    def stop(self) -> None: ...


class Pending(Protocol):
    """A writer's unfinished work: finish() completes it, wait() only lets it end (the build failed)."""

    def finish(self) -> list[Artifact]: ...

    def wait(self) -> None: ...


class Writer(Protocol):
    """A format writer: reads the document, writes files under ctx.out_dir, returns their artifacts."""

    name: str

    def write(self, doc: Document, ctx: BuildContext) -> list[Artifact]: ...
