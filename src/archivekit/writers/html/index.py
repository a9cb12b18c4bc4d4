"""index.html of an edition build: every format with its size, sha256 and validation status.

Read from manifest.json and, once `archivekit validate` has run, validation/report.json: the page shows
what those files say and nothing else. The pipeline calls `write_index` with the manifest it is about
to write (which then lists the index), and again after validation.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from archivekit.writers.base import Artifact
from archivekit.writers.markup import column_heads, html_page, page_head
from archivekit.writers.markup import element as el

INDEX = "index.html"
REPORT = "validation/report.json"

_CSS = """
:root { color-scheme: light dark; --bg: #fdfcf8; --fg: #1b1b1b; --muted: #4f4f4f; --link: #0b4f8a;
  --rule: #8a8a8a; --focus: #b3261e; --pass: #1b5e20; --fail: #b3261e; }
@media (prefers-color-scheme: dark) { :root { --bg: #141414; --fg: #ebe8e1; --muted: #c2beb5;
  --link: #9cc8ff; --rule: #7a7a7a; --focus: #ffb4a9; --pass: #9be39f; --fail: #ffb4a9; } }
html { background: var(--bg); color: var(--fg); }
body { margin: 0 auto; padding: 1rem; max-width: 72rem; line-height: 1.6;
  font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", "PingFang SC",
  "Microsoft YaHei", sans-serif; }
:lang(zh) { line-break: strict; }
a { color: var(--link); }
a:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip-link { position: absolute; left: 0.5rem; top: -3rem; background: var(--bg); padding: 0.5rem; }
.skip-link:focus { top: 0.5rem; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 0.9375rem; }
th, td { text-align: start; vertical-align: top; padding: 0.4rem 0.6rem;
  border-bottom: 1px solid var(--rule); }
code { font-size: 0.8125rem; overflow-wrap: anywhere; word-break: break-all; }
.pass { color: var(--pass); } .fail { color: var(--fail); } .muted { color: var(--muted); }
@media (max-width: 40em) {
  table, thead, tbody, tr, th, td { display: block; }
  thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
  tr { border-bottom: 1px solid var(--rule); padding: 0.5rem 0; }
  td { border: 0; padding: 0.1rem 0; }
  td::before { content: attr(data-label) ": "; font-weight: 700; }
}
@media print { .skip-link { display: none; } a { color: inherit; } }
"""


def _read_json(path: Path) -> Any | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def statuses(report: dict[str, Any] | None) -> dict[str, list[str]]:
    """Artifact path -> ["veraPDF: pass", ...] from validation/report.json (empty when not validated)."""
    out: dict[str, list[str]] = {}
    if not report:
        return out
    for v in report.get("validators", []):
        for row in v.get("artifacts", []):
            status = str(row.get("status", "?"))
            errors, warnings = int(row.get("errors") or 0), int(row.get("warnings") or 0)
            if status == "fail":
                status += f" ({errors} error{'s' * (errors != 1)})"
            elif warnings:
                status += f" ({warnings} warning{'s' * (warnings != 1)})"
            out.setdefault(str(row.get("artifact")), []).append(
                f"{v.get('validator')} {v.get('version', '')}".strip() + f": {status}"
            )
    return out


def human_size(n: int) -> str:
    """Bytes as a short size (KiB/MiB with one decimal), the exact count kept beside it."""
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n / 1024 / 1024:.1f} MiB"


_COLUMNS = ("Format", "File", "Media type", "Size", "SHA-256", "Conforms to", "Validation")


def _status_cell(verdicts: list[str], validated: bool) -> Any:
    """The Validation cell: each judge's verdict on the file, or why there is none."""
    cell = el("td", {"data-label": "Validation"})
    if verdicts:
        items = [
            el("li", {"class": "fail" if ": fail" in v else "pass" if ": pass" in v else "muted"}, v)
            for v in verdicts
        ]
        cell.append(el("ul", None, items))
    else:
        cell.text = "no validator for this format" if validated else "validation not run yet"
    return cell


def _file_row(art: dict[str, Any], verdicts: list[str], validated: bool) -> Any:
    """One manifest row as a table row."""
    path = str(art.get("path", ""))
    return el(
        "tr",
        None,
        el("td", {"data-label": "Format"}, str(art.get("format", ""))),
        el("td", {"data-label": "File"}, el("a", {"href": path}, path)),
        el("td", {"data-label": "Media type"}, el("code", None, str(art.get("media_type", "")))),
        el(
            "td",
            {"data-label": "Size"},
            f"{human_size(int(art.get('bytes', 0)))} ({art.get('bytes', 0)} bytes)",
        ),
        el("td", {"data-label": "SHA-256"}, el("code", None, str(art.get("sha256", "")))),
        el("td", {"data-label": "Conforms to"}, ", ".join(art.get("conforms_to", [])) or "—"),
        _status_cell(verdicts, validated),
    )


def _file_table(manifest: dict[str, Any], report: dict[str, Any] | None) -> Any:
    """Every file the manifest lists but the index itself, with its verdicts."""
    checks = statuses(report)
    rows = [
        _file_row(art, checks.get(str(art.get("path", "")), []), bool(report))
        for art in manifest.get("artifacts", [])
        if str(art.get("path", "")) != INDEX
    ]
    return el(
        "table",
        None,
        el("caption", None, "Every file of this edition, from manifest.json"),
        column_heads(*_COLUMNS),
        el("tbody", None, rows),
    )


def _summary(report: dict[str, Any] | None) -> str:
    """One sentence on the validation: counts and the judges that did not run."""
    if not report:
        return "Validation has not been run on this build."
    s = report.get("summary", {})
    summary = f"Validation: {s.get('errors', 0)} errors, {s.get('warnings', 0)} warnings"
    if s.get("not_run"):
        summary += f"; not run: {', '.join(s['not_run'])}"
    return summary + "."


def _body(manifest: dict[str, Any], report: dict[str, Any] | None, title: str, lang: str) -> Any:
    """Skip link, the edition's heading, the summary and table, and the sources' fingerprint."""
    edition = manifest.get("edition", {})
    region = {"class": "table-wrap", "role": "region", "aria-label": "Files", "tabindex": "0"}
    return el(
        "body",
        None,
        el("a", {"class": "skip-link", "href": "#main"}, "Skip to the file list"),
        el(
            "header",
            None,
            el(
                "p",
                {"class": "muted"},
                f"Edition {edition.get('id', '')}, version {edition.get('version', '')}",
            ),
            el("h1", None, el("span", {"lang": lang}, title)),
        ),
        el(
            "main",
            {"id": "main", "tabindex": "-1"},
            el("p", None, _summary(report)),
            el("div", region, _file_table(manifest, report)),
        ),
        el(
            "footer",
            None,
            el(
                "p",
                {"class": "muted"},
                "Sources sha256: ",
                el("code", None, str(manifest.get("sources_sha256", ""))),
                f". Identifier: {edition.get('identifier', '')}.",
            ),
        ),
    )


def render_index(manifest: dict[str, Any], report: dict[str, Any] | None) -> str:
    """The index page as HTML5 text."""
    edition = manifest.get("edition", {})
    title = str(edition.get("title", edition.get("id", "edition")))
    lang = str(edition.get("language") or "und")
    head = page_head(f"{title}: files of the edition", el("style", None, _CSS))
    return html_page(el("html", {"lang": "en", "dir": "ltr"}, head, _body(manifest, report, title, lang)))


def write_index(build_dir: Path, manifest: dict[str, Any] | None = None) -> Artifact | None:
    """Write build_dir/index.html from the manifest (its file, unless given) and validation
    report; None without a manifest."""
    build_dir = Path(build_dir)
    if manifest is None:
        manifest = _read_json(build_dir / "manifest.json")
    if manifest is None:
        return None
    text = render_index(manifest, _read_json(build_dir / REPORT))
    with (build_dir / INDEX).open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    return Artifact("html-index", INDEX, "text/html; charset=utf-8", ("HTML", "WCAG 2.2 AA"))
