"""The resident watcher: build, wait for saved changes, rebuild in this process, tell the listeners."""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from archivekit import interrupts, writers
from archivekit.errors import ArchivekitError, from_os_error
from archivekit.live.judges import Judges
from archivekit.pipeline import BuildRequest, build, check_edition_folder, check_formats, epub_options
from archivekit.writer_pool import WriterPool

if TYPE_CHECKING:
    from watchfiles import Change

log = logging.getLogger("archivekit")

# watchfiles: yield a batch once 50 ms pass without another change (an editor's save is a burst of
# writes and renames), and never hold a batch longer than 1.6 s.
STEP_MS = 50
DEBOUNCE_MS = 1600
READY_MS = 200  # how long watchfiles waits before saying "nothing yet" (the first time: "ready")


@dataclass(frozen=True)
class Update:
    """What listeners (the preview page) hear: a build finished or failed, or the judges spoke."""

    kind: str  # "build" | "failed" | "verdict"
    edition: str  # the edition folder's name until its id is known
    generation: int  # the count of builds of this edition in this process
    text: str  # the line printed for it
    # The name the edition had before this build, when the build changed it (a new id in
    # edition.yaml): a page showing the old name follows it instead of waiting for an event never sent.
    was: str = ""


@dataclass
class Edition:
    """One watched edition folder and what the process knows of its builds."""

    source: Path
    id: str | None = None
    folder: Path | None = None  # the last good build
    generation: int = 0
    status: str = ""
    verdict: str = ""
    error: str = ""
    # The EPUB of its last build was judged after it (watch's DeferredJudge): rebuild to claim.
    epub_judged: threading.Event = field(default_factory=threading.Event)
    epub_judge: Any = None  # validate.epub_claim.DeferredJudge, when the EPUB is built
    former: list[str] = field(default_factory=list)  # names it had before in this process (old ids)

    @property
    def name(self) -> str:
        """The edition id once known, else the folder's name."""
        return self.id or self.source.name


@dataclass
class Watcher:
    """Builds editions and rebuilds each one on every saved change to its folder."""

    sources: list[Path]
    out: Path
    formats: tuple[str, ...] = ()
    judges: bool = True
    verbose: bool = False
    epub_checks: str = "auto"  # off: no judge of the EPUB, no claim (as `build --epub-checks off`)
    validators: Path | None = None  # where the judges are installed; None: the default place
    listeners: list[Callable[[Update], None]] = field(default_factory=list)
    editions: list[Edition] = field(init=False)
    stop: threading.Event = field(default_factory=threading.Event)
    # Held while a build swaps its folder, so the judges never copy or record half of one.
    lock: threading.Lock = field(default_factory=threading.Lock)
    _terminated: bool = False

    def __post_init__(self) -> None:
        # Refused before anything is built or watched, as `archivekit build` refuses them.
        check_formats(self.formats)
        for source in self.sources:
            check_edition_folder(Path(source))
        unique: dict[Path, Path] = {}  # a folder named twice is watched once, where first named
        for source in self.sources:
            unique.setdefault(Path(source).resolve(), Path(source))
        self.editions = [Edition(path) for path in unique.values()]
        self._judges = Judges(self) if self.judges else None
        self._names = writers.plan(list(self.formats) or None)
        self._pool = WriterPool()  # the writers handed off keep their processes between rebuilds
        if "epub" in self._names and self.epub_checks != "off":
            # A rebuild never waits for Ace and EPUBCheck (seconds): its EPUB has no claim until
            # they have judged it in the background, then a rebuild of the same text claims it.
            from archivekit.pipeline import cache_dir
            from archivekit.validate.epub_claim import DeferredJudge

            for edition in self.editions:
                edition.epub_judge = DeferredJudge(
                    cache_dir() / "epub-checks", self.validators, edition.epub_judged.set
                )

    def options(self) -> dict[str, Any]:
        """The build options every rebuild asks for (pipeline.OPTIONS); as `archivekit build` gives
        them, only what differs from the default, so a build of either is up to date for the other."""
        return {"pdfa": None, **epub_options(self.epub_checks, self.validators)}

    def start(self) -> None:
        """Build every edition once (an up-to-date build is kept as it is)."""
        if not self.verbose:
            # One line per rebuild: the pipeline's step-by-step progress would bury it.
            log.setLevel(logging.WARNING)
        for edition in self.editions:
            self.rebuild(edition, [], initial=True)
        # An up-to-date start imported nothing: the first rebuild after a save must not pay for it.
        from archivekit import ingest

        for name in self._names:
            writers.load(name)
        # Nor for pandoc reading every piece of the part it changed: read now, in the background.
        sources = [edition.source for edition in self.editions]

        def read_ahead() -> None:
            for source in sources:
                ingest.read_ahead(source)

        threading.Thread(target=read_ahead, name="read-ahead", daemon=True).start()

    def run(self) -> None:
        """Wait for saved changes and rebuild the editions they touch, until stop or Ctrl-C."""
        from watchfiles import watch

        roots = {e.source.resolve(): e for e in self.editions}
        out = self.out.resolve()
        if threading.current_thread() is threading.main_thread():
            previous = signal.getsignal(signal.SIGTERM)

            def on_term(signum: int, frame: FrameType | None) -> None:
                self._terminated = True
                if callable(previous):
                    previous(signum, frame)

            signal.signal(signal.SIGTERM, on_term)
        batches = watch(
            *roots,
            step=STEP_MS,
            debounce=DEBOUNCE_MS,
            stop_event=self.stop,
            rust_timeout=READY_MS,
            yield_on_timeout=True,
        )
        try:
            self._follow(batches, roots, out)
        except KeyboardInterrupt:
            # watchfiles reports any signal that stopped it as KeyboardInterrupt: a SIGTERM stays one.
            if self._terminated:
                raise interrupts.Terminated from None
            raise

    def _follow(
        self, batches: Iterable[set[tuple[Change, str]]], roots: dict[Path, Edition], out: Path
    ) -> None:
        from watchfiles import Change

        ready = False
        for batch in batches:
            if not ready:
                # The first yield, even an empty one, means the watches are in place: only now is a
                # save sure to be seen. Saves made during the first build are caught up here.
                ready = True
                print(f"watching {', '.join(str(e.source) for e in self.editions)} (Ctrl-C ends)", flush=True)
                for edition in self.editions:
                    self.rebuild(edition, [])
            touched: dict[Path, set[str]] = {}
            added = {name for change, name in batch if change == Change.added}
            for _change, name in batch:
                path = Path(name)
                if path.is_relative_to(out):
                    continue  # a build folder inside an edition folder must not trigger itself
                if name in added and not path.exists():
                    continue  # an editor's temporary file, written and renamed away within the batch
                for root in roots:
                    if path.is_relative_to(root):
                        touched.setdefault(root, set()).add(str(path.relative_to(root)))
            for root, names in touched.items():
                self.rebuild(roots[root], sorted(names))
            for edition in self.editions:
                if edition.epub_judged.is_set():
                    edition.epub_judged.clear()
                    self.rebuild(edition, [], epub_judged=True)

    def rebuild(
        self, edition: Edition, changed: Iterable[str], *, initial: bool = False, epub_judged: bool = False
    ) -> None:
        """Build one edition now; print one line; tell the listeners; queue the judges.

        epub_judged: the EPUB's judges have spoken on the text built last; the same text is built again
        (forced: its sources did not change) so the EPUB carries what they found.
        """
        changed = list(changed)
        started, started_at = time.perf_counter(), time.time_ns()
        request = BuildRequest(
            edition.source,
            self.out,
            self.formats,
            self.options(),
            force=epub_judged,
            epub_judge=edition.epub_judge,
            writer_pool=self._pool,
        )
        # What the failure line names as its cause: the files saved, or why the same text was built.
        cause = ", ".join(changed) or ("EPUB judged" if epub_judged else "start")
        try:
            with self.lock:
                before = _stamp(edition.folder)
                folder = build(request)
                after = _stamp(folder)
                same = before is not None and after == before
        except ArchivekitError as exc:
            self._failed(edition, exc, cause)
            return
        except OSError as exc:
            self._failed(edition, from_os_error(exc), cause)
            return
        elapsed = time.perf_counter() - started
        if edition.epub_judge is not None:
            edition.epub_judge.start()  # the EPUB's judges, now that the build has ended
        failed_before = bool(edition.error)
        name_before = edition.name
        edition.folder, edition.id, edition.error = folder, folder.name, ""
        was = name_before if edition.name != name_before else ""
        if was and was not in edition.former:
            edition.former.append(was)  # a page or link under the old name still finds it
        if same:
            if not changed and not failed_before:
                return  # the catch-up after start: nothing was saved meanwhile
            # Saved without a change of bytes (or touched): the pipeline found the build up to date.
            # After a source error undone (the last good bytes saved again) the error is over:
            # listeners are told, as after a build, or the page would go on showing it.
            line = f"{_clock()} {edition.name}: unchanged, {folder} is up to date"
            print(line, flush=True)
            if failed_before:
                edition.status = line
                self._tell(Update("build", edition.name, edition.generation, line))
            return
        edition.generation += 1
        why = f"{', '.join(changed) or 'a file'} changed"
        if initial or epub_judged:
            why = "started" if initial else "EPUB judged"
        # A start finds the last build up to date when nothing changed since: it wrote nothing.
        done = f"in {elapsed:.2f} s" if after is None or after[1] >= started_at else "up to date"
        edition.status = (
            f"{_clock()} {edition.name}: #{edition.generation} {', '.join(self._names)} "
            f"{done} ({why}) -> {folder}"
        )
        print(edition.status, flush=True)
        self._tell(Update("build", edition.name, edition.generation, edition.status, was))
        judged = (folder / "validation" / "report.json").is_file()
        if self._judges is not None and not (initial and judged):
            self._judges.submit(edition, edition.generation)

    def _failed(self, edition: Edition, exc: ArchivekitError, cause: str) -> None:
        kept = f"the last good build stays in {edition.folder}" if edition.folder else "no build yet"
        edition.error = f"{exc}"
        edition.status = f"{_clock()} {edition.name}: error ({cause}): {exc}"
        print(f"{edition.status}\n  {kept}", file=sys.stderr, flush=True)
        self._tell(Update("failed", edition.name, edition.generation, f"{edition.status}\n{kept}"))

    def verdict(self, edition: Edition, generation: int, text: str) -> None:
        """The judges' line for one build: printed and passed on (called from the judges' thread)."""
        edition.verdict = text
        print(text, flush=True)
        self._tell(Update("verdict", edition.name, generation, text))

    def _tell(self, update: Update) -> None:
        for listener in list(self.listeners):
            listener(update)

    def close(self) -> None:
        """Stop watching and end the judges' work (their child process included)."""
        self.stop.set()
        if self._judges is not None:
            self._judges.close()
        for edition in self.editions:
            if edition.epub_judge is not None:
                edition.epub_judge.close()
        self._pool.close()


def _stamp(folder: Path | None) -> tuple[int, int] | None:
    """Which manifest a build folder holds now: a rebuild writes a new file, a no-op leaves it."""
    try:
        stat = (folder / "manifest.json").stat() if folder else None
    except OSError:
        return None
    return (stat.st_ino, stat.st_mtime_ns) if stat else None


def _clock() -> str:
    return time.strftime("%H:%M:%S")
