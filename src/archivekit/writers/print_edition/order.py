"""The print order: what a printer needs to quote and print, as JSON (with a schema) and as HTML.

Paper and caliper are suggestions, marked as assumptions for the printer to confirm; quantity,
contact and delivery are left empty for the customer. Binding follows the page count: saddle
stitch up to 64 pages, perfect binding above, with the spine width computed from the page
count and the assumed caliper.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import jsonschema
from lxml import etree

from archivekit import jsonfile
from archivekit.errors import BuildError
from archivekit.model import Document
from archivekit.writers.markup import column_heads, lines, plain_page
from archivekit.writers.markup import element as el
from archivekit.writers.print_edition.boxes import Geometry
from archivekit.writers.print_edition.imposition import Side

ORDER_JSON = "print-order.json"
ORDER_HTML = "print-order.html"
SCHEMA = "schemas/print-order.schema.json"
SCHEMA_ID = "https://archivekit.invalid/schemas/print-order.schema.json"
SADDLE_STITCH_MAX_PAGES = 64
PAPER = "80 g/m² uncoated offset (text and self-cover)"
# 80 g/m² uncoated offset is about 100 µm thick: 0.1 mm per leaf (two pages). An assumption.
CALIPER_MM_PER_LEAF = 0.1


@dataclass(frozen=True)
class FileRow:
    """One file the printer receives."""

    role: str
    path: str
    sha256: str
    bytes: int
    pages: int
    description: str


def binding(pages: int, caliper: float = CALIPER_MM_PER_LEAF) -> dict[str, Any]:
    """Saddle stitch up to 64 pages, else perfect binding with its spine width."""
    leaves = pages // 2
    if pages <= SADDLE_STITCH_MAX_PAGES:
        return {
            "method": "saddle stitch",
            "sheets": pages // 4,
            "leaves": leaves,
            "spine_width_mm": None,
            "rule": f"saddle stitch up to {SADDLE_STITCH_MAX_PAGES} pages, perfect binding above",
        }
    return {
        "method": "perfect binding",
        "sheets": None,
        "leaves": leaves,
        "spine_width_mm": round(leaves * caliper, 1),
        "rule": f"saddle stitch up to {SADDLE_STITCH_MAX_PAGES} pages, perfect binding above; "
        f"spine = {leaves} leaves x {caliper} mm, cover board not included",
    }


def order(
    doc: Document,
    g: Geometry,
    files: list[FileRow],
    sides: list[Side],
    labels: list[str],
    profile: str,
) -> dict[str, Any]:
    """The print order as data (validated against the schema by write_order)."""
    ed = doc.edition
    pages = len(labels)
    width, height = g.trim_mm
    return {
        "$schema": SCHEMA_ID,
        "edition": {
            "id": ed.id,
            "version": ed.version,
            "title": ed.title.first(),
            "identifier": ed.identifier,
        },
        "files": [row.__dict__ for row in files],
        "trim": {"name": g.trim_name, "width_mm": width, "height_mm": height},
        "bleed_mm": g.bleed_mm,
        "page_count": pages,
        "page_labels": labels,
        "colours": {
            "inks": "1/1",
            "description": "black only (100 % K) on both sides; no cyan, magenta or yellow",
            "output_intent": profile,
        },
        "paper": {
            "suggestion": PAPER,
            "caliper_mm_per_leaf": CALIPER_MM_PER_LEAF,
            "assumption": True,
            "note": "suggested stock and its thickness are assumptions: the printer confirms them",
        },
        "binding": binding(pages),
        "imposition": [
            {"sheet": s.sheet, "face": s.face, "left": labels[s.left], "right": labels[s.right]}
            for s in sides
        ],
        "customer": {"quantity": None, "contact": None, "delivery": None, "notes": None},
    }


def schema() -> dict[str, Any]:
    """The print order's JSON Schema, shipped with archivekit."""
    return json.loads(resources.files("archivekit").joinpath(SCHEMA).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _checker() -> Any:
    # Made once: jsonschema.validate checks the schema itself and builds a validator on every call
    # (12 ms a build, paid again by every resident rebuild).
    found = schema()
    validator = jsonschema.validators.validator_for(found)
    validator.check_schema(found)
    return validator(found)


def to_json(data: dict[str, Any]) -> str:
    """The order as deterministic JSON text, checked against its schema."""
    try:
        _checker().validate(data)
    except jsonschema.ValidationError as exc:
        raise BuildError(f"print order does not match its schema: {exc.message}") from exc
    return jsonfile.dumps(data)


def _row(head: str, *value: Any) -> etree._Element:
    return el("tr", None, el("th", {"scope": "row"}, head), el("td", None, *value))


def _table(caption: str, rows: list[etree._Element], *columns: str) -> etree._Element:
    head = column_heads(*columns) if columns else None
    return el("table", None, el("caption", None, caption), head, el("tbody", None, rows))


STYLE = """body{font:16px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:46rem;padding:0 1rem;color:#111}
table{border-collapse:collapse;width:100%;margin:1rem 0}th,td{text-align:left;vertical-align:top;
border-bottom:1px solid #999;padding:.35rem .5rem}tbody th{width:14rem}code{word-break:break-all}
caption{text-align:left;font-weight:bold;padding:.5rem 0}.blank{color:#444;font-style:italic}"""


def to_html(data: dict[str, Any]) -> str:
    """A readable order sheet with the same facts as the JSON."""
    ed = data["edition"]
    b = data["binding"]
    trim = data["trim"]
    colours = data["colours"]
    spine = f"{b['spine_width_mm']} mm" if b["spine_width_mm"] is not None else "none (saddle stitch)"
    files = [
        el(
            "tr",
            None,
            el("td", None, el("code", None, f["path"])),
            el("td", None, f["description"]),
            el("td", None, str(f["pages"])),
            el("td", None, str(f["bytes"])),
            el("td", None, el("code", None, f["sha256"])),
        )
        for f in data["files"]
    ]
    sides = [
        el("tr", None, [el("td", None, str(s[k])) for k in ("sheet", "face", "left", "right")])
        for s in data["imposition"]
    ]
    job = [
        _row("Edition", el("code", None, ed["id"]), f", version {ed['version']}"),
        _row("Title", el("span", {"lang": "zh-Hans"}, ed["title"])),
        _row("Trim size", f"{trim['name']}, {trim['width_mm']} × {trim['height_mm']} mm"),
        _row("Bleed", f"{data['bleed_mm']} mm on every side"),
        _row("Pages", f"{data['page_count']} (blank pages included, labelled blank-N)"),
        _row("Colours", f"{colours['inks']}: {colours['description']}"),
        _row("Output intent", colours["output_intent"]),
        _row("Paper (suggestion)", f"{data['paper']['suggestion']}; {data['paper']['note']}"),
        _row("Binding", f"{b['method']} ({b['rule']})"),
        _row("Spine width", spine),
    ]
    customer = [
        _row(k.capitalize(), el("span", {"class": "blank"}, "to be filled in by the customer"))
        for k in ("quantity", "contact", "delivery", "notes")
    ]
    main = el(
        "main",
        None,
        *lines(
            el("h1", None, "Print order: ", el("code", None, ed["id"]), f" {ed['version']}"),
            el(
                "p",
                None,
                "Generated with the files it describes; the sha256 sums let the printer check them.",
            ),
            _table("Job", job),
            _table("Files", files, "File", "What", "Pages", "Bytes", "sha256"),
            _table(
                "Booklet imposition (sheet sides in printing order)", sides, "Sheet", "Face", "Left", "Right"
            ),
            _table("Customer", customer),
        ),
    )
    title = f"Print order: {ed['id']} {ed['version']}"
    return plain_page(title, [el("style", None, STYLE)], el("body", None, *lines(main)))
