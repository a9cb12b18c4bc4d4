"""Command line: argument parsing and exit codes only; the work happens in pipeline, validate, package."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from pathlib import Path
from typing import NoReturn

from archivekit import __version__, interrupts, writers
from archivekit.errors import ArchivekitError, UsageError, from_os_error
from archivekit.interrupts import Terminated
from archivekit.switches import GLOBAL_FLAGS

EXAMPLES = """\
examples:
  archivekit build                          build every edition under sources/ into build/
  archivekit build sources/my-edition --format pdf --format html
  archivekit build sources/my-edition --pdfa 3a   archival PDF as PDF/A-3a with its sources inside
  archivekit new my-edition --lang fr --title "..."   start an edition folder in sources/
  archivekit import draft.docx --id my-edition --lang en   draft one from DOCX, ODT, HTML or Markdown
  archivekit check sources/my-edition       check the sources only; writes nothing
  archivekit watch sources/my-edition       rebuild on every save, in one resident process
  archivekit preview sources/my-edition     the same, with a page on 127.0.0.1 showing every format
  archivekit validate build/my-edition      run veraPDF, EPUBCheck, Ace, Nu and axe on a build
  archivekit package build/my-edition       make a BagIt bag build/<id>-<version>.bag
  archivekit verify build/<id>-<version>.bag

exit codes: 0 success, 1 a check or validation failed, 2 bad usage, bad input or a missing tool
environment: SOURCE_DATE_EPOCH (build clock; default: last git commit of the sources),
  ARCHIVEKIT_CACHE (prepared fonts; default ~/.cache/archivekit), NO_COLOR,
  ARCHIVEKIT_SERVER (build, check, validate, package and verify run in a resident server that has
  the libraries loaded, started by the first of them: on by default, off under CI (CI=true) or with
  ARCHIVEKIT_SERVER=off; `archivekit server --help`)
"""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as archivekit errors (exit 2, one clear line)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message, hint=f"see `{self.prog} --help`")


def _cmd_build(args: argparse.Namespace) -> int:
    from archivekit.pipeline import BuildRequest, build_many, epub_options, find_editions

    editions = [Path(p) for p in args.editions] or find_editions(Path("sources"))
    options = {"pdfa": args.pdfa, **epub_options(args.epub_checks, args.validators or None)}
    if args.scheduler:
        from archivekit.cluster import build_on_cluster

        return build_on_cluster(
            editions,
            out=args.out,
            formats=tuple(args.format or ()),
            options=options,
            force=args.force,
            address=args.scheduler,
            quiet=args.quiet,
        )
    if "://" in args.out:
        raise UsageError(f"--out {args.out} is a URL: workers write there", hint="add --scheduler ADDRESS")
    requests = [
        BuildRequest(
            Path(e),
            Path(args.out),
            tuple(args.format or ()),
            options,
            force=args.force,
            wait=not args.no_wait,
        )
        for e in editions
    ]
    worst = 0
    for (folder, error, code), request in zip(build_many(requests, jobs=args.jobs), requests, strict=True):
        if error:
            print(f"archivekit: error: {error}", file=sys.stderr)
            worst = max(worst, code)
        elif not args.quiet:
            print(folder)
        del request
    return worst


def _cmd_check(args: argparse.Namespace) -> int:
    from archivekit.pipeline import check_sources

    for edition in args.editions:
        doc = check_sources(Path(edition))
        if not args.quiet:
            notes = len(doc.notes)
            print(
                f"{edition}: ok ({len(doc.parts)} parts, {notes} note{'s' * (notes != 1)}, "
                f"{len(doc.bibliography)} references)"
            )
    return 0


def _cmd_new(args: argparse.Namespace) -> int:
    from archivekit.authoring import new_edition

    folder = new_edition(
        args.id,
        lang=args.lang,
        sources=Path(args.sources),
        title=args.title,
        creator=args.creator,
        date=args.date,
        role=args.role,
    )
    if not args.quiet:
        print(folder)
        print(
            f"next: write the text into {folder}/01-{args.id}.{args.lang}.md, replace every TODO: in "
            f"{folder}/edition.yaml, then `archivekit check {folder}` (docs/authoring.md)",
            file=sys.stderr,
        )
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from archivekit.authoring import import_document
    from archivekit.ingest import load_edition

    folder, report = import_document(
        Path(args.file),
        edition_id=args.id,
        lang=args.lang,
        sources=Path(args.sources),
        title=args.title,
        creator=args.creator,
        date=args.date,
        role=args.role,
    )
    print(folder)
    lines = report.lines()
    print(f"archivekit: not carried over as it was ({len(lines)} kind(s), also in {folder}/CHANGELOG.md):",
          file=sys.stderr)  # fmt: skip
    for line in lines or ["nothing"]:
        print(f"  {line}", file=sys.stderr)
    try:
        load_edition(folder)
    except ArchivekitError as exc:
        print(f"archivekit: the draft needs work before it builds:\n{exc}", file=sys.stderr)
        return 1
    return 0


def _add_server(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "server",
        help="stop the resident build servers",
        description="`archivekit build` (and check, validate, package, verify) runs in a resident server "
        "that has the libraries imported and the fonts read: the first command runs as usual, then starts "
        "it in the background; later ones run in a fork of it, with the same output, files and exit code, "
        "in a fraction of the time. There is one server per installation and environment; it leaves after "
        "$ARCHIVEKIT_SERVER_IDLE seconds (default 600) without a command. It is on by default; off under "
        "CI (the CI variable set, as CI services do) unless ARCHIVEKIT_SERVER=on, and off with "
        "ARCHIVEKIT_SERVER=off. `archivekit server stop` stops them now (after a change to the fonts, say).",
        formatter_class=_Formatter,
    )
    p.add_argument(
        "action",
        choices=["stop"],
        help="stop: ask every server of this user that has its socket in this runtime folder "
        "($XDG_RUNTIME_DIR, else the temporary folder) to leave",
    )
    p.set_defaults(run=_cmd_server)


def _cmd_server(args: argparse.Namespace) -> int:
    from archivekit.resident.client import stop_all

    asked = stop_all()
    if not args.quiet:
        print(f"archivekit: {asked} server{'s' if asked != 1 else ''} asked to stop", file=sys.stderr)
    return 0


def _add_start(sub: argparse._SubParsersAction) -> None:
    """`new` and `import`: the two ways to start an edition folder."""
    from archivekit.model.roles import ROLES

    new = sub.add_parser(
        "new",
        help="create an edition folder to fill in",
        description="Create SOURCES/ID/ with edition.yaml (every unknown value a TODO: placeholder that "
        "`check` refuses until replaced), an empty part file and a CHANGELOG.md.",
    )
    new.add_argument("id", metavar="ID", help="edition id: lower-case letters, digits, hyphens")
    imp = sub.add_parser(
        "import",
        help="draft an edition from a DOCX, ODT, HTML or Markdown file",
        description="Draft SOURCES/ID/ from an existing document through pandoc. Generated list numbers "
        "become marker text; what the archival format cannot hold (images, tables, link targets, tracked "
        "changes, comments, some formatting) is listed on stderr and in CHANGELOG.md, never dropped "
        "silently. Exit 1 when the draft does not pass `archivekit check` yet (it is kept to fix).",
    )
    imp.add_argument("file", metavar="FILE", help="the document to import")
    imp.add_argument("--id", required=True, help="edition id: lower-case letters, digits, hyphens")
    for p, run in ((new, _cmd_new), (imp, _cmd_import)):
        p.add_argument("--lang", required=True, help="BCP 47 tag of the text's language, e.g. zh-Hans, fr")
        p.add_argument("--title", help="the edition's title (editorial)")
        p.add_argument("--creator", action="append", metavar="NAME",
                       help="who wrote the text, as written; once for each, in order")  # fmt: skip
        p.add_argument("--date", help="the text's date: YYYY-MM-DD, YYYY-MM or YYYY")
        p.add_argument("--role", default="book", choices=sorted(ROLES), metavar="ROLE",
                       help=f"what the text is (default: book): {', '.join(ROLES)}")  # fmt: skip
        p.add_argument("--sources", default="sources", metavar="DIR", help="where edition folders are")
        p.set_defaults(run=run)


def _pdfa_profiles(value: str) -> str:
    """Check --pdfa against the PDF writer's profile registry (imported only when the flag is used)."""
    from archivekit.writers.pdf import profiles

    return ",".join(p.name for p in profiles.selected(value))


def _add_build(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "build",
        help="build editions from their sources",
        description="Build every format of each edition folder into OUT/<edition-id>/, atomically: a failed "
        "build leaves the previous one untouched. Without EDITION_DIR, builds every edition under sources/.",
        formatter_class=_Formatter,
    )
    p.add_argument(
        "editions", nargs="*", metavar="EDITION_DIR", help="edition folder(s) holding edition.yaml"
    )
    p.add_argument("--out", default="build", metavar="DIR", help="where edition folders go (default: build)")
    p.add_argument(
        "--format",
        action="append",
        metavar="NAME",
        help=f"build only this format (repeatable): {', '.join(writers.names())}",
    )
    p.add_argument(
        "--pdfa",
        type=_pdfa_profiles,
        metavar="PROFILE[,PROFILE]",
        help="archival PDF profile(s), default 2a,4f: 2a (<id>.pdf, PDF/A-2a + PDF/UA-1, for readers), "
        "4f (<id>.pdfa4f.pdf, PDF 2.0: PDF/A-4f + PDF/UA-2 + WTPDF with its sources inside, the "
        "preservation master), 2u (<id>.pdfa2u.pdf), 3a (<id>.pdfa3.pdf: sources, edition.yaml and "
        "CSL-JSON embedded as associated files)",
    )
    p.add_argument(
        "--epub-checks",
        choices=("auto", "off"),
        default="auto",
        help="auto (default): run Ace and EPUBCheck on the EPUB during the build; it claims EPUB "
        "Accessibility 1.1 (dcterms:conformsTo) only when they find nothing; off: run neither, and "
        "so make no claim (a quicker build, e.g. for drafts)",
    )
    p.add_argument(
        "--validators",
        metavar="DIR",
        help="where the EPUB's judges (Ace, EPUBCheck) are installed (default: $ARCHIVEKIT_VALIDATORS, "
        "else ~/.cache/archivekit/validators, as tools/validators/install.sh puts them)",
    )
    p.add_argument(
        "--jobs", "-j", type=int, default=min(2, os.cpu_count() or 1), help="editions built at once"
    )
    p.add_argument("--force", action="store_true", help="rebuild even when nothing changed")
    p.add_argument(
        "--no-wait",
        action="store_true",
        help="when another build of the same edition is writing into --out, stop (exit 2) instead of waiting",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=os.environ.get("ARCHIVEKIT_SCHEDULER") or None,
        help="build each edition as a task on the Dask cluster at ADDRESS, e.g. tcp://host:8786 "
        "(default: $ARCHIVEKIT_SCHEDULER; unset: build here with --jobs); --out may then be an fsspec "
        "URL the workers write into (file://, s3:// with s3fs); see docs/scaling.md",
    )
    p.set_defaults(run=_cmd_build)


def _add_check(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check",
        help="check an edition's sources without writing anything",
        description="Read and check the sources (metadata, Markdown parts, bibliography) and find a font "
        "for every character the PDFs draw. Writes nothing (prepared fonts go to the cache, for the build).",
    )
    p.add_argument("editions", nargs="+", metavar="EDITION_DIR")
    p.set_defaults(run=_cmd_check)


def _add_live(sub: argparse._SubParsersAction) -> None:
    """`watch` and `preview`: one resident process rebuilding on every save (archivekit.live)."""
    from archivekit.live import add_subcommands

    add_subcommands(sub, f"build only this format (repeatable): {', '.join(writers.names())}")


def _refresh_index(build_dir: Path) -> None:
    """After validation, the pipeline rewrites the edition's index with the verdicts."""
    from archivekit.pipeline import write_edition_index

    write_edition_index(build_dir)


def _add_scheduler(p: argparse.ArgumentParser, help: str) -> None:
    """--scheduler: do the work on a Dask cluster (archivekit.cluster, wired here, not in the stages)."""
    p.add_argument(
        "--scheduler", metavar="ADDRESS", default=os.environ.get("ARCHIVEKIT_SCHEDULER") or None, help=help
    )


def _cmd_validate(args: argparse.Namespace) -> int:
    from archivekit import validate

    if not args.scheduler:
        return validate.validate_command(args)
    from archivekit.cluster import validate_on_cluster

    return validate_on_cluster(
        validate.build_dirs_of(args), address=args.scheduler, require_all=args.require_all, quiet=args.quiet
    )


def _cmd_package(args: argparse.Namespace) -> int:
    from archivekit import package

    if not args.scheduler:
        return package.run_package(args)
    from archivekit.cluster import package_on_cluster

    return package_on_cluster(
        package.build_dirs_of(args),
        out=args.out,
        source_organization=args.source_organization,
        address=args.scheduler,
        quiet=args.quiet,
    )


def _add_optional(sub: argparse._SubParsersAction) -> None:
    """Subcommands their own modules define (validate; package, verify), imported when the parser is made."""
    from archivekit import package, validate

    validate.add_subcommands(sub, after_each=_refresh_index)
    package.add_subcommands(sub)
    _add_scheduler(
        sub.choices["validate"],
        "run the judges on the Dask cluster at ADDRESS, one edition per task (default: "
        "$ARCHIVEKIT_SCHEDULER); a judge missing on a worker is reported 'not run'; docs/scaling.md",
    )
    sub.choices["validate"].set_defaults(run=_cmd_validate)
    _add_scheduler(
        sub.choices["package"],
        "make the bags on the Dask cluster at ADDRESS, one edition per task (default: "
        "$ARCHIVEKIT_SCHEDULER); docs/scaling.md",
    )
    sub.choices["package"].set_defaults(run=_cmd_package)


def parser() -> argparse.ArgumentParser:
    """The archivekit argument parser."""
    p = _Parser(
        prog="archivekit",
        description="Publish one canonical document as archival, accessible, print-ready editions: "
        "archival PDF (PDF/A + PDF/UA), EPUB 3, tagged HTML, print PDF and a BagIt package.",
        epilog=EXAMPLES,
        formatter_class=_Formatter,
    )
    p.add_argument("--version", action="version", version=f"archivekit {__version__}")
    p.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    p.add_argument("-v", "--verbose", action="store_true", help="print details (cache hits, timings)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    _add_build(sub)
    _add_check(sub)
    _add_start(sub)
    _add_live(sub)
    _add_optional(sub)
    _add_server(sub)
    return p


def _setup_logging(quiet: bool, verbose: bool) -> None:
    level = logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("archivekit: %(message)s"))
    root = logging.getLogger("archivekit")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def globals_first(argv: list[str]) -> list[str]:
    """`archivekit build -q` means `archivekit -q build`: global flags may stand after the subcommand."""
    end = argv.index("--") if "--" in argv else len(argv)
    flags = [arg for arg in argv[:end] if arg in GLOBAL_FLAGS]
    rest = [arg for arg in argv[:end] if arg not in GLOBAL_FLAGS]
    return [*flags, *rest, *argv[end:]]


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    interrupts.install()
    try:
        p = parser()
        args = p.parse_args(globals_first(sys.argv[1:] if argv is None else argv))
        _setup_logging(args.quiet, args.verbose)
        if not getattr(args, "run", None):
            p.print_help(sys.stderr)
            return 2
        return args.run(args)
    except (KeyboardInterrupt, Terminated):
        _stopped()
    except Exception as exc:
        if interrupts.received() is not None:
            # The stop surfaced as another error where it landed (Python 3.11 wraps a
            # KeyboardInterrupt raised in a class body being imported in a RuntimeError; a writer
            # reports it as its failure): it is still the stop, and said as one.
            _stopped()
        if isinstance(exc, ArchivekitError):
            print(f"archivekit: error: {exc}", file=sys.stderr)
            return exc.exit_code
        if isinstance(exc, OSError):
            fault = from_os_error(exc)
            print(f"archivekit: error: {fault}", file=sys.stderr)
            return fault.exit_code
        raise


def _stopped() -> NoReturn:
    """Ctrl-C or SIGTERM: every staging folder is gone by now; end the children, say so, leave.

    Leaves at once (exit 130 or 143): past this point nothing is left to clean, and CPython 3.11's
    shutdown after a handled KeyboardInterrupt could end a `python -m archivekit` by SIGINT
    instead (seen as -2, not 130, by the caller).
    """
    interrupts.kill_children(settle=1.0)
    sig = interrupts.received() or signal.SIGINT
    said = "terminated" if sig == signal.SIGTERM else "interrupted"
    print(f"archivekit: {said}; nothing half-written was kept", file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(interrupts.EXIT_CODES[signal.Signals(sig)])
