"""From the document model to flowables and structure elements, with a font for every character.

Each block becomes a TextBlock whose runs carry the structure element they belong to; the
elements are created here in reading order (front, parts, colophon), so the structure tree
reads each language whole even where the page sets Chinese and English side by side.
Every character is given the first font of its style that has a glyph for it; a character no
font has stops the build with its code point, the source file and the block.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import replace

from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import PageBreak
from reportlab.platypus.flowables import Flowable

from archivekit.errors import BuildError
from archivekit.model.document import (
    Block,
    BulletList,
    Document,
    Emphasis,
    Heading,
    Inline,
    LineBreak,
    MarkedList,
    NoteRef,
    Paragraph,
    Part,
    Span,
    Strong,
    Text,
    iter_blocks,
    iter_inlines,
    plain_text,
)
from archivekit.model.locale import join, message
from archivekit.model.metadata import creator_names
from archivekit.typeset import styles
from archivekit.typeset.flowables import (
    BlockSpec,
    Columns,
    Label,
    NoteBox,
    Outline,
    Recorder,
    TextBlock,
)
from archivekit.typeset.fonts import cjk_variant
from archivekit.typeset.linebreak import Run
from archivekit.typeset.styles import BlockStyle, Face
from archivekit.typeset.tagging import StructNode

BULLET = "•"
NOTE_MARK_SCALE = 0.62
NOTE_MARK_RISE = 0.42


# What the edition's PDFs draw besides its text: page numbers and ISO dates, the list bullet, and
# the words the print title page (writers/print_edition/titlepage.py) sets around the edition's
# metadata. They are kept here so that document_chars covers them: one character set for every
# PDF of the edition, so the print PDF finds the fonts the archival PDF prepared in the cache.
FURNITURE = "0123456789-" + BULLET
STATEMENT_JOIN = " / "
VERSION_JOIN = ", version "
# A marker longer than this many ems is set run-in (the text follows it on its first line, later
# lines return to the list's edge): a hanging indent as wide as 第一百二十三条 would leave a
# narrow column of text on an A5 page.
MAX_HANG_EMS = 4.5


def creators_line(doc: Document) -> str:
    """The edition's creators in order, their names as written, listed in the edition's own words."""
    ed = doc.edition
    return join(ed.editorial_language, creator_names(ed.creators))


def title_page_note(doc: Document) -> str:
    """The print title page's statement that it is editorial matter, in the edition's language."""
    return message(doc.edition.editorial_language, "title_page_note")


def _drawn(text: str) -> bool:
    """Whether a character is drawn with a glyph (control characters such as a newline are not)."""
    return unicodedata.category(text) != "Cc"


def document_chars(doc: Document) -> frozenset[int]:
    """Every character a PDF of the edition draws (letter, notes, editorial matter, title page)."""
    ed = doc.edition
    texts: list[str] = [FURNITURE, title_page_note(doc), STATEMENT_JOIN, VERSION_JOIN, ed.version]
    texts += [creators_line(doc), *(text for c in ed.creators for _, text in c.name.values)]
    texts += [text for field in (ed.title, ed.statement) for _, text in field.values]
    texts.append(ed.date.isoformat())
    blocks: list[Block] = list(doc.front) + list(doc.colophon)
    for part in doc.parts:
        blocks += list(part.blocks)
        if part.title is not None:
            blocks.append(part.title)
    for note in doc.notes.values():
        blocks += list(note.blocks)
        texts.append(note.label)
    for block in iter_blocks(blocks):
        if isinstance(block, Paragraph | Heading):
            texts.append(plain_text(block.inlines))
        if isinstance(block, Heading) and block.kicker:
            texts.append(plain_text(block.kicker))
        if isinstance(block, MarkedList):
            texts += [item.marker + item.separator for item in block.items]
    # Every drawn character, spaces of all widths included (the ideographic space U+3000 of a
    # Chinese law is a glyph of the CJK face); a newline is a line end, never a glyph.
    return frozenset(ord(c) for c in set("".join(texts)) if _drawn(c))


def document_langs(doc: Document) -> frozenset[str]:
    """Every language the edition's PDFs set text in (parts, spans, blocks, editorial matter)."""
    ed = doc.edition
    langs = {ed.language, ed.editorial_language, *ed.languages}
    blocks: list[Block] = list(doc.front) + list(doc.colophon)
    for part in doc.parts:
        langs.add(part.lang)
        blocks += list(part.blocks)
    for block in iter_blocks(blocks):
        lang = getattr(block, "lang", None)
        if lang:
            langs.add(lang)
        if isinstance(block, Paragraph | Heading):
            langs.update(i.lang for i in iter_inlines(block.inlines) if isinstance(i, Span) and i.lang)
    return frozenset(langs)


def _lang(node_lang: str | None, parent: StructNode, catalog: str) -> str | None:
    """The /Lang to write on a node: only where it differs from what it inherits."""
    if node_lang is None:
        return None
    inherited = parent.effective_lang() or catalog
    return node_lang if node_lang != inherited else None


class ContentBuilder:
    """Builds the story and the structure elements for one document."""

    def __init__(
        self,
        doc: Document,
        setter: Recorder,
        root: StructNode,
        width: float,
        sheet: styles.StyleSheet = styles.DESIGN,
        foot_room: float | None = None,
    ) -> None:
        self.doc = doc
        self.sheet = sheet
        self._faces: dict[tuple[str, ...], dict[str, str]] = {}  # chain -> char -> font, see _font_for
        # A note taller than this (points) is set in the flow after its block, not at a page foot.
        self.foot_room = foot_room
        self.flow_notes: list[Flowable] = []  # such notes, waiting for the end of their block
        self.setter = setter
        self.root = root
        self.width = width
        self.catalog = doc.edition.language
        self.source = ""  # the part file being built, for error messages

    # -- characters and fonts ---------------------------------------------------
    def _chain(self, chain: tuple[str, ...], tag: StructNode) -> tuple[str, ...]:
        """The chain with the CJK faces of the tag's language (Traditional Chinese, Japanese, Korean)."""
        return styles.localise(chain, cjk_variant(tag.effective_lang() or self.catalog))

    def _font_for(self, char: str, chain: tuple[str, ...], block_id: str) -> str:
        faces = self._faces.setdefault(chain, {})
        found = faces.get(char)
        if found is None:
            found = faces[char] = self._first_font(char, chain, block_id)
        return found

    def chars_by_font(self) -> dict[str, set[str]]:
        """The characters each font was chosen for so far (the story's, once it is made)."""
        found: dict[str, set[str]] = {}
        for faces in self._faces.values():
            for char, font in faces.items():
                found.setdefault(font, set()).add(char)
        return found

    def _first_font(self, char: str, chain: tuple[str, ...], block_id: str) -> str:
        code = ord(char)
        for name in chain:
            face = pdfmetrics.getFont(name).face
            if code in face.charToGlyph:
                return name
        if not _drawn(char):
            return chain[0]  # a line end: drawn as nothing, any font will do
        raise BuildError(
            f"no font has a glyph for U+{code:04X} {char!r} in block {block_id!r}",
            file=self.source or None,
            needle=char,
            hint="transcribe the character as the original shows it, or add a font that covers it "
            "to FONT_SOURCES in archivekit/typeset/fonts.py",
        )

    def _runs_for_text(
        self,
        text: str,
        chain: tuple[str, ...],
        size: float,
        rise: float,
        tag: StructNode,
        offset: int,
        block_id: str,
        attach: bool = False,
    ) -> list[Run]:
        runs: list[Run] = []
        start = 0
        current: str | None = None
        chain = self._chain(chain, tag)
        # Most texts are set in one font: told by their distinct characters, without a step per
        # character. A space takes the font of what precedes it, so only a leading one is asked.
        asked = set(text)
        if text[:1] != " ":
            asked.discard(" ")
        faces = self._faces.setdefault(chain, {})
        if not faces.keys() >= asked:
            for char in dict.fromkeys(text):  # in the text's order: an error names its first
                if char in asked:
                    self._font_for(char, chain, block_id)
        fonts = set(map(faces.__getitem__, asked))
        if len(fonts) == 1:
            return [Run(text, Face(fonts.pop(), size, rise), tag, offset, attach)]
        for index, char in enumerate(text):
            font = current if char == " " and current else faces[char]  # every one asked above
            if current is not None and font != current:
                runs.append(Run(text[start:index], Face(current, size, rise), tag, offset + start, attach))
                start = index
            current = font
        if current is not None and start < len(text):
            runs.append(
                Run(text[start:], Face(current, size, rise), tag, offset + start, attach and start == 0)
            )
        return runs

    def runs(
        self,
        inlines: Iterable[Inline],
        st: BlockStyle,
        tag: StructNode,
        block_id: str,
        offset: int = 0,
        chain: tuple[str, ...] | None = None,
    ) -> tuple[list[Run], int, list[tuple[int, str, StructNode]]]:
        """Runs for inlines; also the note marks met (offset, note id, Reference node)."""
        chain = chain or st.fonts
        out: list[Run] = []
        refs: list[tuple[int, str, StructNode]] = []
        for inline in inlines:
            match inline:
                case Text(text=text):
                    out += self._runs_for_text(text, chain, st.size, 0.0, tag, offset, block_id)
                    offset += len(text)
                case LineBreak():
                    # A hard break is drawn as a line end: the newline stays in the text run so
                    # extraction still separates the two lines.
                    out.append(Run("\n", Face(chain[0], st.size), tag, offset))
                    offset += 1
                case NoteRef(note_id=note_id, label=label):
                    ref = tag.child("Reference")
                    # The mark is also a link to its note: Reference > Link > (mark, link annotation).
                    link = ref.child("Link", link_to=note_id)
                    size = st.size * NOTE_MARK_SCALE
                    out += self._runs_for_text(
                        label, chain, size, st.size * NOTE_MARK_RISE, link, offset, block_id, attach=True
                    )
                    refs.append((offset, note_id, ref))
                    offset += len(label)
                case Span(children=children, lang=lang):
                    node = tag
                    sub_chain = chain
                    if lang:
                        node = tag.child("Span", lang=_lang(lang, tag, self.catalog))
                        if not styles.is_cjk(lang):
                            sub_chain = self.sheet.latin
                    more, offset, more_refs = self.runs(children, st, node, block_id, offset, sub_chain)
                    out += more
                    refs += more_refs
                case Strong(children=children):
                    more, offset, more_refs = self.runs(
                        children, st, tag, block_id, offset, st.bold_fonts or chain
                    )
                    out += more
                    refs += more_refs
                case Emphasis(children=children):
                    more, offset, more_refs = self.runs(
                        children, st, tag, block_id, offset, st.italic_fonts or st.bold_fonts or chain
                    )
                    out += more
                    refs += more_refs
        return out, offset, refs

    # -- blocks -----------------------------------------------------------------
    def text_block(
        self,
        node: StructNode,
        inlines: Iterable[Inline],
        st: BlockStyle,
        block_id: str,
        *,
        outline: Outline | None = None,
        label: Label | None = None,
        body: bool = True,
    ) -> TextBlock:
        """A TextBlock for inlines tagged as `node`, with its notes set up."""
        runs, _, refs = self.runs(inlines, st, node, block_id)
        notes: dict[int, NoteBox] = {}
        for offset, note_id, ref in refs:
            box = self.note_box(note_id, node)
            ref.follow = box.block.spec.label.node.parent if box.block.spec.label else None
            if self.foot_room is not None and box.height > self.foot_room:
                self.flow_notes += self._in_flow(box)
            else:
                notes[offset] = box
        spec = BlockSpec(block_id, st, tuple(runs), label=label, notes=notes, outline=outline, body=body)
        return TextBlock(spec, self.setter)

    def note_box(self, note_id: str, paragraph: StructNode) -> NoteBox:
        """The note, set at the text width; its Note element follows its reference in the tree."""
        note = self.doc.notes.get(note_id)
        if note is None:
            raise BuildError(f"note mark refers to a missing note {note_id!r}", file=self.source or None)
        note_node = paragraph.child("Note", elem_id=note.id)
        st = self.sheet.style("note", self._note_lang(note.part_id))
        lbl = note_node.child("Lbl")
        label = Label(
            note.label, Face(self._font_for(note.label[0], self._chain(st.fonts, lbl), note.id), st.size), lbl
        )
        # Every block of the note, in one TextBlock: each paragraph's runs carry its own P (list
        # items their L/LI/Lbl/LBody), and a line end between them, so a note of several
        # paragraphs or with a list is set whole and tagged whole.
        runs: list[Run] = []
        offset = 0
        for sub_node, inlines, run_on in self._note_parts(note.blocks, note_node):
            if runs and not run_on:
                runs.append(Run("\n", runs[-1].style, runs[-1].tag, offset))
                offset += 1
            more, offset, _ = self.runs(inlines, st, sub_node, note.id, offset)
            runs += more
        spec = BlockSpec(note.id, st, tuple(runs), label=label, body=False)
        block = TextBlock(spec, self.setter)
        block.wrap(self.width, 1e9)
        return NoteBox(note.id, block, block.height)

    def _in_flow(self, box: NoteBox) -> list[Flowable]:
        """A note set in the flow: its lines, set off by half a line each side, the target of its
        marks' links where the first is drawn; it runs on over as many pages as it needs."""
        spec = box.block.spec
        gap = spec.style.size / 2
        style = replace(spec.style, space_before=gap, space_after=gap)
        spaced = replace(spec, style=style, anchor=box.note_id)
        return [TextBlock(spaced, self.setter)]

    def _flush(self) -> list[Flowable]:
        """The notes in the flow called by the blocks made since the last call."""
        out, self.flow_notes = self.flow_notes, []
        return out

    def _note_parts(
        self, blocks: Iterable[Block], parent: StructNode
    ) -> list[tuple[StructNode, tuple[Inline, ...], bool]]:
        """(structure node, inlines, runs on from the part before) for each paragraph of a note's
        blocks, list markers as Lbl text that the item's text follows on the same line."""
        out: list[tuple[StructNode, tuple[Inline, ...], bool]] = []
        for blk in blocks:
            if isinstance(blk, Paragraph | Heading):
                node = parent.child("P", lang=_lang(blk.lang, parent, self.catalog))
                out.append((node, blk.inlines, False))
            elif isinstance(blk, MarkedList | BulletList):
                lnode = parent.child("L", attributes={"O": "List", "ListNumbering": "None"})
                # The markers are source text; PDF/UA-2 wants a numbering other than None with Lbl.
                lnode.pdf2["ListNumbering"] = "Ordered" if isinstance(blk, MarkedList) else "Unordered"
                items = (
                    [(item.marker + item.separator, item.blocks) for item in blk.items]
                    if isinstance(blk, MarkedList)
                    else [(BULLET + " ", item) for item in blk.items]
                )
                for marker, item_blocks in items:
                    li = lnode.child("LI")
                    out.append((li.child("Lbl"), (Text(marker),), False))
                    body = self._note_parts(item_blocks, li.child("LBody"))
                    if body:
                        node, inlines, _ = body[0]
                        out += [(node, inlines, True), *body[1:]]
        return out

    def block(self, blk: Block, parent: StructNode, lang: str, prefix: str) -> list[Flowable]:
        """Flowables for one model block under a structure node."""
        if isinstance(blk, Paragraph):
            st = self.sheet.style(prefix + (blk.role or "body"), blk.lang or lang)
            node = parent.child("P", lang=_lang(blk.lang, parent, self.catalog))
            return [self.text_block(node, blk.inlines, st, blk.id)]
        if isinstance(blk, Heading):
            return self.heading(blk, parent, lang)
        if isinstance(blk, BulletList):
            return self.bullet_list(blk, parent, lang)
        if isinstance(blk, MarkedList):
            return list(self.marked_list(blk, parent, lang, self.sheet.style(prefix + "body", lang)))
        raise BuildError(f"the PDF writer cannot set a {type(blk).__name__} block", file=self.source or None)

    def _note_lang(self, part_id: str) -> str:
        try:
            return self.doc.part(part_id).lang
        except KeyError:
            return self.catalog

    def _label(self, text: str, st: BlockStyle, node: StructNode, block_id: str, indent: float) -> Label:
        """A list marker as source text: one face per script it mixes ("(甲)", "第1条")."""
        runs = self._runs_for_text(text, st.fonts, st.size, 0.0, node, 0, block_id)
        parts = tuple((run.text, run.style) for run in runs)
        face = parts[0][1] if parts else Face(st.fonts[0], st.size)
        return Label(text, face, node, indent=indent, parts=parts)

    def marked_list(
        self, blk: MarkedList, parent: StructNode, lang: str, base: BlockStyle, edge: float = 0.0
    ) -> list[TextBlock]:
        """A list whose markers are source text: L > LI > (Lbl, LBody > P, L ...), nested to any depth.

        The markers hang in the indent: the list's markers start at `edge` (points from the text's
        left), its text at edge + the widest marker, so wrapped lines align with the text; a nested
        list's markers start where its item's text starts. The whitespace that followed a marker in
        the source is drawn after it in the Lbl, so text extraction reads "1. To declare".
        """
        lnode = parent.child("L", attributes={"O": "List", "ListNumbering": "None"})
        lnode.pdf2["ListNumbering"] = "Ordered"  # markers are source text; UA-2 wants no None with Lbl
        items = []
        for item in blk.items:
            li = lnode.child("LI")
            lbl = li.child("Lbl")
            label = self._label(item.marker + item.separator, base, lbl, blk.id, edge)
            items.append((item, li, label))
        widths = [label.width() for _, _, label in items]
        hang = max(widths, default=0.0)
        run_in = hang > MAX_HANG_EMS * base.size
        out: list[TextBlock] = []
        text_edge = edge + (0.0 if run_in else hang)
        for item, li, label in items:
            body = li.child("LBody")
            for index, sub in enumerate(item.blocks):
                if isinstance(sub, MarkedList):
                    out += self.marked_list(
                        sub, body, lang, base, text_edge if not run_in else edge + 2 * base.size
                    )
                    continue
                if not isinstance(sub, Paragraph):
                    out += [f for f in self.block(sub, body, lang, "") if isinstance(f, TextBlock)]
                    continue
                first = index == 0
                st = replace(
                    base,
                    left_indent=edge if run_in else text_edge,
                    first_indent=(label.width() / base.size if run_in else 0.0) if first else 0.0,
                )
                if run_in and not first:
                    st = replace(st, left_indent=edge)
                node = body.child("P", lang=_lang(sub.lang, body, self.catalog))
                # A label drawn at the list's edge: relative to the block's own left indent.
                shown = replace(label, indent=edge) if first else None
                out.append(self.text_block(node, sub.inlines, st, sub.id, label=shown))
        return out

    def heading(
        self, blk: Heading, parent: StructNode, lang: str, *, editorial_style: str | None = None
    ) -> list[Flowable]:
        """A heading, with its kicker set above it as a paragraph of its own."""
        out: list[Flowable] = []
        eff = blk.lang or lang
        if blk.kicker:
            kicker = parent.child("P", lang=_lang(blk.lang, parent, self.catalog))
            kicker_block = self.text_block(kicker, blk.kicker, self.sheet.style("kicker", eff), blk.id)
            kicker_block.spec.start_words = plain_text(blk.inlines)
            out.append(kicker_block)
        level = min(max(blk.level, 1), 6)
        node = parent.child(f"H{level}", lang=_lang(blk.lang, parent, self.catalog))
        if blk.editorial:
            node.title = "editorial: added by this edition"
        st = self.sheet[editorial_style] if editorial_style else self.sheet.style(f"h{min(level, 2)}", eff)
        outline = Outline(level, plain_text(blk.inlines, note_labels=False))
        out.append(self.text_block(node, blk.inlines, st, blk.id, outline=outline))
        return out

    def bullet_list(self, blk: BulletList, parent: StructNode, lang: str) -> list[Flowable]:
        """A list: L > LI > (Lbl, LBody > P), the bullet in the hanging indent."""
        lnode = parent.child("L", attributes={"O": "List", "ListNumbering": "Disc"})
        body_style = self.sheet.style("body", lang)
        st = replace(body_style, left_indent=2 * body_style.size, first_indent=0.0)
        out: list[Flowable] = []
        for item in blk.items:
            li = lnode.child("LI")
            lbl = li.child("Lbl")
            body = li.child("LBody")
            for index, sub in enumerate(item):
                if not isinstance(sub, Paragraph):
                    out += self.block(sub, body, lang, "")
                    continue
                label = None
                if index == 0:
                    label = Label(
                        BULLET, Face(self._font_for(BULLET, self._chain(st.fonts, lbl), sub.id), st.size), lbl
                    )
                node = body.child("P", lang=_lang(sub.lang, body, self.catalog))
                out.append(self.text_block(node, sub.inlines, st, sub.id, label=label))
        return out

    # -- the whole document -----------------------------------------------------
    def part_node(self, part: Part) -> StructNode:
        node = self.root.child("Part", lang=_lang(part.lang, self.root, self.catalog))
        node.title = part.id
        node.attach()
        return node

    def story(self) -> list[Flowable]:
        """Every flowable of the document in reading order, the structure tree built alongside."""
        story: list[Flowable] = []
        if self.doc.front:
            front = self.root.child("Sect")
            front.title = "editorial: title of this edition"
            front.attach()
            for blk in self.doc.front:
                if isinstance(blk, Heading):
                    story += self.heading(blk, front, self.catalog, editorial_style="ed-title")
                else:
                    story += self.block(blk, front, self.catalog, "ed-")
                story += self._flush()
            if self.doc.edition.settings.title_page:
                story.append(PageBreak())
        # Only pairs whose blocks align row by row are set side by side; the others follow each
        # other, each whole (skipping the second part of an unaligned pair would lose its text).
        pairs = {a.id: b for a, b in self.doc.parallel_pairs() if self._aligned(a, b)}
        paired = {b.id for b in pairs.values()}
        started = False  # a part has been set: a parallel pair then starts on a new page
        for part in self.doc.parts:
            if part.id in paired:
                continue
            self.source = part.source
            if part.id in pairs:
                if started:
                    story.append(PageBreak())
                story += self.parallel(part, pairs[part.id])
                started = True
                continue
            started = True
            node = self.part_node(part)
            if part.title is not None:
                story += self.heading(part.title, node, part.lang, editorial_style="ed-part-title")
                story += self._flush()
            for blk in part.blocks:
                story += self.block(blk, node, part.lang, "")
                story += self._flush()
        self.source = ""
        if self.doc.colophon:
            story.append(PageBreak())
            sect = self.root.child("Sect", lang=None)
            sect.title = "editorial: colophon of this edition"
            sect.pdf2["role"] = "Aside"  # matter beside the work, not part of it
            sect.attach()
            for blk in self.doc.colophon:
                if isinstance(blk, Heading):
                    story += self.heading(blk, sect, blk.lang or self.catalog, editorial_style="ed-h2")
                elif isinstance(blk, Paragraph):
                    eff = blk.lang or self.catalog
                    st = self.sheet["ed-body-zh" if styles.is_cjk(eff) else "ed-body"]
                    node = sect.child("P", lang=_lang(blk.lang, sect, self.catalog))
                    story.append(self.text_block(node, blk.inlines, st, blk.id))
                else:
                    story += self.block(blk, sect, self.catalog, "ed-")
                story += self._flush()
        return story

    @staticmethod
    def _aligned(zh: Part, en: Part) -> bool:
        return len(zh.blocks) == len(en.blocks)

    def parallel(self, zh: Part, en: Part) -> list[Flowable]:
        """The two statements side by side, row by row; each part's elements stay in their own subtree."""
        zh_node = self.part_node(zh)
        en_node = self.part_node(en)
        rows: list[Flowable] = []
        for zb, eb in zip(zh.blocks, en.blocks, strict=True):
            self.source = zh.source
            left = self._column_block(zb, zh_node, zh.lang)
            self.source = en.source
            right = self._column_block(eb, en_node, en.lang)
            rows.append(Columns(left, right, styles.ZH_COLUMN_SHARE, styles.COLUMN_GUTTER))
            rows += self._flush()
        return rows

    def _column_block(self, blk: Block, parent: StructNode, lang: str) -> list[TextBlock]:
        if isinstance(blk, Paragraph) and blk.role is None:
            node = parent.child("P", lang=_lang(blk.lang, parent, self.catalog))
            return [self.text_block(node, blk.inlines, self.sheet.style("col", blk.lang or lang), blk.id)]
        if isinstance(blk, MarkedList):
            return self.marked_list(blk, parent, lang, self.sheet.style("col", lang))
        return [f for f in self.block(blk, parent, lang, "") if isinstance(f, TextBlock)]
