"""Layout that holds for any text: no word of one line drawn over a word of another, on any page.

`overlaps(pdf)` is the judge, importable by other code: it reads every page's word boxes with
poppler's `pdftotext -bbox-layout` and reports each pair of words from two different lines whose
boxes intersect by more than a tolerance. Poppler's boxes span the font's ascent to descent, so
two lines set at a sane leading never touch; a body line drawn on the footnote, a running head on
the text or a column on its neighbour always do.

The tests build the letter, the `shapes` fixture and every edition in sources/ (archival, print and
large-print PDFs) once per session and judge every page of each.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT, pdf_layout, require, run_cli

TOLERANCE = 0.5  # points: boxes may touch, or share half a point of their ascent/descent
XHTML = "{http://www.w3.org/1999/xhtml}"
SHAPES = ROOT / "tests" / "fixtures" / "editions" / "shapes"


@dataclass(frozen=True)
class Word:
    """A word poppler found: its text, its box (top-left origin, points), and the line it belongs to."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    line: int


@dataclass(frozen=True)
class Overlap:
    """Two words of different lines whose boxes intersect on a page."""

    page: int
    first: Word
    second: Word

    def __str__(self) -> str:
        a, b = self.first, self.second
        return (
            f"page {self.page}: {a.text!r} ({a.x0:.1f},{a.y0:.1f}-{a.x1:.1f},{a.y1:.1f}) over "
            f"{b.text!r} ({b.x0:.1f},{b.y0:.1f}-{b.x1:.1f},{b.y1:.1f})"
        )


def page_words(pdf: Path) -> list[list[Word]]:
    """Every page's words, each tagged with the number of its line (unique across the page)."""
    root = pdf_layout(pdf)
    pages: list[list[Word]] = []
    for page in root.iter(f"{XHTML}page"):
        words: list[Word] = []
        for number, line in enumerate(page.iter(f"{XHTML}line")):
            for word in line.iter(f"{XHTML}word"):
                box = [float(word.get(k, "0")) for k in ("xMin", "yMin", "xMax", "yMax")]
                words.append(Word(word.text or "", *box, line=number))
        pages.append(words)
    return pages


def page_overlaps(words: list[Word], page: int, tolerance: float = TOLERANCE) -> list[Overlap]:
    """Pairs of words of different lines on one page whose boxes intersect by more than `tolerance`."""
    found: list[Overlap] = []
    ordered = sorted(words, key=lambda w: w.y0)
    for index, a in enumerate(ordered):
        for b in ordered[index + 1 :]:
            if b.y0 >= a.y1 - tolerance:
                break  # sorted by top: no later word reaches up into a
            if a.line == b.line:
                continue
            if (
                min(a.x1, b.x1) - max(a.x0, b.x0) > tolerance
                and min(a.y1, b.y1) - max(a.y0, b.y0) > tolerance
            ):
                found.append(Overlap(page, a, b))
    return found


def overlaps(pdf: Path, tolerance: float = TOLERANCE) -> list[Overlap]:
    """Every pair of words of two different lines drawn over each other, on every page of a PDF."""
    found: list[Overlap] = []
    for number, words in enumerate(page_words(pdf), start=1):
        found += page_overlaps(words, number, tolerance)
    return found


# -- the helper itself -----------------------------------------------------------------------


def test_overlap_finds_words_of_two_lines_drawn_over_each_other() -> None:
    upper = Word("last", 50, 500, 80, 511, line=0)
    note = Word("note", 60, 505, 90, 514, line=1)
    beside = Word("next", 81, 500, 100, 511, line=2)  # same height, not touching
    below = Word("below", 50, 511.3, 80, 520, line=3)  # touches within the tolerance
    found = page_overlaps([upper, note, beside, below], page=3)
    pairs = {frozenset((o.first.text, o.second.text)) for o in found}
    assert pairs == {frozenset(("last", "note")), frozenset(("note", "next")), frozenset(("note", "below"))}
    assert "page 3" in str(found[0])


# -- every corpus PDF ------------------------------------------------------------------------


def _editions() -> list[Path]:
    found = [SHAPES]
    found += sorted(p for p in (ROOT / "sources").iterdir() if (p / "edition.yaml").is_file())
    return found


@pytest.fixture(scope="session")
def corpus_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every edition's archival, print and large-print PDFs, built once per session."""
    require(shutil.which("pdftotext") is not None, "poppler's pdftotext is not installed")
    out = tmp_path_factory.mktemp("layout")
    result = run_cli(
        "build",
        *map(str, _editions()),
        "--out",
        str(out),
        *("--format", "pdf", "--format", "print", "--format", "large-print"),
        "--force",
    )
    assert result.returncode == 0, result.stderr
    return out


def _pdfs() -> list[tuple[str, str]]:
    rows = []
    for folder in _editions():
        edition_id = _edition_id(folder)
        rows += [
            (edition_id, f"{edition_id}{suffix}") for suffix in (".pdf", ".print.pdf", ".large-print.pdf")
        ]
    return rows


def _edition_id(folder: Path) -> str:
    for line in (folder / "edition.yaml").read_text(encoding="utf-8").splitlines():
        if line.startswith("id:"):
            return line.split(":", 1)[1].strip().strip("\"'")
    return folder.name


@pytest.mark.parametrize(("edition_id", "name"), _pdfs())
def test_no_text_over_text_on_any_page(corpus_build: Path, edition_id: str, name: str) -> None:
    found = overlaps(corpus_build / edition_id / name)
    assert not found, f"{len(found)} overlapping words in {name}:\n" + "\n".join(map(str, found[:20]))


def test_running_head_fits_the_type_area() -> None:
    """A title wider than the type area is set smaller, then cut at a word with an ellipsis; never past it."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from archivekit.typeset.layout import running_head

    short, size = running_head("Short title", "Helvetica", 8.5, 300)
    assert (short, size) == ("Short title", 8.5)
    long_title = (
        "Manifesto of the Communist Party, by Karl Marx and Friedrich Engels: the English edition of 1888"
    )
    head, size = running_head(long_title, "Helvetica", 8.5, 200)
    assert stringWidth(head, "Helvetica", size) <= 200 and size >= 8.5 * 0.8
    assert head.endswith(("…", "...")) and long_title.startswith(head.rstrip(".…"))


def test_a_note_longer_than_a_page_starts_on_the_page_of_its_mark(edition_copy: Path, tmp_path: Path) -> None:
    """A note too tall for a page foot follows its paragraph in the flow and runs on; it never
    leaves the rest of its mark's page empty by starting on the next."""
    english = edition_copy / "03-principles.en.md"
    text = english.read_text(encoding="utf-8")
    sentences = " ".join(f"Sentence {n} of the long note counts the wardens' figures." for n in range(1, 160))
    english.write_text(
        text.replace("To affirm", "To[^long] affirm", 1) + f"\n[^long]: {sentences}\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    result = run_cli("build", str(edition_copy), "--out", str(out), "--format", "pdf", "--force")
    assert result.returncode == 0, result.stderr
    pdf = out / edition_copy.name / f"{edition_copy.name}.pdf"

    def page_of(words: str) -> int:
        for page in range(1, 40):
            found = subprocess.run(
                ["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True, text=True
            ).stdout
            if words in " ".join(found.split()):
                return page
        raise AssertionError(f"{words!r} not found")

    assert page_of("Sentence 1 of the long note") == page_of("affirm that the universal right")
