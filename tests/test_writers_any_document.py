"""HTML, EPUB and text writers on any document, not only the first edition.

The `shapes` fixture has marked lists two deep and notes in both parts of a parallel pair; the
tests also change its metadata (editorial language, dates, notes) to check that every editorial
word and every claim follows the model, and grep the writers for words of one document.
"""

from __future__ import annotations

import dataclasses
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html

from archivekit.ingest import load_edition
from archivekit.model import Document, MarkedList, Paragraph, plain_text
from archivekit.model.document import iter_blocks
from archivekit.model.locale import join, message
from archivekit.writers.base import BuildContext
from archivekit.writers.epub import WRITER as EPUB
from archivekit.writers.epub import a11y
from archivekit.writers.html import WRITER as HTML
from archivekit.writers.text import render_text
from conftest import ROOT

SHAPES = ROOT / "tests" / "fixtures" / "editions" / "shapes"
X = "{http://www.w3.org/1999/xhtml}"
EPUB_NS = "http://www.idpf.org/2007/ops"
OWNED = [
    *sorted((ROOT / "src/archivekit/writers/html").glob("*.*")),
    *sorted(p for p in (ROOT / "src/archivekit/writers/epub").glob("*.py") if p.name != "checks.py"),
    ROOT / "src/archivekit/writers/text.py",
]
# Words of one document: no writer may hold them. Vocabulary terms that merely share the spelling
# (the CSL/Zotero item type "letter", the CSS property letter-spacing) are not document text.
DOCUMENT_WORDS = re.compile(r"letter|coalition|中文|脚注|chinese", re.IGNORECASE)
VOCABULARY = re.compile(r'^\s*"\w+": TypeRow\(.*|letter-spacing')


@pytest.fixture(scope="module")
def shapes() -> Document:
    return load_edition(SHAPES)


def build_html(doc: Document, out: Path) -> lxml_html.HtmlElement:
    ctx = BuildContext(out_dir=out, edition_dir=SHAPES, source_date_epoch=0, cache_dir=out)
    [page, *_] = HTML.write(doc, ctx)
    return lxml_html.fromstring((out / page.path).read_bytes())


def build_epub(doc: Document, out: Path) -> dict[str, etree._Element]:
    ctx = BuildContext(
        out_dir=out, edition_dir=SHAPES, source_date_epoch=0, cache_dir=out, options={"epub_checks": "off"}
    )
    [artifact] = EPUB.write(doc, ctx)
    with zipfile.ZipFile(out / artifact.path) as book:
        return {
            name.removeprefix("EPUB/"): etree.fromstring(book.read(name))
            for name in book.namelist()
            if name.endswith((".xhtml", ".opf"))
        }


def marked_lists(doc: Document) -> list[MarkedList]:
    return [b for part in doc.parts for b in iter_blocks(part.blocks) if isinstance(b, MarkedList)]


def test_no_writer_holds_words_of_one_document() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in OWNED
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if DOCUMENT_WORDS.search(VOCABULARY.sub("", line))
    ]
    assert found == []


def test_html_every_note_of_every_part_linked_both_ways(shapes: Document, tmp_path: Path) -> None:
    tree = build_html(shapes, tmp_path)
    ids = tree.xpath("//@id")
    assert len(ids) == len(set(ids)), "ids are unique"
    assert {n.part_id for n in shapes.notes.values()} >= {"principles-zh", "principles-en"}
    for note in shapes.notes.values():
        item = tree.get_element_by_id(note.id)
        assert item.xpath("ancestor::article/@id") == [note.part_id]
        [ref] = tree.xpath(f"//a[@role='doc-noteref'][@href='#{note.id}']")
        [back] = item.xpath(".//a[@role='doc-backlink']")
        assert back.get("href") == "#" + ref.get("id")
        assert back.get("aria-label") == message(
            shapes.edition.editorial_language, "back_to_text", label=note.label
        )
        words = " ".join(plain_text(b.inlines) for b in note.blocks if isinstance(b, Paragraph))
        assert words in item.text_content()
        coins = item.xpath(".//span[@class='Z3988']")
        assert len(coins) == (1 if note.citation else 0)


def test_html_marked_lists_carry_the_sources_markers_as_text(shapes: Document, tmp_path: Path) -> None:
    tree = build_html(shapes, tmp_path)
    css = "".join(tree.xpath("//style/text()"))
    assert "counter(" not in css and "list-style: none" in css
    for block in marked_lists(shapes):
        [ol] = tree.xpath(f"//ol[@id='{block.id}']")
        assert f"depth-{block.depth}" in ol.get("class")
        items = ol.xpath("./li")
        assert [li.xpath("string(span[@class='marker'])") for li in items] == [i.marker for i in block.items]
        for li, item in zip(items, block.items, strict=True):
            # marker, then the source's separator, then the item's text: what a reader copies
            assert li.text_content().startswith(
                item.marker + item.separator + plain_text(item.blocks[0].inlines)
            )
    nested = [b for b in marked_lists(shapes) if b.depth == 2]
    assert nested and all(tree.xpath(f"//ol[@id='{b.id}']/ancestor::li") for b in nested)


def test_html_words_follow_the_editorial_language(shapes: Document, tmp_path: Path) -> None:
    settings = dataclasses.replace(shapes.edition.settings, editorial_language="fr")
    doc = dataclasses.replace(shapes, edition=dataclasses.replace(shapes.edition, settings=settings))
    tree = build_html(doc, tmp_path)
    skip = tree.xpath("//a[contains(@class, 'skip-link')]")[0]
    assert (skip.text, skip.get("lang")) == (message("fr", "skip_to_text"), "fr")
    assert tree.xpath("//nav/@aria-label") == [message("fr", "contents")]
    links = tree.xpath("//a[contains(@class, 'counterpart')]")
    assert links and all(
        a.get("lang") == "fr" and a.get("aria-label").startswith(a.text_content()) for a in links
    )
    assert "anglais" in links[0].get("aria-label") or "chinois" in links[0].get("aria-label")


def test_dateline_is_no_more_precise_than_the_sources(shapes: Document, tmp_path: Path) -> None:
    doc = dataclasses.replace(shapes, edition=dataclasses.replace(shapes.edition, date_text="2019-07"))
    tree = build_html(doc, tmp_path)
    assert tree.xpath("//p[@class='dateline']/time/@datetime") == ["2019-07"]
    [part] = tree.xpath("//article[@id='principles-en']")
    assert part.get("data-date") == "2019"


def test_epub_notes_lists_and_ids_in_every_part(shapes: Document, tmp_path: Path) -> None:
    files = build_epub(shapes, tmp_path)
    for note in shapes.notes.values():
        root = files[f"{note.part_id}.xhtml"]
        [aside] = root.xpath(f"//*[@id='{note.id}']")
        assert aside.tag == f"{X}aside"
        [back] = aside.xpath(".//*[@role='doc-backlink']")
        [ref] = root.xpath(f"//*[@role='doc-noteref'][@href='#{note.id}']")
        assert back.get("href") == "#" + ref.get("id")
    for name, root in files.items():
        ids = root.xpath("//@id")
        assert len(ids) == len(set(ids)), name
    for block in marked_lists(shapes):
        part = next(p for p in shapes.parts if block in iter_blocks(p.blocks))
        [ol] = files[f"{part.id}.xhtml"].xpath(f"//*[@id='{block.id}']")
        markers = ol.xpath("./x:li/x:span[@class='marker']/text()", namespaces={"x": X[1:-1]})
        assert markers == [i.marker for i in block.items]


def test_epub_landmarks_can_be_told_apart(shapes: Document, tmp_path: Path) -> None:
    """A reading system lists landmarks alone: each part's notes are named by their part."""
    nav = build_epub(shapes, tmp_path)["nav.xhtml"]
    marks = nav.xpath("//x:nav[@id='landmarks']//x:a", namespaces={"x": X[1:-1]})
    labels = [a.text for a in marks]
    assert len(labels) == len(set(labels)), labels
    parts_with_notes = {n.part_id for n in shapes.notes.values()}
    notes = [a for a in marks if a.get(f"{{{EPUB_NS}}}type") == "footnotes"]
    assert len(parts_with_notes) > 1 and len(notes) == len(parts_with_notes)


def test_epub_summary_says_only_what_the_file_has(shapes: Document) -> None:
    lang = shapes.edition.editorial_language
    full = a11y.summary(shapes, True, None)[lang]
    assert message(lang, "a11y_parallel") in full and message(lang, "a11y_notes_linked") in full
    assert message(lang, "a11y_page_list") in full
    bare = dataclasses.replace(shapes, notes={}, edition=dataclasses.replace(shapes.edition, parallel=()))
    plain = a11y.summary(bare, False, None)[lang]
    for key in ("a11y_parallel", "a11y_notes_linked", "a11y_page_list"):
        assert message(lang, key) not in plain, key
    parts = join(lang, a11y.part_kinds(bare, lang))
    assert plain.startswith(message(lang, "a11y_summary_no_notes", parts=parts)), "no note count"


def test_text_marked_lists_marker_separator_text_nested_indented(shapes: Document) -> None:
    lines = render_text(shapes).split("\n")
    for block in marked_lists(shapes):
        for item in block.items:
            first = item.marker + item.separator + plain_text(item.blocks[0].inlines)
            indent = "  " * (block.depth - 1)
            assert indent + first in lines
            if block.depth > 1:
                assert first not in [line for line in lines if not line.startswith(" ")]


def test_rebuilds_are_byte_identical(shapes: Document, tmp_path: Path) -> None:
    outputs = []
    for run in ("a", "b"):
        out = tmp_path / run
        out.mkdir()
        build_html(shapes, out)
        build_epub(shapes, out)
        outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()})
    assert outputs[0] == outputs[1]
