"""Print preflight: the checks a printer's prepress makes before accepting a file.

Boxes (TrimBox inside BleedBox by at least 3 mm on every side, BleedBox inside MediaBox), page
count a multiple of 4, every font embedded (as poppler's pdffonts reports it), no RGB colour in
page content, and per-page ink coverage from Ghostscript's inkcov device, which must show no
cyan, magenta or yellow; anything Ghostscript warns about while rendering is reported too.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Name

MM = 72 / 25.4  # PostScript points per millimetre
# What commercial prepress asks for. The judge's own rule, not the print writer's setting: a
# preflight that read the writer's value would pass any bleed the writer chose.
MIN_BLEED_MM = 3.0
TOLERANCE_PT = 0.01
TIMEOUT_S = 300
RGB_SPACES = {"/DeviceRGB", "/CalRGB", "/RGB"}
_INKCOV = re.compile(r"^\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+CMYK\s+OK\s*$")


@dataclass(frozen=True)
class Issue:
    """One preflight finding."""

    code: str
    severity: str  # "error" | "warning"
    location: str
    message: str


@dataclass
class Result:
    """Everything the preflight found and measured for one PDF."""

    issues: list[Issue] = field(default_factory=list)
    pages: int = 0
    ink: list[dict[str, float]] = field(default_factory=list)
    fonts: list[dict[str, str]] = field(default_factory=list)
    gs_messages: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The raw report: measurements and issues."""
        return {
            "pages": self.pages,
            "ink_coverage": self.ink,
            "fonts": self.fonts,
            "ghostscript_messages": self.gs_messages,
            "issues": [i.__dict__ for i in self.issues],
        }


def _box(page: pikepdf.Dictionary, key: str) -> tuple[float, ...] | None:
    value = page.get(key)
    if value is None:
        return None
    x0, y0, x1, y1 = (float(v) for v in value)
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def check_boxes(pdf: pikepdf.Pdf) -> list[Issue]:
    """TrimBox and BleedBox on every page; bleed >= 3 mm each side; BleedBox within MediaBox."""
    out: list[Issue] = []
    need = MIN_BLEED_MM * MM - TOLERANCE_PT
    for number, page in enumerate(pdf.pages, start=1):
        where = f"page {number}"
        media = _box(page.obj, "/MediaBox")
        trim = _box(page.obj, "/TrimBox")
        bleed = _box(page.obj, "/BleedBox")
        if trim is None or bleed is None:
            missing = " and ".join(k for k, v in (("TrimBox", trim), ("BleedBox", bleed)) if v is None)
            out.append(Issue("box-missing", "error", where, f"no {missing}"))
            continue
        sides = {
            "left": trim[0] - bleed[0],
            "bottom": trim[1] - bleed[1],
            "right": bleed[2] - trim[2],
            "top": bleed[3] - trim[3],
        }
        short = {k: round(v / MM, 2) for k, v in sides.items() if v < need}
        if short:
            out.append(
                Issue(
                    "bleed-short",
                    "error",
                    where,
                    f"BleedBox extends less than {MIN_BLEED_MM:g} mm beyond the TrimBox: "
                    + ", ".join(f"{k} {v} mm" for k, v in short.items()),
                )
            )
        if media is not None and (
            bleed[0] < media[0] - TOLERANCE_PT
            or bleed[1] < media[1] - TOLERANCE_PT
            or bleed[2] > media[2] + TOLERANCE_PT
            or bleed[3] > media[3] + TOLERANCE_PT
        ):
            out.append(Issue("bleed-outside-media", "error", where, "BleedBox extends beyond the MediaBox"))
    return out


def check_page_count(pdf: pikepdf.Pdf) -> list[Issue]:
    """A saddle-stitched or folded job needs a multiple of 4 pages."""
    n = len(pdf.pages)
    if n % 4:
        return [Issue("page-count", "error", "", f"{n} pages: not a multiple of 4 (pad with blank pages)")]
    return []


def _is_rgb(space: Any, resources: Any) -> bool:
    """True when a colour space (name or array) is RGB-based."""
    if isinstance(space, Name):
        name = str(space)
        if name in RGB_SPACES:
            return True
        spaces: Any = resources.get("/ColorSpace") if "/ColorSpace" in resources else None
        named = spaces.get(name) if spaces is not None else None
        return named is not None and _is_rgb(named, resources)
    if isinstance(space, pikepdf.Array) and len(space) > 0:
        family = str(space[0])
        if family == "/ICCBased":
            return int(space[1].get("/N", 0)) == 3
        if family in ("/CalRGB",):
            return True
        if family == "/Indexed" and len(space) > 1:
            return _is_rgb(space[1], resources)
        if family in ("/Separation", "/DeviceN") and len(space) > 2:
            return False  # a named ink; its alternate is only for proofing
        if family == "/Pattern" and len(space) > 1:
            return _is_rgb(space[1], resources)
    return False


def _scan(stream_owner: Any, resources: Any, where: str, seen: set[tuple[int, int]]) -> list[str]:
    """RGB uses in one content stream and the forms, images and shadings it draws."""
    found: list[str] = []
    xobjects: Any = resources.get("/XObject", {}) if "/XObject" in resources else {}
    shadings: Any = resources.get("/Shading", {}) if "/Shading" in resources else {}
    for instruction in pikepdf.parse_content_stream(stream_owner):
        operands, op = instruction.operands, instruction.operator
        name = str(op)
        if name in ("rg", "RG"):
            found.append(f"{where}: {name} (DeviceRGB colour)")
        elif name in ("cs", "CS") and operands and _is_rgb(operands[0], resources):
            found.append(f"{where}: {name} {operands[0]} (RGB colour space)")
        elif name == "sh" and operands:
            sh = shadings.get(str(operands[0]))
            if sh is not None and _is_rgb(sh.get("/ColorSpace"), resources):
                found.append(f"{where}: shading {operands[0]} in RGB")
        elif name == "INLINE IMAGE":
            image = operands[0]
            cs = image.obj.get("/CS", image.obj.get("/ColorSpace")) if hasattr(image, "obj") else None
            if cs is not None and _is_rgb(cs, resources):
                found.append(f"{where}: inline image in RGB")
        elif name == "Do" and operands:
            xo = xobjects.get(str(operands[0]))
            if xo is None or xo.objgen in seen:
                continue
            seen.add(xo.objgen)
            subtype = str(xo.get("/Subtype"))
            if subtype == "/Image" and _is_rgb(xo.get("/ColorSpace"), resources):
                found.append(f"{where}: image {operands[0]} in RGB")
            elif subtype == "/Form":
                found += _scan(xo, xo.get("/Resources", resources), f"{where} form {operands[0]}", seen)
    return found


def check_colour(pdf: pikepdf.Pdf) -> list[Issue]:
    """No RGB colour anywhere in page content (text, rules, forms, images, shadings)."""
    out: list[Issue] = []
    for number, page in enumerate(pdf.pages, start=1):
        resources = page.obj.get("/Resources", pikepdf.Dictionary())
        uses = _scan(page, resources, f"page {number}", set())
        if uses:
            more = f" (+{len(uses) - 1} more)" if len(uses) > 1 else ""
            out.append(Issue("rgb-colour", "error", f"page {number}", uses[0] + more))
    return out


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise FileNotFoundError(name)
    return path


def check_fonts(path: Path) -> tuple[list[Issue], list[dict[str, str]]]:
    """Every font embedded, as poppler's pdffonts lists them."""
    proc = subprocess.run(
        [_tool("pdffonts"), str(path)], capture_output=True, text=True, timeout=TIMEOUT_S, check=False
    )
    if proc.returncode != 0:
        return [Issue("pdffonts-failed", "error", "", proc.stderr.strip()[-300:])], []
    rows: list[dict[str, str]] = []
    issues: list[Issue] = []
    for line in proc.stdout.splitlines()[2:]:
        # Columns: name, type (may hold spaces), encoding, emb, sub, uni, object number, generation.
        parts = line.split()
        if len(parts) < 7:
            continue
        emb, obj = parts[-5], f"{parts[-2]} {parts[-1]}"
        rows.append({"name": parts[0], "embedded": emb, "object": obj})
        if emb != "yes":
            issues.append(
                Issue("font-not-embedded", "error", f"object {obj}", f"font {parts[0]} is not embedded")
            )
    return issues, rows


def inkcov(path: Path) -> tuple[list[dict[str, float]], list[str], str]:
    """Ghostscript's inkcov per page (fractions of the page), its other messages, and its stderr."""
    proc = subprocess.run(
        [_tool("gs"), "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=inkcov", "-o", "-", str(path)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    pages: list[dict[str, float]] = []
    messages: list[str] = []
    for line in proc.stdout.splitlines():
        match = _INKCOV.match(line)
        if match:
            c, m, y, k = (float(v) for v in match.groups())
            pages.append({"c": c, "m": m, "y": y, "k": k})
        elif line.strip():
            messages.append(line.strip())
    messages += [line.strip() for line in proc.stderr.splitlines() if line.strip()]
    if proc.returncode != 0:
        messages.append(f"gs exit status {proc.returncode}")
    return pages, messages, proc.stderr


def check_ink(path: Path, pages: int) -> tuple[list[Issue], list[dict[str, float]], list[str]]:
    """C = M = Y = 0 on every page, every page rendered, and no Ghostscript warning."""
    ink, messages, _ = inkcov(path)
    issues: list[Issue] = []
    for number, row in enumerate(ink, start=1):
        colour = {k: v for k, v in row.items() if k in "cmy" and v > 0}
        if colour:
            issues.append(
                Issue(
                    "ink-not-black",
                    "error",
                    f"page {number}",
                    "Ghostscript inkcov finds colour ink: "
                    + ", ".join(f"{k.upper()} {v}" for k, v in colour.items()),
                )
            )
    if len(ink) != pages:
        issues.append(
            Issue("render-incomplete", "error", "", f"Ghostscript rendered {len(ink)} of {pages} pages")
        )
    for message in messages:
        issues.append(Issue("ghostscript-message", "error", "", message))
    return issues, ink, messages


def preflight(path: Path) -> Result:
    """Every print preflight check on one PDF."""
    result = Result()
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PdfError as exc:
        result.issues.append(Issue("unreadable", "error", "", f"not a readable PDF: {exc}"))
        return result
    with pdf:
        result.pages = len(pdf.pages)
        result.issues += check_boxes(pdf)
        result.issues += check_page_count(pdf)
        result.issues += check_colour(pdf)
    font_issues, result.fonts = check_fonts(path)
    result.issues += font_issues
    ink_issues, result.ink, result.gs_messages = check_ink(path, result.pages)
    result.issues += ink_issues
    return result
