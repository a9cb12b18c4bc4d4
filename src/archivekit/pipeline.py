"""The one place that wires the stages: sources -> model -> writers -> manifest (-> validate, package)."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from archivekit import __version__, forked, interrupts, writers
from archivekit.clock import epoch_from_env
from archivekit.errors import ArchivekitError, SourceError, UsageError, from_os_error
from archivekit.manifest import MANIFEST, add_artifact, manifest_record, read_manifest
from archivekit.model import Document
from archivekit.staging import edition_lock, staged_folder, sweep_leftovers
from archivekit.toolpaths import cache_dir, installed_versions, usable_cores
from archivekit.writers.base import Apart, Artifact, BuildContext, Products
from archivekit.writers.verdict import EpubJudge

if TYPE_CHECKING:
    from archivekit.writer_pool import Job, WriterPool

log = logging.getLogger("archivekit")

EDITION_FILE = "edition.yaml"
# Every build option (BuildRequest.options, the writers' BuildContext.options): what it does and where
# it is set. The CLI's `build` and archivekit.build() set the same keys; docs/api.md lists them.
OPTIONS = {
    "pdfa": "the archival PDF's profile(s): --pdfa",
    "csl_style": "the citation style of the HTML page and the downloads: edition.yaml settings.csl_style",
    "print_icc": "the printer's CMYK profile for the print PDF: edition.yaml settings.print_icc",
    "epub_checks": "auto: judge the EPUB for its accessibility claim; off: no judge, no claim: --epub-checks",
    "validators_dir": "where the EPUB's judges (Ace, EPUBCheck) are installed: --validators DIR",
}
EPUB_CHECKS = ("auto", "off")
KEY_READ_LIMIT = 2 * 1024 * 1024  # ingest.files.MAX_SOURCE_BYTES, not imported: no-op rebuilds stay light


def epub_options(
    epub_checks: str = "auto", validators: str | os.PathLike[str] | None = None
) -> dict[str, str]:
    """The EPUB judge's options as a request carries them: only what differs from the default, so
    the same build asked by the CLI, archivekit.build or watch keeps one build key."""
    chosen = {}
    if epub_checks != "auto":
        chosen["epub_checks"] = epub_checks
    if validators is not None:
        chosen["validators_dir"] = str(Path(validators).expanduser().resolve())
    return chosen


@dataclass(frozen=True)
class BuildRequest:
    """What to build: one edition folder, where, which formats, with which options."""

    edition_dir: Path
    out_root: Path
    formats: tuple[str, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)
    force: bool = False
    wait: bool = True  # another build of the same edition into out_root: wait for it, or raise Busy
    # Judges the EPUB for its claim instead of a judge of this build's own (watch: judged afterwards).
    epub_judge: EpubJudge | None = None
    # Worker processes kept between builds (watch): the handed-off writers run there, not in forks.
    writer_pool: WriterPool | None = None


def find_editions(sources_root: Path) -> list[Path]:
    """Every edition folder (one holding edition.yaml) directly under sources_root."""
    if not sources_root.is_dir():
        raise UsageError(
            f"no sources folder at {sources_root}",
            hint="run from the project folder or name an edition folder",
        )
    found = sorted(p for p in sources_root.iterdir() if (p / EDITION_FILE).is_file())
    if not found:
        raise UsageError(f"no edition folders (with {EDITION_FILE}) under {sources_root}")
    return found


_dated_by_file_times: set[Path] = set()  # folders already warned of


def source_date_epoch(edition_dir: Path) -> int:
    """The build clock: $SOURCE_DATE_EPOCH, else the last commit touching the sources, else their mtime."""
    epoch = epoch_from_env()
    if epoch is not None:
        return epoch
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%ct", "--", "."],
            cwd=edition_dir,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        if out.returncode == 0 and out.stdout.strip().isdigit():
            return int(out.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        pass
    if edition_dir not in _dated_by_file_times:  # once a process: watch rebuilds the folder at every save
        _dated_by_file_times.add(edition_dir)
        log.warning("SOURCE_DATE_EPOCH unset and %s not in git: dating the build by file times", edition_dir)
    return int(max((p.stat().st_mtime for p in edition_dir.iterdir() if p.is_file()), default=0))


@dataclass
class _FontWorkspace:
    """Where a check finds and keeps prepared fonts (a build's context has the same two)."""

    cache_dir: Path
    log: logging.Logger


def check_sources(edition_dir: Path) -> Document:
    """What `archivekit check` checks, writing nothing: the sources read into the model, and every
    character the page formats draw found in a font of its chain, so a check that passes is not
    refused by a build for a glyph. Fonts are prepared in the cache, as the build would."""
    from archivekit.ingest import load_edition
    from archivekit.typeset.layout import check_glyphs

    doc = load_edition(edition_dir)
    try:
        check_glyphs(doc, _FontWorkspace(cache_dir(), log))
    except ArchivekitError as exc:
        _name_the_line(exc, edition_dir)
        raise
    return doc


def check_edition_folder(edition_dir: Path) -> None:
    """Refuse a path that is no folder before anything is dated or read from it."""
    if not edition_dir.is_dir():
        raise SourceError(
            "not a folder", file=edition_dir, hint="name an edition folder such as sources/<id>"
        )


def check_formats(formats: tuple[str, ...] | list[str]) -> None:
    """Refuse a format no writer writes (a typo would otherwise build nothing of it)."""
    unknown = set(formats) - set(writers.names())
    if unknown:
        raise UsageError(
            f"unknown format(s): {', '.join(sorted(unknown))}",
            hint=f"choose among: {', '.join(writers.names())}",
        )


def check_options(options: dict[str, Any]) -> None:
    """Refuse an option no writer reads (a typo would otherwise be ignored) and a value none knows."""
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise UsageError(
            f"unknown build option(s): {', '.join(unknown)}", hint=f"choose among: {', '.join(OPTIONS)}"
        )
    if options.get("epub_checks", "auto") not in EPUB_CHECKS:
        raise UsageError(
            f"epub_checks={options['epub_checks']!r} is not a choice", hint=" or ".join(EPUB_CHECKS)
        )


def _validators_dir(options: dict[str, Any]) -> Path | None:
    return Path(options["validators_dir"]) if options.get("validators_dir") else None


def build_key(edition_dir: Path, formats: list[str], options: dict[str, Any], epoch: int) -> str:
    """What a build depends on: source bytes, formats, options, clock and archivekit's version."""
    # The EPUB's accessibility claim depends on which judges are installed: a build made before
    # `make validators` must not count as up to date after it.
    home = _validators_dir(options)
    judges = installed_versions("ace", "epubcheck", home=home) if "epub" in formats else {}
    digest = hashlib.sha256(
        f"{__version__}\n{formats}\n{sorted(options.items())}\n{epoch}\n{judges}\n".encode()
    )
    for path in sorted(edition_dir.iterdir()):
        if path.is_file() and not path.is_symlink():
            stat = path.stat()
            # Larger than ingest lets any source be, so the build will refuse it: size and time suffice.
            small = stat.st_size <= KEY_READ_LIMIT
            body = path.read_bytes() if small else f"{stat.st_size}/{stat.st_mtime_ns}".encode()
            digest.update(path.name.encode() + b"\0" + body + b"\0")
    return digest.hexdigest()


def _declared_id(edition_dir: Path) -> str | None:
    """The edition id from edition.yaml without parsing YAML (only to find the last build quickly)."""
    path = edition_dir / EDITION_FILE
    if path.is_symlink() or not path.is_file():
        return None  # a pipe or device would block here; ingest reports it properly
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    match = re.search(r"^id:[ \t]*([a-z0-9][a-z0-9-]*)[ \t]*$", text, re.MULTILINE)
    return match.group(1) if match else None


def _up_to_date(target: Path, key: str) -> bool:
    if not (target / MANIFEST).is_file():
        return False
    try:
        manifest = read_manifest(target)
    except ArchivekitError:
        return False
    if manifest.get("build_key") != key:
        return False
    return all(
        (target / row["path"]).is_file() and (target / row["path"]).stat().st_size == row["bytes"]
        for row in manifest["artifacts"]
    )


def build(request: BuildRequest) -> Path:
    """Build one edition into out_root/<edition-id>/, atomically; return that folder."""
    started = time.perf_counter()
    edition_dir = request.edition_dir
    check_edition_folder(edition_dir)
    epoch = source_date_epoch(edition_dir)
    check_options(request.options)
    check_formats(request.formats)
    names = writers.plan(list(request.formats) or None)
    key = build_key(edition_dir, names, request.options, epoch)

    quick_id = _declared_id(edition_dir)
    if quick_id and not request.force and _up_to_date(request.out_root / quick_id, key):
        log.info("%s is up to date", request.out_root / quick_id)
        return request.out_root / quick_id

    from archivekit.ingest import load_edition  # here: a no-op rebuild never pays for pandoc and YAML

    steps = len(names) + 2
    log.info("[1/%d] reading sources in %s", steps, edition_dir)
    doc = load_edition(edition_dir, source_date_epoch=epoch)
    target = request.out_root / doc.edition.id

    with edition_lock(request.out_root, doc.edition.id, wait=request.wait):
        if not request.force and _up_to_date(target, key):
            log.info("%s is up to date (built by the build we waited for)", target)
            return target
        _write_edition(request, doc, names, key, epoch)
    log.info("built %s in %.2f s", target, time.perf_counter() - started)
    return target


def _write_edition(request: BuildRequest, doc: Document, names: list[str], key: str, epoch: int) -> None:
    """Sweep dead builds' leftovers, write every format into a staging folder, swap it in."""
    edition_dir, steps = request.edition_dir, len(names) + 2
    target = request.out_root / doc.edition.id
    sweep_leftovers(request.out_root, doc.edition.id)
    with staged_folder(target) as stage, _epub_judge(request) as judge:
        ctx = BuildContext(
            out_dir=stage,
            edition_dir=edition_dir,
            source_date_epoch=epoch,
            cache_dir=cache_dir(),
            options=dict(request.options),
            judge_epub=judge,
            previous_build=target if (target / MANIFEST).is_file() else None,
        )
        artifacts: list[Artifact] = _copy_sources(doc.source_files, edition_dir, stage)
        try:
            # It finishes the writers' pending work.
            artifacts += _run_writers(doc, ctx, names, steps, request.writer_pool)
        except ArchivekitError as exc:
            _name_the_line(exc, edition_dir)  # a writer names the source file and what it met there
            raise
        finally:
            # A failed build still lets background work end before its staging folder goes.
            for unfinished in ctx.pending:
                unfinished.wait()
        log.info("[%d/%d] writing manifest", steps, steps)
        # The manifest once, with the index it lists: the index shows the manifest without itself.
        manifest = manifest_record(stage, doc, artifacts, source_date_epoch=epoch, build_key=key)
        write_edition_index(stage, manifest)


def _name_the_line(error: ArchivekitError, folder: Path) -> None:
    """An error that names a file of `folder` by its name alone: named by its path, as a source
    error names it, and given the line of its needle's first occurrence there."""
    if not error.file or Path(error.file).is_absolute() or not (folder / error.file).is_file():
        return
    error.file = str(folder / error.file)
    if error.line is not None or not error.needle:
        return
    from archivekit.ingest.files import line_of  # ingest read this folder already: no new import

    with contextlib.suppress(OSError, UnicodeDecodeError):
        error.line = line_of(Path(error.file).read_text(encoding="utf-8"), error.needle)


_editions_at_once = 1  # set in each --jobs worker: the cores are shared between the editions


def writer_processes(pool: WriterPool | None = None) -> int:
    """How many processes one build may write with: its share of the cores this process may use
    ($ARCHIVEKIT_WRITER_PROCESSES overrides; 1 writes every format one after another, here), and
    with a resident pool no more than this process and its workers."""
    chosen = os.environ.get("ARCHIVEKIT_WRITER_PROCESSES", "").strip()
    if chosen.isdigit():
        return max(1, int(chosen))
    cores = usable_cores()
    if pool is not None:
        # Its workers wait, warm, and cost nothing to hand a writer to: a process that happens to
        # be running elsewhere at the start of a build would otherwise make it all one process's.
        return max(1, min(cores // _editions_at_once, pool.processes + 1))
    # A forked writer only gains when a core is idle: on a machine already busy, two processes
    # take as long as one and the fork costs its copy.
    return max(1, min(cores // _editions_at_once, cores - _others_running()))


def _others_running() -> int:
    """How many other processes want a core now: the kernel's count of runnable tasks, less this
    one. The load average would count the last minute's builds, a resident process's own."""
    try:
        with open("/proc/loadavg", encoding="ascii") as stat:
            runnable = int(stat.read().split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        return int(os.getloadavg()[0]) - 1 if hasattr(os, "getloadavg") else 0
    return max(0, runnable - 1)


def _share_cores(editions: int) -> None:
    global _editions_at_once
    _editions_at_once = editions


def _run_writers(
    doc: Document, ctx: BuildContext, names: list[str], steps: int, pool: WriterPool | None = None
) -> list[Artifact]:
    """Every writer's artifacts, in registry order (the manifest's order), whatever order they ran in.

    With more than one core, the page writers no other writer reads from (print, large print) go
    to other processes, one writer to each spare core, the first in build order first (print,
    whose proofs make it the heaviest): a resident process's `pool` of workers, or else children
    forked before this build starts any thread (the EPUB's judges); this process writes the rest
    meanwhile: the archival PDF, then what reads its page starts (EPUB, braille), text, HTML and
    what no spare core took (large print, on two cores), then finishes what its writers left
    running (the EPUB's claim; its artifacts come last, as before). This process keeps what it
    learns (a resident build's warm state), and the writers it hands off need nothing from it.
    """
    step = {name: index for index, name in enumerate(names, start=2)}
    needed = {need for n in names for need in writers.spec(n).needs}
    apart = [n for n in names if writers.spec(n).pages and n not in needed]
    if len(apart) == len(names):
        apart = apart[1:]  # this process would only wait: it writes the first itself
    # Not two writers to one child: this process, lighter, would wait for it (with print's proofs
    # rendered, large print then ends a rebuild 0.03 s after all else is written).
    processes = writer_processes(pool)
    handed_off = apart[: processes - 1]
    produced: dict[str, list[Artifact]] = {}
    elsewhere: list[forked.Child | Job] = []
    try:
        if handed_off and pool is not None:
            for name in handed_off:
                log.info("[%d/%d] writing %s", step[name], steps, name)
                elsewhere.append(pool.submit(name, doc, ctx))
        elif handed_off:
            # Imported and prepared once, here: children inherit them, and a resident process
            # (watch) keeps them for its next build, which a child's work would not.
            for name in handed_off:
                writers.load(name)
            from archivekit.typeset.layout import prepare_fonts

            prepare_fonts(doc, ctx)
            for name in handed_off:
                log.info("[%d/%d] writing %s", step[name], steps, name)
                elsewhere.append(forked.Child(name, _child_work(name, doc, ctx)))
        # A core no writer was handed to (one format asked for): a writer may run part of its
        # work there (the archival PDF's second profile). Not with a resident pool: its process
        # runs threads (fork copies only the calling one).
        spare = processes - 1 - len(handed_off) if pool is None else 0
        ctx.run_apart = _run_apart if spare > 0 else None
        ctx.fork = _fork if spare > 0 else None
        for name in names:
            if name in handed_off:
                continue
            t0 = time.perf_counter()
            log.info("[%d/%d] writing %s", step[name], steps, name)
            produced[name] = writers.load(name).write(doc, ctx)
            log.debug("%s took %.2f s", name, time.perf_counter() - t0)
        finished: list[Artifact] = []
        while ctx.pending:  # work a writer left running (the EPUB's claim), done while children write
            finished += ctx.pending.pop(0).finish()
        for other in elsewhere:
            results, products = other.result()
            produced.update(results)
            ctx.products.merge(products)
    finally:
        for other in elsewhere:
            other.stop()  # a failed or interrupted build: they end before the staging folder goes
    return [a for name in names for a in produced[name]] + finished


def _run_apart(name: str, work: Callable[[], Any]) -> Apart:
    """The work in a forked child, when this process can fork; else done here."""
    return _fork(name, work) or _Done(work())


def _fork(name: str, work: Callable[[], Any]) -> Apart | None:
    """The work in a forked child, started now; None when this process runs another thread (a fork
    copies only the calling thread: a lock another thread held would stay locked in the child)."""
    if threading.active_count() > 1:
        return None
    return forked.Child(name, work)


@dataclass
class _Done:
    """Work already done here, as an Apart."""

    value: Any

    def result(self) -> Any:
        return self.value

    def stop(self) -> None:
        pass


def _child_work(name: str, doc: Document, ctx: BuildContext) -> Any:
    """What a forked child computes: its writer's artifacts, and the products it made."""

    def work() -> tuple[dict[str, list[Artifact]], Products]:
        ctx.products = Products()  # only its own, sent back
        return writers.write_alone(name, doc, ctx)

    return work


@contextlib.contextmanager
def _epub_judge(request: BuildRequest) -> Iterator[EpubJudge | None]:
    """The request's judge, or validate/'s judge of the EPUB candidate (none with epub_checks: off)."""
    options = request.options
    if options.get("epub_checks", "auto") == "off":
        yield None
        return
    if request.epub_judge is not None:
        yield request.epub_judge
        return
    from archivekit.validate.epub_claim import CandidateJudge  # here: a no-op rebuild never loads the judges

    with CandidateJudge(cache_dir() / "epub-checks", _validators_dir(options)) as judge:
        # Future is invariant: its Future[epub_claim.Verdict] is the writers' Future[Verdict | None]
        # (a protocol the dataclass meets) in all but name.
        yield cast(EpubJudge, judge)


def _copy_sources(files: tuple[str, ...], edition_dir: Path, stage: Path) -> list[Artifact]:
    """The canonical sources travel with every build, so the evidence of what was rendered stays with it."""
    out = []
    (stage / "sources").mkdir()
    for name in files:
        try:
            shutil.copyfile(edition_dir / name, stage / "sources" / name)
        except OSError as exc:
            # copyfile names the source; a full or read-only disk is the copy's problem: name it.
            raise OSError(exc.errno, exc.strerror, str(stage / "sources" / name)) from None
        media = {
            ".md": "text/markdown; charset=utf-8",
            ".yaml": "application/yaml",
            ".json": "application/json",
        }
        out.append(Artifact("source", f"sources/{name}", media.get(Path(name).suffix, "text/plain")))
    return out


def write_edition_index(stage: Path, manifest: dict[str, Any] | None = None) -> None:
    """(Re)write index.html from the manifest (the folder's, unless given: then written here) and
    the validation report, and list it in the manifest."""
    from archivekit.writers.html.index import write_index  # here: a no-op rebuild never loads the HTML writer

    index = write_index(stage, manifest)  # None only when the folder has no manifest
    if index is not None:
        add_artifact(stage, index, manifest)


def _build_one(request: BuildRequest) -> tuple[Path | None, str | None, int]:
    """One edition's build; its error (a disk fault too) is reported and the other editions go on."""
    try:
        with interrupts.cleanup_scope():  # a signal in a --jobs worker unwinds, removing its staging
            return build(request), None, 0
    except ArchivekitError as exc:
        return None, str(exc), exc.exit_code
    except OSError as exc:
        fault = from_os_error(exc)
        return None, str(fault), fault.exit_code


def build_many(requests: list[BuildRequest], *, jobs: int = 1) -> list[tuple[Path | None, str | None, int]]:
    """Build several editions, `jobs` at a time; one result (folder, error, exit code) per request."""
    if jobs <= 1 or len(requests) <= 1:
        return [_build_one(r) for r in requests]
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_share_cores, initargs=(jobs,))
    try:
        return list(pool.map(_build_one, requests))
    finally:
        # On Ctrl-C or SIGTERM the workers were told to stop (interrupts.stop_children): editions not
        # yet started are dropped, and the wait ends when the workers have removed their staging.
        pool.shutdown(wait=True, cancel_futures=True)
