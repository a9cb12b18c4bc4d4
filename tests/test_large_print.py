"""The large-print edition of every corpus edition: veraPDF (PDF/A-2a + PDF/UA-1), no character lost
(tag tree, judged by archivekit's fidelity judge), the archival PDF's tags, languages and notes, every
text run at least 18 pt in a sans face (note marks: a superscript of that), CJK line-breaking rules in
ragged lines. Overlaps are judged with the other PDFs in test_pdf_layout.py.

Each check also runs on something it must reject (the archival PDF, a file stripped of its tags,
another edition's sources), so a check that can no longer fail fails here.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from archivekit.typeset.linebreak import NO_END, NO_START
from archivekit.typeset.page_profile import LARGE_PRINT
from archivekit.validate.judge import fidelity, outputs
from archivekit.validate.judge.sources import read_sources
from conftest import ROOT, pdf_layout, require, run_cli, verapdf_verdicts

EDITIONS = sorted(p for p in (ROOT / "sources").iterdir() if (p / "edition.yaml").is_file())
IDS = [p.name for p in EDITIONS]
NOTE_MARK_SCALE = 0.6  # a note mark is a superscript of its row (typeset/content.py: 0.62)
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture(scope="session")
def lp_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every corpus edition's large-print and archival PDFs, built once per session."""
    out = tmp_path_factory.mktemp("large-print")
    result = run_cli(
        "build",
        *map(str, EDITIONS),
        "--out",
        str(out),
        "--format",
        "large-print",
        "--format",
        "pdf",
        "--force",
    )
    assert result.returncode == 0, result.stderr
    return out


def large(out: Path, edition: str) -> Path:
    return out / edition / f"{edition}.large-print.pdf"


def archival(out: Path, edition: str) -> Path:
    return out / edition / f"{edition}.pdf"


# -- the manifest -----------------------------------------------------------------------------


@pytest.mark.parametrize("edition", IDS)
def test_manifest_claims_pdfa_2a_and_ua1(lp_build: Path, edition: str) -> None:
    manifest = json.loads((lp_build / edition / "manifest.json").read_text(encoding="utf-8"))
    (entry,) = [a for a in manifest["artifacts"] if a["format"] == "large-print"]
    assert entry["path"] == f"{edition}.large-print.pdf"
    assert entry["media_type"] == "application/pdf"
    assert entry["conforms_to"] == ["PDF/A-2a", "PDF/UA-1"]
    with pikepdf.open(large(lp_build, edition)) as pdf:
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "A"
        assert meta["pdfuaid:part"] == "1"


# -- veraPDF ----------------------------------------------------------------------------------


def _untagged(src: Path, target: Path) -> Path:
    """A copy without its structure tree: what veraPDF must reject."""
    with pikepdf.open(src) as pdf:
        del pdf.Root.StructTreeRoot
        del pdf.Root.MarkInfo
        pdf.save(target)
    return target


@pytest.fixture(scope="module")
def verdicts(lp_build: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """File name -> veraPDF profile name -> result, for every large-print PDF and one broken copy."""
    broken = _untagged(large(lp_build, IDS[0]), tmp_path_factory.mktemp("broken") / "untagged.pdf")
    return verapdf_verdicts([*(large(lp_build, e) for e in IDS), broken])


@pytest.mark.validators
@pytest.mark.parametrize("edition", IDS)
def test_verapdf_passes_2a_and_ua1(verdicts: dict[str, dict[str, Any]], edition: str) -> None:
    results = verdicts[f"{edition}.large-print.pdf"]
    assert set(results) == {"PDF/A-2a validation profile", "PDF/UA-1 validation profile"}
    for profile, result in results.items():
        failed = [
            f"{r['clause']}-{r['testNumber']}: {r['description']} ({r['failedChecks']}x)"
            for r in result["details"]["ruleSummaries"]
        ]
        assert result["compliant"] is True, profile + "\n" + "\n".join(failed)


@pytest.mark.validators
def test_verapdf_rejects_an_untagged_copy(verdicts: dict[str, dict[str, Any]]) -> None:
    results = verdicts["untagged.pdf"]
    assert results and not all(r["compliant"] for r in results.values())


# -- no character lost; the archival PDF's tags, languages and notes --------------------------


@pytest.mark.parametrize("edition", IDS)
def test_fidelity_judge_finds_every_character(lp_build: Path, edition: str) -> None:
    require(shutil.which("pdfinfo") is not None, "poppler's pdfinfo is not installed")
    path = large(lp_build, edition)
    found = fidelity.check(read_sources(lp_build / edition), path.name, "large-print", path)
    assert not found, "\n".join(f.message for f in found)


def test_fidelity_judge_can_fail(lp_build: Path) -> None:
    require(shutil.which("pdfinfo") is not None, "poppler's pdfinfo is not installed")
    path = large(lp_build, IDS[0])
    found = fidelity.check(read_sources(lp_build / IDS[-1]), path.name, "large-print", path)
    assert found


def struct_elements(pdf_path: Path) -> list[tuple[str, str, str, str]]:
    """Every structure element in tree order: role, /Lang, /ID, /Alt."""
    out: list[tuple[str, str, str, str]] = []
    with pikepdf.open(pdf_path) as pdf:

        def walk(node: Any) -> None:
            if isinstance(node, pikepdf.Array):
                for kid in node:
                    walk(kid)
                return
            if not isinstance(node, pikepdf.Dictionary) or node.get("/Type") not in (None, "/StructElem"):
                return
            if "/S" not in node:
                return
            out.append(
                (str(node.S), str(node.get("/Lang", "")), str(node.get("/ID", "")), str(node.get("/Alt", "")))
            )
            walk(node.get("/K", pikepdf.Array()))

        walk(pdf.Root.StructTreeRoot.K)
    return out


def tree_text(pdf_path: Path) -> str:
    """The tag tree's text (poppler, as the judge reads it), without whitespace."""
    return "".join(outputs.struct_text(pdf_path).split())


@pytest.mark.parametrize("edition", IDS)
def test_same_tags_languages_notes_and_text_as_the_archival_pdf(lp_build: Path, edition: str) -> None:
    require(shutil.which("pdfinfo") is not None, "poppler's pdfinfo is not installed")
    mine, theirs = struct_elements(large(lp_build, edition)), struct_elements(archival(lp_build, edition))
    assert mine == theirs
    assert any(role == "/Note" for role, *_ in mine) == any(role == "/Note" for role, *_ in theirs)
    # Line ends fall elsewhere at 18 pt, so the text is compared without whitespace.
    assert tree_text(large(lp_build, edition)) == tree_text(archival(lp_build, edition))


# -- 18 pt sans ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """A text-showing operator: the font's BaseFont, its size, and the tag of its marked content."""

    font: str
    size: float
    tag: str


def shown_text(pdf_path: Path) -> list[Shown]:
    """Every text-showing operator on every page, with the font and size it is set in."""
    out: list[Shown] = []
    with pikepdf.open(pdf_path) as pdf:
        for page in pdf.pages:
            fonts = page.Resources.get("/Font", pikepdf.Dictionary())
            tags: list[str] = []
            font, size = "", 0.0
            for operands, op in pikepdf.parse_content_stream(page):
                name = str(op)
                if name in ("BDC", "BMC"):
                    tags.append(str(operands[0]))
                elif name == "EMC" and tags:
                    tags.pop()
                elif name == "Tf":
                    font = str(fonts[operands[0]].get("/BaseFont", operands[0]))
                    size = float(operands[1])
                elif name in ("Tj", "TJ", "'", '"'):
                    out.append(Shown(font, size, tags[-1] if tags else ""))
    return out


def text_faults(pdf_path: Path, least: float) -> list[str]:
    """Text set smaller than `least` (note marks: a superscript of it) or in a face that is not sans."""
    faults = []
    for run in shown_text(pdf_path):
        floor = least * NOTE_MARK_SCALE if run.tag == "/Link" else least
        if run.size < floor - 0.01:
            faults.append(f"{run.size:.2f} pt in {run.tag or 'untagged'} ({run.font})")
        # Subset names: ABCDEF+NotoSans-Regular, ABCDEF+NotoSansCJKtc-Regular
        if "Sans" not in run.font.split("+")[-1]:
            faults.append(f"not sans: {run.font}")
    return sorted(set(faults))


@pytest.mark.parametrize("edition", IDS)
def test_all_text_at_least_18_pt_sans(lp_build: Path, edition: str) -> None:
    runs = shown_text(large(lp_build, edition))
    assert runs
    assert min(r.size for r in runs if r.tag == "/P") >= LARGE_PRINT.body_size == 18
    faults = text_faults(large(lp_build, edition), 18)
    assert not faults, "\n".join(faults[:20])


def test_size_and_face_check_can_fail(lp_build: Path) -> None:
    faults = text_faults(archival(lp_build, IDS[0]), 18)
    assert any("pt in /P" in f for f in faults)
    assert any(f.startswith("not sans") for f in faults)


@pytest.mark.parametrize("edition", IDS)
def test_cjk_faces_follow_the_language(lp_build: Path, edition: str) -> None:
    fonts = {r.font.split("+")[-1] for r in shown_text(large(lp_build, edition))}
    if edition == "mengzi-zh-hant":
        assert any("CJKtc" in f or "TC" in f for f in fonts), fonts
    cjk = [f for f in fonts if "CJK" in f]
    assert all("Sans" in f for f in cjk), cjk


# -- ragged lines keep the line-breaking rules ------------------------------------------------


def line_texts(pdf_path: Path) -> list[str]:
    """Every line poppler reads, its words joined."""
    root = pdf_layout(pdf_path)
    return ["".join(w.text or "" for w in line.iter(f"{XHTML}word")) for line in root.iter(f"{XHTML}line")]


def break_faults(lines: list[str]) -> list[str]:
    """CJK lines that start with a mark that may not start a line or end with one that may not end it."""
    return [
        text
        for text in lines
        if text
        and any("\u3400" <= c <= "\u9fff" for c in text)
        and (text[0] in NO_START or text[-1] in NO_END)
    ]


@pytest.mark.parametrize("edition", IDS)
def test_ragged_cjk_lines_keep_the_line_breaking_rules(lp_build: Path, edition: str) -> None:
    require(shutil.which("pdftotext") is not None, "poppler's pdftotext is not installed")
    faults = break_faults(line_texts(large(lp_build, edition)))
    assert not faults, "\n".join(faults[:20])


def test_line_rule_check_can_fail() -> None:
    assert break_faults(["，中国宪法", "中国宪法“", "中国宪法。"]) == ["，中国宪法", "中国宪法“"]


def test_large_print_pages_are_a4_and_ragged(lp_build: Path) -> None:
    with pikepdf.open(large(lp_build, IDS[0])) as pdf:
        width, height = (float(v) for v in pdf.pages[0].MediaBox[2:])
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)
    sheet = LARGE_PRINT.sheet()
    assert all(row.align == "left" for row in sheet.rows.values())
    assert all(row.leading == pytest.approx(row.size * 1.5) for row in sheet.rows.values())
