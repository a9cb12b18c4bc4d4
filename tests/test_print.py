"""The print edition, judged by poppler, Ghostscript and jsonschema on one real build."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import jsonschema
import pikepdf
import pytest
from PIL import Image

from archivekit.errors import BuildError
from archivekit.validate.judge.text import first_gap, squeeze
from archivekit.validate.print_preflight import preflight
from archivekit.writers.print_edition import assemble, order, pagination, proofs
from archivekit.writers.print_edition.boxes import MM, TRIMS_MM, geometry
from archivekit.writers.print_edition.imposition import signature_order
from conftest import EDITION_ID, build_canonical, require, run_cli

PRINT = f"{EDITION_ID}.print.pdf"
BOOKLET = f"{EDITION_ID}.booklet.pdf"
BLEED_PT = 3 * MM
SCHEMA = Path(__file__).resolve().parent.parent / "src/archivekit/schemas/print-order.schema.json"


def _tools() -> None:
    for name in ("pdfinfo", "pdftotext", "pdftoppm", "pdffonts", "gs"):
        require(shutil.which(name) is not None, f"{name} (poppler-utils / ghostscript) not installed")


@pytest.fixture(scope="session")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The canonical edition's print artifacts, built once per session."""
    _tools()
    return build_canonical(tmp_path_factory.mktemp("print-build"), "print")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True, timeout=300, check=False)


def _pages(pdf: Path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", _run("pdfinfo", str(pdf)).stdout, re.M).group(1))


def _boxes(pdf: Path) -> dict[int, dict[str, list[float]]]:
    out: dict[int, dict[str, list[float]]] = {}
    text = _run("pdfinfo", "-box", "-f", "1", "-l", str(_pages(pdf)), str(pdf)).stdout
    for number, box, values in re.findall(r"^Page\s+(\d+)\s+(\w+Box):\s+(.*)$", text, re.M):
        out.setdefault(int(number), {})[box] = [float(v) for v in values.split()]
    return out


def _text(pdf: Path, page: int, crop: tuple[float, float, float, float] | None = None) -> str:
    args = ["pdftotext", "-f", str(page), "-l", str(page)]
    if crop:
        x, y, w, h = crop
        args += ["-x", str(int(x)), "-y", str(int(y)), "-W", str(int(w)), "-H", str(int(h))]
    return _run(*args, str(pdf), "-").stdout


def test_every_page_has_trim_and_bleed_3mm_apart(printed: Path) -> None:
    pdf = printed / PRINT
    pages = _pages(pdf)
    assert pages % 4 == 0
    boxes = _boxes(pdf)
    assert sorted(boxes) == list(range(1, pages + 1))
    for number, b in boxes.items():
        trim, bleed, media = b["TrimBox"], b["BleedBox"], b["MediaBox"]
        gaps = [trim[0] - bleed[0], trim[1] - bleed[1], bleed[2] - trim[2], bleed[3] - trim[3]]
        assert all(abs(g - BLEED_PT) < 0.02 for g in gaps), (number, gaps)
        assert media[0] < bleed[0] and media[1] < bleed[1] and media[2] > bleed[2] and media[3] > bleed[3]
        w_mm, h_mm = (trim[2] - trim[0]) / MM, (trim[3] - trim[1]) / MM
        assert (round(w_mm, 1), round(h_mm, 1)) == TRIMS_MM["A5"]


def test_crop_marks_lie_outside_the_bleed_box(printed: Path, tmp_path: Path) -> None:
    pdf = printed / PRINT
    dpi = 300
    boxes = _boxes(pdf)
    for page in (1, 2, 3):  # title page, blank verso, first text page
        _run(
            "pdftoppm",
            "-r",
            str(dpi),
            "-gray",
            "-png",
            "-singlefile",
            "-f",
            str(page),
            "-l",
            str(page),
            str(pdf),
            str(tmp_path / f"p{page}"),
        )
        image = Image.open(tmp_path / f"p{page}.png").convert("L")
        scale = dpi / 72
        media_h = boxes[page]["MediaBox"][3]

        def px(x: float, y: float) -> tuple[int, int]:
            return round(x * scale), round((media_h - y) * scale)  # noqa: B023

        bx0, by0, bx1, by1 = boxes[page]["BleedBox"]
        tx0, ty0, tx1, ty1 = boxes[page]["TrimBox"]
        # Nothing is drawn in the bleed zone (between trim and bleed): the marks are all outside it.
        left, top = px(bx0, by1)
        right, bottom = px(bx1, by0)
        inner_l, inner_t = px(tx0, ty1)
        inner_r, inner_b = px(tx1, ty0)
        for x0, y0, x1, y1 in (
            (left + 2, top + 2, inner_l - 2, bottom - 2),
            (inner_r + 2, top + 2, right - 2, bottom - 2),
            (left + 2, top + 2, right - 2, inner_t - 2),
            (left + 2, inner_b + 2, right - 2, bottom - 2),
        ):
            assert image.crop((x0, y0, x1, y1)).getextrema()[0] > 250, (page, "ink in the bleed zone")
        # Beyond the BleedBox, each trim line is extended by a mark: 8 marks, 2 per corner.
        width, height = image.size
        for tx in (inner_l, inner_r):
            for ty in (inner_t, inner_b):
                side = (0, ty - 3, left, ty + 4) if tx == inner_l else (right, ty - 3, width, ty + 4)
                end = (tx - 3, 0, tx + 4, top) if ty == inner_t else (tx - 3, bottom, tx + 4, height)
                for region in (side, end):
                    assert image.crop(region).getextrema()[0] < 128, (page, "no crop mark", region)


def test_ghostscript_renders_every_page_in_black_only(printed: Path) -> None:
    pdf = printed / PRINT
    proc = _run("gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=inkcov", "-o", "-", str(pdf))
    assert proc.returncode == 0 and proc.stderr.strip() == "", proc.stderr
    rows = [line.split() for line in proc.stdout.splitlines() if line.strip()]
    assert len(rows) == _pages(pdf), proc.stdout  # one line per page, no warnings in between
    for number, row in enumerate(rows, start=1):
        assert row[4:] == ["CMYK", "OK"], row
        c, m, y, _k = (float(v) for v in row[:4])
        assert (c, m, y) == (0.0, 0.0, 0.0), (number, row)
    assert any(float(r[3]) > 0 for r in rows)  # the text is there, on the black plate


def test_fonts_embedded_and_pdfx_identification(printed: Path) -> None:
    pdf = printed / PRINT
    listing = _run("pdffonts", str(pdf)).stdout.splitlines()[2:]
    assert listing and all(line.split()[-5] == "yes" for line in listing), listing
    with pikepdf.open(pdf) as doc:
        assert doc.pdf_version == "1.6"
        assert str(doc.trailer.Info.GTS_PDFXVersion) == "PDF/X-4"
        assert doc.trailer.Info.Trapped == pikepdf.Name("/False")
        (intent,) = doc.Root.OutputIntents
        assert intent.S == pikepdf.Name.GTS_PDFX and int(intent.DestOutputProfile.N) == 4
        assert b"<pdfxid:GTS_PDFXVersion>PDF/X-4<" in doc.Root.Metadata.read_bytes()
        for page in doc.pages:
            assert "/Annots" not in page.obj


def test_page_labels_mark_front_matter_and_blank_pages(printed: Path) -> None:
    with pikepdf.open(printed / PRINT) as doc:
        labels = [page.label for page in doc.pages]
    assert labels[:3] == ["i", "ii", "1"]
    numbered = [label for label in labels[2:] if not label.startswith("blank-")]
    assert numbered == [str(n) for n in range(1, len(numbered) + 1)]


@pytest.mark.parametrize("text_pages", range(1, 14))
def test_padding_to_a_multiple_of_four(text_pages: int) -> None:
    pages = assemble.plan([], text_pages)
    assert len(pages) % 4 == 0 and len(pages) - text_pages - 2 < 4
    blanks = [p.label for p in pages if p.kind == "blank"]
    assert blanks == [f"blank-{k}" for k in range(1, len(blanks) + 1)]
    with_blanks = assemble.page_labels(pages)
    assert int(with_blanks.Nums[-2]) == (pages[-len(blanks)].page - 1 if blanks else 2)


def test_booklet_sides_in_signature_order(printed: Path) -> None:
    n = _pages(printed / PRINT)
    booklet = printed / BOOKLET
    assert _pages(booklet) == n // 2
    b = _boxes(printed / PRINT)[1]
    trim = b["TrimBox"]
    w, h = trim[2] - trim[0], trim[3] - trim[1]
    top = b["MediaBox"][3] - trim[3]
    single = [squeeze(_text(printed / PRINT, p, (trim[0], top, w, h))) for p in range(1, n + 1)]
    assert sum(1 for t in single if t) >= n // 2  # enough pages with text to tell the order
    with pikepdf.open(printed / PRINT) as doc:
        labels = [page.label for page in doc.pages]
    with pikepdf.open(booklet) as doc:
        side_labels = [page.label for page in doc.pages]
    expected: list[tuple[int, int]] = []
    for s in range(n // 4):  # written out independently of the imposition module
        expected += [(n - 2 * s, 2 * s + 1), (2 * s + 2, n - 2 * s - 1)]
    for index, (left, right) in enumerate(expected, start=1):
        halves = [squeeze(_text(booklet, index, (x, 0, w, h))) for x in (0, w)]
        assert halves == [single[left - 1], single[right - 1]], (index, left, right)
        assert side_labels[index - 1].endswith(f"{labels[left - 1]} | {labels[right - 1]}")


def test_signature_order_reads_in_sequence_when_folded() -> None:
    for n in (4, 8, 12, 64):
        sides = signature_order(n)
        # Nesting the folded sheets: fronts' right halves then backs' left halves run 1..n/2.
        first_half = [p for s in sides for p in ((s.right,) if s.face == "front" else (s.left,))]
        assert first_half == list(range(n // 2))
    with pytest.raises(ValueError):
        signature_order(6)


def test_print_order_matches_the_print_pdf(printed: Path) -> None:
    data = json.loads((printed / order.ORDER_JSON).read_text(encoding="utf-8"))
    jsonschema.validate(data, json.loads(SCHEMA.read_text(encoding="utf-8")))
    pdf = printed / PRINT
    row = next(f for f in data["files"] if f["role"] == "print")
    assert row["path"] == PRINT
    assert row["sha256"] == hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert data["page_count"] == row["pages"] == _pages(pdf)
    booklet = next(f for f in data["files"] if f["role"] == "booklet")
    assert booklet["sha256"] == hashlib.sha256((printed / BOOKLET).read_bytes()).hexdigest()
    assert data["binding"]["method"] == "saddle stitch" and data["bleed_mm"] == 3
    assert data["colours"]["inks"] == "1/1" and data["customer"]["quantity"] is None
    html = (printed / order.ORDER_HTML).read_text(encoding="utf-8")
    assert row["sha256"] in html and "saddle stitch" in html


def test_binding_and_spine_from_page_count() -> None:
    assert order.binding(64)["method"] == "saddle stitch"
    perfect = order.binding(68)
    assert perfect["method"] == "perfect binding" and perfect["spine_width_mm"] == 3.4
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"page_count": 6}, json.loads(SCHEMA.read_text(encoding="utf-8")))
    with pytest.raises(BuildError, match="does not match its schema"):
        order.to_json({"page_count": 6})  # the writer's own check (its validator made once) refuses it too


def test_text_fidelity_of_the_print_pdf(printed: Path, seed: str) -> None:
    text = _run("pdftotext", str(printed / PRINT), "-").stdout
    # The footnote is set at the foot of the page that cites it, so it is checked on its own;
    # everything else must appear in the seed's order (per language), every character of it.
    lines = seed.split("\n")
    notes = [line for line in lines if re.match(r"^注\d+\.", line)]
    assert notes
    body = [line for line in lines if line not in notes]
    # The statement is set in two columns, Chinese beside English: each language is read in order.
    chinese = [line for line in body if re.search(r"[\u3000-\u9fff\uff00-\uffef]", line)]
    english = [line for line in body if line not in chinese]
    assert english and chinese
    assert first_gap("\n".join(chinese), text) is None
    assert first_gap("\n".join(english), text) is None
    for note in notes:
        assert squeeze(re.sub(r"^注\d+\.\s*", "", note)) in squeeze(text)
    have = Counter(squeeze(text))
    short = {c: n for c, n in Counter(squeeze(seed.replace("- ", ""))).items() if have[c] < n}
    assert not short or set(short) <= {"注"}, short


def test_proofs_are_pngs_of_every_page(printed: Path) -> None:
    n = _pages(printed / PRINT)
    pages = sorted((printed / "proof").glob("page-*.png"))
    assert len(pages) == n
    with Image.open(pages[0]) as first:
        media = _boxes(printed / PRINT)[1]["MediaBox"]
        assert abs(first.width - media[2] / 72 * 150) <= 1
    with Image.open(printed / "proof" / "contact-sheet.png") as sheet:
        colours = {c for _, c in sheet.convert("RGB").getcolors(1 << 20)}
        assert (220, 0, 0) in colours and (0, 90, 220) in colours  # bleed and trim drawn
    manifest = json.loads((printed / "manifest.json").read_text(encoding="utf-8"))
    listed = {a["path"] for a in manifest["artifacts"]}
    assert {f"proof/{p.name}" for p in pages} <= listed


def test_preflight_passes_the_print_pdf_and_catches_faults(printed: Path, tmp_path: Path) -> None:
    assert preflight(printed / PRINT).issues == []
    bad = tmp_path / "bad.pdf"
    with pikepdf.open(printed / PRINT) as doc:
        page = doc.pages[2]
        page.contents_add(doc.make_stream(b"q 1 0 0 rg 100 100 50 50 re f Q"))
        doc.pages[1].obj.BleedBox = doc.pages[1].obj.TrimBox
        del doc.pages[-1]
        doc.save(bad)
    codes = {(i.code, i.location) for i in preflight(bad).issues}
    assert ("rgb-colour", "page 3") in codes
    assert ("ink-not-black", "page 3") in codes
    assert ("bleed-short", "page 2") in codes
    assert ("page-count", "") in codes


def test_pagination_report_names_moved_pages(printed: Path, edition_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run_cli("build", str(edition_copy), "--out", str(out), "--format", "print", "--force")
    assert first.returncode == 0, first.stderr
    # Built again elsewhere from the same sources: byte-identical files, proofs included.
    proofs = ("proof/contact-sheet.png", "proof/page-03.png")
    same = (PRINT, BOOKLET, order.ORDER_JSON, order.ORDER_HTML, *proofs)
    for rel in same:
        assert (out / EDITION_ID / rel).read_bytes() == (printed / rel).read_bytes(), rel
    report = json.loads((out / EDITION_ID / pagination.REPORT).read_text(encoding="utf-8"))
    assert report["compared_with"] is None and report["changes"] == []
    yaml = edition_copy / "edition.yaml"
    text = yaml.read_text(encoding="utf-8")
    yaml.write_text(
        text.replace("print_trim: A5", "print_trim: A4").replace("version: 1.0.0", "version: 1.0.1"),
        encoding="utf-8",
    )
    second = run_cli("build", str(edition_copy), "--out", str(out), "--format", "print", "--force")
    assert second.returncode == 0, second.stderr
    report = json.loads((out / EDITION_ID / pagination.REPORT).read_text(encoding="utf-8"))
    assert report["compared_with"]["version"] == "1.0.0"
    assert report["changes"], report
    assert "page-number citations" in second.stderr
    a4 = _boxes(out / EDITION_ID / PRINT)[1]["TrimBox"]
    assert round((a4[2] - a4[0]) / MM, 1) == 210.0


def test_unchanged_rebuild_carries_the_comparison_forward(tmp_path: Path) -> None:
    pages = assemble.plan([], 2)
    previous = tmp_path / "prev"
    previous.mkdir()
    old = {
        "edition": {"version": "0.9"},
        "print_pdf_sha256": "a" * 64,
        "pages": [],
        "compared_with": {"version": "0.8", "print_pdf_sha256": "b" * 64},
        "changes": [{"label": "1"}],
    }
    (previous / pagination.REPORT).write_text(json.dumps(old), encoding="utf-8")
    import logging

    same = pagination.report(previous, {"version": "0.9"}, pages, "a" * 64, logging.getLogger("t"))
    assert same["compared_with"] == old["compared_with"] and same["changes"] == old["changes"]
    moved = pagination.report(previous, {"version": "1.0"}, pages, "c" * 64, logging.getLogger("t"))
    assert moved["compared_with"]["version"] == "0.9"
    assert {c["label"] for c in moved["changes"]} == {p.label for p in pages}


@pytest.mark.parametrize("name", sorted(TRIMS_MM))
def test_trim_sizes(name: str) -> None:
    g = geometry(name, 3)
    w, h = TRIMS_MM[name]
    assert abs(g.trim_w - w * MM) < 1e-9 and abs(g.trim_h - h * MM) < 1e-9
    assert g.bleed_box[0] < g.trim_box[0] and g.media[0] > g.bleed_box[2]


def test_validate_adapter_judges_pdfx_claims_only(printed: Path, tmp_path: Path) -> None:
    from archivekit.validate import preflight as adapter
    from archivekit.validate.base import Target

    manifest = json.loads((printed / "manifest.json").read_text(encoding="utf-8"))
    judged = {a["path"]: adapter.applies(a) for a in manifest["artifacts"]}
    assert judged[PRINT] == ("PDF/X-4",)
    assert [p for p, claims in judged.items() if claims] == [PRINT]  # not the booklet, not the proofs
    tool = adapter.tool()
    require(tool.available, tool.missing)
    outcome = adapter.run(tool, [Target(PRINT, printed / PRINT, ("PDF/X-4",))], printed, tmp_path)
    assert outcome.findings == [] and outcome.version.startswith("Ghostscript")
    raw = json.loads((tmp_path / Path(outcome.raw_reports[PRINT]).name).read_text(encoding="utf-8"))
    assert len(raw["ink_coverage"]) == _pages(printed / PRINT) and raw["issues"] == []


def test_proofs_render_only_the_pages_a_change_touched(printed: Path, tmp_path: Path) -> None:
    """Proofs made from cached pages are the bytes a cold rendering makes; only changed pages render."""
    g, heading = geometry("A5", 3), "proof"
    # Both through one pikepdf save, which rewrites empty streams: page 3 is all that differs.
    original, changed = tmp_path / "original.pdf", tmp_path / "changed.pdf"
    with pikepdf.open(printed / PRINT) as doc:
        doc.save(original)
        doc.pages[2].contents_add(doc.make_stream(b"q 0 g 100 100 50 50 re f Q"))
        doc.save(changed)
    labels = [str(n) for n in range(1, _pages(original) + 1)]
    cache = tmp_path / "cache"
    proofs.write_proofs(original, tmp_path / "first", g, labels, heading, cache)
    entries = set((cache / "proofs" / proofs.PAGE_ENTRIES).iterdir())
    assert len(entries) == len({(printed / "proof" / f"page-{n:02d}.png").read_bytes() for n in range(1, 9)})
    warm = proofs.write_proofs(changed, tmp_path / "warm", g, labels, heading, cache)
    cold = proofs.write_proofs(changed, tmp_path / "cold", g, labels, heading, None)
    assert warm == cold
    for rel in cold:
        assert (tmp_path / "warm" / rel).read_bytes() == (tmp_path / "cold" / rel).read_bytes(), rel
    added = set((cache / "proofs" / proofs.PAGE_ENTRIES).iterdir()) - entries
    assert len(added) == 1  # page 3 alone was rendered again
    differ = [
        rel
        for rel in cold
        if (tmp_path / "first" / rel).read_bytes() != (tmp_path / "cold" / rel).read_bytes()
    ]
    assert differ == ["proof/contact-sheet.png", "proof/page-03.png"]


def test_a_stop_ends_the_proof_rendering(printed: Path, tmp_path: Path) -> None:
    """The proofs render (PDFium, in a thread) while the writer makes the booklet: when the writer
    fails or is interrupted meanwhile, its stop ends the rendering after the page in hand."""
    every_page = list(range(1, _pages(printed / PRINT) + 1))
    handed: list[int] = []
    rendering = proofs._Rendering(
        printed / PRINT, 1200, every_page, lambda n, page: None, lambda n, page: handed.append(n)
    )
    assert rendering.thread.is_alive(), "nothing was rendering"  # some 0.2 s a page at 1200 dpi
    rendering.stop()
    assert not rendering.thread.is_alive() and rendering.count < len(every_page)
    assert len(handed) == rendering.count  # each page rendered was handed over, none after
    started = proofs.start(printed / PRINT, tmp_path / "out", geometry("A5", 3), ["1"] * 8, "proof", None)
    assert started.rendering is not None
    started.stop()
    assert not started.rendering.thread.is_alive()


def test_a_title_page_drawn_before_is_never_served_for_other_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process remembers the title pages it drew (watch's print worker draws one per edition, not
    per rebuild): an edition whose title changed gets its own page, as a fresh process draws it."""
    from archivekit import pipeline
    from archivekit.writers.print_edition import titlepage
    from conftest import EDITION

    monkeypatch.setenv("ARCHIVEKIT_WRITER_PROCESSES", "1")  # the title pages are drawn in this process
    edition = tmp_path / "src" / EDITION.name
    shutil.copytree(EDITION, edition)

    def title_page_text(out: str) -> str:
        built = pipeline.build(pipeline.BuildRequest(edition, tmp_path / out, ("print",), force=True))
        pdf = built / PRINT
        return subprocess.run(["pdftotext", "-l", "1", str(pdf), "-"], capture_output=True, text=True).stdout

    first = title_page_text("first")
    yaml = edition / "edition.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("CEO的公开信", "CEO的信", 1), encoding="utf-8")
    remembered = title_page_text("second")
    titlepage._drawn.clear()
    fresh = title_page_text("fresh")
    assert "CEO的公开信" in squeeze(first) and "CEO的公开信" not in squeeze(remembered)
    assert remembered == fresh
