"""Page-break markers where the archival PDF's pages begin, so the EPUB cites the PDF's page numbers.

The PDF writer records, for each page, the model block and the character offset (into the block's
plain text, note labels included) where the page's text begins. Here each becomes an empty
``<span epub:type="pagebreak" role="doc-pagebreak">`` at exactly that place.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from archivekit.errors import BuildError
from archivekit.model.pagination import PageStart
from archivekit.writers.epub.xhtml import XHTML_NS, ContentDoc, el, text_slots

HEADINGS = {f"{{{XHTML_NS}}}h{n}" for n in range(1, 7)}
# Inline elements a marker must not go inside (it would change a link's or a mark's accessible name).
ATOMIC = {f"{{{XHTML_NS}}}a"}


@dataclass(frozen=True)
class PageTarget:
    """A marker that was placed: the page, and where its link points."""

    page: int
    label: str
    href: str


def marker(label: str, page: int) -> etree._Element:
    """An empty page-break marker: named by its page number, no text of its own."""
    span = el("span", {"epub:type": "pagebreak", "role": "doc-pagebreak", "id": f"page-{page}"})
    span.set("aria-label", label)
    span.set("title", label)
    return span


def insert_page_breaks(docs: list[ContentDoc], starts: list[PageStart]) -> list[PageTarget]:
    """Insert one marker per page start into the content documents; the targets, in page order."""
    index: dict[str, tuple[ContentDoc, etree._Element]] = {}
    for doc in docs:
        for node in doc.body.iter():
            ident = node.get("id") if isinstance(node.tag, str) else None
            if ident:
                index[ident] = (doc, node)
    targets: list[PageTarget] = []
    for start in sorted(starts, key=lambda s: s.page):
        if start.block_id not in index:
            raise BuildError(
                f"PDF page {start.page} begins in block {start.block_id!r}, which the EPUB does not have",
                hint="rebuild the PDF and the EPUB from the same sources (archivekit build)",
            )
        doc, node = index[start.block_id]
        place(node, start.offset, marker(start.label, start.page))
        targets.append(PageTarget(start.page, start.label, f"{doc.name}#page-{start.page}"))
    return targets


def place(block: etree._Element, offset: int, mark: etree._Element) -> None:
    """Put mark right before the character at offset in block's model text (0: at its start)."""
    if offset == 0 and block.tag in HEADINGS:
        # Inside a heading the marker's label would join the heading's name; put it before the
        # heading (or before the hgroup that sets a kicker above it), where the page's text begins.
        parent = block.getparent()
        anchor = parent if parent is not None and parent.tag == f"{{{XHTML_NS}}}hgroup" else block
        anchor.addprevious(mark)
        return
    seen = 0
    for owner, kind, text in text_slots(block):
        if offset >= seen + len(text):
            seen += len(text)
            continue
        cut = offset - seen
        holder = owner if kind == "text" else owner.getparent()
        link = _outermost_link(holder, block)
        if link is not None:
            # Never inside a link: the marker would change the note mark's name. Just before it.
            link.addprevious(mark)
        elif kind == "br":
            owner.addprevious(mark)
        elif kind == "text":
            mark.tail = text[cut:]
            owner.text = text[:cut] or None
            owner.insert(0, mark)
        else:
            mark.tail = text[cut:]
            owner.tail = text[:cut] or None
            owner.addnext(mark)
        return
    if offset == seen:
        # The page begins after all of the block's text (it can only be a trailing mark): end of block.
        block.append(mark)
        return
    raise BuildError(
        f"the PDF's page starts at offset {offset} of block {block.get('id')!r}, which has {seen} characters",
        hint="rebuild the PDF and the EPUB from the same sources (archivekit build)",
    )


def _outermost_link(node: etree._Element | None, block: etree._Element) -> etree._Element | None:
    """The outermost <a> between node and block (inclusive), or None."""
    found = None
    while node is not None:
        if node.tag in ATOMIC:
            found = node
        if node is block:
            break
        node = node.getparent()
    return found
