"""The collection manifest: <out>/collection.json and <out>/collection.html, one row per edition.

Each row: id, version, title, language, the sha256 of the edition's manifest.json, the summary of
its validation report (when validated) and its bag (when packaged). Rows of editions whose
manifest.json, report and bag are unchanged are reused from the last collection.json, so a
rerun over a large collection reads only what changed.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from lxml import etree

from archivekit import __version__, jsonfile
from archivekit.cluster.store import MANIFEST, Store
from archivekit.writers.markup import column_heads, lines, plain_page
from archivekit.writers.markup import element as el

COLLECTION_JSON = "collection.json"
COLLECTION_HTML = "collection.html"
REPORT = "validation/report.json"
STYLE = (
    "table{border-collapse:collapse}th,td{border:1px solid;padding:.3em;text-align:left;"
    "vertical-align:top}code{word-break:break-all}"
)


def _row(store: Store, name: str, bags: set[str], previous: dict[str, Any] | None) -> dict[str, Any] | None:
    raw = store.read(f"{name}/{MANIFEST}")
    if raw is None:
        return None
    digest = hashlib.sha256(raw).hexdigest()
    manifest = json.loads(raw)
    edition = manifest.get("edition", {})
    version = str(edition.get("version", ""))
    bag = f"{edition.get('id', name)}-{version}.bag"
    listed = {row.get("path") for row in manifest.get("artifacts", [])}
    report_sha = next(
        (row.get("sha256") for row in manifest.get("artifacts", []) if row.get("path") == REPORT), None
    )
    if (
        previous
        and previous.get("manifest_sha256") == digest
        and previous.get("bag") == (bag if bag in bags else None)
    ):
        return previous  # the manifest hashes the report, so an equal manifest means an equal report
    summary = None
    if REPORT in listed:
        report_raw = store.read(f"{name}/{REPORT}")
        if report_raw is not None and hashlib.sha256(report_raw).hexdigest() == report_sha:
            summary = json.loads(report_raw).get("summary")
    return {
        "id": edition.get("id", name),
        "folder": name,
        "version": version,
        "title": edition.get("title", ""),
        "language": edition.get("language", ""),
        "manifest_sha256": digest,
        "validation": summary,
        "bag": bag if bag in bags else None,
    }


def update_collection(store: Store) -> dict[str, Any]:
    """Rewrite collection.json and collection.html from every edition under the store; return the data."""
    old_raw = store.read(COLLECTION_JSON)
    try:
        old = {row["folder"]: row for row in json.loads(old_raw)["editions"]} if old_raw else {}
    except (ValueError, KeyError, TypeError):
        old = {}
    bags = set(store.bag_names())
    rows = [row for name in store.editions() if (row := _row(store, name, bags, old.get(name))) is not None]
    data = {"archivekit": __version__, "editions": rows}
    store.write_atomic(COLLECTION_JSON, jsonfile.dumps(data).encode())
    store.write_atomic(COLLECTION_HTML, render_html(data).encode())
    return data


def _verdict(summary: dict[str, Any] | None) -> str:
    if summary is None:
        return "not validated"
    parts = [f"{summary.get('errors', 0)} errors", f"{summary.get('warnings', 0)} warnings"]
    not_run = summary.get("not_run") or []
    if not_run:
        parts.append("not run (not passed): " + ", ".join(not_run))
    return "; ".join(parts)


def _html_row(row: dict[str, Any]) -> etree._Element:
    bag = el("a", {"href": f"{row['bag']}/"}, row["bag"]) if row["bag"] else "not packaged"
    return el(
        "tr",
        None,
        el("th", {"scope": "row"}, el("a", {"href": f"{row['folder']}/index.html"}, row["id"])),
        el("td", {"lang": row["language"]}, row["title"]),
        el("td", None, row["version"]),
        el("td", None, _verdict(row["validation"])),
        el("td", None, bag),
        el("td", None, el("code", None, row["manifest_sha256"])),
    )


def render_html(data: dict[str, Any]) -> str:
    """A plain, accessible HTML table of the collection (one row per edition, headers scoped)."""
    title = f"Collection: {len(data['editions'])} editions"
    columns = ("Edition", "Title", "Version", "Validation", "Bag", "sha256 of manifest.json")
    table = el(
        "table",
        None,
        *lines(
            el("caption", None, "Every edition with its version, validation and bag"),
            column_heads(*columns),
            el("tbody", None, *lines(*[_html_row(row) for row in data["editions"]])),
        ),
    )
    main = el(
        "main",
        None,
        *lines(
            el("h1", None, title),
            el(
                "p",
                None,
                f"Written by archivekit {data['archivekit']}. The same data, for programs: ",
                el("a", {"href": COLLECTION_JSON}, COLLECTION_JSON),
                ".",
            ),
            table,
        ),
    )
    return plain_page(title, [el("style", None, STYLE)], el("body", None, *lines(main)))
