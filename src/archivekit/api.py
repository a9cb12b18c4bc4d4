"""The library API: build and check editions from another program, with the CLI's errors.

    import archivekit

    folder = archivekit.build("sources/my-edition", "build", formats=["html", "text"])
    doc = archivekit.check("sources/my-edition")

Both raise `archivekit.errors.ArchivekitError` subclasses (`SourceError` with the file and line,
`UsageError`, `BuildError`, `ToolMissing`, `MachineFault`), each carrying the exit code the CLI
would return (`exc.exit_code`); an `OSError` from the file system is turned into the CLI's
`MachineFault` naming the path and the fix. A failed build leaves the last good one untouched.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archivekit.errors import ArchivekitError, UsageError, from_os_error

if TYPE_CHECKING:
    from archivekit.model import Document

__all__ = ["build", "check"]


def build(
    edition_dir: str | os.PathLike[str],
    out: str | os.PathLike[str] = "build",
    *,
    formats: Iterable[str] = (),
    force: bool = False,
    pdfa: str | None = None,
    epub_checks: str = "auto",
    validators: str | os.PathLike[str] | None = None,
    options: Mapping[str, Any] | None = None,
) -> Path:
    """Build one edition into OUT/<edition-id>/, atomically, and return that folder.

    edition_dir: the folder holding edition.yaml. out: where edition folders go (made if missing).
    formats: writer names (`archivekit.writers.names()`); empty means every format; a format's
    dependencies are added (epub and braille need the archival PDF). force: rebuild even when the
    sources, formats and options are those of the build already in OUT. pdfa: "2a" (default),
    "2u", "3a" or several joined by commas, as the CLI's --pdfa. epub_checks: "auto" (default) or
    "off", as --epub-checks. validators: the judges' folder, as --validators. options: the other
    build options by key (`archivekit.pipeline.OPTIONS`: csl_style, print_icc; docs/api.md).
    Raises ArchivekitError (exit_code as the CLI) for anything a user can fix.
    """
    from archivekit.pipeline import BuildRequest, epub_options
    from archivekit.pipeline import build as run_build

    chosen = dict(options or {})
    if pdfa is not None:
        from archivekit.writers.pdf import profiles

        chosen["pdfa"] = ",".join(p.name for p in profiles.selected(pdfa))
    chosen.setdefault("pdfa", None)  # the CLI's default: the key takes part in the build key
    chosen.update(epub_options(epub_checks, validators))  # as the CLI: the same build key
    if isinstance(formats, str):
        raise UsageError(f"formats={formats!r} is one string", hint=f"pass a list: formats=[{formats!r}]")
    request = BuildRequest(Path(edition_dir), Path(out), tuple(formats), chosen, force=force)
    try:
        return run_build(request)
    except ArchivekitError:
        raise
    except OSError as exc:
        raise from_os_error(exc) from exc


def check(edition_dir: str | os.PathLike[str]) -> Document:
    """Read and check an edition's sources, writing nothing; return the document model.

    Raises SourceError (with the file and line) for the first fault found, or BuildError for a
    character no font draws, as `archivekit check`.
    """
    from archivekit.pipeline import check_sources

    try:
        return check_sources(Path(edition_dir))
    except ArchivekitError:
        raise
    except OSError as exc:
        raise from_os_error(exc) from exc
