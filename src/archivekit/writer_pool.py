"""Writer processes that outlive one build, for a process that builds again and again (watch, preview).

A one-shot build hands the writers that need nothing from the others to children forked for that
build (forked.py): nothing is copied up front, but every page either process then writes is copied
at that moment (the interpreter writes to each object it touches), some 10 000 pages for a rebuild
of the corpus's shortest edition: 0.04 s of a 0.17 s rebuild on the bench machine. A worker that
stays has its memory to itself after its first build and keeps what it learns there (fonts read,
subsets and proof pages made), as the resident process keeps its own. Each build sends the
document and the build context and gets the writer's artifacts and products back, pickled, as a
forked child sends them.

The workers are the standard library's ProcessPoolExecutor, started by the forkserver method: forked
from a clean process of their own, never from the resident one, whose other threads (the watcher's,
the judges', the preview server's) may hold a lock at the moment of a fork.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from archivekit import interrupts, writers
from archivekit.errors import BuildError
from archivekit.model import Document
from archivekit.toolpaths import usable_cores
from archivekit.writers.base import Artifact, BuildContext, Products

log = logging.getLogger("archivekit")


class WriterPool:
    """Processes that write the handed-off formats of every build of one resident process."""

    def __init__(self, processes: int | None = None) -> None:
        # One per spare core, as many as the pipeline hands off (writer_processes() - 1 at most).
        self.processes = max(1, processes if processes is not None else usable_cores() - 1)
        self._executor: ProcessPoolExecutor | None = None

    def submit(self, name: str, doc: Document, ctx: BuildContext) -> Job:
        """Start writing one format in a worker; its context travels without what stays here (the
        EPUB judge, work left running) and with empty products, as a forked child's does."""
        sent = dataclasses.replace(ctx, products=Products(), pending=[], judge_epub=None)
        try:
            future = self._started().submit(_write, name, doc, sent, os.getcwd())
        except BrokenProcessPool:  # a worker died between two builds: new workers for this one
            self.forget_broken()
            future = self._started().submit(_write, name, doc, sent, os.getcwd())
        return Job(self, name, future)

    def _started(self) -> ProcessPoolExecutor:
        if self._executor is None:
            context = multiprocessing.get_context("forkserver")
            # What the server imports once for every worker it forks: the page writers, in place of
            # multiprocessing's default, the resident program's main module.
            page_writers = [writers.spec(n).module for n in writers.names() if writers.spec(n).pages]
            context.set_forkserver_preload([__name__, *page_writers])
            self._executor = ProcessPoolExecutor(
                self.processes, mp_context=context, initializer=_ready, initargs=(log.getEffectiveLevel(),)
            )
        return self._executor

    def forget_broken(self) -> None:
        """A worker died mid-build (killed, out of memory): the next build starts new ones."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    def close(self) -> None:
        """End the workers (after the task they are on)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None


class Job:
    """One format being written in a worker (the interface of forked.Child the pipeline uses)."""

    def __init__(self, pool: WriterPool, name: str, future: Future[Any]) -> None:
        self.pool, self.name, self.future = pool, name, future

    def result(self) -> tuple[dict[str, list[Artifact]], Products]:
        """The writer's artifacts and products, once written; its error raised here."""
        try:
            return self.future.result()  # type: ignore[no-any-return]
        except BrokenProcessPool:
            self.pool.forget_broken()
            raise BuildError(f"the {self.name} writer's process ended without a result") from None

    def stop(self) -> None:
        """Let the writer end before the build's staging folder goes (a failed build): it is not
        killed, which would cost the next build its warm worker; a signal stops it (interrupts)."""
        with contextlib.suppress(BaseException):  # any end will do: the build has failed already
            self.future.exception()


def _ready(level: int) -> None:
    """In a new worker: the resident process's log level, on stderr as the command line writes it,
    and the stop signals unwinding a build as they do in a forked child."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("archivekit: %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False
    interrupts.install_in_worker()


def _write(
    name: str, doc: Document, ctx: BuildContext, cwd: str
) -> tuple[dict[str, list[Artifact]], Products]:
    """In a worker: one writer's artifacts and products, in the sender's folder (its paths may be
    relative)."""
    if os.getcwd() != cwd:
        os.chdir(cwd)
    with interrupts.cleanup_scope():
        return writers.write_alone(name, doc, ctx)
