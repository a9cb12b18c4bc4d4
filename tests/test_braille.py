"""The braille edition of every corpus edition: the page grid, the character ranges, the PEF schema,
print page indicators where the archival PDF's pages begin, notes after their paragraph, the
transcriber's note, and English back-translated (grade 1) against the source.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from archivekit.errors import BuildError, ToolMissing
from archivekit.ingest import load_edition
from archivekit.model import Paragraph, plain_text
from archivekit.model.document import iter_blocks
from archivekit.validate.braille import check_brf, check_pef
from archivekit.writers import load
from archivekit.writers.base import BuildContext
from archivekit.writers.braille import transcribe
from archivekit.writers.braille.louis import Louis
from archivekit.writers.braille.transcribe import Transcriber
from conftest import run_cli

ROOT = Path(__file__).resolve().parents[1]
EDITIONS = sorted(p.parent for p in (ROOT / "sources").glob("*/edition.yaml"))
LETTER = ROOT / "sources" / "carfc-2019-07-15-letter-to-ceos"

try:
    Louis()
except ToolMissing as exc:  # locally skipped with the reason; CI has liblouis (tools/install-system.sh)
    pytestmark = pytest.mark.skip(reason=str(exc))


@cache
def build(edition_dir: Path, out: Path) -> Path:
    """The PDF (for its page starts) and the braille edition of one edition, into out/."""
    doc = load_edition(edition_dir, source_date_epoch=0)
    target = out / doc.edition.id
    target.mkdir(parents=True, exist_ok=True)
    ctx = BuildContext(out_dir=target, edition_dir=edition_dir, source_date_epoch=0, cache_dir=out / "cache")
    load("pdf").write(doc, ctx)
    load("braille").write(doc, ctx)
    return target


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("braille")


@pytest.mark.parametrize("edition_dir", EDITIONS, ids=lambda p: p.name)
def test_grid_and_characters(edition_dir: Path, out: Path) -> None:
    """BRF: lines <= 40 cells, pages <= 25 lines, braille ASCII; PEF: valid, braille rows within cols/rows."""
    target = build(edition_dir, out)
    pef = next(target.glob("*.pef"))
    problems, grid = check_pef(pef)
    assert problems == [] and grid == (40, 25)
    assert check_brf(pef.with_suffix(".brf"), grid) == []
    data = pef.with_suffix(".brf").read_bytes()
    for page in data.split(b"\f")[:-1]:
        lines = page.split(b"\r\n")[:-1]
        assert len(lines) <= 25 and all(len(line) <= 40 for line in lines)
        assert all(0x20 <= b <= 0x5F for line in lines for b in line)


def test_checks_can_fail(tmp_path: Path) -> None:
    """The BRF and PEF checks report a long line, a long page, a stray byte and a non-braille row."""
    brf = tmp_path / "x.brf"
    brf.write_bytes(b"A" * 41 + b"\r\n" + b"a\r\n" + b"\r\n" * 25 + b"\f")
    codes = {code for code, _loc, _msg in check_brf(brf, (40, 25))}
    assert codes == {"brf-cells", "brf-chars", "brf-lines"}
    pef = tmp_path / "x.pef"
    pef.write_text(
        '<pef xmlns="http://www.daisy.org/ns/2008/pef" version="2008-1"><head><meta/></head><body>'
        '<volume cols="2" rows="1" rowgap="0" duplex="false"><section><page><row>⠁⠁⠁</row>'
        "<row>ab</row></page></section></volume></body></pef>",
        encoding="utf-8",
    )
    codes = {code for code, _loc, _msg in check_pef(pef)[0]}
    assert {"pef-schema", "pef-rows", "pef-cols", "pef-cells"} <= codes


def test_letter_print_pages_notes_and_transcriber_note(out: Path) -> None:
    """Indicators 1..n at the PDF's page starts, the note after its paragraph, the tables named."""
    doc = load_edition(LETTER, source_date_epoch=0)
    ctx = BuildContext(
        out_dir=build(LETTER, out), edition_dir=LETTER, source_date_epoch=0, cache_dir=out / "c"
    )
    load("pdf").write(doc, ctx)
    starts = ctx.products.page_starts
    edition = transcribe(doc, starts)
    indicators = edition.composer.indicators
    assert [i.pdf_page for i in indicators] == list(range(1, len(starts) + 1)) and len(starts) >= 6
    tr = Transcriber(doc, Louis())
    for ind, start in zip(indicators, starts, strict=True):
        assert (ind.block_id, ind.pdf_page) == (start.block_id, start.page)
        page = edition.pages[ind.braille_page - 1]
        assert page.lines[ind.line - 1].startswith("\u2824\u2824\u2824")  # the dots-36 line
        # The text after the indicator begins with the braille of the text the PDF page begins with.
        everything = (*doc.front, *[b for p in doc.parts for b in p.blocks], *doc.colophon)
        block = next(b for b in iter_blocks(everything) if getattr(b, "id", None) == start.block_id)
        lang = getattr(block, "lang", None) or doc.edition.language
        expected = tr.text(plain_text(block.inlines)[start.offset :].lstrip()[:2], lang, "test").cells
        after = page.lines[ind.line :] + edition.pages[ind.braille_page].lines[1:]
        following = next(line for line in after if line)
        # Word spacing may differ in context (Chinese braille writes words apart): compare cells only.
        assert following.replace("\u2800", "").startswith(expected.replace("\u2800", "")[:2]), start
    # The note follows the paragraph that calls it: the line with the note sign comes before "注1".
    flat = [line for page in edition.pages for line in page.lines]
    note_label = tr.text("注1", "zh-Hans", "test").cells
    text_starts = next(i for i, line in enumerate(flat) if line.startswith("\u2824\u2824\u2824"))
    note = next(i for i, line in enumerate(flat) if line.strip("\u2800").startswith(note_label))
    call = max(i for i in range(note) if "\u2820\u2814" in flat[i])  # the line with the note's call
    assert text_starts < call < note <= call + 12
    assert any("zhcn-cbs" in line for line in edition.note_lines)
    assert any("en-ueb-g2" in line for line in edition.note_lines)


def test_transcriber_note_names_every_table_used_and_what_six_dots_leave_out(edition_copy: Path) -> None:
    """The note is written after the text: a stretch in another language, Latin words in Chinese
    and the dots 6-dot braille drops are named, as well as the parts' own tables."""
    mengzi = load_edition(ROOT / "sources" / "mengzi-zh-hant", source_date_epoch=0)
    note = "\n".join(transcribe(mengzi, []).note_lines)
    assert "zh-tw.ctb" in note and "en-ueb-g1.ctb" in note  # Latin words in its Chinese text
    assert "zh-tw.ctb 用第7、8點" in note  # what 6-dot braille leaves out
    english = edition_copy / "03-principles.en.md"
    text = english.read_text(encoding="utf-8")
    english.write_text(text.replace("To affirm", "To [bekräftigen]{lang=de} affirm", 1), encoding="utf-8")
    letter = load_edition(edition_copy, source_date_epoch=0)
    assert any("de-g2.ctb" in line for line in transcribe(letter, []).note_lines)


def test_an_untranslatable_character_is_named_by_file_and_line(edition_copy: Path, tmp_path: Path) -> None:
    """Han characters in an English part (a stretch not marked as Chinese) stop the build at their line."""
    english = edition_copy / "03-principles.en.md"
    text = english.read_text(encoding="utf-8")
    english.write_text(text.replace("To affirm", "To 确认 affirm", 1), encoding="utf-8")
    line = text[: text.index("To affirm")].count("\n") + 1
    args = ("build", str(edition_copy), "--out", str(tmp_path / "out"), "--format", "braille", "--force")
    result = run_cli(*args)
    assert result.returncode == 2 and f"{english}:{line}:" in result.stderr, result.stderr
    assert "{lang=" in result.stderr  # the fix names marking the stretch's language


def test_english_back_translates_to_the_source() -> None:
    """Every English paragraph in UEB grade 1, back-translated, is its source text (quotes unified)."""
    doc = load_edition(LETTER, source_date_epoch=0)
    louis = Louis()
    tr = Transcriber(doc, louis)
    english = [p for p in doc.parts if p.lang == "en"]
    assert english
    for part in english:
        for block in iter_blocks(part.blocks):
            if not isinstance(block, Paragraph):
                continue
            source = plain_text(block.inlines, note_labels=False)
            cells = louis.translate("en-ueb-g1.ctb", source).cells
            back = louis.back_translate("en-ueb-g1.ctb", cells)
            assert _plain(back) == _plain(source), block.id
    assert tr  # the transcriber for the same document accepts the same text


def _plain(text: str) -> str:
    """Text as grade 1 braille keeps it: curly quotes are the same sign as straight ones."""
    return re.sub(r"\s+", " ", text.translate(str.maketrans("“”‘’", "\"\"''"))).strip()


def test_untranslatable_character_is_an_error() -> None:
    """A character the table does not define stops the build, named with its code point."""
    doc = load_edition(LETTER, source_date_epoch=0)
    tr = Transcriber(doc, Louis())
    with pytest.raises(BuildError, match="U\\+2460"):
        tr.text("circled ① here", "en", "a test")
