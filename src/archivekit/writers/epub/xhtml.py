"""Content documents: the model's parts, front matter and colophon as EPUB 3 XHTML trees.

Every block keeps its model id, so the page-list, the tests and the text-fidelity check can find
it again; every text node is the model's characters, nothing more (links, marks and page-break
markers are elements, never extra text).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from lxml import etree

from archivekit.model import (
    Block,
    BulletList,
    Document,
    Emphasis,
    Heading,
    Inline,
    LineBreak,
    MarkedList,
    Note,
    NoteRef,
    Paragraph,
    Span,
    Strong,
    Text,
    plain_text,
)
from archivekit.model.locale import message
from archivekit.writers.markup import append, element

XHTML_NS = "http://www.w3.org/1999/xhtml"
OPS_NS = "http://www.idpf.org/2007/ops"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
EPUB_TYPE = f"{{{OPS_NS}}}type"
NSMAP = {None: XHTML_NS, "epub": OPS_NS}
STYLESHEET = "style.css"


def el(tag: str, attrs: dict[str, str] | None = None, *children: etree._Element | str) -> etree._Element:
    """An XHTML element with attributes (``epub:type`` allowed) and children (elements or text)."""
    names = {
        EPUB_TYPE if key == "epub:type" else XML_LANG if key == "xml:lang" else key: value
        for key, value in (attrs or {}).items()
    }
    return element(f"{{{XHTML_NS}}}{tag}", names, *children, nsmap=NSMAP)


def set_lang(node: etree._Element, lang: str | None) -> None:
    """Both ``lang`` and ``xml:lang``: EPUB reading systems read one or the other."""
    if lang:
        node.set("lang", lang)
        node.set(XML_LANG, lang)


@dataclass
class TocEntry:
    """One entry of the table of contents."""

    href: str
    label: str
    lang: str
    level: int


@dataclass
class ContentDoc:
    """One XHTML file of the spine, as a tree the writer may still change (page breaks)."""

    name: str  # file name inside the EPUB folder, e.g. "part-1.xhtml"
    title: str
    lang: str
    body: etree._Element  # the <body>; its children are the document's content
    toc: list[TocEntry] = field(default_factory=list)
    landmarks: list[tuple[str, str, str]] = field(default_factory=list)  # (epub:type, href, label)
    properties: tuple[str, ...] = ()  # manifest properties, e.g. "nav"
    linear: bool = True

    def tree(self) -> etree._Element:
        """The whole <html> document around the body."""
        html = el("html", None)
        set_lang(html, self.lang)
        head = el(
            "head",
            None,
            el("meta", {"charset": "utf-8"}),
            el("title", None, self.title),
            el("link", {"rel": "stylesheet", "type": "text/css", "href": STYLESHEET}),
        )
        html.append(head)
        html.append(self.body)
        return html

    def serialize(self) -> bytes:
        """The XHTML bytes: XML declaration, HTML doctype, UTF-8, stable attribute order."""
        return etree.tostring(self.tree(), xml_declaration=True, encoding="utf-8", doctype="<!DOCTYPE html>")


class Renderer:
    """Turns model blocks and inlines into XHTML elements for one content document."""

    def __init__(self, doc: Document, file_name: str) -> None:
        self.doc = doc
        self.file_name = file_name
        self.notes: list[Note] = []  # notes referenced from this document, in order of first reference
        self._refs: dict[str, int] = {}
        self.heading_shift = 0  # model level minus this = XHTML level, so each file starts at <h1>
        self.lang = doc.edition.editorial_language  # the edition's own words (labels)

    def inlines(self, node: etree._Element, inlines: Iterable[Inline]) -> None:
        """Append these inlines' XHTML to node."""
        for inline in inlines:
            match inline:
                case Text(text=text):
                    append(node, text)
                case LineBreak():
                    node.append(el("br"))
                case NoteRef(note_id=note_id, label=label):
                    node.append(self.noteref(note_id, label))
                case Span(children=children, lang=lang, classes=classes):
                    span = el("span", {"class": " ".join(classes)} if classes else None)
                    set_lang(span, lang)
                    self.inlines(span, children)
                    node.append(span)
                case Emphasis(children=children):
                    em = el("em")
                    self.inlines(em, children)
                    node.append(em)
                case Strong(children=children):
                    strong = el("strong")
                    self.inlines(strong, children)
                    node.append(strong)

    def noteref(self, note_id: str, label: str) -> etree._Element:
        """The reference mark: a DPUB-ARIA noteref link whose text is the note's own label."""
        note = self.doc.notes[note_id]
        count = self._refs.get(note_id, 0) + 1
        self._refs[note_id] = count
        if count == 1:
            self.notes.append(note)
        return el(
            "a",
            {
                "epub:type": "noteref",
                "role": "doc-noteref",
                "id": ref_id(note_id, count),
                "class": "noteref",
                "href": f"#{note_id}",
            },
            label,
        )

    def heading(self, block: Heading, extra_class: str | None = None) -> etree._Element:
        """A heading; with a kicker, an <hgroup> so the kicker line and the heading read as one unit."""
        level = max(1, min(6, block.level - self.heading_shift))
        classes = [c for c in ("editorial" if block.editorial else None, extra_class) if c]
        h = el(f"h{level}", {"id": block.id})
        if classes:
            h.set("class", " ".join(classes))
        set_lang(h, block.lang)
        self.inlines(h, block.inlines)
        if block.kicker is None:
            return h
        group = el("hgroup")
        kicker = el("p", {"class": "kicker"})
        self.inlines(kicker, block.kicker)
        group.append(kicker)
        group.append(h)
        return group

    def block(self, block: Block) -> etree._Element:
        """One block as XHTML; list items of a single paragraph carry that paragraph's id."""
        match block:
            case Heading():
                return self.heading(block)
            case Paragraph(id=bid, inlines=inlines, role=role, lang=lang):
                p = el("p", {"id": bid})
                if role:
                    p.set("class", role)
                set_lang(p, lang)
                self.inlines(p, inlines)
                return p
            case BulletList(id=bid, items=items):
                ul = el("ul", {"id": bid})
                for item in items:
                    ul.append(self.list_item(item))
                return ul
            case MarkedList():
                return self.marked_list(block)
        raise TypeError(f"unknown block {block!r}")

    def marked_list(self, block: MarkedList) -> etree._Element:
        """A list whose markers are source text: a span of the marker's characters, never a counter.

        Marker and body sit side by side (a hanging indent whatever the marker's width); a nested
        list stays in its item's body, one level further in. The source's separator stays as text.
        """
        ol = el("ol", {"id": block.id, "class": f"marked depth-{block.depth}"})
        for item in block.items:
            li = el("li", {"class": "tight"} if not item.separator else None)
            li.append(el("span", {"class": "marker"}, item.marker))
            append(li, item.separator)
            body = el("div", {"class": "item"})
            self.blocks(body, item.blocks)
            li.append(body)
            ol.append(li)
        return ol

    def list_item(self, blocks: tuple[Block, ...]) -> etree._Element:
        """A list item: a lone paragraph's inlines go straight into <li> (no stray block margins)."""
        if len(blocks) == 1 and isinstance(blocks[0], Paragraph) and blocks[0].role is None:
            para = blocks[0]
            li = el("li", {"id": para.id})
            set_lang(li, para.lang)
            self.inlines(li, para.inlines)
            return li
        li = el("li")
        for block in blocks:
            li.append(self.block(block))
        return li

    def blocks(self, node: etree._Element, blocks: Iterable[Block]) -> None:
        """Append blocks to node, folding a kicker paragraph into the heading that follows it."""
        pending: etree._Element | None = None
        for block in blocks:
            if isinstance(block, Paragraph) and block.role == "kicker":
                pending = self.block(block)
                continue
            rendered = self.block(block)
            if pending is not None:
                if isinstance(block, Heading) and block.kicker is None:
                    rendered = el("hgroup", None, pending, rendered)
                else:
                    node.append(pending)
                pending = None
            node.append(rendered)
        if pending is not None:
            node.append(pending)

    def footnotes(self, lang: str | None = None) -> etree._Element | None:
        """The notes referenced in this document (in language `lang`), as DPUB-ARIA footnotes with a
        link back."""
        if not self.notes:
            return None
        section = el("section", {"id": "notes", "epub:type": "footnotes", "class": "notes"})
        name = message(self.lang, "notes")
        if lang is None or lang == self.lang:
            section.set("aria-label", name)
        else:
            # The edition's word in a document of another language: an attribute cannot say its
            # language, so the name is a hidden element that does, or a voice of the document's
            # language would read it.
            label = el("span", {"id": "notes-label", "hidden": "hidden"}, name)
            set_lang(label, self.lang)
            section.append(label)
            section.set("aria-labelledby", "notes-label")
        for note in self.notes:
            aside = el("aside", {"epub:type": "footnote", "role": "doc-footnote", "id": note.id})
            back = el(
                "a",
                {
                    "role": "doc-backlink",
                    "class": "backlink",
                    "href": f"#{ref_id(note.id, 1)}",
                    "aria-label": message(self.lang, "back_to_text", label=note.label),
                },
                note.label,
            )
            # Its name is the edition's words; the label it shows is the note's own mark.
            set_lang(back, self.lang)
            self.blocks(aside, note.blocks)
            first = next(iter(aside), None)
            if first is not None and first.tag == f"{{{XHTML_NS}}}p":
                # The back link sits inside the first paragraph, before its text, as the mark does in print.
                back.tail = first.text
                first.text = None
                first.insert(0, back)
            else:
                aside.insert(0, back)
            section.append(aside)
        return section


def ref_id(note_id: str, count: int) -> str:
    """The id of the count-th reference to a note (the back link points at the first)."""
    return f"ref-{note_id}" if count == 1 else f"ref-{note_id}-{count}"


def heading_text(block: Heading) -> str:
    """A heading's text for navigation (the kicker is not part of the title)."""
    return plain_text(block.inlines, note_labels=False)


def first_heading(blocks: Iterable[Block]) -> Heading | None:
    """The first heading among blocks."""
    return next((b for b in blocks if isinstance(b, Heading)), None)


def element_text(node: etree._Element) -> str:
    """The model characters inside node: text, <br> as a line break, back links and page markers skipped."""
    return "".join(text for _, _, text in text_slots(node))


def text_slots(node: etree._Element) -> Iterator[tuple[etree._Element, str, str]]:
    """(owner, "text"|"tail"|"br", characters) in document order, as they count towards model offsets."""
    if node.text:
        yield node, "text", node.text
    for child in node:
        if not isinstance(child.tag, str):
            continue
        if not skipped(child):
            if child.tag == f"{{{XHTML_NS}}}br":
                yield child, "br", "\n"
            else:
                yield from text_slots(child)
        if child.tail:
            yield child, "tail", child.tail


def skipped(node: etree._Element) -> bool:
    """Elements whose text is not the model's: the note's back link and page-break markers."""
    return node.get("role") in ("doc-backlink", "doc-pagebreak")
