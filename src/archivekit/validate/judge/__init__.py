"""The archivekit judge: what the five validators cannot see, read from the build's own files.

Fidelity (every source character in order, every note whole), legibility of PDF pages, CJK line
rules, links and named files, and true statements. One module per check; this one runs them on
the artifacts the registry hands it and reports Findings like any other adapter.
"""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pikepdf
from lxml import etree

from archivekit import __version__
from archivekit.errors import Finding
from archivekit.manifest import read_manifest
from archivekit.validate.base import Outcome, Target, ToolFailure, roots_for, save_raw, scrubbed
from archivekit.validate.judge import cjk, fidelity, legibility, links, statements
from archivekit.validate.judge.findings import NAME, finding
from archivekit.validate.judge.outputs import epub_text, html_text, pdf_text, read_epub
from archivekit.validate.judge.pages import read_pages
from archivekit.validate.judge.sources import Sources, read_sources
from archivekit.validate.tools import Tool

KEY = "judge"
# A file a check cannot parse is a finding on that file, never a crash of the whole validation.
READ_ERRORS = (
    ToolFailure,
    OSError,
    ValueError,
    KeyError,
    etree.LxmlError,
    zipfile.BadZipFile,
    pikepdf.PdfError,
)
HTML_FORMATS = {"html", "html-index", "print-order-html"}
POPPLER = ("pdftotext", "pdfinfo")

__all__ = ["KEY", "NAME", "applies", "run", "tool"]


def tool() -> Tool:
    """The judge is archivekit itself; it needs poppler's pdftotext and pdfinfo to read PDFs."""
    missing = [p for p in POPPLER if shutil.which(p) is None]
    if missing:
        return Tool(NAME, missing=f"{' and '.join(missing)} not found on PATH; install poppler-utils")
    return Tool(NAME, version=__version__)


def applies(entry: dict[str, Any]) -> bool:
    """Whether the judge reads this manifest artifact (texts, pages, links)."""
    fmt, path = str(entry.get("format", "")), str(entry.get("path", ""))
    return path.endswith((".pdf", ".epub", ".txt")) or (fmt in HTML_FORMATS and path.endswith(".html"))


def run(tool: Tool, targets: list[Target], build_dir: Path, out_dir: Path) -> Outcome:
    """Every check on every target; one raw report per artifact listing what was checked and found."""
    outcome = Outcome(KEY, NAME, tool.version, targets)
    manifest = read_manifest(build_dir)
    formats = {str(e.get("path")): str(e.get("format", "")) for e in manifest.get("artifacts", [])}
    claims = {str(e.get("path")): tuple(e.get("conforms_to") or ()) for e in manifest.get("artifacts", [])}
    try:
        sources: Sources | None = read_sources(build_dir)
    except (OSError, KeyError, ValueError) as exc:
        sources = None
        message = f"cannot read the build's sources ({type(exc).__name__})"
        fix = "build with archivekit, which copies the sources into every build"
        outcome.findings.append(finding("fidelity-no-sources", "sources/edition.yaml", "", message, fix))
    outcome.findings += links.manifest_paths(build_dir, manifest)
    # Messages may quote a tool's error with this machine's folders: reports must not depend on them.
    roots = roots_for(build_dir)
    for t in targets:
        fmt = formats.get(t.artifact, "")
        checks: dict[str, int] = {}
        for name, check in _checks(t.artifact, fmt, sources, claims.get(t.artifact, ())):
            try:
                found = check(build_dir, t.artifact)
            except READ_ERRORS as exc:
                fix = "rebuild the file; the judge could not parse it"
                found = [finding("unreadable", t.artifact, name, f"could not read the file: {exc}", fix)]
            found = _merged([scrubbed(f, roots) for f in found])
            checks[name] = len(found)
            outcome.findings += found
        mine = [f.as_dict() for f in outcome.findings if f.artifact == t.artifact]
        raw = {"judge": NAME, "version": tool.version, "checks": checks, "findings": mine}
        save_raw(out_dir, outcome, t.artifact, raw, roots)
    return outcome


Check = Callable[[Path, str], list[Finding]]


def _merged(found: list[Finding]) -> list[Finding]:
    """One finding per fault: the same message on many pages (a running head) names all its pages."""
    places: dict[tuple[str, str], list[str]] = {}
    first: dict[tuple[str, str], Finding] = {}
    for f in found:
        key = (f.code, f.message)
        places.setdefault(key, []).append(f.location)
        first.setdefault(key, f)
    out = []
    for key, f in first.items():
        where = places[key]
        if len(where) > 1 and all(w.startswith("page ") for w in where):
            pages = ", ".join(w.removeprefix("page ") for w in where[:5]) + (", …" if len(where) > 5 else "")
            f = replace(f, location=f"pages {pages} ({len(where)} pages)")
        out.append(f)
    return out


def _checks(
    artifact: str, fmt: str, sources: Sources | None, claims: tuple[str, ...]
) -> list[tuple[str, Check]]:
    """The checks that apply to one artifact, by name."""
    out: list[tuple[str, Check]] = []
    is_pdf = artifact.endswith(".pdf")
    if sources is not None and fmt != "print-booklet" and fidelity.applies(fmt, artifact):
        out.append(("fidelity", lambda b, a: fidelity.check(sources, a, fmt, b / a)))
    if is_pdf:
        # The booklet is the print PDF's pages imposed two-up, each clipped to its trim, and poppler
        # reads the clipped-off bleed too: its pages are judged in the print PDF.
        if fmt != "print-booklet":
            out.append(("legibility", _legibility))
        out.append(("links", links.pdf_links))
    if fmt in HTML_FORMATS:
        out.append(("links", links.html_links))
    if artifact.endswith(".epub"):
        out.append(("links", links.epub_links))
        if sources is not None:
            out.append(("statements", lambda b, a: statements.epub(sources, read_epub(b / a), a, claims)))
    elif (sources is not None and fmt in ("html", "text")) or (is_pdf and fmt != "print-booklet"):
        out.append(("statements", lambda b, a: _prose(sources, b, a)))
    return out


def _prose(sources: Sources | None, build_dir: Path, artifact: str) -> list[Finding]:
    if sources is None:
        return []
    path = build_dir / artifact
    if artifact.endswith(".pdf"):
        text = pdf_text(path)[0]
    elif artifact.endswith(".epub"):
        text = epub_text(path)
    elif artifact.endswith(".html"):
        text = html_text(path)
    else:
        text = path.read_text(encoding="utf-8")
    return statements.prose(sources, text, artifact, "colophon")


def _legibility(build_dir: Path, artifact: str) -> list[Finding]:
    pages = read_pages(build_dir / artifact)
    out: list[Finding] = []
    for page in pages:
        out += legibility.overlaps(page, artifact)
        out += legibility.outside(page, artifact)
        out += cjk.check(page, artifact)
    return out + legibility.lonely(pages, artifact)


def verdict_statements(build_dir: Path, outcomes: list[Outcome]) -> list[Finding]:
    """After every validator ran: each EPUB's claim and named versions against their verdicts."""
    out: list[Finding] = []
    for path in sorted(build_dir.glob("*.epub")):
        try:
            book = read_epub(path)
        except READ_ERRORS:
            continue  # the links and fidelity checks already report an unreadable EPUB
        out += statements.against_verdicts(book, path.name, outcomes)
    return out
