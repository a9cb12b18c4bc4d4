"""The spine: which content documents the EPUB has, in reading order, and what goes in each.

One file per part keeps one language per document (parallel texts one after the other, each
readable on its own and in order); the edition's title page and colophon are files of their own,
marked editorial, so no reader takes them for the source text.
"""

from __future__ import annotations

from archivekit.model import Document, Part, plain_text
from archivekit.model.document import iter_blocks
from archivekit.model.locale import language_name, message, role_name
from archivekit.writers.epub.xhtml import (
    EPUB_TYPE,
    ContentDoc,
    Renderer,
    TocEntry,
    el,
    first_heading,
    heading_text,
    set_lang,
)


def title_page(doc: Document) -> ContentDoc:
    """The edition's title (editorial) on a page of its own."""
    ed = doc.edition
    r = Renderer(doc, "title.xhtml")
    body = el("body", {"epub:type": "frontmatter"})
    section = el("section", {"epub:type": "titlepage", "class": "editorial titlepage", "id": "titlepage"})
    r.blocks(section, doc.front)
    body.append(section)
    title = ed.title.first()
    head = first_heading(doc.front)
    toc = (
        [TocEntry(f"{r.file_name}#{head.id}", heading_text(head), head.lang or ed.language, 1)]
        if head
        else []
    )
    return ContentDoc(r.file_name, title, ed.language, body, toc=toc)


def part_document(doc: Document, part: Part) -> ContentDoc:
    """One part of the text, in its language, with its notes."""
    name = f"{part.id}.xhtml"
    r = Renderer(doc, name)
    top = part.title or first_heading(part.blocks)
    if top is not None:
        r.heading_shift = top.level - 1
    body = el("body", {"epub:type": "bodymatter"})
    section = el("section", {"id": part.id, "class": f"part {part.role}"})
    section.set(EPUB_TYPE, "chapter")
    section.set("role", "doc-chapter")
    set_lang(section, part.lang)
    if top is not None:
        section.set("aria-labelledby", top.id)
    if part.title is not None:
        section.append(r.heading(part.title))
    r.blocks(section, part.blocks)
    body.append(section)
    notes = r.footnotes(part.lang)
    if top is not None:
        title = heading_text(top)
        toc = [TocEntry(f"{name}#{top.id}", title, top.lang or part.lang, 1)]
    else:
        # A part without a heading is still found in the contents: by its role and language, in the
        # edition's words (never a word of the source the source does not have).
        title = part_label(doc, part)
        toc = [TocEntry(f"{name}#{part.id}", title, doc.edition.editorial_language, 1)]
    landmarks: list[tuple[str, str, str]] = []
    if notes is not None:
        body.append(notes)
        # Named by their part: a reading system lists landmarks alone, where several parts'
        # notes called only "Notes" could not be told apart.
        label = message(doc.edition.editorial_language, "notes_of", part=title)
        landmarks.append(("footnotes", f"{name}#notes", label))
    return ContentDoc(name, title, part.lang, body, toc=toc, landmarks=landmarks)


def part_label(doc: Document, part: Part) -> str:
    """A part named by its role and language in the edition's words ("Statement (English)")."""
    lang = doc.edition.editorial_language
    role = role_name(lang, part.role, capital=True)
    return message(lang, "part_in_language", role=role, language=language_name(part.lang, lang))


def colophon_page(doc: Document) -> ContentDoc | None:
    """The edition's colophon (editorial: edition, version, sources, rights, how to cite)."""
    if not doc.colophon:
        return None
    r = Renderer(doc, "colophon.xhtml")
    top = first_heading(doc.colophon)
    if top is not None:
        r.heading_shift = top.level - 1
    lang = (top.lang if top is not None else None) or doc.edition.language
    body = el("body", {"epub:type": "backmatter"})
    section = el("section", {"id": "colophon-section", "class": "editorial colophon", "role": "doc-colophon"})
    section.set(EPUB_TYPE, "colophon")
    if top is not None:
        section.set("aria-labelledby", top.id)
    r.blocks(section, doc.colophon)
    body.append(section)
    title = heading_text(top) if top is not None else message(doc.edition.editorial_language, "colophon")
    toc = [TocEntry(f"colophon.xhtml#{top.id}", title, lang, 1)] if top is not None else []
    return ContentDoc("colophon.xhtml", title, lang, body, toc=toc)


def content_documents(doc: Document) -> list[ContentDoc]:
    """Every content document of the text, in reading order (the report page is added later)."""
    docs = [title_page(doc)]
    docs += [part_document(doc, part) for part in doc.parts]
    colophon = colophon_page(doc)
    if colophon is not None:
        docs.append(colophon)
    return docs


def block_texts(doc: Document) -> dict[str, str]:
    """The model's text of every paragraph and heading by id (note labels included): what each must read."""
    out: dict[str, str] = {}
    groups = [
        doc.front,
        doc.colophon,
        *(p.blocks for p in doc.parts),
        *(n.blocks for n in doc.notes.values()),
    ]
    titles = [p.title for p in doc.parts if p.title is not None]
    for block in [*titles, *(b for g in groups for b in iter_blocks(g))]:
        if hasattr(block, "inlines"):
            out[block.id] = plain_text(block.inlines)
    return out
