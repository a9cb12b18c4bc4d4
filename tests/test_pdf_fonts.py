"""Prepared fonts: one character set for every PDF of an edition, small embedded programs,
parallel preparation that gives the same bytes as serial, and the same font for every character.

The builds here use a private font cache, so they see cold and warm preparation as a user does.
"""

from __future__ import annotations

import dataclasses
import io
import multiprocessing
import os
import shutil
import subprocess
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from fontTools.ttLib import TTFont
from reportlab.pdfbase.ttfonts import TTFont as ReportLabFont
from reportlab.pdfgen.canvas import Canvas

from archivekit.ingest import load_edition
from archivekit.model import Document
from archivekit.model.metadata import Creator, LangText
from archivekit.typeset import fonts, reportlab_adapter
from archivekit.typeset.content import document_chars, title_page_note
from archivekit.writers.print_edition.titlepage import lines_of
from conftest import EDITION, EDITION_ID, EPOCH, ROOT

PDF = f"{EDITION_ID}.pdf"
PRINT = f"{EDITION_ID}.print.pdf"
LATIN = ("NotoSerif-", "NotoSans-")


@dataclasses.dataclass
class Builds:
    out: Path
    cache: Path
    pdf_log: str
    print_log: str


def _cli(cache: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "ARCHIVEKIT_CACHE": str(cache)}
    return subprocess.run(
        [sys.executable, "-m", "archivekit", "-v", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Builds:
    """The archival PDF built with an empty font cache, then the print edition with the same cache."""
    root = tmp_path_factory.mktemp("fonts")
    cache, out = root / "cache", root / "out"
    first = _cli(cache, "build", str(EDITION), "--out", str(out), "--format", "pdf", "--force")
    assert first.returncode == 0, first.stderr
    second = _cli(cache, "build", str(EDITION), "--out", str(out / "print"), "--format", "print", "--force")
    assert second.returncode == 0, second.stderr
    return Builds(out / EDITION_ID, cache, first.stderr, second.stderr)


@pytest.fixture(scope="module")
def doc() -> Document:
    return load_edition(EDITION, source_date_epoch=int(EPOCH))


def _font_lines(log: str) -> list[str]:
    return [line for line in log.splitlines() if "font cache" in line]


def _embedded(pdf: Path | bytes) -> dict[str, TTFont]:
    """Every embedded font program, by its subset name."""
    found: dict[str, TTFont] = {}
    with pikepdf.open(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf) as doc:
        for obj in doc.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
                found[str(obj.FontName)[1:]] = TTFont(io.BytesIO(obj.FontFile2.read_bytes()))
    return found


# -- one character set, one preparation -------------------------------------------------------------
def test_print_after_pdf_finds_every_font_in_the_cache(builds: Builds) -> None:
    cold = _font_lines(builds.pdf_log)
    assert len(cold) == len(fonts.FONT_SOURCES) and all("cache miss" in line for line in cold), cold
    warm = _font_lines(builds.print_log)
    # The text pages and the title page each register every font: all found, none prepared again.
    assert len(warm) == 2 * len(fonts.FONT_SOURCES), warm
    assert all("cache hit" in line for line in warm), [line for line in warm if "hit" not in line]
    assert len(list((builds.cache / "fonts").glob("*.ttf"))) == len(fonts.FONT_SOURCES)


def test_document_chars_cover_the_title_page(doc: Document) -> None:
    unusual = dataclasses.replace(
        doc.edition,
        title=LangText((("zh-Hans", "档案Ω"), ("en", "Ωmega édition"))),
        # Two creators: the title page lists them with the edition's list separator.
        creators=(Creator(LangText((("en", "Σ Society"),))), Creator(LangText((("en", "Ärzte Ψ"),)))),
        statement=LangText((("en", "Ausgabe für Ärzte"),)),
        version="2.0.0-β",
    )
    for edition in (doc.edition, unusual):
        d = dataclasses.replace(doc, edition=edition)
        drawn = {ord(c) for text, *_ in lines_of(d) for c in text + title_page_note(d) if c != " "}
        assert drawn <= document_chars(d), sorted(chr(c) for c in drawn - document_chars(d))


# -- what is embedded ---------------------------------------------------------------------------------
def test_embedded_latin_fonts_carry_no_hinting(builds: Builds) -> None:
    latin = {
        name: font
        for name, font in _embedded(builds.out / PDF).items()
        if name.split("+")[1].startswith(LATIN)
    }
    assert latin, "no Latin font embedded"
    for name, font in latin.items():
        assert not {"fpgm", "prep", "cvt "} & set(font.keys()), name
        glyf = font["glyf"]
        for glyph_name in font.getGlyphOrder():
            glyph = glyf[glyph_name]
            assert not (hasattr(glyph, "program") and glyph.program.getBytecode()), (name, glyph_name)


def test_embedded_fonts_keep_only_the_names_a_pdf_needs(builds: Builds) -> None:
    for name, font in _embedded(builds.out / PDF).items():
        records = font["name"].names
        assert {r.nameID for r in records} <= fonts.NAME_IDS, name
        assert {(r.platformID, r.platEncID, r.langID) for r in records} == {fonts.NAME_RECORD}, name
        assert font["name"].getDebugName(6) and "OFL" in (font["name"].getDebugName(14) or ""), name


def test_archival_pdf_is_no_larger_than_the_typst_peer(builds: Builds) -> None:
    # Typst's PDF of the same text was 171,949 bytes (issue 9); ours was 236,949, then 170,141.
    # Since the colophon is written in the edition's language (issue 14: 版本说明 ... in Chinese,
    # about 40 more CJK glyphs) ours is 174,774 bytes for the same typesetting: the peer number is
    # of the old colophon, so the guard allows 2 % over it until `make bench` measures Typst again.
    assert (builds.out / PDF).stat().st_size <= 171_949 * 1.02


def test_only_drawn_glyphs_are_embedded(tmp_path: Path, doc: Document) -> None:
    # Prepared for "中文ABC", drawn "中文": ReportLab's ASCII-readable subset would embed A, B, C too.
    src = fonts.source("zh-serif")
    path = fonts.prepared_path(src, frozenset(map(ord, "中文ABC")), tmp_path)
    outputs: dict[str, bytes] = {}
    programs: dict[str, TTFont] = {}
    for label, font in (
        ("drawn", reportlab_adapter.DrawnGlyphsFont("t-drawn", str(path))),
        ("reportlab", ReportLabFont("t-reportlab", str(path), asciiReadable=True)),
    ):
        reportlab_adapter.register_font(font)  # as layout.register_fonts does
        buffer = io.BytesIO()
        canv = Canvas(buffer, invariant=1, pageCompression=0)
        canv.setFont(font.fontName, 12)
        canv.drawString(72, 720, "中文")
        canv.save()
        outputs[label] = buffer.getvalue()
        programs[label] = next(iter(_embedded(buffer.getvalue()).values()))
        font.unregister()
    assert len(programs["reportlab"].getGlyphOrder()) == 1 + 5
    assert len(programs["drawn"].getGlyphOrder()) == 1 + 2
    # Codes, widths and ToUnicode stay as ReportLab writes them.
    with pikepdf.open(io.BytesIO(outputs["drawn"])) as a, pikepdf.open(io.BytesIO(outputs["reportlab"])) as b:
        fa, fb = (
            next(f for f in p.pages[0].Resources.Font.values() if f.Subtype == "/TrueType") for p in (a, b)
        )
        assert list(fa.Widths) == list(fb.Widths)
        assert fa.ToUnicode.read_bytes() == fb.ToUnicode.read_bytes()
        assert a.pages[0].Contents.read_bytes() == b.pages[0].Contents.read_bytes()


# -- the font for each character ------------------------------------------------------------------
def test_prepared_fonts_cover_exactly_what_the_originals_cover(builds: Builds, doc: Document) -> None:
    # content._font_for asks the prepared font's cmap: over the edition's characters it must answer
    # as the original face does, so every character keeps the font it had before preparation.
    chars = document_chars(doc)
    for src in fonts.FONT_SOURCES:
        prepared = fonts.prepared_path(src, chars, builds.cache)
        original = TTFont(str(src.path), fontNumber=fonts._face_index(src.path, src.family), lazy=True)
        cmap = original.getBestCmap()
        expected = {c for c in chars if c in cmap}
        covered = {c for c in ReportLabFont("t", str(prepared)).face.charToGlyph if c in chars}
        assert covered == expected, src.key


# -- parallel preparation -------------------------------------------------------------------------------
class CountingPool(ProcessPoolExecutor):
    made = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        CountingPool.made += 1
        super().__init__(*args, **kwargs)


def test_parallel_preparation_gives_the_bytes_of_serial(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chars = frozenset(map(ord, "宗教自由 Religious Freedom 2019"))
    sources = tuple(fonts.source(key) for key in ("zh-serif", "zh-sans-bold", "en-serif"))
    monkeypatch.setattr(fonts, "ProcessPoolExecutor", CountingPool)
    monkeypatch.setattr(fonts, "_workers", lambda jobs: 2)
    parallel = fonts.prepare(sources, chars, tmp_path / "parallel")
    assert CountingPool.made == 1
    monkeypatch.setattr(fonts, "_workers", lambda jobs: 1)
    serial = fonts.prepare(sources, chars, tmp_path / "serial")
    assert CountingPool.made == 1
    for key, path in parallel.items():
        assert path.name == serial[key].name
        assert path.read_bytes() == serial[key].read_bytes(), key
    assert not list((tmp_path / "parallel" / "fonts").glob("*.tmp*"))


def test_no_pool_inside_another_pools_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    # pipeline.build_many --jobs N builds editions in worker processes: they prepare serially.
    monkeypatch.setattr(fonts.threading, "active_count", lambda: 1)
    cores = len(os.sched_getaffinity(0))
    assert fonts._workers(4) == min(4, cores)
    assert fonts._workers(1) == 1
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as pool:
        assert pool.submit(fonts._workers, 4).result() == 1


def test_no_pool_while_another_thread_runs() -> None:
    # The EPUB judges run in a thread while print is written: forking then is not safe.
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert fonts._workers(4) == 1
    finally:
        stop.set()
        thread.join()


def _latest_first_met(text: str) -> str:
    """The Han character of `text`, met twice or more, whose first occurrence comes last."""
    han = [c for c in dict.fromkeys(text) if "\u4e00" <= c <= "\u9fff" and text.count(c) >= 2]
    return max(han, key=text.index)


@pytest.mark.parametrize("edition", ["carfc-2019-07-15-letter-to-ceos", "prc-legislation-law-2023"])
def test_a_correction_keeps_the_pages_it_did_not_touch(
    edition: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Glyph codes follow the characters, not the order they are first drawn in: a correction that
    brings a character forward (its set of characters unchanged) leaves every other page, fonts
    included, byte for byte as it was, so the proofs render only the pages it touched."""
    from archivekit import build
    from archivekit.writers.print_edition.boxes import geometry
    from archivekit.writers.print_edition.proofs import _page_keys

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setenv("ARCHIVEKIT_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "src" / edition
    shutil.copytree(ROOT / "sources" / edition, folder)
    parts = sorted(p for p in folder.glob("*.md") if p.name != "CHANGELOG.md")
    whole = "".join(p.read_text(encoding="utf-8") for p in parts)
    late = _latest_first_met(whole)
    first = parts[0].read_text(encoding="utf-8")
    early = next(c for c in first if "\u4e00" <= c <= "\u9fff" and c != late and whole.count(c) >= 2)
    before = _page_keys(
        build(folder, tmp_path / "before", formats=["pdf"]) / f"{edition}.pdf", geometry("A5", 3)
    )
    parts[0].write_text(first.replace(early, late, 1), encoding="utf-8")
    after = _page_keys(
        build(folder, tmp_path / "after", formats=["pdf"]) / f"{edition}.pdf", geometry("A5", 3)
    )
    assert len(after) == len(before) >= 4
    changed = [n for n, (a, b) in enumerate(zip(before, after, strict=True), start=1) if a != b]
    # the page corrected, and the colophon, which names the sources' checksum
    assert 1 <= len(changed) <= 2, f"pages changed: {changed} of {len(after)} ({early} -> {late})"
