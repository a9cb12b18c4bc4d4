"""Tagged, bilingual HTML edition with citation metadata (schema.org, Highwire, Dublin Core, COinS, CSL)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from archivekit import clock
from archivekit.model import Document
from archivekit.model import crosswalk as cw
from archivekit.model.citation import DEFAULT_STYLE, format_bibliography, style_title
from archivekit.model.colophon import edition_csl
from archivekit.writers.base import Artifact, BuildContext
from archivekit.writers.html.render import PageInputs, parallel_rows, render_page

MEDIA = {
    "html": "text/html; charset=utf-8",
    "csl-json": "application/vnd.citationstyles.csl+json",
    "bibtex": "application/x-bibtex",
    "ris": "application/x-research-info-systems",
}


def stylesheet(doc: Document) -> str:
    """The page's CSS: the shipped stylesheet plus the row count the parallel grid needs."""
    css = resources.files("archivekit.writers.html").joinpath("style.css").read_text(encoding="utf-8")
    rows = parallel_rows(doc)
    return css + f"@media (min-width: 60em) {{ .parallel > article {{ grid-row: 1 / span {rows}; }} }}\n"


def cited_records(doc: Document) -> list[dict]:
    """The bibliography records the notes cite, in note order, each once."""
    seen: list[dict] = []
    for note in doc.notes.values():
        if note.citation is None:
            continue
        record = doc.reference(note.citation.key)
        if all(r["id"] != record["id"] for r in seen):
            seen.append(record)
    return seen


def write_file(path: Path, text: str) -> None:
    """UTF-8, LF line ends: the same bytes on every machine."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


class HtmlWriter:
    """Writes <id>.html and the citation files it links (.csl.json, .bib, .ris)."""

    name = "html"

    def write(self, doc: Document, ctx: BuildContext) -> list[Artifact]:
        """Render the page and its citation downloads below ctx.out_dir."""
        ed = doc.edition
        built = clock.day(ctx.source_date_epoch)
        record = edition_csl(ed, built)
        cited = cited_records(doc)
        style = str(ctx.options.get("csl_style") or ed.settings.csl_style or DEFAULT_STYLE)
        records = [record, *cited]
        files = {
            "csl-json": (f"{ed.id}.csl.json", "CSL-JSON", cw.csl_json(records)),
            "bibtex": (f"{ed.id}.bib", "BibTeX", "\n".join(cw.bibtex(r) for r in records)),
            "ris": (f"{ed.id}.ris", "RIS", "".join(cw.ris(r) for r in records)),
        }
        inputs = PageInputs(
            edition_record=record,
            cited=cited,
            style_name=style,
            style_title=style_title(style),
            edition_entry_html=format_bibliography(record, style, output="html"),
            cited_entries_html={r["id"]: format_bibliography(r, style, output="html") for r in cited},
            downloads=tuple((label, name, MEDIA[fmt]) for fmt, (name, label, _) in files.items()),
            css=stylesheet(doc),
        )
        page = f"{ed.id}.html"
        write_file(ctx.out_dir / page, render_page(doc, inputs))
        artifacts = [Artifact("html", page, MEDIA["html"], ("HTML", "WCAG 2.2 AA"))]
        for fmt, (name, _, text) in files.items():
            write_file(ctx.out_dir / name, text)
            artifacts.append(Artifact(fmt, name, MEDIA[fmt]))
        return artifacts


WRITER = HtmlWriter()
