"""Start an edition: `new` scaffolds an empty one, `import` drafts one from an existing document.

These write sources (they sit before ingest); the drafted edition is then read by ingest like any
other, so `archivekit check` says what is still missing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from archivekit.authoring.importer import Draft, ImportReport, draft_from_file
from archivekit.authoring.scaffold import edition_metadata, write_edition
from archivekit.errors import UsageError
from archivekit.ingest.langtags import HINT as LANG_HINT
from archivekit.ingest.langtags import tag_problem
from archivekit.model.roles import ROLES

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


def _check_args(edition_id: str, lang: str, role: str) -> None:
    if not _SLUG.match(edition_id):
        raise UsageError(
            f"{edition_id!r} is not an edition id",
            hint="use lower-case letters, digits and hyphens, e.g. un-a-hrc-41-35-report",
        )
    problem = tag_problem(lang)
    if problem:
        raise UsageError(f"--lang {lang}: {problem}", hint=LANG_HINT)
    if role not in ROLES:
        raise UsageError(f"--role {role}: not a role", hint=f"use one of {', '.join(ROLES)}")


def _write(sources: Path, edition_id: str, text: str, changes: list[str], **fields: Any) -> Path:
    """Write the edition folder: edition.yaml from `fields`, one part file holding `text`, a changelog."""
    part_file = f"01-{edition_id}.{fields['lang']}.md"
    data = edition_metadata(edition_id, part_file=part_file, **fields)
    changelog = f"# Changelog\n\n## {data['version']}\n\n" + "".join(f"- {c}\n" for c in changes)
    return write_edition(sources / edition_id, data, {part_file: text, "CHANGELOG.md": changelog})


def new_edition(
    edition_id: str,
    *,
    lang: str,
    sources: Path,
    title: str | None = None,
    creator: str | Sequence[str] | None = None,
    date: str | None = None,
    role: str = "book",
) -> Path:
    """Create sources/<id>/ with edition.yaml (placeholders marked) and an empty part file."""
    _check_args(edition_id, lang, role)
    known = {"lang": lang, "title": title, "creator": creator, "date": date, "role": role}
    return _write(sources, edition_id, "", ["Edition folder created with `archivekit new`."], **known)


def import_document(
    path: Path,
    *,
    edition_id: str,
    lang: str,
    sources: Path,
    title: str | None = None,
    creator: str | Sequence[str] | None = None,
    date: str | None = None,
    role: str = "book",
) -> tuple[Path, ImportReport]:
    """Draft sources/<id>/ from a DOCX, ODT, HTML or Markdown file; report what was not carried over."""
    _check_args(edition_id, lang, role)
    if not path.is_file():
        raise UsageError(f"{path} is not a file", hint="name the document to import")
    draft: Draft = draft_from_file(path)
    lost = "\n".join(f"  - {line}" for line in draft.report.lines()) or "  - nothing"
    changes = [
        f"Drafted with `archivekit import` from {path.name} (sha256 {draft.sha256}).",
        f"Not carried over as it was:\n{lost}",
    ]
    source = {"file": path.name, "sha256": draft.sha256}
    known = {"lang": lang, "title": title, "creator": creator, "date": date, "role": role}
    folder = _write(sources, edition_id, draft.markdown, changes, **known, source=source)
    return folder, draft.report


__all__ = ["ImportReport", "import_document", "new_edition"]
