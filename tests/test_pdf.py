"""The archival PDF: structure tree, text fidelity, fonts, metadata, PDF/A-3 sources, errors, rebuilds.

The edition is typeset once per session (2a and 3a); the judges are pikepdf's reading of the
file, poppler (pdftotext, pdfinfo, pdffonts) and, in test_pdf_verapdf.py, veraPDF.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from archivekit.errors import BuildError
from archivekit.ingest import load_edition
from archivekit.model import Document
from archivekit.model.document import BulletList, Heading, Paragraph, Text, iter_blocks, plain_text
from archivekit.model.locale import message
from archivekit.pipeline import cache_dir
from archivekit.typeset import fonts
from archivekit.writers.base import BuildContext, Products
from archivekit.writers.pdf import WRITER
from conftest import EDITION, EDITION_ID, require, run_cli

EPOCH = 1700000000
PDF = f"{EDITION_ID}.pdf"
PDF3 = f"{EDITION_ID}.pdfa3.pdf"
PDF2U = f"{EDITION_ID}.pdfa2u.pdf"


@dataclasses.dataclass
class PdfBuild:
    out: Path
    doc: Document
    artifacts: list[Any]
    products: Products

    @property
    def pdf(self) -> Path:
        return self.out / PDF


def _write(doc: Document, out: Path, cache: Path, pdfa: str = "2a,2u,3a") -> tuple[list[Any], dict[str, Any]]:
    out.mkdir(parents=True, exist_ok=True)
    ctx = BuildContext(
        out_dir=out, edition_dir=EDITION, source_date_epoch=EPOCH, cache_dir=cache, options={"pdfa": pdfa}
    )
    return WRITER.write(doc, ctx), ctx.products


@pytest.fixture(scope="session")
def font_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="session")
def pdf_build(tmp_path_factory: pytest.TempPathFactory) -> PdfBuild:
    doc = load_edition(EDITION, source_date_epoch=EPOCH)
    out = tmp_path_factory.mktemp("pdf")
    # The user's font cache, as a real build uses it: converted fonts are shared with builds.
    artifacts, products = _write(doc, out, cache_dir())
    return PdfBuild(out, doc, artifacts, products)


def _tool(name: str) -> str:
    path = shutil.which(name)
    require(path is not None, f"{name} (Debian poppler-utils) is not installed")
    return str(path)


def _body_blocks(doc: Document) -> list[Paragraph | Heading]:
    """Every text block of the letter and statements, in reading order (notes after their paragraph)."""
    out: list[Paragraph | Heading] = []
    for part in doc.parts:
        if part.title is not None:
            out.append(part.title)
        for block in iter_blocks(part.blocks):
            if isinstance(block, Paragraph | Heading):
                out.append(block)
    return out


# -- artifacts and products -------------------------------------------------------------------
def test_artifacts_claim_their_profiles(pdf_build: PdfBuild) -> None:
    claims = {a.path: a.conforms_to for a in pdf_build.artifacts}
    assert claims == {
        PDF: ("PDF/A-2a", "PDF/UA-1"),
        PDF2U: ("PDF/A-2u", "PDF/UA-1"),
        PDF3: ("PDF/A-3a", "PDF/UA-1"),
    }
    assert all(a.media_type == "application/pdf" for a in pdf_build.artifacts)


def test_page_starts_cover_every_page_and_point_into_the_text(pdf_build: PdfBuild) -> None:
    starts = pdf_build.products.page_starts
    with pikepdf.open(pdf_build.pdf) as pdf:
        assert [s.page for s in starts] == list(range(1, len(pdf.pages) + 1))
    blocks = {b.id: b for b in iter_blocks([*pdf_build.doc.front, *pdf_build.doc.colophon])}
    for part in pdf_build.doc.parts:
        blocks.update({b.id: b for b in iter_blocks(part.blocks)})
        if part.title:
            blocks[part.title.id] = part.title
    for start in starts:
        block = blocks[start.block_id]
        text = plain_text(block.inlines)
        if start.first_words:
            assert text[start.offset :].startswith(start.first_words), start


# -- structure tree ------------------------------------------------------------------------------
def _walk(elem: pikepdf.Dictionary, lang: str, out: list[tuple[str, str, pikepdf.Dictionary]]) -> None:
    here = str(elem.get("/Lang", lang))
    out.append((str(elem.S)[1:], here, elem))
    for kid in elem.get("/K", []):
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/StructElem":
            _walk(kid, here, out)


@pytest.fixture(scope="session")
def elements(pdf_build: PdfBuild) -> list[tuple[str, str, pikepdf.Dictionary]]:
    pdf = pikepdf.open(pdf_build.pdf)
    out: list[tuple[str, str, pikepdf.Dictionary]] = []
    root = pdf.Root.StructTreeRoot
    for kid in root.K:
        _walk(kid, str(pdf.Root.Lang), out)
    elements.pdf = pdf  # type: ignore[attr-defined]  # keep the file open for the session
    return out


def test_catalog_says_tagged_language_title_and_colour(pdf_build: PdfBuild) -> None:
    with pikepdf.open(pdf_build.pdf) as pdf:
        root = pdf.Root
        assert str(root.Lang) == "zh-Hans"
        assert bool(root.MarkInfo.Marked) is True
        assert bool(root.ViewerPreferences.DisplayDocTitle) is True
        intent = root.OutputIntents[0]
        assert intent.S == "/GTS_PDFA1" and int(intent.DestOutputProfile.N) == 3
        for index, page in enumerate(pdf.pages):
            assert page.obj.Tabs == "/S"
            assert int(page.obj.StructParents) == index
        assert pdf.pdf_version >= "1.7"


def test_structure_has_the_letters_elements(elements: list) -> None:
    roles = [role for role, _, _ in elements]
    assert roles[0] == "Document"
    assert roles.count("H1") == 1 and roles.index("H1") < roles.index("P")
    lists = [e for r, _, e in elements if r == "L"]
    assert len(lists) == 1
    items = [k for k in lists[0].K if k.S == "/LI"]
    assert len(items) == 3
    for item in items:
        assert [str(k.S) for k in item.K] == ["/Lbl", "/LBody"]
    assert lists[0].A.ListNumbering == "/Disc"
    reference = elements[roles.index("Reference")][2]
    siblings = [k for k in reference.P.K if isinstance(k, pikepdf.Dictionary) and "/S" in k]
    note = siblings[[k.objgen for k in siblings].index(reference.objgen) + 1]
    assert note.S == "/Note" and str(note.ID) == "note-1"  # the note is read right after its mark
    [link] = [k for k in reference.K if k.get("/S") == "/Link"]
    [objr] = [k for k in link.K if isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR"]
    annot = objr.Obj
    # The annotation's description comes from the locale table, in the edition's language.
    assert annot.Subtype == "/Link" and str(annot.Contents) == message("zh-Hans", "note", label="1")
    assert annot.Dest[0].objgen == note.K[0].Pg.objgen  # the mark jumps to the page its note is on


def test_english_elements_have_lang_en_and_chinese_inherit(elements: list, pdf_build: PdfBuild) -> None:
    parts = [(lang, e) for role, lang, e in elements if role == "Part"]
    assert [str(e.T) for _, e in parts] == [p.id for p in pdf_build.doc.parts]
    by_id = {str(e.T): (lang, e) for lang, e in parts}
    assert by_id["principles-en"][0] == "en" and str(by_id["principles-en"][1].Lang) == "en"
    assert by_id["letter"][0] == "zh-Hans" and "/Lang" not in by_id["letter"][1]
    # Every element below the English part is in English (inherited), none below the Chinese ones.
    seen_en = False
    for role, lang, elem in elements:
        if role == "Part":
            seen_en = str(elem.T) == "principles-en"
            continue
        if role in ("Sect", "Document"):
            seen_en = False
            continue
        if seen_en:
            assert lang == "en", role


@pytest.fixture(scope="session")
def struct_rows(pdf_build: PdfBuild) -> list[tuple[int, str, str]]:
    return _struct_text(pdf_build.pdf)


def _struct_text(pdf_path: Path) -> list[tuple[int, str, str]]:
    """(depth, role, own text) for each element, from poppler's reading of the structure tree."""
    out = subprocess.run(
        [_tool("pdfinfo"), "-struct-text", str(pdf_path)], capture_output=True, text=True, check=True
    ).stdout
    rows: list[list] = []
    for line in out.splitlines():
        depth = (len(line) - len(line.lstrip(" "))) // 2
        body = line.strip()
        if body.startswith('"'):
            rows[-1][2] += body[1:-1]
        elif body:
            rows.append([depth, body.split()[0].rstrip(":"), ""])
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_structure_text_is_the_transcription_in_reading_order(pdf_build: PdfBuild, struct_rows: list) -> None:
    rows = struct_rows
    texts = [text for _, role, text in rows if role in ("P", "H1", "H2")]
    position = -1
    for block in _body_blocks(pdf_build.doc):
        expected = plain_text(block.inlines, note_labels=False)
        if isinstance(block, Heading) and block.kicker:
            kicker = plain_text(block.kicker)
            assert kicker in texts[position + 1 :], kicker
            position = texts.index(kicker, position + 1)
        assert expected in texts[position + 1 :], expected
        position = texts.index(expected, position + 1)  # in order: each language read whole
    note = pdf_build.doc.notes["note-1"]
    assert plain_text(note.blocks[0].inlines) in texts
    roles = [(role, text) for _, role, text in rows]
    assert roles[roles.index(("Reference", "")) + 1] == ("Link", "1")
    assert "\u00ad" not in "".join(texts)


def test_english_words_keep_their_spaces_in_the_structure(struct_rows: list) -> None:
    rows = struct_rows
    english = " ".join(text for _, role, text in rows if role == "P" and text.startswith("To "))
    assert "protected in China" in english
    assert "protectedin" not in english and "  " not in english.strip()


# -- text extraction with pdftotext ---------------------------------------------------------------
@pytest.fixture(scope="session")
def extracted(pdf_build: PdfBuild) -> str:
    return subprocess.run(
        [_tool("pdftotext"), "-enc", "UTF-8", str(pdf_build.pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_pdftotext_draws_every_character_and_no_other(pdf_build: PdfBuild, extracted: str) -> None:
    doc = pdf_build.doc
    with pikepdf.open(pdf_build.pdf) as pdf:
        pages = len(pdf.pages)
    expected = Counter()
    blocks: list = [*doc.front, *doc.colophon]
    for part in doc.parts:
        blocks += [part.title] if part.title else []
        blocks += list(part.blocks)
    for block in iter_blocks(blocks):
        if isinstance(block, Paragraph | Heading):
            expected.update(plain_text(block.inlines))
            expected.update(plain_text(getattr(block, "kicker", None) or ()))
        if isinstance(block, BulletList):
            expected.update("•" * len(block.items))
    for note in doc.notes.values():
        expected.update(note.label + plain_text(note.blocks[0].inlines))
    expected.update(doc.edition.title.first() * (pages - 1))  # running heads
    expected.update("".join(str(n) for n in range(1, pages + 1)))  # page numbers
    got = Counter(c for c in extracted if not c.isspace())
    want = Counter({c: n for c, n in expected.items() if not c.isspace()})
    assert got == want, (got - want, want - got)


def test_pdftotext_lines_are_pieces_of_the_text(pdf_build: PdfBuild, extracted: str) -> None:
    doc = pdf_build.doc
    corpus = [doc.edition.title.first()]
    for part in doc.parts:
        for block in iter_blocks(((part.title,) if part.title else ()) + part.blocks):
            if isinstance(block, Paragraph | Heading):
                corpus += [plain_text(block.inlines), plain_text(getattr(block, "kicker", None) or ())]
    for block in iter_blocks([*doc.front, *doc.colophon, *doc.notes["note-1"].blocks]):
        if isinstance(block, Paragraph | Heading):
            corpus.append(plain_text(block.inlines))
    for line in extracted.splitlines():
        line = line.strip()
        if not line or line.isdigit() or line == "•":
            continue
        line = line.removeprefix("1 ")  # the note's number, set before its text
        assert any(line in text for text in corpus), line  # no word split, joined or hyphenated


# -- fonts, metadata, sources --------------------------------------------------------------------
def test_every_font_is_embedded_and_subset(pdf_build: PdfBuild) -> None:
    out = subprocess.run(
        [_tool("pdffonts"), str(pdf_build.pdf)], capture_output=True, text=True, check=True
    ).stdout
    rows = out.splitlines()[2:]
    assert rows
    for row in rows:
        name = row.split()[0]
        assert re.fullmatch(r"[A-Z]{6}\+\S+", name), row
        assert "Helvetica" not in name
        assert re.search(r"\byes\s+yes\s+yes\b", row), row  # emb, sub, uni


def test_xmp_declares_pdfa_and_pdfua_and_matches_info(pdf_build: PdfBuild) -> None:
    for name, part in ((PDF, "2"), (PDF3, "3")):
        with pikepdf.open(pdf_build.out / name) as pdf:
            meta = pdf.open_metadata()
            assert meta["pdfaid:part"] == part and meta["pdfaid:conformance"] == "A"
            assert meta["pdfuaid:part"] == "1"
            assert meta["dc:title"] == str(pdf.docinfo.Title) == pdf_build.doc.edition.title.first()
            assert meta["xmp:CreateDate"].startswith("2023-11-14T22:13:20")
            assert str(pdf.docinfo.CreationDate) == "D:20231114221320+00'00'"


def test_pdfa3_carries_its_sources(pdf_build: PdfBuild) -> None:
    with pikepdf.open(pdf_build.out / PDF3) as pdf:
        files = pdf.attachments
        assert sorted(files) == sorted(pdf_build.doc.source_files)
        for name in files:
            spec = files[name]
            expected = "/Source" if name.endswith((".zh-Hans.md", ".en.md")) else None
            expected = expected or {"edition.yaml": "/Data", "bibliography.json": "/Data"}.get(
                name, "/Supplement"
            )
            assert spec.obj.AFRelationship == expected, name
            assert spec.get_file().read_bytes() == (EDITION / name).read_bytes()
        assert len(pdf.Root.AF) == len(files)
    with pikepdf.open(pdf_build.pdf) as pdf:
        assert not pdf.attachments


def test_rebuild_is_byte_identical(pdf_build: PdfBuild, font_cache: Path, tmp_path: Path) -> None:
    _write(pdf_build.doc, tmp_path, font_cache)  # a fresh cache: fonts converted again, same bytes
    for name in (PDF, PDF3):
        assert (tmp_path / name).read_bytes() == (pdf_build.out / name).read_bytes(), name
    assert str(tmp_path) not in (tmp_path / PDF).read_bytes().decode("latin-1")


def test_prepared_fonts_are_cached(
    font_cache: Path, caplog: pytest.LogCaptureFixture, pdf_build: PdfBuild
) -> None:
    src = fonts.source("zh-serif")
    chars = frozenset(map(ord, "中文"))
    with caplog.at_level(logging.DEBUG, logger="archivekit"):
        first = fonts.prepared_path(src, chars, font_cache)
        second = fonts.prepared_path(src, chars, font_cache)
    assert first == second and first.is_relative_to(font_cache / "fonts")
    assert any("cache hit" in r.message for r in caplog.records)


# -- errors ------------------------------------------------------------------------------------------
MISSING = "\U00013000"  # EGYPTIAN HIEROGLYPH A001: in no font of the design


def test_missing_glyph_is_a_build_error_naming_character_file_and_block(
    pdf_build: PdfBuild, font_cache: Path, tmp_path: Path
) -> None:
    doc = pdf_build.doc
    letter = doc.parts[0]
    block = letter.blocks[2]
    assert isinstance(block, Paragraph)
    broken = dataclasses.replace(block, inlines=(*block.inlines, Text(MISSING)))
    parts = (
        dataclasses.replace(letter, blocks=(*letter.blocks[:2], broken, *letter.blocks[3:])),
        *doc.parts[1:],
    )
    with pytest.raises(BuildError) as info:
        _write(dataclasses.replace(doc, parts=parts), tmp_path, cache_dir(), "2a")
    message = str(info.value)
    assert "U+13000" in message and block.id in message and letter.source in message
    assert info.value.exit_code == 2
    assert not (tmp_path / PDF).exists()


def test_cli_exits_2_on_a_character_no_font_has(edition_copy: Path, tmp_path: Path) -> None:
    source = edition_copy / "01-letter.zh-Hans.md"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("我们就愈演愈烈", f"我们就{MISSING}愈演愈烈", 1), encoding="utf-8")
    result = run_cli("build", str(edition_copy), "--out", str(tmp_path / "out"), "--format", "pdf", "--force")
    assert result.returncode == 2, result.stderr
    line = text[: text.index("我们就愈演愈烈")].count("\n") + 1  # the pipeline finds the writer's character
    assert "U+13000" in result.stderr and f"{source}:{line}:" in result.stderr, result.stderr


def test_a_character_beyond_the_basic_plane_is_drawn_and_read(edition_copy: Path, tmp_path: Path) -> None:
    """A rare ideograph of CJK Extension B (U+2000B, which Noto CJK draws) is typeset and read back:
    ReportLab writes its ToUnicode entry as a code point, which the map's repair turns into UTF-16."""
    rare = "\U0002000b"
    source = edition_copy / "01-letter.zh-Hans.md"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("我们就愈演愈烈", f"我们就{rare}愈演愈烈", 1), encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("build", str(edition_copy), "--out", str(out), "--format", "pdf", "--force")
    assert result.returncode == 0, result.stderr
    pdf = out / EDITION_ID / PDF
    extracted = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert f"我们就{rare}愈演愈烈" in extracted.replace("\n", "")
    with pikepdf.open(pdf) as document:
        maps = [f.ToUnicode.read_bytes() for p in document.pages for _, f in p.Resources.Font.items()]
    assert any(b"<D840DC0B>" in cmap for cmap in maps)


def test_a_no_break_space_is_read_back_as_one(edition_copy: Path, tmp_path: Path) -> None:
    """ReportLab draws U+00A0 with the space's code; it is drawn under a code of its own, which the
    ToUnicode map reads as U+00A0 (pdftotext's plain text makes every white space a space, so the
    tag tree's text, as poppler reads it, is compared)."""
    source = edition_copy / "03-principles.en.md"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("To affirm", "To\u00a0affirm", 1), encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("build", str(edition_copy), "--out", str(out), "--format", "pdf", "--force")
    assert result.returncode == 0, result.stderr
    pdf = out / EDITION_ID / PDF
    tree = subprocess.run(["pdfinfo", "-struct-text", str(pdf)], capture_output=True, text=True).stdout
    assert "To\u00a0affirm" in tree


def test_typeset_takes_another_page_size_and_bleed_for_print(pdf_build: PdfBuild, tmp_path: Path) -> None:
    from reportlab.lib.colors import CMYKColor
    from reportlab.lib.units import mm

    from archivekit.typeset.layout import page_size_for, typeset

    ctx = BuildContext(out_dir=tmp_path, edition_dir=EDITION, source_date_epoch=EPOCH, cache_dir=cache_dir())
    a4 = page_size_for("A4")
    ts = typeset(pdf_build.doc, ctx, page_size=a4, bleed=3 * mm, text_colour=CMYKColor(0, 0, 0, 1))
    with pikepdf.open(io.BytesIO(ts.pdf)) as pdf:
        box = [float(v) for v in pdf.pages[0].MediaBox]
        assert box[2] == pytest.approx(a4[0] + 6 * mm) and box[3] == pytest.approx(a4[1] + 6 * mm)
        assert b" k" in pdf.pages[0].Contents.read_bytes()  # CMYK fill for the print edition
    assert len(ts.page_starts) == ts.page_count


def test_font_conversion_is_identical_across_processes(tmp_path: Path) -> None:
    # Fresh caches, other hash seeds, other moments: a converted font (and so the PDF) never differs.
    code = (
        "import sys; from pathlib import Path; from archivekit.typeset import fonts; "
        "chars = frozenset(map(ord, '宗教自由')); "
        "p = fonts.prepared_path(fonts.source('zh-serif'), chars, Path(sys.argv[1])); "
        "sys.stdout.write(p.read_bytes().hex())"
    )
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = subprocess.run(
            [sys.executable, "-c", code, str(tmp_path / seed)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        outputs.append(proc.stdout)
    assert outputs[0] == outputs[1]
