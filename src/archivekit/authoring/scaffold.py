"""`archivekit new`: an edition folder to fill in, whose every placeholder `check` refuses until replaced."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from archivekit.errors import UsageError
from archivekit.ingest.edition_yaml import EDITION_FILE, PLACEHOLDER
from archivekit.model.locale import message

HEADER = """\
# Edition metadata, checked against src/archivekit/schemas/edition.schema.json.
# Every value starting with {placeholder} must be replaced before `archivekit check` passes.
# docs/authoring.md explains every field; the text goes in the Markdown part files.
"""


def edition_metadata(
    edition_id: str,
    *,
    lang: str,
    title: str | None,
    creator: str | Sequence[str] | None,
    date: str | None,
    role: str,
    part_file: str,
    source: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The edition.yaml fields of a new edition: what is known, placeholders for the rest."""
    todo = PLACEHOLDER
    names = [creator] if isinstance(creator, str) else list(creator or [])
    creators = [{"role": "aut", "name": {lang: name}} for name in names or [f"{todo} who wrote the text"]]
    data: dict[str, Any] = {
        "id": edition_id,
        "version": "0.1.0",
        "title": {lang: title or f"{todo} the edition's title"},
        # One creator as one object (as every edition.yaml writes it), several as a list in order.
        "creator": creators[0] if len(creators) == 1 else creators,
        "date": date or f"{todo} YYYY-MM-DD, YYYY-MM or YYYY",
        "language": lang,
        "languages": [lang],
        "rights": {lang: f"{todo} who holds the rights to the text, and why it may be republished"},
        "license": f"{todo} public-domain, official-text or an SPDX id",
        "statement": {lang: message(lang, "statement")},
        "parts": [{"id": "text", "file": part_file, "lang": lang, "role": role}],
    }
    if source:
        data["transcribed_from"] = source
    return data


def write_edition(folder: Path, data: dict[str, Any], files: dict[str, str]) -> Path:
    """Write edition.yaml and `files` into a new folder, all at once: on any error nothing is left."""
    if folder.exists() or folder.is_symlink():
        raise UsageError(
            f"{folder} already exists",
            hint="choose another id, or remove the folder if it is a draft you no longer need",
        )
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.new-", dir=folder.parent))
    try:
        text = HEADER.format(placeholder=PLACEHOLDER) + yaml.safe_dump(
            data, allow_unicode=True, sort_keys=False, width=100
        )
        (staging / EDITION_FILE).write_text(text, encoding="utf-8")
        for name, content in files.items():
            (staging / name).write_text(content, encoding="utf-8")
        os.rename(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return folder
