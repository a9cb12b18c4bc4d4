"""Command line: argument parsing and exit codes only; the work happens in pipeline, validate, package."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

from archivekit import __version__, writers
from archivekit.errors import ArchivekitError, UsageError

EXAMPLES = """\
examples:
  archivekit build                          build every edition under sources/ into build/
  archivekit build sources/my-edition --format pdf --format html
  archivekit build sources/my-edition --pdfa 3a   archival PDF as PDF/A-3a with its sources inside
  archivekit check sources/my-edition       check the sources only; writes nothing
  archivekit validate build/my-edition      run veraPDF, EPUBCheck, Ace, Nu and axe on a build
  archivekit package build/my-edition       make a BagIt bag build/<id>-<version>.bag
  archivekit verify build/<id>-<version>.bag

exit codes: 0 success, 1 a check or validation failed, 2 bad usage, bad input or a missing tool
environment: SOURCE_DATE_EPOCH (build clock; default: last git commit of the sources),
  ARCHIVEKIT_CACHE (prepared fonts; default ~/.cache/archivekit), NO_COLOR
"""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as archivekit errors (exit 2, one clear line)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message, hint=f"see `{self.prog} --help`")


def _cmd_build(args: argparse.Namespace) -> int:
    from archivekit.pipeline import BuildRequest, build_many, find_editions

    editions = [Path(p) for p in args.editions] or find_editions(Path("sources"))
    options = {"pdfa": args.pdfa}
    requests = [
        BuildRequest(Path(e), Path(args.out), tuple(args.format or ()), options, force=args.force)
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
    from archivekit.ingest import load_edition

    for edition in args.editions:
        doc = load_edition(Path(edition))
        if not args.quiet:
            notes = len(doc.notes)
            print(
                f"{edition}: ok ({len(doc.parts)} parts, {notes} note{'s' * (notes != 1)}, "
                f"{len(doc.bibliography)} references)"
            )
    return 0


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
        help="archival PDF profile(s): 2a (default, <id>.pdf), 2u (<id>.pdfa2u.pdf), "
        "3a (<id>.pdfa3.pdf: sources, edition.yaml and CSL-JSON embedded as associated files)",
    )
    p.add_argument(
        "--jobs", "-j", type=int, default=min(2, os.cpu_count() or 1), help="editions built at once"
    )
    p.add_argument("--force", action="store_true", help="rebuild even when nothing changed")
    p.set_defaults(run=_cmd_build)


def _add_check(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check",
        help="check an edition's sources without writing anything",
        description="Read and check the sources (metadata, Markdown parts, bibliography). Writes nothing.",
    )
    p.add_argument("editions", nargs="+", metavar="EDITION_DIR")
    p.set_defaults(run=_cmd_check)


def _add_optional(sub: argparse._SubParsersAction) -> None:
    """Subcommands whose modules may add their own arguments (validate, package, verify)."""
    for module_name in ("archivekit.validate", "archivekit.package"):
        try:
            module = __import__(module_name, fromlist=["add_subcommands"])
        except ImportError:
            continue
        adder: Callable[[argparse._SubParsersAction], None] | None = getattr(module, "add_subcommands", None)
        if adder:
            adder(sub)


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
    _add_optional(sub)
    return p


def _setup_logging(quiet: bool, verbose: bool) -> None:
    level = logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("archivekit: %(message)s"))
    root = logging.getLogger("archivekit")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    try:
        p = parser()
        args = p.parse_args(argv)
        _setup_logging(args.quiet, args.verbose)
        if not getattr(args, "run", None):
            p.print_help(sys.stderr)
            return 2
        return args.run(args)
    except ArchivekitError as exc:
        print(f"archivekit: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("archivekit: interrupted", file=sys.stderr)
        return 130
