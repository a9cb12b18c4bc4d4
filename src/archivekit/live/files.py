"""Which file of a build folder a request names: only regular files inside it, never a way out."""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path

TEXT_TYPES = ("text/", "application/json", "application/xhtml+xml", "image/svg+xml")


def inside(root: Path, rel: str) -> Path | None:
    """The regular file `rel` names below `root`, or None for anything else.

    Refused: empty, absolute or backslashed names, `.` and `..` segments (however they were
    encoded: the server has decoded them by now), hidden names, NUL, and any symlink on the way,
    even one pointing inside, so the answer never depends on where a link leads.
    """
    if not rel or "\x00" in rel or "\\" in rel or rel.startswith("/"):
        return None
    parts = rel.split("/")
    if any(part in ("", ".", "..") or part.startswith(".") for part in parts):
        return None
    path = root
    for part in parts:
        path = path / part
        if path.is_symlink():
            return None
    if not path.is_file():
        return None
    real_root = root.resolve()
    if not path.resolve().is_relative_to(real_root):
        return None
    return path


def media_types(folder: Path) -> dict[str, str]:
    """Each artifact's media type as the build's manifest records it (path -> type)."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        return {str(a["path"]): str(a["media_type"]) for a in manifest.get("artifacts", [])}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def media_type(path: Path, rel: str, listed: dict[str, str]) -> str:
    """The type to serve a file as: the manifest's, else a guess; text always says UTF-8."""
    found = listed.get(rel) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if found.startswith(TEXT_TYPES) and "charset" not in found:
        found += "; charset=utf-8"
    return found
