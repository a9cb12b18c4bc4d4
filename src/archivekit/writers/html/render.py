"""The document model as one HTML5 page: landmarks, parts, notes, parallel texts, citation metadata.

Every string from the model enters the tree as text (lxml escapes it); the model has no raw HTML and this
module never parses any, except citeproc-py's own escaped output, which is re-built from a tag allow-list.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from lxml import etree
from lxml import html as lxml_html

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
    Part,
    Span,
    Strong,
    Text,
    plain_text,
)
from archivekit.model import crosswalk as cw
from archivekit.model.citation import csl_only
from archivekit.model.locale import join
from archivekit.model.metadata import creator_names
from archivekit.writers.html.words import editorial_lang, language_label, part_date, say
from archivekit.writers.markup import append, html_page, page_head
from archivekit.writers.markup import element as el

# Tags citeproc-py's HTML formatter may emit that we keep; anything else is unwrapped to its text.
_CSL_TAGS = {"i", "b", "sup", "sub"}


def json_ld(
    work: dict[str, Any],
    edition_node: dict[str, Any],
    cited: list[dict[str, Any]],
    *,
    date_created: str,
    work_id: str,
    parts: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The page's JSON-LD: the edition's record (typed by the crosswalk) with its citations and parts.

    `parts` are the parts that carry their own author, date or source, as nodes of their own.
    """
    node = cw.schema_work(work, node_id=work_id)
    node.pop("version", None)  # the edition has a version, the work it transcribes has none
    node["dateCreated"] = date_created
    node["isPartOf"] = edition_node
    if parts:
        node["hasPart"] = parts
    if cited:
        node["citation"] = [cw.schema_work(c, node_id=f"#ref-{c['id']}") for c in cited]
    return {"@context": "https://schema.org", **node}


@dataclass(frozen=True)
class PageInputs:
    """What the page needs besides the document: the records it describes and the files it links."""

    edition_record: dict[str, Any]  # CSL-JSON of this edition (model.colophon.edition_csl)
    cited: list[dict[str, Any]]  # CSL-JSON records the notes cite, in order of first citation
    style_name: str  # CSL style id
    style_title: str  # its human title
    edition_entry_html: str  # citeproc-py HTML for the edition
    cited_entries_html: dict[str, str]  # record id -> citeproc-py HTML
    downloads: tuple[tuple[str, str, str], ...]  # (label, href, media type)
    css: str


class PageBuilder:
    """Builds the page for one document; keeps the note reference ids it hands out."""

    def __init__(self, doc: Document, inputs: PageInputs) -> None:
        self.doc = doc
        self.inputs = inputs
        self.noteref_ids: dict[str, list[str]] = {}
        self.lang = editorial_lang(doc)  # the edition's own words: labels, navigation, colophon
        self.date: str | None = None  # the date the current part's date line stands for

    # ------------------------------------------------------------ inlines and blocks

    def inlines(self, inlines: tuple[Inline, ...]) -> list[Any]:
        """Model inlines as HTML children."""
        out: list[Any] = []
        for inline in inlines:
            match inline:
                case Text(text=text):
                    out.append(text)
                case LineBreak():
                    out.append(el("br"))
                case NoteRef(note_id=note_id, label=label):
                    refs = self.noteref_ids.setdefault(note_id, [])
                    ref_id = f"noteref-{note_id}" + (f"-{len(refs) + 1}" if refs else "")
                    refs.append(ref_id)
                    out.append(
                        el(
                            "a",
                            {"href": f"#{note_id}", "id": ref_id, "role": "doc-noteref", "class": "noteref"},
                            el("sup", None, label),
                        )
                    )
                case Span(children=children, lang=lang, classes=classes):
                    attrs = {"lang": lang, "class": " ".join(f"src-{c}" for c in classes) or None}
                    out.append(el("span", attrs, self.inlines(children)))
                case Emphasis(children=children):
                    out.append(el("em", None, self.inlines(children)))
                case Strong(children=children):
                    out.append(el("strong", None, self.inlines(children)))
        return out

    def heading(self, h: Heading, part_lang: str | None = None) -> etree._Element:
        """A heading; with its kicker line as an hgroup; editorial headings marked as such."""
        level = min(max(h.level, 1), 6)
        lang = h.lang if h.lang and h.lang != part_lang else None
        classes = "ak-editorial" if h.editorial else None
        node = el(f"h{level}", {"id": h.id, "lang": lang, "class": classes}, self.inlines(h.inlines))
        if h.kicker is None:
            return node
        return el(
            "hgroup", {"id": f"{h.id}-group"}, el("p", {"class": "kicker"}, self.inlines(h.kicker)), node
        )

    def paragraph(self, p: Paragraph, part_lang: str | None) -> etree._Element:
        """A paragraph; date line, salutation, closing and signature say what they are."""
        lang = p.lang if p.lang and p.lang != part_lang else None
        children = self.inlines(p.inlines)
        if p.role == "dateline" and self.date:
            # The date line's words stay as written; <time> adds the machine-readable date beside them,
            # only as precise as the sources give it (a year stays a year).
            children = [el("time", {"datetime": self.date}, children)]
        return el("p", {"id": p.id, "lang": lang, "class": p.role}, children)

    def block(self, b: Block, part_lang: str | None) -> etree._Element:
        """One block."""
        match b:
            case Heading():
                return self.heading(b, part_lang)
            case Paragraph():
                return self.paragraph(b, part_lang)
            case BulletList(id=list_id, items=items):
                lis = []
                for item in items:
                    if len(item) == 1 and isinstance(item[0], Paragraph) and item[0].role is None:
                        only = item[0]
                        lang = only.lang if only.lang and only.lang != part_lang else None
                        lis.append(el("li", {"id": only.id, "lang": lang}, self.inlines(only.inlines)))
                    else:
                        lis.append(el("li", None, [self.block(x, part_lang) for x in item]))
                return el("ul", {"id": list_id}, lis)
            case MarkedList():
                return self.marked_list(b, part_lang)
        raise TypeError(f"unknown block {b!r}")

    def marked_list(self, ml: MarkedList, part_lang: str | None) -> etree._Element:
        """A list whose markers are source text: each marker is a span of text, never a generated number.

        The marker and the item's blocks sit side by side (CSS flex), which gives the hanging indent
        whatever the marker's width; nested lists stay inside their item's body, one step further in.
        """
        items = []
        for item in ml.items:
            body = el("div", {"class": "item"}, [self.block(x, part_lang) for x in item.blocks])
            # The source's own separator stays as text (copy and paste give the source back); where it
            # is empty (after 一、) the marker's own punctuation spaces it.
            tight = "tight" if not item.separator else None
            marker = el("span", {"class": "marker"}, item.marker)
            items.append(el("li", {"class": tight}, marker, item.separator, body))
        return el("ol", {"id": ml.id, "class": f"marked depth-{ml.depth}"}, items)

    # ------------------------------------------------------------ parts

    def notes_of(self, part: Part) -> list[Note]:
        """The part's notes in label order of first reference."""
        return [n for n in self.doc.notes.values() if n.part_id == part.id]

    def notes_section(self, part: Part) -> etree._Element | None:
        """The part's notes as DPUB-ARIA endnotes, each with its backlink and COinS for what it cites."""
        notes = self.notes_of(part)
        if not notes:
            return None
        items = []
        for note in notes:
            body = [self.block(b, part.lang) for b in note.blocks]
            refs = self.noteref_ids.get(note.id, [f"noteref-{note.id}"])
            back = el(
                "a",
                {
                    "href": f"#{refs[0]}",
                    "role": "doc-backlink",
                    "class": "ak-ui backlink",
                    "lang": self.lang,
                    "aria-label": say(self.doc, "back_to_text", label=note.label),
                },
                "↩",
            )
            if body and body[-1].tag == "p":
                append(body[-1], " ", back)
            else:
                body.append(el("p", None, back))
            if note.citation is not None:
                try:
                    record = self.doc.reference(note.citation.key)
                except KeyError:
                    record = None
                if record is not None:
                    body.append(el("span", {"class": "Z3988", "title": cw.coins(record)}))
            items.append(
                el("li", {"id": note.id, "value": note.label if note.label.isdigit() else None}, body)
            )
        # The heading is the edition's word, in its language; the notes keep their part's language.
        title_id = f"{part.id}-notes-title"
        return el(
            "section",
            {"id": f"{part.id}-notes", "role": "doc-endnotes", "aria-labelledby": title_id, "class": "notes"},
            el(
                "h3",
                {"id": title_id, "class": "ak-ui notes-title", "lang": self.lang},
                say(self.doc, "notes"),
            ),
            el("ol", None, items),
        )

    def part_attrs(self, part: Part, labelled: str | None) -> dict[str, str | None]:
        """An article's attributes: language, role, and the part's own metadata where it has some.

        A part's own author, date and source are metadata, not text: data attributes, never visible
        words the source does not have.
        """
        names = creator_names(part.creators)
        creator = join(editorial_lang(self.doc), names) if names else None
        return {
            "id": part.id,
            "lang": part.lang,
            "aria-labelledby": labelled,
            "class": part.role,
            "data-creator": creator,
            "data-date": part.date,
            "data-cite-key": part.cite_key,
        }

    def article(self, part: Part) -> etree._Element:
        """One part as an article in its language, its notes at its end."""
        self.date = part_date(self.doc, part)
        children: list[Any] = []
        labelled = None
        if part.title is not None:
            children.append(self.heading(part.title, part.lang))
            labelled = part.title.id
        for b in part.blocks:
            if labelled is None and isinstance(b, Heading):
                labelled = b.id
            children.append(self.block(b, part.lang))
        return el("article", self.part_attrs(part, labelled), children, self.notes_section(part))

    def parallel(self, first: Part, second: Part) -> etree._Element:
        """Two translations: each language whole in reading order, each block linked to its counterpart.

        CSS subgrid aligns block i of one article with block i of the other on wide screens; the DOM keeps
        one article after the other, so a screen reader reads each language through. Each article ends
        with its own notes, in the grid's last row.
        """
        arts = []
        for part, other in ((first, second), (second, first)):
            self.date = part_date(self.doc, part)
            children: list[Any] = []
            labelled = None
            number = 0
            for b, counter in zip(part.blocks, other.blocks, strict=False):
                node = self.block(b, part.lang)
                if isinstance(b, Heading):
                    labelled = labelled or b.id
                    children.append(node)
                    continue
                number += 1
                # The link shows the other language's own name (CLDR); its accessible name starts with
                # those same words (WCAG 2.5.3) and goes on in the edition's language.
                tags = self.doc.edition.languages
                link_label = language_label(other.lang, other.lang, tags)
                spoken = language_label(other.lang, self.lang, tags)
                link = el(
                    "a",
                    {
                        "href": f"#{counter.id}",
                        "class": "ak-ui counterpart",
                        "hreflang": other.lang,
                        "lang": self.lang,
                        "aria-label": say(
                            self.doc, "counterpart", label=link_label, number=number, language=spoken
                        ),
                    },
                    el("span", {"lang": other.lang}, link_label),
                )
                children.append(el("div", {"class": "par"}, node, link))
            for b in part.blocks[len(other.blocks) :]:
                children.append(self.block(b, part.lang))
            arts.append(el("article", self.part_attrs(part, labelled), children, self.notes_section(part)))
        return el("div", {"class": "parallel"}, arts)

    # ------------------------------------------------------------ page

    def head(self) -> etree._Element:
        """<head>: metadata in every vocabulary, the stylesheet, JSON-LD and the embedded CSL-JSON."""
        ed = self.doc.edition
        rec = self.inputs.edition_record
        statement = ed.statement.first()
        head = page_head(f"{ed.title.first()} · {statement}")
        if ed.description is not None:
            head.append(el("meta", {"name": "description", "content": ed.description.first()}))
        for name, content, lang in cw.dublin_core(rec):
            head.append(el("meta", {"name": name, "content": content, "lang": lang}))
        head.append(el("meta", {"name": "DC.rights", "content": ed.rights.first()}))
        head.append(el("meta", {"name": "DC.identifier", "content": ed.identifier}))
        head.append(el("meta", {"name": "DC.format", "content": "text/html"}))
        for name, content in cw.highwire(rec):
            head.append(el("meta", {"name": name, "content": content}))
        for record in self.inputs.cited:
            head.append(el("meta", {"name": "citation_reference", "content": cw.highwire_reference(record)}))
        for label, href, media in self.inputs.downloads:
            head.append(el("link", {"rel": "alternate", "type": media, "href": href, "title": label}))
        head.append(el("style", None, self.inputs.css))
        ld = json_ld(
            rec,
            {
                "@type": "CreativeWork",
                "@id": ed.identifier,
                "name": f"{ed.title.first()} · {statement}",
                "version": ed.version,
                "inLanguage": list(ed.languages),
            },
            self.inputs.cited,
            date_created=ed.date_text or ed.date.isoformat(),
            work_id=f"#{self.doc.parts[0].id}",
            parts=[
                self.part_node(part) for part in self.doc.parts if part.creators or part.date or part.cite_key
            ],
        )
        head.append(el("script", {"type": "application/ld+json"}, cw.script_json(ld)))
        csl = [csl_only(rec), *[csl_only(r) for r in self.inputs.cited]]
        head.append(
            el(
                "script",
                {"type": "application/vnd.citationstyles.csl+json", "id": "csl-json"},
                cw.script_json(csl),
            )
        )
        return head

    def part_node(self, part: Part) -> dict[str, Any]:
        """A part with its own author, date or source, as a schema.org node the work has as a part."""
        node: dict[str, Any] = {"@type": "CreativeWork", "@id": f"#{part.id}", "inLanguage": part.lang}
        if part.creators:
            # Person or organisation is not known from the sources: a name only, no guessed @type.
            authors = [{"name": name} for name in creator_names(part.creators)]
            node["author"] = authors[0] if len(authors) == 1 else authors
        if part.date:
            node["dateCreated"] = part.date
        if part.cite_key:
            # Ingest refuses unknown keys; a model built by hand may still lack the record.
            with contextlib.suppress(KeyError):
                node["isBasedOn"] = cw.schema_work(self.doc.reference(part.cite_key))
        return node

    def csl_entry(self, fragment: str, *, lang: str | None = None) -> etree._Element:
        """citeproc-py HTML rebuilt element by element from an allow-list (its text is already escaped)."""
        parsed = lxml_html.fragment_fromstring(fragment, create_parent="div")
        entry = el("p", {"class": "csl-entry", "lang": lang})

        def copy(src: etree._Element, dst: etree._Element) -> None:
            append(dst, src.text or "")
            for child in src:
                if child.tag in _CSL_TAGS:
                    new = el(child.tag)
                    copy(child, new)
                    dst.append(new)
                else:
                    copy(child, dst)
                append(dst, child.tail or "")

        copy(parsed, entry)
        return entry

    def header(self) -> etree._Element:
        """The banner: the edition's (editorial) title, statement, and the table of contents."""
        ed = self.doc.edition
        front = [
            self.heading(b, ed.language) if isinstance(b, Heading) else self.block(b, ed.language)
            for b in self.doc.front
        ]
        statement = el("p", {"class": "ak-statement"}, ed.statement.first())
        for tag, text in ed.statement.values[1:]:
            append(statement, " · ", el("span", {"lang": tag}, text))
        append(statement, f" · {ed.version}")
        subtitle = [el("p", {"class": "ak-subtitle", "lang": tag}, text) for tag, text in ed.title.values[1:]]
        note = el("p", {"class": "ak-editorial-note", "lang": self.lang}, say(self.doc, "editorial_note"))
        toc_items = []
        for part in self.doc.parts:
            head = part.title or next((b for b in part.blocks if isinstance(b, Heading)), None)
            if head is None:
                continue
            toc_items.append(
                el("li", None, el("a", {"href": f"#{part.id}", "lang": part.lang}, plain_text(head.inlines)))
            )
            if self.notes_of(part):
                notes = say(self.doc, "notes")
                toc_items.append(el("li", {"lang": self.lang}, el("a", {"href": f"#{part.id}-notes"}, notes)))
        if self.doc.colophon:
            colophon = say(self.doc, "colophon")
            toc_items.append(el("li", {"lang": self.lang}, el("a", {"href": "#colophon-section"}, colophon)))
        cite = say(self.doc, "how_to_cite")
        toc_items.append(el("li", {"lang": self.lang}, el("a", {"href": "#cite"}, cite)))
        contents = say(self.doc, "contents")
        nav = el("nav", {"aria-label": contents, "lang": self.lang}, el("ul", None, toc_items))
        return el("header", {"class": "ak-header"}, statement, front, subtitle, note, nav)

    def footer(self) -> etree._Element:
        """The colophon and the citation block: editorial matter, apart from the text."""
        colophon: list[Any] = []
        for b in self.doc.colophon:
            if b.id == "colophon-cite":
                continue  # rendered below, from the same record and style, with its formatting kept
            colophon.append(self.block(b, self.lang))
        style = say(self.doc, "citation_style", title=self.inputs.style_title, name=self.inputs.style_name)
        cite = el(
            "section",
            {"id": "cite", "aria-labelledby": "cite-title"},
            el("h2", {"id": "cite-title"}, say(self.doc, "how_to_cite")),
            self.csl_entry(self.inputs.edition_entry_html),
            el("p", {"class": "ak-small"}, style),
        )
        if self.inputs.cited:
            cite.append(el("h3", None, say(self.doc, "cited_in_notes")))
        for record in self.inputs.cited:
            cite.append(self.csl_entry(self.inputs.cited_entries_html[record["id"]]))
        cite.append(el("h3", {"id": "downloads"}, say(self.doc, "citation_data")))
        cite.append(
            el(
                "ul",
                {"class": "downloads"},
                [
                    el("li", None, el("a", {"href": href, "type": media, "download": ""}, label))
                    for label, href, media in self.inputs.downloads
                ],
            )
        )
        section = el("section", {"id": "colophon-section", "aria-labelledby": "colophon"}, colophon)
        return el("footer", {"class": "ak-footer", "lang": self.lang}, section, cite)

    def page(self) -> etree._Element:
        """The whole <html> element."""
        ed = self.doc.edition
        paired = {p.id for pair in self.doc.parallel_pairs() for p in pair}
        main_children: list[Any] = []
        for part in self.doc.parts:
            if part.id in paired:
                for first, second in self.doc.parallel_pairs():
                    if first.id == part.id:
                        main_children.append(self.parallel(first, second))
                continue
            main_children.append(self.article(part))
        main = el("main", {"id": "main", "tabindex": "-1"}, main_children)
        # The header is built after main, so the table of contents sees the notes' final ids.
        body = el(
            "body",
            None,
            el(
                "a",
                {"class": "skip-link ak-ui", "href": "#main", "lang": self.lang},
                say(self.doc, "skip_to_text"),
            ),
            self.header(),
            main,
            self.footer(),
        )
        return el("html", {"lang": ed.language, "dir": "ltr"}, self.head(), body)


def parallel_rows(doc: Document) -> int:
    """How many grid rows the widest parallel article needs (one per top-level block, one for notes)."""
    noted = {note.part_id for note in doc.notes.values()}
    rows = [
        max(len(a.blocks), len(b.blocks)) + (1 if {a.id, b.id} & noted else 0)
        for a, b in doc.parallel_pairs()
    ]
    return max(rows, default=1)


def render_page(doc: Document, inputs: PageInputs) -> str:
    """The page as an HTML5 string (UTF-8 text, doctype first, one trailing newline)."""
    return html_page(PageBuilder(doc, inputs).page())
