"""The HTML edition: structure, fidelity, escaping, citation metadata read by an independent extractor."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import extruct
import pytest
from lxml import html as lxml_html

from archivekit.ingest import load_edition
from archivekit.model import Paragraph, Text, plain_text
from archivekit.model import crosswalk as cm
from archivekit.model.citation import format_bibliography
from archivekit.model.locale import message
from archivekit.validate.judge.text import broken_units, first_gap, squeeze
from archivekit.writers.base import BuildContext
from archivekit.writers.html import WRITER
from archivekit.writers.html.index import write_index
from conftest import EDITION, EDITION_ID, build_canonical

PAGE = f"{EDITION_ID}.html"


@pytest.fixture(scope="session")
def html_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The edition built with the HTML writer only (fast), through the real CLI and pipeline."""
    return build_canonical(tmp_path_factory.mktemp("html-build"), "html")


@pytest.fixture(scope="session")
def tree(html_build: Path) -> lxml_html.HtmlElement:
    return lxml_html.fromstring((html_build / PAGE).read_bytes())


@pytest.fixture(scope="session")
def doc():
    return load_edition(EDITION)


def text_without_ui(node: lxml_html.HtmlElement) -> str:
    """An element's text as a reader copies it, minus our navigation controls (counterpart/back links)."""
    copy = lxml_html.fromstring(lxml_html.tostring(node))
    for ui in copy.xpath('.//*[contains(concat(" ", @class, " "), " ak-ui ")]'):
        ui.drop_tree()
    return copy.text_content()


def test_landmarks_headings_and_languages(tree, doc) -> None:
    assert tree.get("lang") == "zh-Hans"
    body = tree.find("body")
    assert [c.tag for c in body if c.tag != "a"] == ["header", "main", "footer"]
    assert body[0].tag == "a" and body[0].get("href") == "#main", "skip link first"
    assert len(tree.xpath("//h1")) == 1
    # The page's own words are the edition's, in its editorial language (here its main language).
    words = doc.edition.editorial_language
    assert tree.xpath("//nav/@aria-label") == [message(words, "contents")]
    outline = [(h.tag, h.text_content()) for h in tree.xpath("//main//*[self::h2 or self::h3]")]
    notes = message(words, "notes")
    assert outline == [("h2", "公开信"), ("h3", notes), ("h2", "宗 旨"), ("h2", "Principle Statement")]
    assert tree.get_element_by_id("letter-notes-title").get("lang") == words
    assert tree.get_element_by_id("principles-en").get("lang") == "en"
    assert tree.get_element_by_id("principles-zh").get("lang") == "zh-Hans"
    assert tree.get_element_by_id("letter").get("lang") == "zh-Hans"
    # The kicker lines sit in an hgroup with their heading.
    assert [g.xpath("string(p)") for g in tree.xpath("//hgroup")] == [
        "促进中国宗教自由联盟",
        "Coalition to Advance Religious Freedom in China:",
    ]


def test_letter_roles_list_and_note_pattern(tree, doc) -> None:
    letter = tree.get_element_by_id("letter")
    assert letter.xpath("string(.//p[@class='dateline']/time/@datetime)") == "2019-07-15"
    assert letter.xpath("string(.//p[@class='dateline'])") == "2019年7月15日"
    assert letter.xpath("count(.//p[@class='salutation'])") == 1
    assert letter.xpath("count(.//p[@class='closing'])") == 1
    items = letter.xpath(".//ul/li")
    assert len(items) == 3
    ref = letter.xpath(".//a[@role='doc-noteref']")
    assert len(ref) == 1 and ref[0].get("href") == "#note-1" and ref[0].text_content() == "1"
    notes = letter.xpath(".//section[@role='doc-endnotes']")
    assert len(notes) == 1
    note = tree.get_element_by_id("note-1")
    back = note.xpath(".//a[@role='doc-backlink']")
    assert back and back[0].get("href") == "#" + ref[0].get("id")
    expected = plain_text(doc.notes["note-1"].blocks[0].inlines)
    assert text_without_ui(note).strip() == expected, "the note's text is verbatim"


def test_every_model_block_is_in_the_page_verbatim(tree, doc) -> None:
    from archivekit.model.document import iter_blocks

    for part in doc.parts:
        for block in iter_blocks(part.blocks):
            if isinstance(block, Paragraph):
                node = tree.get_element_by_id(block.id)
                assert text_without_ui(node) == plain_text(block.inlines), block.id


def test_text_fidelity_against_the_seed(tree, seed) -> None:
    main = lxml_html.fromstring(lxml_html.tostring(tree.xpath("//main")[0]))
    # The note mark "1" stays: the seed carries it at the end of its paragraph.
    for node in main.xpath('//*[contains(concat(" ", @class, " "), " ak-ui ")]'):
        node.drop_tree()
    for node in main.xpath('//*[contains(concat(" ", @class, " "), " ak-editorial ")]'):
        node.drop_tree()
    text = main.text_content()
    assert first_gap(seed, text) is None
    assert broken_units(seed, text) == []
    # Nothing added: the page's reading text is exactly the seed's characters (markers become markup).
    seed_text = "".join(squeeze(line.removeprefix("- ")) for line in seed.split("\n"))
    assert squeeze(text) == seed_text.replace("注1.", "", 1)


def test_parallel_paragraphs_are_linked_both_ways(tree, doc) -> None:
    [(zh, en)] = doc.parallel_pairs()
    paras = [(a.id, b.id) for a, b in zip(zh.blocks, en.blocks, strict=True) if isinstance(a, Paragraph)]
    assert len(paras) == 5
    for a, b in paras:
        assert tree.xpath(f"//div[@class='par'][p/@id='{a}']/a/@href") == [f"#{b}"]
        assert tree.xpath(f"//div[@class='par'][p/@id='{b}']/a/@href") == [f"#{a}"]
    # Reading order: the whole Chinese statement, then the whole English one.
    order = [p.get("id") for p in tree.xpath("//div[@class='parallel']//p[@id]")]
    assert order == [a for a, _ in paras] + [b for _, b in paras]


def test_nothing_active_and_nothing_remote(html_build: Path, tree) -> None:
    scripts = tree.xpath("//script")
    assert {s.get("type") for s in scripts} == {
        "application/ld+json",
        "application/vnd.citationstyles.csl+json",
    }
    for s in scripts:
        json.loads(s.text)  # data blocks only, and valid JSON
    assert not tree.xpath("//@*[starts-with(name(), 'on')]")
    assert not tree.xpath("//iframe | //img | //object | //embed")
    for attr in tree.xpath("//@href | //@src"):
        assert not re.match(r"^[a-z]+:", attr), attr  # only same-folder files and fragments
    for name in (f"{EDITION_ID}.csl.json", f"{EDITION_ID}.bib", f"{EDITION_ID}.ris"):
        assert tree.xpath(f"//a[@href='{name}']"), name
        assert (html_build / name).is_file()


def test_model_text_is_escaped_never_markup(doc, tmp_path: Path) -> None:
    hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>&amp;"
    part = doc.parts[0]
    first = part.blocks[0]
    assert isinstance(first, Paragraph)
    bad = dataclasses.replace(first, inlines=(Text(hostile),))
    parts = (dataclasses.replace(part, blocks=(bad, *part.blocks[1:])), *doc.parts[1:])
    evil = dataclasses.replace(doc, parts=parts)
    ctx = BuildContext(out_dir=tmp_path, edition_dir=EDITION, source_date_epoch=0, cache_dir=tmp_path)
    WRITER.write(evil, ctx)
    page = lxml_html.fromstring((tmp_path / PAGE).read_bytes())
    assert len(page.xpath("//script")) == 2 and not page.xpath("//img")
    assert page.get_element_by_id(first.id).text_content() == hostile


def test_rebuild_is_byte_identical(doc, tmp_path: Path) -> None:
    outs = []
    for name in ("a", "b"):
        ctx = BuildContext(
            out_dir=tmp_path / name, edition_dir=EDITION, source_date_epoch=1700000000, cache_dir=tmp_path
        )
        (tmp_path / name).mkdir()
        arts = WRITER.write(doc, ctx)
        outs.append({a.path: (tmp_path / name / a.path).read_bytes() for a in arts})
    assert outs[0] == outs[1]
    assert str(tmp_path) not in outs[0][PAGE].decode()


def test_metadata_read_by_extruct(html_build: Path) -> None:
    text = (html_build / PAGE).read_text(encoding="utf-8")
    data = extruct.extract(
        text, base_url="https://example.org/e/", syntaxes=["json-ld", "dublincore"], uniform=True
    )
    [letter] = data["json-ld"]
    assert letter["@type"] == "Message"  # the crosswalk's schema.org type for a CSL letter
    assert letter["name"] == "促进中国宗教自由联盟致与中国有业务往来的公司CEO的公开信"
    # A literal name is text: the source does not say whether a person or a body bears it.
    assert letter["author"] == [{"name": "促进中国宗教自由联盟"}]
    assert letter["dateCreated"] == "2019-07-15"
    assert letter["inLanguage"] == "zh-Hans"
    assert letter["isPartOf"]["@id"].startswith("urn:uuid:")
    [report] = letter["citation"]
    assert report["@type"] == "Report"
    assert report["name"].startswith("Surveillance and human rights")
    assert report["identifier"]["value"] == "A/HRC/41/35"
    assert report["datePublished"] == "2019-05-28"
    assert report["url"] == "https://undocs.org/A/HRC/41/35"
    assert report["publisher"]["name"] == "United Nations, Human Rights Council"
    dc = {e["name"]: e["content"] for e in data["dublincore"][0]["elements"]}
    assert dc["DC.title"] == letter["name"]
    assert dc["DC.creator"] == "促进中国宗教自由联盟"
    assert dc["DC.date"] == "2019-07-15"
    assert dc["DC.language"] == "zh-Hans"


def test_highwire_coins_and_zotero_type(tree) -> None:
    meta = [(m.get("name"), m.get("content")) for m in tree.xpath("//head/meta[@name]")]
    names = {n for n, _ in meta}
    assert ("citation_title", "促进中国宗教自由联盟致与中国有业务往来的公司CEO的公开信") in meta
    assert ("citation_author", "促进中国宗教自由联盟") in meta
    assert ("citation_date", "2019/07/15") in meta
    # Any of these would make Zotero call the letter a journal article, a report or a chapter.
    assert not names & {
        "citation_journal_title",
        "citation_technical_report_institution",
        "citation_book_title",
        "citation_conference_title",
        "citation_dissertation_institution",
    }
    assert ("DC.type", "document") in meta or ("DC.type", "letter") in meta
    [ref] = [c for n, c in meta if n == "citation_reference"]
    assert "citation_technical_report_number=A/HRC/41/35" in ref and "citation_date=2019/05/28" in ref
    [span] = tree.xpath("//li[@id='note-1']//span[@class='Z3988']")
    kev = span.get("title")
    assert "rft_val_fmt=info%3Aofi%2Ffmt%3Akev%3Amtx%3Abook" in kev or "rft_val_fmt=info:ofi" in kev
    assert "rft.genre=report" in kev and "rft.date=2019-05-28" in kev
    assert "rft_id=https%3A%2F%2Fundocs.org%2FA%2FHRC%2F41%2F35" in kev


def test_how_to_cite_is_citeproc_output(tree, doc) -> None:
    from archivekit.model.colophon import edition_csl

    cite = tree.get_element_by_id("cite")
    entries = cite.xpath(".//p[@class='csl-entry']")
    assert len(entries) == 2
    built = __import__("datetime").date(1970, 1, 1)
    record = edition_csl(doc.edition, built)
    expected = format_bibliography(record, "chicago-author-date", output="text")
    assert entries[0].text_content() == expected
    assert "Chicago Manual of Style" in cite.text_content()


def test_bibtex_ris_and_csl_downloads(html_build: Path) -> None:
    bib = (html_build / f"{EDITION_ID}.bib").read_text(encoding="utf-8")
    assert "@report{un-a-hrc-41-35," in bib and "number = {A/HRC/41/35}" in bib
    assert "institution = {United Nations, Human Rights Council}" in bib
    assert f"{{{EDITION_ID}," in bib and "author = {{促进中国宗教自由联盟}}" in bib
    assert bib.count("{") == bib.count("}")
    ris = (html_build / f"{EDITION_ID}.ris").read_text(encoding="utf-8")
    records = [r for r in ris.split("ER  - \n") if r.strip()]
    assert len(records) == 2
    assert "TY  - RPRT\n" in ris and "SN  - A/HRC/41/35\n" in ris and "DA  - 2019/05/28\n" in ris
    assert "UR  - https://undocs.org/A/HRC/41/35\n" in ris
    csl = json.loads((html_build / f"{EDITION_ID}.csl.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in csl] == [EDITION_ID, "un-a-hrc-41-35"]
    assert csl[1]["number"] == "A/HRC/41/35"


def test_bibtex_escapes_its_specials() -> None:
    item = {"id": "x y", "type": "report", "title": "50% of {A} & B_c #1", "publisher": "P$"}
    out = cm.bibtex(item)
    assert r"title = {50\% of \{A\} \& B\_c \#1}" in out and r"institution = {P\$}" in out
    assert out.startswith("@report{x-y,")


def test_index_lists_every_artifact(html_build: Path) -> None:
    index = lxml_html.fromstring((html_build / "index.html").read_bytes())
    manifest = json.loads((html_build / "manifest.json").read_text(encoding="utf-8"))
    listed = index.xpath("//tbody/tr/td[2]/a/@href")
    assert sorted(listed) == sorted(a["path"] for a in manifest["artifacts"] if a["path"] != "index.html")
    for art in manifest["artifacts"]:
        if art["path"] != "index.html":
            assert art["sha256"] in index.text_content()
    assert "validation not run yet" in index.text_content()
    assert write_index(html_build / "no-such-build") is None


def test_index_shows_each_validators_verdict(html_build: Path, tmp_path: Path) -> None:
    import shutil

    build = tmp_path / "b"
    shutil.copytree(html_build, build)
    report = {
        "summary": {"errors": 1, "warnings": 0, "not_run": []},
        "validators": [
            {
                "validator": "Nu HTML Checker",
                "version": "1",
                "artifacts": [{"artifact": PAGE, "status": "pass"}],
            },
            {
                "validator": "axe-core",
                "version": "2",
                "artifacts": [{"artifact": PAGE, "status": "fail", "errors": 1}],
            },
        ],
    }
    (build / "validation").mkdir()
    (build / "validation" / "report.json").write_text(json.dumps(report), encoding="utf-8")
    write_index(build)
    index = lxml_html.fromstring((build / "index.html").read_bytes())
    [row] = [tr for tr in index.xpath("//tbody/tr") if tr.xpath(f"td/a[@href='{PAGE}']")]
    verdicts = [li.text_content() for li in row.xpath(".//li")]
    assert verdicts == ["Nu HTML Checker 1: pass", "axe-core 2: fail (1 error)"]
    assert "Validation: 1 errors, 0 warnings." in index.text_content()
