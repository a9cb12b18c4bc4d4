"""EPUB edition: container, page-list against the real PDF, fidelity, languages, note, claims, judges."""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from archivekit.errors import BuildError
from archivekit.ingest import load_edition
from archivekit.model import Document
from archivekit.model.locale import message
from archivekit.model.pagination import PageStart
from archivekit.validate import ace, epubcheck, tools
from archivekit.validate.base import Target
from archivekit.validate.epub_claim import CandidateJudge, Verdict, Violation, judge
from archivekit.validate.judge.text import broken_units, first_gap, squeeze
from archivekit.writers.base import BuildContext
from archivekit.writers.epub import WRITER, a11y, ocf
from archivekit.writers.epub.documents import block_texts, content_documents
from archivekit.writers.epub.pagebreaks import insert_page_breaks
from archivekit.writers.epub.xhtml import EPUB_TYPE, XHTML_NS, XML_LANG, element_text
from conftest import EDITION, EDITION_ID, build_canonical, require

OPF = "{http://www.idpf.org/2007/opf}"
X = f"{{{XHTML_NS}}}"
EPOCH = 1700000000


class Epub:
    """An EPUB opened for reading: its OPF, and its spine documents in reading order."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip = zipfile.ZipFile(path)
        self.opf = etree.fromstring(self.zip.read("EPUB/content.opf"))
        ids = {i.get("id"): i.get("href") for i in self.opf.iter(f"{OPF}item")}
        self.spine = [ids[ref.get("idref")] for ref in self.opf.iter(f"{OPF}itemref")]
        self.docs = {name: etree.fromstring(self.zip.read(f"EPUB/{name}")) for name in self.spine}

    def metas(self, prop: str) -> list[str]:
        return [m.text or "" for m in self.opf.iter(f"{OPF}meta") if m.get("property") == prop]

    def reading_text(self) -> tuple[str, dict[str, int]]:
        """The spine's text in order (markers, back links skipped) and where each page marker sits."""
        parts: list[str] = []
        marks: dict[str, int] = {}
        length = 0

        def walk(node: etree._Element) -> None:
            nonlocal length
            if node.get("role") == "doc-pagebreak":
                marks[node.get("id")] = length
            elif node.get("role") != "doc-backlink" and node.tag != f"{X}head":
                if node.text:
                    parts.append(node.text)
                    length += len(node.text)
                for child in node:
                    if isinstance(child.tag, str):
                        walk(child)
                    if child.tail:
                        parts.append(child.tail)
                        length += len(child.tail)

        for name in self.spine:
            if name != "nav.xhtml":
                walk(self.docs[name])
        return "".join(parts), marks


@pytest.fixture(scope="session")
def doc() -> Document:
    return load_edition(EDITION, source_date_epoch=EPOCH)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The EPUB and the archival PDF it takes its page-list from, built once, as a user would."""
    return build_canonical(tmp_path_factory.mktemp("epub-build"), "epub")


@pytest.fixture(scope="session")
def book(built: Path) -> Epub:
    path = built / f"{EDITION_ID}.epub"
    assert path.is_file(), "the build made no EPUB"
    return Epub(path)


def write_epub(
    doc: Document, out: Path, *, starts: list[PageStart] | None = None, validators: Path | None = None
) -> Path:
    """The EPUB writer as the pipeline runs it: judged by validate's judge (validators from `validators`)."""
    with CandidateJudge(None, validators) as epub_judge:
        ctx = BuildContext(
            out_dir=out,
            edition_dir=EDITION,
            source_date_epoch=EPOCH,
            cache_dir=out / "cache",
            judge_epub=epub_judge,
        )
        if starts is not None:
            ctx.products.page_starts = starts
        artifacts = WRITER.write(doc, ctx)
        while ctx.pending:  # the judges run in the background; the pipeline finishes them the same way
            artifacts += ctx.pending.pop(0).finish()
    [artifact] = artifacts
    return out / artifact.path


def test_container_is_a_deterministic_ocf_zip(book: Epub) -> None:
    infos = book.zip.infolist()
    assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
    assert book.zip.read("mimetype") == b"application/epub+zip" and not infos[0].extra
    assert len({i.date_time for i in infos}) == 1, "every entry carries the same SOURCE_DATE_EPOCH time"
    rest = [i.filename for i in infos[2:]]
    assert infos[1].filename == "META-INF/container.xml" and rest == sorted(rest)


def test_page_list_has_one_marker_per_pdf_page_at_that_pages_first_words(built: Path, book: Epub) -> None:
    require(shutil.which("pdftotext") is not None, "poppler-utils (pdftotext) is not installed")
    pdf = built / f"{EDITION_ID}.pdf"
    assert pdf.is_file(), "the full build made no archival PDF"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    nav = book.docs["nav.xhtml"]
    [plist] = [n for n in nav.iter(f"{X}nav") if n.get(EPUB_TYPE) == "page-list"]
    entries = [(a.text, a.get("href")) for a in plist.iter(f"{X}a")]
    assert [label for label, _ in entries] == [str(n) for n in range(1, pages + 1)]

    text, marks = book.reading_text()
    title = squeeze(load_edition(EDITION, source_date_epoch=EPOCH).edition.title.first())
    for number in range(1, pages + 1):
        href = dict(entries)[str(number)]
        name, _, frag = href.partition("#")
        assert book.docs[name].xpath(f"//*[@id='{frag}']/@role") == ["doc-pagebreak"]
        after = squeeze(text[marks[frag] :])
        page_text = squeeze(
            subprocess.run(
                ["pdftotext", "-f", str(number), "-l", str(number), str(pdf), "-"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        # The PDF repeats the edition title as a running head above the text from page 2 on.
        body = page_text.removeprefix(title) if not after.startswith(title) else page_text
        common = 0
        while common < min(len(after), len(body)) and after[common] == body[common]:
            common += 1
        assert common >= 8, f"page {number}: EPUB has …{after[:20]}…, the PDF page begins …{body[:20]}…"


def test_markers_follow_the_pdf_writers_page_starts(doc: Document) -> None:
    text = block_texts(doc)
    note_block = "letter-6"  # ends with the note mark "1"
    starts = [
        PageStart(1, "1", "title", 0, text["title"][:8]),
        PageStart(2, "2", note_block, len(text[note_block]) - 1, "1"),
        PageStart(3, "3", "principles-zh-2", 0, "促进中国宗教自由联盟"),
        PageStart(4, "4", "letter-6", 5, text["letter-6"][5:12]),
        PageStart(5, "5", "letter-12", 3, text["letter-12"][3:9]),
    ]
    docs = content_documents(doc)
    targets = insert_page_breaks(docs, starts)
    assert [t.label for t in targets] == ["1", "2", "3", "4", "5"]
    by_id = {n.get("id"): n for d in docs for n in d.body.iter() if isinstance(n.tag, str) and n.get("id")}
    # Markers never change a block's text, never sit inside a link or a heading.
    for block_id, expected in text.items():
        if block_id in by_id:
            assert element_text(by_id[block_id]) == expected, block_id
    for n in (2, 3):
        mark = by_id[f"page-{n}"]
        assert mark.getparent().tag not in {f"{X}a", f"{X}h1", f"{X}h2"}
    assert by_id["page-2"].getnext().get("role") == "doc-noteref"
    assert by_id["page-3"].getnext().tag == f"{X}hgroup"


def test_epub_text_is_the_model_text_and_the_seed(doc: Document, book: Epub, seed: str) -> None:
    found = {n.get("id"): n for root in book.docs.values() for n in root.iter() if isinstance(n.tag, str)}
    for block_id, expected in block_texts(doc).items():
        assert block_id in found, f"block {block_id} is missing from the EPUB"
        assert element_text(found[block_id]) == expected, block_id
    text, _ = book.reading_text()
    assert first_gap(seed, text) is None
    assert broken_units(seed, text) == []


def test_every_document_and_part_declares_its_language(doc: Document, book: Epub) -> None:
    for name, root in book.docs.items():
        assert root.get("lang") and root.get("lang") == root.get(XML_LANG), name
    for part in doc.parts:
        root = book.docs[f"{part.id}.xhtml"]
        assert root.get("lang") == part.lang
        [section] = root.xpath(f"//*[@id='{part.id}']")
        assert section.get("lang") == section.get(XML_LANG) == part.lang
    pairs = doc.parallel_pairs()
    assert pairs, "the edition declares the principle statement in two languages"
    for zh, en in pairs:
        assert book.spine.index(f"{zh.id}.xhtml") + 1 == book.spine.index(f"{en.id}.xhtml")


def test_note_is_a_linked_dpub_footnote_with_its_words_verbatim(doc: Document, book: Epub) -> None:
    root = book.docs["letter.xhtml"]
    for note in doc.notes.values():
        [ref] = root.xpath(f"//*[@href='#{note.id}']")
        assert ref.get(EPUB_TYPE) == "noteref" and ref.get("role") == "doc-noteref" and ref.text == note.label
        [aside] = root.xpath(f"//*[@id='{note.id}']")
        assert aside.tag == f"{X}aside" and aside.get(EPUB_TYPE) == "footnote"
        assert aside.get("role") == "doc-footnote"
        [back] = aside.xpath(".//*[@role='doc-backlink']")
        assert back.get("href") == f"#{ref.get('id')}"


def test_package_metadata_and_accessibility_claims(doc: Document, book: Epub) -> None:
    ed = doc.edition
    assert book.opf.findtext(".//{http://purl.org/dc/elements/1.1/}identifier") == ed.identifier
    assert book.metas("dcterms:modified") == ["2023-11-14T22:13:20Z"]
    features = set(book.metas("schema:accessibilityFeature"))
    assert {
        "structuralNavigation",
        "tableOfContents",
        "readingOrder",
        "pageNavigation",
        "printPageNumbers",
    } <= features
    assert book.opf.findtext(".//{http://purl.org/dc/elements/1.1/}source") == f"{ed.id}.pdf"
    langs = {
        m.get(XML_LANG)
        for m in book.opf.iter(f"{OPF}meta")
        if m.get("property") == "schema:accessibilitySummary"
    }
    assert langs == {"zh-Hans", "en"}
    assert book.metas("schema:accessibilityHazard") == ["none"]
    # The cited UN report travels inside as CSL-JSON, and is described as a referenced work (crosswalk).
    assert json.loads(book.zip.read("EPUB/bibliography.json")) == list(doc.bibliography)
    assert book.metas("prism:url") == ["https://undocs.org/A/HRC/41/35"]
    assert book.metas("prism:number") == ["A/HRC/41/35"]
    report = etree.tostring(book.docs["a11y-report.xhtml"], method="text", encoding="unicode")
    claimed = book.metas("dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]
    # The claim is made exactly when the build's own judges found nothing.
    earned = "0 violations" in report and "0 fatal, 0 errors, 0 warnings" in report
    assert claimed == earned
    if claimed:
        links = [
            ln.get("href") for ln in book.opf.iter(f"{OPF}link") if ln.get("rel") == "a11y:certifierReport"
        ]
        assert links == ["a11y-report.xhtml"]


def test_without_page_starts_or_judges_no_page_list_and_no_claims(
    doc: Document, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    empty = tmp_path / "no-validators"
    empty.mkdir()
    with caplog.at_level(logging.WARNING, logger="archivekit"):
        first = write_epub(doc, tmp_path / "a", validators=empty)
    assert "no accessibility conformance claim" in caplog.text
    second = write_epub(doc, tmp_path / "b", validators=empty)
    assert first.read_bytes() == second.read_bytes()
    book = Epub(first)
    assert not [n for n in book.docs["nav.xhtml"].iter(f"{X}nav") if n.get(EPUB_TYPE) == "page-list"]
    assert not {"pageNavigation", "printPageNumbers"} & set(book.metas("schema:accessibilityFeature"))
    assert book.opf.findtext(".//{http://purl.org/dc/elements/1.1/}source") is None
    assert book.metas("dcterms:conformsTo") == [] and book.metas("a11y:certifiedBy") == []
    assert not list(tmp_path.glob("*/.epub-work")), "scratch files are cleaned up"


@pytest.mark.validators
@pytest.mark.parametrize("adapter", [epubcheck, ace], ids=["epubcheck", "ace"])
def test_epub_judges_find_nothing(built: Path, adapter: Any) -> None:
    """EPUBCheck finds no message, Ace no violation, in the built EPUB."""
    tool = getattr(tools, adapter.KEY)()
    require(tool.available, f"{tool.name}: {tool.missing}")
    artifact = f"{EDITION_ID}.epub"
    outcome = adapter.run(
        tool, [Target(artifact, built / artifact)], built, built / ".." / f"{adapter.KEY}-raw"
    )
    assert [f.as_dict() for f in outcome.findings] == []


def test_claim_follows_the_verdict_never_asserted(doc: Document) -> None:
    clean = {"fatal": 0, "error": 0, "warning": 0}
    passed = Verdict(ace_version="1.4.6", epubcheck_version="5.3.0", epubcheck_counts=clean)
    flagged = Verdict(
        ace_version="1.4.6",
        ace_violations=[Violation("color-contrast", "serious", "letter.xhtml", "low contrast")],
        epubcheck_version="5.3.0",
        epubcheck_counts=clean,
    )
    warned = {**clean, "warning": 1}
    invalid = Verdict(ace_version="1.4.6", epubcheck_version="5.3.0", epubcheck_counts=warned)
    no_epubcheck = Verdict(ace_version="1.4.6")

    def claims(verdict: Verdict) -> list[str]:
        return [m.value for m in a11y.metadata(doc, True, verdict) if m.property == "dcterms:conformsTo"]

    assert claims(passed) == [a11y.CONFORMANCE]
    assert claims(flagged) == claims(invalid) == claims(no_epubcheck) == []
    report = etree.tostring(a11y.report_page(doc, flagged, True).body, encoding="unicode")
    # The edition's words are in its editorial language; the judges' own lines stay as they give them.
    not_claimed = message(doc.edition.editorial_language, "a11y_not_claimed")
    assert "1 violation." in report and "color-contrast" in report and not_claimed in report


def test_page_starts_from_other_sources_fail_with_a_fix(doc: Document) -> None:
    docs = content_documents(doc)
    with pytest.raises(BuildError, match="no-such-block") as missing:
        insert_page_breaks(docs, [PageStart(1, "1", "no-such-block", 0, "")])
    assert "rebuild" in (missing.value.hint or "")
    with pytest.raises(BuildError, match="letter-1"):
        insert_page_breaks(docs, [PageStart(1, "1", "letter-1", 999, "")])


@pytest.mark.validators
def test_build_time_judges_catch_a_broken_epub(doc: Document, book: Epub, tmp_path: Path) -> None:
    require(tools.ace().available and tools.epubcheck().available, "Ace and EPUBCheck are not both installed")
    files = {n.removeprefix("EPUB/"): book.zip.read(n) for n in book.zip.namelist() if n.startswith("EPUB/")}
    files["letter.xhtml"] = files["letter.xhtml"].replace(
        b' lang="zh-Hans" xml:lang="zh-Hans"><head>', b"><head>", 1
    )
    broken = tmp_path / "broken.epub"
    ocf.write_epub(broken, files, EPOCH)
    verdict = judge(broken, tmp_path / "work", None)
    assert verdict.ace_ran and ("html-has-lang", "letter.xhtml") in {
        (v.rule, v.file) for v in verdict.ace_violations
    }
    assert not verdict.earned
    assert a11y.CONFORMANCE not in [m.value for m in a11y.metadata(doc, True, verdict)]


def test_notes_named_in_the_editions_words_say_their_language(edition_copy: Path, tmp_path: Path) -> None:
    """The notes of a part in another language than the edition's words: their name is an element
    with its own language (an aria-label would be read in the part's voice)."""
    from conftest import run_cli

    meta = edition_copy / "edition.yaml"
    meta.write_text(
        meta.read_text(encoding="utf-8").replace("settings:\n", "settings:\n  editorial_language: en\n", 1),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    args = ("build", str(edition_copy), "--out", str(out), "--format", "epub", "--epub-checks", "off")
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out / EDITION_ID / f"{EDITION_ID}.epub") as epub:
        letter = etree.fromstring(epub.read("EPUB/letter.xhtml"))
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    (notes,) = letter.xpath("//x:section[@id='notes']", namespaces=ns)
    assert notes.get("aria-label") is None and notes.get("aria-labelledby") == "notes-label"
    (label,) = letter.xpath("//x:*[@id='notes-label']", namespaces=ns)
    assert label.get("lang") == "en" and label.text == "Notes" and label.get("hidden") is not None
