"""The preview page: every format of an edition listed, the readable ones shown, from its manifest."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from urllib.parse import quote

from archivekit.live.watch import Edition

# What to call each artifact format on the page (manifest format -> label); others show their name.
LABELS = {
    "html": "HTML edition",
    "pdf": "Archival PDF (PDF/A, PDF/UA)",
    "print-pdf": "Print PDF (PDF/X-4, with bleed)",
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


def render(edition: Edition, generation: int) -> str:
    """The whole page for one edition, as of its last good build."""
    meta, artifacts = _artifacts(edition.folder) if edition.folder else ({}, [])
    title = str(meta.get("title") or edition.name)
    lang = str(meta.get("language") or "")
    name = edition.name
    status = f"Error: {edition.error}" if edition.error else edition.status or "Building…"
    head = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Preview: {escape(name)}</title>\n"
        '<link rel="stylesheet" href="/live/preview.css">\n'
        '<script src="/live/preview.js" defer></script>\n</head>\n'
    )
    body = [
        f'<body data-edition="{escape(name)}" data-generation="{generation}">',
        '<a class="skip" href="#views">Skip to the editions</a>',
        "<header>",
        f'<h1>Preview of <span lang="{escape(lang)}">{escape(title)}</span></h1>'
        if lang
        else f"<h1>Preview of {escape(title)}</h1>",
        f'<p id="status" role="status" class="{"error" if edition.error else "ok"}">{escape(status)}</p>',
        f'<p id="verdict" role="status">{escape(edition.verdict or "Judges: not yet")}</p>',
        "</header>",
        "<main>",
        '<nav aria-labelledby="formats-heading">',
        '<h2 id="formats-heading">Every file of this build</h2>',
    ]
    if artifacts:
        body.append("<ul>")
        for a in sorted(artifacts, key=lambda a: (str(a.get("format")) == "source", str(a.get("path")))):
            rel = str(a.get("path"))
            label = LABELS.get(str(a.get("format")), str(a.get("format")))
            body.append(
                f'<li><a href="{escape(file_url(name, rel))}">{escape(rel)}</a> '
                f"<span>{escape(label)}, {_size(a.get('bytes'))}</span></li>"
            )
        body.append("</ul>")
    else:
        body.append("<p>No build yet.</p>")
    body.append("</nav>")
    body.append('<div id="views">')
    paths = {str(a.get("path")) for a in artifacts}
    for fmt, wanted, heading in VIEWS:
        rels = [str(a.get("path")) for a in artifacts if a.get("format") == fmt]
        rel = wanted if wanted in paths else (rels[0] if rels and wanted is None else None)
        if rel is None:
            continue
        slug = fmt.replace("-", "")
        url = escape(file_url(name, rel))
        body.append(f'<section aria-labelledby="view-{slug}">')
        body.append(f'<h2 id="view-{slug}">{escape(heading)} <a href="{url}">open alone</a></h2>')
        if rel.endswith(".png"):
            alt = f"{escape(heading)}: every page of the print edition"
            body.append(f'<img data-live src="{url}" alt="{alt}">')
        else:
            body.append(f'<iframe data-live src="{url}" title="{escape(heading)}: {escape(rel)}"></iframe>')
        body.append("</section>")
    body += ["</div>", "</main>", "</body>", "</html>", ""]
    return head + "\n".join(body)


def index(editions: list[Edition]) -> str:
    """The page listing several watched editions."""
    items = "\n".join(
        f'<li><a href="/edition/{quote(e.name)}/">{escape(e.name)}</a>{" (error)" if e.error else ""}</li>'
        for e in editions
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>archivekit preview</title>\n"
        '<link rel="stylesheet" href="/live/preview.css">\n</head>\n'
        f"<body>\n<main>\n<h1>Editions being watched</h1>\n<ul>\n{items}\n</ul>\n</main>\n</body>\n</html>\n"
    )
