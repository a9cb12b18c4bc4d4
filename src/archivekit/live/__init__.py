"""`archivekit watch` and `archivekit preview`: one resident process that rebuilds on every save.

Rebuilding in the process that built before is the point: the imports (0.23 s of
libraries), ReportLab's parsed fonts (kept while the prepared font file is the same, that is while
an edit adds no new character) and the cached pandoc, locale and citation-style look-ups all stay
in memory, so a rebuild costs the work, not the start. This package is imported by the CLI on
every run: the watcher and the server load only when their command runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from archivekit.live.watch import Watcher

__all__ = ["add_subcommands"]


def _common(p: argparse.ArgumentParser, formats_help: str) -> None:
    p.add_argument(
        "editions", nargs="*", metavar="EDITION_DIR", help="edition folder(s) (default: all in sources/)"
    )
    p.add_argument("--out", default="build", metavar="DIR", help="where edition folders go (default: build)")
    p.add_argument("--format", action="append", metavar="NAME", help=formats_help)
    p.add_argument(
        "--epub-checks",
        choices=("auto", "off"),
        default="auto",
        help="auto (default): Ace and EPUBCheck judge each EPUB in the background and a rebuild of the "
        "same text then claims EPUB Accessibility 1.1 if they found nothing; off: neither runs, no claim",
    )
    p.add_argument(
        "--validators",
        metavar="DIR",
        help="where the judges are installed (default: $ARCHIVEKIT_VALIDATORS, else "
        "~/.cache/archivekit/validators, as tools/validators/install.sh puts them)",
    )
    p.add_argument(
        "--no-judges",
        dest="judges",
        action="store_false",
        help="do not run the judges (archivekit validate) in the background after each build",
    )


def add_subcommands(sub: argparse._SubParsersAction, formats_help: str) -> None:
    """Register `watch` and `preview`."""
    watch = sub.add_parser(
        "watch",
        help="build, then rebuild on every saved change (one resident process)",
        description="Build each edition, then watch its folder and rebuild in this process on every saved "
        "change: one line per rebuild (what changed, which formats, time). A source error is shown with "
        "its file and line and the last good build stays. The judges (archivekit validate) run in the "
        "background after each build; their verdict line follows when ready. Ctrl-C ends (exit 130).",
    )
    _common(watch, formats_help)
    watch.set_defaults(run=_cmd_watch)
    preview = sub.add_parser(
        "preview",
        help="watch, plus a local page showing every format that reloads after each rebuild",
        description="`watch`, plus a web page on 127.0.0.1 (only) listing every format of the edition and "
        "showing the HTML edition, the archival and print PDFs and the proof sheet; it reloads by itself "
        "when a rebuild finishes. Only files of the build folder are served.",
    )
    _common(preview, formats_help)
    preview.add_argument("--port", type=_port, default=0, help="port on 127.0.0.1 (default: a free one)")
    preview.set_defaults(run=_cmd_preview)


def _port(text: str) -> int:
    """A TCP port number, 0 (any free port) to 65535."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            f"{text!r} is no port: give a number from 1 to 65535 (0: a free one)"
        )
    return port


def _editions(args: argparse.Namespace) -> list[Path]:
    from archivekit.pipeline import find_editions

    return [Path(p) for p in args.editions] or find_editions(Path("sources"))


def _watcher(args: argparse.Namespace) -> Watcher:
    from archivekit.live.watch import Watcher

    return Watcher(
        _editions(args),
        Path(args.out),
        tuple(args.format or ()),
        judges=args.judges,
        verbose=args.verbose,
        epub_checks=args.epub_checks,
        validators=Path(args.validators).expanduser().resolve() if args.validators else None,
    )


def _cmd_watch(args: argparse.Namespace) -> int:
    watcher = _watcher(args)
    try:
        watcher.start()
        watcher.run()
    finally:
        watcher.close()
    return 0


def _cmd_preview(args: argparse.Namespace) -> int:
    from archivekit.live.server import Preview

    watcher = _watcher(args)
    preview = None
    try:
        preview = Preview(watcher, port=args.port)  # the port first: a busy --port fails before any build
        preview.start()
        print(f"preview: {preview.url}", flush=True)
        watcher.start()
        watcher.run()
    finally:
        watcher.close()
        if preview is not None:
            preview.close()
    return 0
