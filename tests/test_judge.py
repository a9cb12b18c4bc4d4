"""archivekit's judge: each check passes the letter and fails a copy broken on purpose, by name and place."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from archivekit.manifest import read_manifest
from archivekit.model import locale
from archivekit.validate.judge import run, tool
from archivekit.validate.judge.sources import Part, Sources, read_markdown
from archivekit.validate.judge.statements import parts_statement
from archivekit.validate.judge.text import missing_note, squeeze
from archivekit.validate.registry import plan
from conftest import EDITION_ID, run_cli

EPUB = f"{EDITION_ID}.epub"
HTML = f"{EDITION_ID}.html"
PDF = f"{EDITION_ID}.pdf"


def _judge(build: Path) -> list[tuple[str, str, str, str]]:
    outcome = run(tool(), plan(build, read_manifest(build))["judge"], build, build / "validation")
    return [(f.code, f.artifact, f.location, f.message) for f in outcome.findings]


@pytest.fixture
def copy(built: Path, tmp_path: Path) -> Path:
    target = tmp_path / EDITION_ID
    shutil.copytree(built, target)
    return target


def _rehash(build: Path, artifact: str) -> None:
    """Keep manifest.json true to the broken bytes, so only the judge can object."""
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    for row in manifest["artifacts"]:
        if row["path"] == artifact:
            data = (build / artifact).read_bytes()
            row["sha256"], row["bytes"] = hashlib.sha256(data).hexdigest(), len(data)
    (build / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def _rewrite_epub(path: Path, change: dict[str, tuple[bytes, bytes]]) -> None:
    with zipfile.ZipFile(path) as zin:
        items = [(i, zin.read(i.filename)) for i in zin.infolist()]
    with zipfile.ZipFile(path, "w") as zout:
        for info, data in items:
            if info.filename in change:
                old, new = change[info.filename]
                assert old in data, info.filename
                data = data.replace(old, new, 1)
            zout.writestr(info, data)


def test_the_letter_passes_every_check(copy: Path) -> None:
    assert _judge(copy) == []


def test_a_citation_s_reference_is_editorial_its_prefix_and_suffix_are_source_text() -> None:
    units, notes = read_markdown(
        "Body [see @doe, p. 3; @roe] ends.[^1]\n\n[^1]: Article 18; see also [@un-a-hrc-41-35, p. 12].\n"
    )
    # Ingest renders the reference from the bibliography between what the author wrote around the key.
    rendered = squeeze("Article 18; see also Report of the Special Rapporteur, A/HRC/41/35, p. 12.")
    assert missing_note(notes, rendered) is None
    lost_suffix = squeeze("Article 18; see also Report of the Special Rapporteur, A/HRC/41/35.")
    assert missing_note(notes, lost_suffix) is not None
    assert units == ["Bodysee,p.3;ends."]


def test_runs_of_parts_may_be_counted_or_named_once_but_a_count_must_be_true() -> None:
    chapters = [Part(f"c{n}", f"{n}.md", "zh-Hant", (), (), "chapter") for n in range(14)]
    sources = Sources({}, [Part("p", "p.md", "en", (), (), "preface"), *chapters])
    words = locale.message  # the writers compose these phrases from the same templates

    def said(lang: str, *items: str) -> str | None:
        return parts_statement(sources, lang, squeeze(locale.join(lang, items)))

    preface = words("zh-Hant", "part_in_language", role="序言", language="英文")
    counted = words("zh-Hant", "part_in_language_count", role="章", language="中文", count=14)
    assert said("zh-Hant", preface, counted) is None
    named_once = words("zh-Hant", "part_in_language", role="章", language="中文（繁體）")
    assert said("zh-Hant", preface, named_once) is None
    wrong = words("zh-Hant", "part_in_language_count", role="章", language="中文", count=13)
    assert "counts 13 chapter" in (said("zh-Hant", preface, wrong) or "")
    assert "does not name the chapter" in (said("zh-Hant", preface) or "")


def test_a_note_emptied_in_the_html_is_named(copy: Path) -> None:
    html = (copy / HTML).read_text(encoding="utf-8")
    start = html.index('<li id="note-1"')
    body_start = html.index(">", html.index("<span", start)) + 1
    body_end = html.index("</span>", body_start)
    (copy / HTML).write_text(html[:body_start] + html[body_end:], encoding="utf-8")
    _rehash(copy, HTML)
    found = _judge(copy)
    assert [(c, a, w) for c, a, w, _ in found] == [("fidelity", HTML, "note 1")]


def test_a_link_to_a_missing_anchor_is_named(copy: Path) -> None:
    html = (copy / HTML).read_text(encoding="utf-8")
    (copy / HTML).write_text(html.replace('href="#note-1"', 'href="#note-9"', 1), encoding="utf-8")
    _rehash(copy, HTML)
    found = _judge(copy)
    assert ("link-anchor-missing", HTML, '<a href="#note-9">') in {(c, a, w) for c, a, w, _ in found}


def test_two_lines_printed_over_each_other_are_named(copy: Path) -> None:
    pdf = canvas.Canvas(str(copy / PDF), pagesize=(300, 300))
    pdf.setFont("Helvetica", 12)
    pdf.drawString(40, 200, "The first line of the page")
    pdf.drawString(44, 196, "A second line set over it")
    pdf.showPage()
    pdf.save()
    _rehash(copy, PDF)
    found = _judge(copy)
    assert ("legibility-overlap", PDF, "page 1") in {(c, a, w) for c, a, w, _ in found}


def test_an_epub_naming_a_missing_file_is_named(copy: Path) -> None:
    name = f"{EDITION_ID}.pdf"
    _rewrite_epub(copy / EPUB, {"EPUB/content.opf": (f">{name}<".encode(), b">missing-pages.pdf<")})
    _rehash(copy, EPUB)
    found = _judge(copy)
    rows = {(c, a, w) for c, a, w, _ in found}
    assert ("link-file-missing", EPUB, "EPUB/content.opf dc:source") in rows


def test_a_summary_claiming_two_notes_where_there_is_one_is_named(copy: Path) -> None:
    with zipfile.ZipFile(copy / EPUB) as z:
        opf = z.read("EPUB/content.opf").decode("utf-8")
    start = opf.index('<meta property="schema:accessibilitySummary" xml:lang="en">')
    start = opf.index(">", start) + 1
    end = opf.index("</meta>", start)
    claim = locale.message("en", "a11y_summary", parts="the letter (Chinese)", notes=2)
    _rewrite_epub(copy / EPUB, {"EPUB/content.opf": (opf[start:end].encode(), claim.encode())})
    _rehash(copy, EPUB)
    found = _judge(copy)
    rows = {(c, a, w) for c, a, w, _ in found}
    assert ("statement-notes", EPUB, "EPUB/content.opf schema:accessibilitySummary") in rows


def test_validate_exits_1_naming_the_artifact_and_place(copy: Path) -> None:
    html = (copy / HTML).read_text(encoding="utf-8")
    (copy / HTML).write_text(html.replace('href="#note-1"', 'href="#note-9"', 1), encoding="utf-8")
    _rehash(copy, HTML)
    result = run_cli("validate", str(copy))
    assert result.returncode == 1
    report = json.loads((copy / "validation" / "report.json").read_text(encoding="utf-8"))
    assert {(f["validator"], f["code"], f["artifact"], f["location"]) for f in report["findings"]} >= {
        ("archivekit judge", "link-anchor-missing", HTML, '<a href="#note-9">')
    }
    judged = [f for f in report["findings"] if f["validator"] == "archivekit judge"]
    assert all(f["fix"] and "(fix:" not in f["message"] for f in judged), "the fix has its own field"
