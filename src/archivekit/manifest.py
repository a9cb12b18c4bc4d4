"""manifest.json: what an edition build contains, so tools read it instead of guessing file names."""

from __future__ import annotations

import contextlib
import hashlib
import json
from importlib.metadata import PackageNotFoundError
from pathlib import Path
from typing import Any

from archivekit import __version__, clock
from archivekit.errors import SourceError
from archivekit.jsonfile import dumps, write_atomic
from archivekit.model import Document
from archivekit.model.artifact import Artifact
from archivekit.toolpaths import library_version

MANIFEST = "manifest.json"


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def artifact_entry(build_dir: Path, artifact: Artifact) -> dict[str, Any]:
    """The manifest row of one artifact, measured from the file on disk."""
    path = build_dir / artifact.path
    return {
        "format": artifact.format,
        "path": artifact.path,
        "media_type": artifact.media_type,
        "bytes": path.stat().st_size,
        "sha256": sha256_file(path),
        "conforms_to": list(artifact.conforms_to),
    }


def tool_versions(doc: Document) -> dict[str, str]:
    """Versions of the programs whose output is in the build (provenance for PREMIS and readers)."""
    tools = {"archivekit": __version__, **dict(doc.readers)}
    for dist, name in (("reportlab", "ReportLab"), ("pikepdf", "pikepdf"), ("fonttools", "fontTools")):
        with contextlib.suppress(PackageNotFoundError):
            tools[name] = library_version(dist)
    return tools


def manifest_record(
    build_dir: Path, doc: Document, artifacts: list[Artifact], *, source_date_epoch: int, build_key: str
) -> dict[str, Any]:
    """The manifest of build_dir for these artifacts, not yet written.

    `edition_record` is the edition's package record (model.crosswalk.edition), the one OPF, XMP
    and PREMIS read: a bag of the build is described from it, never by parsing the sources again.
    """
    from archivekit.model.crosswalk.edition import edition_record  # here: a no-op rebuild never loads it

    manifest = {
        "archivekit": __version__,
        "edition": {
            "id": doc.edition.id,
            "version": doc.edition.version,
            "identifier": doc.edition.identifier,
            "title": doc.edition.title.first(),
            "language": doc.edition.language,
        },
        "edition_record": edition_record(doc.edition, clock.day(source_date_epoch)),
        "sources_sha256": doc.sources_sha256,
        "source_files": list(doc.source_files),
        "source_date_epoch": source_date_epoch,
        "build_key": build_key,
        "tools": tool_versions(doc),
        "artifacts": sorted((artifact_entry(build_dir, a) for a in artifacts), key=lambda e: e["path"]),
    }
    return manifest


def read_manifest(build_dir: Path) -> dict[str, Any]:
    """The manifest of a build folder."""
    path = Path(build_dir) / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourceError(
            "no manifest.json: this is not an edition build folder",
            file=path,
            hint="run `archivekit build` first, or name build/<edition-id>",
        ) from None
    except json.JSONDecodeError as exc:
        raise SourceError(f"manifest.json is not valid JSON: {exc.msg}", file=path, line=exc.lineno) from None


def add_artifact(build_dir: Path, artifact: Artifact, manifest: dict[str, Any] | None = None) -> None:
    """Add (or refresh) one artifact in the manifest (the existing one, unless given), writing it
    atomically."""
    manifest = read_manifest(build_dir) if manifest is None else manifest
    rows = [row for row in manifest["artifacts"] if row["path"] != artifact.path]
    rows.append(artifact_entry(build_dir, artifact))
    manifest["artifacts"] = sorted(rows, key=lambda e: e["path"])
    write_atomic(build_dir / MANIFEST, dumps(manifest))
