"""The preview page: every format of an edition listed, the readable ones shown, from its manifest."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from lxml import etree

from archivekit.live.watch import Edition
from archivekit.writers.markup import element as el
from archivekit.writers.markup import lines, plain_page

# What to call each artifact format on the page (manifest format -> label); others show their name.
# The standards a file claims follow its label, from the manifest: the two archival PDFs differ there.
LABELS = {
    "html": "HTML edition",
    "pdf": "Archival PDF",
    "large-print": "Large print PDF",
    "print-pdf": "Print PDF, with bleed",
    "print-booklet": "Print booklet (imposed)",
    "print-proof": "Print proof",
    "print-order-html": "Print order sheet",
    "print-order": "Print order (JSON)",
    "pagination-report": "Pagination report",
    "epub": "EPUB 3",
    "text": "Plain text",
    "html-index": "Edition index with checksums and verdicts",
    "csl-json": "CSL-JSON reference data",
    "bibtex": "BibTeX",
    "ris": "RIS",
    "braille-brf": "Braille (BRF)",
    "braille-pef": "Braille (PEF)",
    "source": "Source",
    "validation-report": "Judges' report",
}
STYLESHEET = "/live/preview.css"
# Shown on the page, in this order: (format, which file of it, heading).
VIEWS = (
    ("html", None, "HTML edition"),
    ("pdf", None, "Archival PDF"),
    ("print-pdf", None, "Print PDF"),
    ("print-proof", "proof/contact-sheet.png", "Proof sheet"),
)


def file_url(edition: str, rel: str) -> str:
    """Where the preview serves one file of an edition's build."""
    return f"/files/{quote(edition)}/{quote(rel)}"


def _artifacts(folder: Path) -> tuple[dict[str, object], list[dict[str, object]]]:
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}, []
    return manifest.get("edition", {}), list(manifest.get("artifacts", []))


def _size(n: object) -> str:
    value = int(n) if isinstance(n, int) else 0
    return f"{value / 1024:.0f} KB" if value >= 1024 else f"{value} bytes"


def _stylesheet() -> etree._Element:
    return el("link", {"rel": "stylesheet", "href": STYLESHEET})


def _listing(name: str, artifacts: list[dict[str, object]]) -> etree._Element:
    if not artifacts:
        return el("p", None, "No build yet.")
    items = []
    for a in sorted(artifacts, key=lambda a: (str(a.get("format")) == "source", str(a.get("path")))):
        rel = str(a.get("path"))
        label = LABELS.get(str(a.get("format")), str(a.get("format")))
        claims = a.get("conforms_to")
        if isinstance(claims, list) and claims:
            label += f" ({', '.join(map(str, claims))})"
        link = el("a", {"href": file_url(name, rel)}, rel)
        items.append(el("li", None, link, " ", el("span", None, f"{label}, {_size(a.get('bytes'))}")))
    # The manifest lists the files, so not itself: it is served all the same.
    manifest = el("a", {"href": file_url(name, "manifest.json")}, "manifest.json")
    items.append(el("li", None, manifest, " ", el("span", None, "Manifest: every file with its checksums")))
    return el("ul", None, *lines(*items))


def _views(name: str, artifacts: list[dict[str, object]]) -> list[etree._Element]:
    out = []
    paths = {str(a.get("path")) for a in artifacts}
    for fmt, wanted, heading in VIEWS:
        rels = [str(a.get("path")) for a in artifacts if a.get("format") == fmt]
        rel = wanted if wanted in paths else (rels[0] if rels and wanted is None else None)
        if rel is None:
            continue
        slug = fmt.replace("-", "")
        url = file_url(name, rel)
        if rel.endswith(".png"):
            view = el(
                "img", {"data-live": "", "src": url, "alt": f"{heading}: every page of the print edition"}
            )
        else:
            view = el("iframe", {"data-live": "", "src": url, "title": f"{heading}: {rel}"})
        title = el("h2", {"id": f"view-{slug}"}, f"{heading} ", el("a", {"href": url}, "open alone"))
        out.append(el("section", {"aria-labelledby": f"view-{slug}"}, *lines(title, view)))
    return out


def render(edition: Edition, generation: int) -> str:
    """The whole page for one edition, as of its last good build."""
    meta, artifacts = _artifacts(edition.folder) if edition.folder else ({}, [])
    title = str(meta.get("title") or edition.name)
    lang = str(meta.get("language") or "")
    name = edition.name
    status = f"Error: {edition.error}" if edition.error else edition.status or "Building…"
    header = el(
        "header",
        None,
        *lines(
            el("h1", None, "Preview of ", el("span", {"lang": lang}, title) if lang else title),
            el("p", {"id": "status", "role": "status", "class": "error" if edition.error else "ok"}, status),
            el("p", {"id": "verdict", "role": "status"}, edition.verdict or "Judges: not yet"),
        ),
    )
    nav = el(
        "nav",
        {"aria-labelledby": "formats-heading"},
        *lines(el("h2", {"id": "formats-heading"}, "Every file of this build"), _listing(name, artifacts)),
    )
    body = el(
        "body",
        {"data-edition": name, "data-generation": str(generation)},
        *lines(
            el("a", {"class": "skip", "href": "#views"}, "Skip to the editions"),
            header,
            el("main", None, *lines(nav, el("div", {"id": "views"}, *lines(*_views(name, artifacts))))),
        ),
    )
    script = el("script", {"src": "/live/preview.js", "defer": "defer"})
    return plain_page(f"Preview: {name}", [_stylesheet(), script], body)


def index(editions: list[Edition]) -> str:
    """The page listing several watched editions."""
    items = [
        el(
            "li",
            None,
            el("a", {"href": f"/edition/{quote(e.name)}/"}, e.name),
            " (error)" if e.error else None,
        )
        for e in editions
    ]
    main = el("main", None, *lines(el("h1", None, "Editions being watched"), el("ul", None, *lines(*items))))
    return plain_page("archivekit preview", [_stylesheet()], el("body", None, *lines(main)))
