"""Braille judge: the PEF against the PEF 1.0 RELAX NG schema and its page rules, the BRF's page grid.

PEF: `pef-2008-1.rng`, the rule set published with the PEF 1.0 specification, as DAISY Pipeline's
pef-utils module ships it (installed by tools/validators/install.sh into the validators folder; not
in this repository); then the specification's two Schematron rules done here (rows per page
<= rows, cells per row <= cols: the shipped .sch needs XPath 2), and rows only U+2800-U+28FF.
BRF: lines <= cells, lines per page <= lines (the grid the PEF of the same build declares, else
40 x 25), only braille ASCII (0x20-0x5F) besides CR LF and form feeds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lxml import etree

from archivekit.errors import Finding
from archivekit.toolpaths import validators_home
from archivekit.validate.base import ERROR, Outcome, Target, save_raw
from archivekit.validate.tools import Tool

KEY = "braille"
NAME = "braille judge"
PEF_NS = "http://www.daisy.org/ns/2008/pef"
SCHEMA = "pef-2008-1.rng"
DEFAULT_GRID = (40, 25)
# Outputs and schema alike are read without entities, DTDs or network: nothing in a file reaches out.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def schema_path() -> Path:
    """Where the installer puts the PEF 1.0 schema."""
    return validators_home() / "pef" / SCHEMA


def tool() -> Tool:
    """archivekit itself with lxml, and the PEF schema the installer fetched (none: the judge is not run)."""
    from archivekit import __version__

    if not schema_path().is_file():
        return Tool(NAME, missing=f"the PEF 1.0 schema ({schema_path()}): run tools/validators/install.sh")
    return Tool(NAME, version=__version__)


def applies(entry: dict[str, Any]) -> bool:
    """Whether this manifest artifact is a braille file."""
    return str(entry.get("path", "")).endswith((".pef", ".brf"))


def check_pef(path: Path) -> tuple[list[tuple[str, str, str]], tuple[int, int]]:
    """Problems (code, location, message) of one PEF file, and its declared (cols, rows)."""
    problems: list[tuple[str, str, str]] = []
    try:
        doc = etree.parse(str(path), _PARSER)
    except etree.XMLSyntaxError as exc:
        return [("pef-xml", "", f"not well-formed XML: {exc}")], DEFAULT_GRID
    schema = etree.RelaxNG(etree.parse(str(schema_path()), _PARSER))
    if not schema.validate(doc):
        for error in schema.error_log:
            problems.append(("pef-schema", f"line {error.line}", error.message))
    grid = DEFAULT_GRID
    for page_no, page in enumerate(doc.iter(f"{{{PEF_NS}}}page"), start=1):
        cols = _inherited(page, "cols")
        rows = _inherited(page, "rows")
        if cols and rows:
            grid = (cols, rows)
        row_elements = page.findall(f"{{{PEF_NS}}}row")
        if rows and len(row_elements) > rows:
            problems.append(("pef-rows", f"page {page_no}", f"{len(row_elements)} rows, {rows} declared"))
        for row_no, row in enumerate(row_elements, start=1):
            text = row.text or ""
            if cols and len(text) > cols:
                problems.append(
                    ("pef-cols", f"page {page_no} row {row_no}", f"{len(text)} cells, {cols} declared")
                )
            odd = [c for c in text if not "\u2800" <= c <= "\u28ff"]
            if odd:
                problems.append(("pef-cells", f"page {page_no} row {row_no}", f"not braille: {odd[0]!r}"))
    return problems, grid


def _inherited(node: etree._Element, name: str) -> int | None:
    """An attribute from the nearest ancestor (or self) declaring it, as PEF inherits cols and rows."""
    while node is not None:
        if node.get(name):
            return int(node.get(name))
        node = node.getparent()
    return None


def check_brf(path: Path, grid: tuple[int, int]) -> list[tuple[str, str, str]]:
    """Problems of one BRF file on a grid of (cells, lines)."""
    cells, lines = grid
    data = path.read_bytes()
    problems: list[tuple[str, str, str]] = []
    pages = data.split(b"\f")
    if pages and pages[-1] in (b"", b"\r\n"):
        pages = pages[:-1]
    for page_no, page in enumerate(pages, start=1):
        page_lines = page.removesuffix(b"\r\n").split(b"\r\n") if page.strip(b"\r\n") or page else []
        if len(page_lines) > lines:
            problems.append(("brf-lines", f"page {page_no}", f"{len(page_lines)} lines, at most {lines}"))
        for line_no, line in enumerate(page_lines, start=1):
            if len(line) > cells:
                problems.append(
                    ("brf-cells", f"page {page_no} line {line_no}", f"{len(line)} cells, at most {cells}")
                )
            bad = [b for b in line if not 0x20 <= b <= 0x5F]
            if bad:
                problems.append(
                    (
                        "brf-chars",
                        f"page {page_no} line {line_no}",
                        f"byte 0x{bad[0]:02X} is not braille ASCII",
                    )
                )
    return problems


def run(tool: Tool, targets: list[Target], build_dir: Path, out_dir: Path) -> Outcome:
    """Judge every PEF, then every BRF on the grid its PEF declares; one raw report per file."""
    outcome = Outcome(KEY, NAME, tool.version, targets)
    grids: dict[str, tuple[int, int]] = {}
    for t in sorted(targets, key=lambda t: not t.artifact.endswith(".pef")):
        stem = t.artifact.rsplit(".", 1)[0]
        if t.artifact.endswith(".pef"):
            problems, grids[stem] = check_pef(t.path)
        else:
            problems = check_brf(t.path, grids.get(stem, DEFAULT_GRID))
        save_raw(
            out_dir,
            outcome,
            t.artifact,
            [{"code": c, "location": loc, "message": m} for c, loc, m in problems],
        )
        outcome.findings += [
            Finding(NAME, tool.version, c, ERROR, t.artifact, loc, m) for c, loc, m in problems
        ]
    return outcome
