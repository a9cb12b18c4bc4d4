"""Pagination report: which print pages begin elsewhere than in the last build, so citations by
page number are never broken silently.

The pipeline names the last good build (`BuildContext.previous_build`) while the new one is staged;
its pagination-report.json lists where each of its pages began. A rebuild that
leaves the print PDF byte-identical carries the last comparison forward unchanged, so
rebuilding twice gives the same bytes.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from archivekit import jsonfile
from archivekit.writers.print_edition.assemble import PrintPage

REPORT = "pagination-report.json"


def pages_data(pages: list[PrintPage]) -> list[dict[str, Any]]:
    """Where each print page begins, as plain data."""
    return [
        {
            "page": p.page,
            "label": p.label,
            "kind": p.kind,
            "block_id": p.block_id,
            "offset": p.offset,
            "first_words": p.first_words,
        }
        for p in pages
    ]


def _key(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row.get("kind"), row.get("block_id"), row.get("offset"))


def changes(previous: list[dict[str, Any]], current: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pages (by label) whose start moved, appeared or disappeared."""
    before = {row["label"]: row for row in previous}
    after = {row["label"]: row for row in current}
    out: list[dict[str, Any]] = []
    for label in [r["label"] for r in current] + [r["label"] for r in previous if r["label"] not in after]:
        old, new = before.get(label), after.get(label)
        if old is not None and new is not None and _key(old) == _key(new):
            continue
        out.append(
            {
                "label": label,
                "change": "added" if old is None else "removed" if new is None else "moved",
                "before": (old or {}).get("first_words"),
                "after": (new or {}).get("first_words"),
            }
        )
    return out


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("pages"), list) else None


def report(
    previous_dir: Path | None,
    edition: dict[str, str],
    pages: list[PrintPage],
    print_sha256: str,
    log: logging.Logger,
) -> dict[str, Any]:
    """The pagination report of this build, compared with the build in previous_dir when there is one."""
    current = pages_data(pages)
    old = _read(previous_dir / REPORT) if previous_dir is not None else None
    data: dict[str, Any] = {"edition": edition, "print_pdf_sha256": print_sha256, "pages": current}
    if old is None:
        data["compared_with"] = None
        data["changes"] = []
        return data
    if old.get("print_pdf_sha256") == print_sha256:
        # Same file as last time: nothing moved since, so the last comparison still holds.
        data["compared_with"] = old.get("compared_with")
        data["changes"] = old.get("changes", [])
        return data
    data["compared_with"] = {
        "version": (old.get("edition") or {}).get("version"),
        "print_pdf_sha256": old.get("print_pdf_sha256"),
    }
    data["changes"] = changes(old["pages"], current)
    if data["changes"]:
        labels = ", ".join(c["label"] for c in data["changes"])
        log.warning(
            "print: pages that begin differently than in the previous build (version %s): %s; "
            "page-number citations of those pages now point elsewhere (see %s)",
            data["compared_with"]["version"],
            labels,
            REPORT,
        )
    else:
        log.info("print: every page begins where it did in the previous build")
    return data


def to_json(data: dict[str, Any]) -> str:
    """Deterministic JSON text."""
    return jsonfile.dumps(data)
