"""Pandoc AST -> model blocks for one part, refusing anything an archival edition cannot carry safely.

Supported: paragraphs, level-2+ headings, bullet lists, marked lists (`::: list`: items that start
with the source's own markers, any depth), footnotes, pandoc citations `[@key, p. 12]`, spans with
`lang`, emphasis, and fenced divs that say what a paragraph is (dateline, salutation, closing,
signature, kicker). Raw HTML, links, images, code and tables are refused with a message that says
where. docs/authoring.md shows every construct.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archivekit.errors import SourceError
from archivekit.ingest.files import line_of
from archivekit.ingest.langtags import HINT as LANG_HINT
from archivekit.ingest.langtags import tag_problem
from archivekit.model import (
    Block,
    BulletList,
    Citation,
    Emphasis,
    Heading,
    Inline,
    LineBreak,
    MarkedItem,
    MarkedList,
    Note,
    NoteRef,
    Paragraph,
    Span,
    Strong,
    Text,
)

PARAGRAPH_ROLES = ("dateline", "salutation", "closing", "signature", "kicker")
LIST_CLASS = "list"
ITEM_CLASS = "item"
MARKER_CLASS = "marker"
MAX_DEPTH = 8  # lists and spans nested deeper than this are a mistake, and would overflow writers
CITATION_CLASS = "citation"
LOCATOR_ATTRIBUTES = ("chapter", "page", "paragraph", "section", "line", "note")

MAX_BRACKETS = 4  # a note mark inside a span inside a span is 3; pandoc slows exponentially past ~8

# Unescaped (no backslash before): an HTML tag, comment, declaration or processing instruction, or
# an autolink <scheme:...>; `](` or `]:` opening a link target or reference definition.
_RAW_MARKUP = re.compile(r"(?<!\\)<(?:/?[A-Za-z][A-Za-z0-9-]*(?=[\s/>])|/?[A-Za-z][A-Za-z0-9+.-]*:|!|\?)")
_LINK_TARGET = re.compile(r"(?<!\\)\]\(|^ {0,3}\[(?!\^)[^\]]+\]:")
_BRACKET = re.compile(r"(?<!\\)[\[\]]")

# A line that starts with digits and `.` or `)` would become a generated numbered list, which
# renumbers what it reads; escaping the delimiter keeps every character as text.
_NUMBER_AT_LINE_START = re.compile(
    r"^([ \t]*(?:\[\^[^\]\s]+\]:[ \t]*)?[0-9]{1,9})([.)])(?=[ \t]|$)", re.MULTILINE
)

# Markers of marked-list items, as sources write them: 1. 1) (1) 1.2.3 a. (a) iv. (甲) （一） 一、 第一条 §3.
_MARKER = re.compile(
    r"""(?:
        [0-9]+(?:\.[0-9]+)+\.?               # 1.2 1.2.3.
      | [(（]?[0-9０-９]{1,4}[.)．、）]         # 1. 1) (1) 1、 （1）
      | [(（][^()（）\s]{1,8}[)）]             # (a) (iv) (甲) （一）
      | [a-zA-Z][.)]                          # a. a)
      | [ivxlcdmIVXLCDM]{1,8}[.)]             # iv. IV)
      | [一二三四五六七八九十百千零〇]{1,6}[、．.]  # 一、
      | 第[一二三四五六七八九十百千零〇0-9]{1,8}[条條款项項章节節编編篇部]  # 第一条
      | §{1,2}[ \u00a0]?[0-9]+[a-z]?\.?      # § 3
      | [•◦▪‣·–—*]                            # a bullet the source itself prints
    )""",
    re.VERBOSE,
)


def escape_line_numbers(text: str) -> str:
    """The part with `1.` / `1)` at line starts escaped, so pandoc reads them as text, not list markers."""
    return _NUMBER_AT_LINE_START.sub(r"\1\\\2", text)


def split_marker(text: str) -> tuple[str, str] | None:
    """(marker, separator) when `text` starts with a list marker followed by a space or CJK text."""
    found = _MARKER.match(text)
    if not found:
        return None
    rest = text[found.end() :]
    separator = rest[: len(rest) - len(rest.lstrip(" \t\u00a0\u3000"))]
    if not separator and rest and rest[0].isascii() and rest[0].isalnum():
        return None  # "a.m." or "1.5": a word, not a marker
    return found.group(), separator


NOTE_REF = re.compile(r"\[\^([^\]\s]+)\](?!:)")
NOTE_DEF = re.compile(r"^\[\^([^\]\s]+)\]:", re.MULTILINE)

_UNSUPPORTED = {
    "RawBlock": (
        "raw HTML or other raw markup",
        "write the text as plain Markdown; raw markup is never copied",
    ),
    "RawInline": (
        "raw HTML or other raw markup",
        "write the text as plain Markdown; raw markup is never copied",
    ),
    "Link": ("a link", "write the address as plain text; editions carry no active links from sources"),
    "Image": ("an image", "editions of this text carry no images; remove it"),
    "CodeBlock": ("a code block", "remove the indentation or fences"),
    "Code": ("inline code", "remove the backticks"),
    "Table": ("a table", "tables are not supported in archival parts"),
    "OrderedList": (
        "a generated numbered list",
        "put the items in a `::: list` div, each starting with its marker as written",
    ),
    "BlockQuote": ("a block quote", "remove the `>` marks"),
    "HorizontalRule": ("a horizontal rule", "remove the line of dashes or stars"),
    "DefinitionList": ("a definition list", "not supported"),
    "LineBlock": ("a line block", "remove the `|` marks"),
    "Figure": ("a figure", "not supported"),
    "Math": ("math", "not supported"),
    "Quoted": ("smart quotes", "type the quotation marks themselves"),
}


@dataclass
class _Context:
    """State while converting one part."""

    source: Path
    text: str
    part_id: str
    known_keys: set[str]
    notes: dict[str, Note]
    note_counter: list[int]
    counter: int = 0
    list_depth: int = 0
    citations: list[Citation] = field(default_factory=list)
    bibliography: dict[str, dict[str, Any]] = field(default_factory=dict)

    def next_id(self) -> str:
        self.counter += 1
        return f"{self.part_id}-{self.counter}"

    def error(self, message: str, node: Any = None, *, hint: str, needle: str | None = None) -> SourceError:
        line = line_of(self.text, needle) if needle else _locate(self.text, node)
        return SourceError(message, file=self.source, line=line, hint=hint)


def check_markup(text: str, source: Path) -> None:
    """Refuse, before pandoc sees them, the constructs that are never allowed and that can stall its parser.

    pandoc's Markdown reader takes exponential time on deeply nested or unclosed brackets and on
    long runs of HTML tags or link openings; a hostile part could hold a build for hours. These
    are refused here by line, cheaply; pandoc's own time limit is only the last stop.
    """
    # Each pattern needs its literal characters: a text without them is skipped at C speed.
    lines = text.split("\n") if "<" in text or "](" in text or "]:" in text else []
    for number, line in enumerate(lines, start=1):
        found = _RAW_MARKUP.search(line)
        if found:
            raise SourceError(
                f"raw HTML or other raw markup ({found.group()!r}) is not allowed in an archival source",
                file=source,
                line=number,
                hint="write the text as plain Markdown; for a literal < write \\<",
            )
        found = _LINK_TARGET.search(line)
        if found:
            raise SourceError(
                "a link or image is not allowed in an archival source",
                file=source,
                line=number,
                hint="write the address as plain text; for a literal ]( write \\](",
            )
    depth, start = 0, 1
    note_from = 0  # the line an inline note `^[` still open began on (0: none open)
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            _refuse_open_note(note_from, source)
            depth, note_from = 0, 0  # brackets never span paragraphs
            continue
        for match in _BRACKET.finditer(line):
            depth = depth + 1 if match.group() == "[" else max(0, depth - 1)
            if depth == 1 and match.group() == "[":
                start = number
                note_from = number if line[: match.start()].endswith("^") else 0
            if depth == 0:
                note_from = 0
            if depth > MAX_BRACKETS:
                raise SourceError(
                    f"square brackets open more than {MAX_BRACKETS} deep (from line {start})",
                    file=source,
                    line=number,
                    hint="close the brackets; write literal ones as \\[ and \\]",
                )
        if _OPEN_ATTRIBUTES.search(line):
            # pandoc would print `[words]{lang=de words` as it stands: markup, not the original's text.
            raise SourceError(
                "attributes `]{` opened and never closed on this line",
                file=source,
                line=number,
                hint="close them with } (e.g. [Wort]{lang=de}), or write \\{ for a brace of the original",
            )
    _refuse_open_note(note_from, source)


_OPEN_ATTRIBUTES = re.compile(r"(?<!\\)\]\{[^}]*$")


def _refuse_open_note(line: int, source: Path) -> None:
    """An inline note `^[` still open at its paragraph's end would be printed as text, `^[` and all."""
    if line:
        raise SourceError(
            "an inline note `^[` is never closed",
            file=source,
            line=line,
            hint="close it with ] where the note ends, or write \\^\\[ for the characters of the original",
        )


FENCE = re.compile(r"^ {0,3}(:{3,})\s*(\S.*)?$")


def check_note_places(text: str, source: Path) -> None:
    """A note's text (`[^x]: ...`) stands outside every `::: list`.

    Inside a list the definition would read as an item's paragraph to the author but vanish from
    the list for pandoc, so where the note's words belong is ambiguous: it is refused, by line.
    A note *mark* inside an item is fine.
    """
    open_fences: list[bool] = []  # for each open fenced div: is it a list or an item of one?
    for number, line in enumerate(text.split("\n"), start=1):
        fence = FENCE.match(line)
        if fence:
            attrs = (fence.group(2) or "").strip()
            if attrs:
                open_fences.append(attrs.strip("{}. ") in (LIST_CLASS, ITEM_CLASS))
            elif open_fences:
                open_fences.pop()
            continue
        if any(open_fences) and NOTE_DEF.match(line):
            raise SourceError(
                "a note's text inside a `::: list`",
                file=source,
                line=number,
                hint="keep the note mark [^x] in the item and move the `[^x]: ...` line after the "
                "list's closing `:::`, e.g. at the end of the part",
            )


def check_note_markers(text: str, source: Path) -> None:
    """Every `[^x]` reference has a definition and every definition is referenced, exactly once."""
    # Offsets, not line numbers: a line is counted only for the message (counting each time made a
    # long part's check quadratic).
    defs: dict[str, int] = {}
    for match in NOTE_DEF.finditer(text):
        label = match.group(1)
        if label in defs:
            raise SourceError(
                f"note [^{label}] is defined twice (first on line {_line_at(text, defs[label])})",
                file=source,
                line=_line_at(text, match.start()),
                hint="give each note its own label",
            )
        defs[label] = match.start()
    referenced: dict[str, int] = {}
    for match in NOTE_REF.finditer(text):
        label = match.group(1)
        if label not in defs:
            raise SourceError(
                f"note reference [^{label}] has no note",
                file=source,
                line=_line_at(text, match.start()),
                hint=f"add a line `[^{label}]: ...` with the note's text, or remove the reference",
            )
        if label in referenced:
            # pandoc would print the note's text once for each mark: words the original has once.
            raise SourceError(
                f"note [^{label}] is referenced twice (first on line {_line_at(text, referenced[label])})",
                file=source,
                line=_line_at(text, match.start()),
                hint="a note mark stands once; where the original prints the same note at two marks, "
                "give the second mark a note of its own with that text",
            )
        referenced[label] = match.start()
    for label, offset in defs.items():
        if label not in referenced:
            raise SourceError(
                f"note [^{label}] is never referenced in the text",
                file=source,
                line=_line_at(text, offset),
                hint=f"put [^{label}] where the note mark stands in the text, or delete the note",
            )


def _line_at(text: str, offset: int) -> int:
    """The line (from 1) of the character at this offset."""
    return text.count("\n", 0, offset) + 1


def convert_part(
    ast: dict[str, Any],
    *,
    source: Path,
    text: str,
    part_id: str,
    known_keys: set[str],
    notes: dict[str, Note],
    note_counter: list[int],
    bibliography: tuple[dict[str, Any], ...] = (),
) -> tuple[Block, ...]:
    """The model blocks of one part's pandoc AST; notes found are added to `notes`."""
    ctx = _Context(source, text, part_id, known_keys, notes, note_counter)
    ctx.bibliography = {item["id"]: item for item in bibliography}
    blocks = _blocks(ast["blocks"], ctx, depth=0)
    return _attach_kickers(blocks, ctx)


def _blocks(
    nodes: list[dict[str, Any]], ctx: _Context, *, depth: int, role: str | None = None
) -> list[Block]:
    if depth > MAX_DEPTH:
        raise ctx.error(
            f"structure nested more than {MAX_DEPTH} levels deep",
            nodes[0] if nodes else None,
            hint="flatten the nested lists",
        )
    out: list[Block] = []
    for node in nodes:
        handler = _BLOCK_HANDLERS.get(node["t"])
        if handler is None:
            raise _refusal(node, ctx)
        out.extend(handler(node, ctx, depth, role))
    return out


def _refusal(node: dict[str, Any], ctx: _Context) -> SourceError:
    """The located error for a pandoc node the archival format does not hold."""
    kind = node["t"]
    if kind in _UNSUPPORTED:
        what, hint = _UNSUPPORTED[kind]
        return ctx.error(f"{what} is not allowed in an archival source", node, hint=hint)
    return ctx.error(f"unsupported Markdown element ({kind})", node, hint="remove the markup")


def _paragraph(node: dict[str, Any], ctx: _Context, depth: int, role: str | None) -> list[Block]:
    return [Paragraph(ctx.next_id(), _inlines(node["c"], ctx, depth=depth), role=role)]


def _heading(node: dict[str, Any], ctx: _Context, depth: int, role: str | None) -> list[Block]:
    level, _, content = node["c"]
    if level < 2:
        raise ctx.error(
            "a level-1 heading in a part",
            node,
            hint="use `##`: level 1 is the edition's own title",
        )
    return [Heading(ctx.next_id(), level, _inlines(content, ctx, depth=depth))]


def _bullet_list(node: dict[str, Any], ctx: _Context, depth: int, role: str | None) -> list[Block]:
    items = tuple(tuple(_blocks(item, ctx, depth=depth + 1)) for item in node["c"])
    return [BulletList(ctx.next_id(), items)]


def _div(node: dict[str, Any], ctx: _Context, depth: int, role: str | None) -> list[Block]:
    """A fenced div: a marked list, or one paragraph marked with its role (dateline, kicker...)."""
    (_, classes, attrs), content = node["c"]
    if classes == [LIST_CLASS] and not attrs:
        return [_marked_list(node, ctx, depth=depth)]
    if attrs or len(classes) != 1 or classes[0] not in PARAGRAPH_ROLES:
        raise ctx.error(
            f"a fenced div with classes {classes} and attributes {attrs}",
            node,
            hint=f"fenced divs mark what a paragraph is ({', '.join(PARAGRAPH_ROLES)}) "
            f"or hold a marked list (`::: {LIST_CLASS}`)",
        )
    inner = _blocks(content, ctx, depth=depth + 1, role=classes[0])
    if len(inner) != 1 or not isinstance(inner[0], Paragraph):
        raise ctx.error(
            f"a `{classes[0]}` div must hold exactly one paragraph",
            node,
            hint="put one paragraph between the `:::` lines",
        )
    return inner


BlockHandler = Callable[[dict[str, Any], _Context, int, "str | None"], list[Block]]
# pandoc block node type -> its conversion; any other type is refused by _refusal.
_BLOCK_HANDLERS: dict[str, BlockHandler] = {
    "Para": _paragraph,
    "Plain": _paragraph,
    "Header": _heading,
    "BulletList": _bullet_list,
    "Div": _div,
}


def _marked_list(node: dict[str, Any], ctx: _Context, *, depth: int) -> MarkedList:
    """A `::: list` div: each paragraph an item that starts with its marker; nested lists follow items.

    An item of several paragraphs (an article with further clauses) is a `::: item` div: its first
    paragraph starts with the marker, the paragraphs and lists after it belong to the same item.
    """
    ctx.list_depth += 1
    try:
        list_id = ctx.next_id()
        items: list[MarkedItem] = []
        for child in node["c"][1]:
            if child["t"] == "Div" and child["c"][0][1] == [ITEM_CLASS] and not child["c"][0][2]:
                items.append(_item_div(child, ctx, depth=depth + 1))
                continue
            for block in _blocks([child], ctx, depth=depth + 1):
                if isinstance(block, MarkedList):
                    if not items:
                        raise ctx.error(
                            "a nested list must follow the item it belongs to",
                            child,
                            hint="put the item's paragraph (with its marker) before the inner `::: list`",
                        )
                    last = items[-1]
                    items[-1] = MarkedItem(last.marker, (*last.blocks, block), last.separator)
                elif isinstance(block, Paragraph) and block.role is None:
                    items.append(_item(block, ctx))
                else:
                    raise ctx.error(
                        "a marked list holds only items (paragraphs starting with their marker) and lists",
                        child,
                        hint="close the `::: list` before it and open one after it, or put an item of "
                        "several paragraphs in a `::: item` div",
                    )
        if not items:
            raise ctx.error("an empty `::: list`", node, hint="put the items inside, or remove the div")
        return MarkedList(list_id, tuple(items), depth=ctx.list_depth)
    finally:
        ctx.list_depth -= 1


def _item_div(node: dict[str, Any], ctx: _Context, *, depth: int) -> MarkedItem:
    """A `::: item` div: the marked first paragraph, then the item's further paragraphs and lists."""
    blocks = _blocks(node["c"][1], ctx, depth=depth)
    first = blocks[0] if blocks else None
    if not isinstance(first, Paragraph) or first.role is not None:
        raise ctx.error(
            "a `::: item` must start with the paragraph that carries its marker",
            node,
            hint="put the item's marked paragraph first inside the `::: item` div",
        )
    for block in blocks[1:]:
        if not isinstance(block, Paragraph | MarkedList | BulletList) or (
            isinstance(block, Paragraph) and block.role is not None
        ):
            raise ctx.error(
                "a `::: item` holds paragraphs and lists only",
                node,
                hint="move the heading or marked paragraph out of the item",
            )
    head = _item(first, ctx)
    return MarkedItem(head.marker, (*head.blocks, *blocks[1:]), head.separator)


def _item(paragraph: Paragraph, ctx: _Context) -> MarkedItem:
    """A list item from its paragraph: the leading marker (or `[marker]{.marker}` span) split off."""
    inlines = paragraph.inlines
    first = inlines[0] if inlines else None
    if isinstance(first, Span) and MARKER_CLASS in first.classes:
        rest = inlines[1:]
        marker = "".join(child.text for child in first.children if isinstance(child, Text))
        separator = ""
        if rest and isinstance(rest[0], Text):
            stripped = rest[0].text.lstrip(" \t\u00a0\u3000")
            separator = rest[0].text[: len(rest[0].text) - len(stripped)]
            rest = ((Text(stripped),) if stripped else ()) + rest[1:]
        return MarkedItem(marker, (Paragraph(paragraph.id, rest, lang=paragraph.lang),), separator)
    split = split_marker(first.text) if isinstance(first, Text) else None
    if split is None:
        raise ctx.error(
            "a paragraph in a `::: list` does not start with a list marker",
            needle=_first_text(inlines),
            hint="start each item with its marker as the source writes it (1. (a) （一） 一、 第一条), "
            "wrap an unusual marker as [marker]{.marker}, or move the paragraph out of the list "
            "(if the list should have ended before it, its closing ::: is missing)",
        )
    marker, separator = split
    assert isinstance(first, Text)
    rest_text = first.text[len(marker) + len(separator) :]
    rest = ((Text(rest_text),) if rest_text else ()) + inlines[1:]
    return MarkedItem(marker, (Paragraph(paragraph.id, rest, lang=paragraph.lang),), separator)


def _attach_kickers(blocks: list[Block], ctx: _Context) -> tuple[Block, ...]:
    """A kicker paragraph directly before a heading becomes that heading's kicker."""
    out: list[Block] = []
    for block in blocks:
        previous = out[-1] if out else None
        kicker = previous if isinstance(previous, Paragraph) and previous.role == "kicker" else None
        if isinstance(block, Heading) and kicker is not None:
            out.pop()
            block = Heading(block.id, block.level, block.inlines, kicker=kicker.inlines)
        elif kicker is not None:
            raise ctx.error(
                "a kicker must stand directly before a heading",
                needle=_first_text(kicker.inlines),
                hint="move the `::: kicker` block right above its `##` heading",
            )
        out.append(block)
    if out and isinstance(out[-1], Paragraph) and out[-1].role == "kicker":
        raise ctx.error(
            "a kicker must stand directly before a heading",
            needle=_first_text(out[-1].inlines),
            hint="move the `::: kicker` block right above its `##` heading",
        )
    return tuple(out)


def _inlines(nodes: list[dict[str, Any]], ctx: _Context, *, depth: int) -> tuple[Inline, ...]:
    if depth > MAX_DEPTH:
        raise ctx.error(
            f"inline markup nested more than {MAX_DEPTH} levels deep", nodes[0], hint="simplify it"
        )
    out: list[Inline] = []
    for node in nodes:
        handler = _INLINE_HANDLERS.get(node["t"])
        if handler is None:
            raise _refusal(node, ctx)
        out.append(handler(node, ctx, depth))
    return _merge_text(out)


InlineHandler = Callable[[dict[str, Any], _Context, int], Inline]
# pandoc inline node type -> its conversion; any other type is refused by _refusal.
_INLINE_HANDLERS: dict[str, InlineHandler] = {
    "Str": lambda node, ctx, depth: Text(node["c"]),
    "Space": lambda node, ctx, depth: Text(" "),
    "SoftBreak": lambda node, ctx, depth: Text(" "),
    "LineBreak": lambda node, ctx, depth: LineBreak(),
    "Emph": lambda node, ctx, depth: Emphasis(_inlines(node["c"], ctx, depth=depth + 1)),
    "Strong": lambda node, ctx, depth: Strong(_inlines(node["c"], ctx, depth=depth + 1)),
    "Span": lambda node, ctx, depth: _span(node, ctx, depth=depth),
    "Note": lambda node, ctx, depth: _note(node, ctx, depth=depth),
    "Cite": lambda node, ctx, depth: _cite(node, ctx, depth=depth),
}


def _span(node: dict[str, Any], ctx: _Context, *, depth: int) -> Inline:
    (ident, classes, attrs), content = node["c"]
    attrs = dict(attrs)
    children = _inlines(content, ctx, depth=depth + 1)
    if CITATION_CLASS in classes:
        key = attrs.pop("cite-key", None)
        if not key:
            raise ctx.error(
                "a .citation span without cite-key", node, hint='add cite-key="<id in bibliography>"'
            )
        if key not in ctx.known_keys:
            raise ctx.error(
                f"cite key {key!r} is not in the bibliography",
                needle=f'cite-key="{key}"',
                hint="add a CSL-JSON record with that id to the bibliography, or correct the key",
            )
        locators = tuple((name, attrs.pop(name)) for name in LOCATOR_ATTRIBUTES if name in attrs)
        if attrs:
            raise ctx.error(
                f"unknown citation attributes {sorted(attrs)}",
                needle=f'cite-key="{key}"',
                hint=f"use cite-key and locators among {', '.join(LOCATOR_ATTRIBUTES)}",
            )
        ctx.citations.append(Citation(key, locators))
        return Span(children, classes=(CITATION_CLASS,))
    lang = attrs.pop("lang", None)
    if attrs or ident:
        raise ctx.error(
            f"span attributes {sorted(attrs) or [ident]} are not supported",
            node,
            hint="spans may carry only lang=... or the .citation class",
        )
    problem = tag_problem(lang) if lang is not None else None
    if problem:
        raise ctx.error(problem, node, hint=LANG_HINT)
    return Span(children, lang=lang, classes=tuple(classes))


_LOCATOR = re.compile(
    r"(?P<label>pp|p|pages?|paras|para|paragraphs?|¶|chap|ch|chapters?|sec|sections?|§|lines?|l|notes?|n)"
    r"\.?\s*(?P<value>[0-9A-Za-z]+(?:[-–][0-9A-Za-z]+)?)"
)
# pandoc's locator abbreviations -> CSL locator labels
_LOCATOR_LABELS = {"p": "page", "pp": "page", "pages": "page", "para": "paragraph", "paras": "paragraph",
                   "paragraphs": "paragraph", "¶": "paragraph", "ch": "chapter", "chap": "chapter",
                   "chapters": "chapter", "sec": "section", "§": "section", "sections": "section",
                   "l": "line", "lines": "line", "n": "note", "notes": "note"}  # fmt: skip


def _locators(suffix: tuple[Inline, ...]) -> tuple[tuple[str, str], ...]:
    """CSL locators named in a citation's suffix (", p. 12", "¶ 2")."""
    text = "".join(inline.text for inline in suffix if isinstance(inline, Text))
    return tuple(
        (_LOCATOR_LABELS.get(found.group("label"), found.group("label")), found.group("value"))
        for found in _LOCATOR.finditer(text)
    )


def _cite(node: dict[str, Any], ctx: _Context, *, depth: int) -> Inline:
    """A pandoc citation `[@key, p. 12]`: the reference formatted from the bibliography, the author's
    prefix and suffix kept as written, and a Citation for the metadata; an unknown key is refused."""
    from archivekit.model.citation import format_bibliography

    citations, _ = node["c"]
    out: list[Inline] = []
    for index, cite in enumerate(citations):
        key = cite["citationId"]
        if key not in ctx.bibliography:
            raise ctx.error(
                f"citation @{key} names no entry of the bibliography",
                needle=f"@{key}",
                hint="add a CSL-JSON record with that id to bibliography.json, correct the key, "
                "or write a literal @ as \\@",
            )
        prefix = _inlines(cite["citationPrefix"], ctx, depth=depth + 1)
        suffix = _inlines(cite["citationSuffix"], ctx, depth=depth + 1)
        reference = format_bibliography(ctx.bibliography[key]).rstrip(".")
        ctx.citations.append(Citation(key, _locators(suffix)))
        if index:
            out.append(Text("; "))
        children = _merge_text([*prefix, *((Text(" "),) if prefix else ()), Text(reference), *suffix])
        out.append(Span(children, classes=(CITATION_CLASS,)))
    return out[0] if len(out) == 1 else Span(tuple(out))


def _note(node: dict[str, Any], ctx: _Context, *, depth: int) -> NoteRef:
    ctx.note_counter[0] += 1
    label = str(ctx.note_counter[0])
    note_id = f"note-{label}"
    before = len(ctx.citations)
    blocks = tuple(_blocks(node["c"], ctx, depth=depth + 1))
    found = ctx.citations[before:]
    del ctx.citations[before:]
    ctx.notes[note_id] = Note(note_id, label, blocks, ctx.part_id, citation=found[0] if found else None)
    return NoteRef(note_id, label)


def _merge_text(inlines: list[Inline]) -> tuple[Inline, ...]:
    """Adjacent Text runs joined, so writers see whole words and lines."""
    out: list[Inline] = []
    for inline in inlines:
        if isinstance(inline, Text) and out and isinstance(out[-1], Text):
            out[-1] = Text(out[-1].text + inline.text)
        else:
            out.append(inline)
    return tuple(out)


def _first_text(node: Any) -> str | None:
    """The first literal text inside an AST node or model inlines, to find its line in the source."""
    if isinstance(node, Text):
        return node.text
    if isinstance(node, dict):
        if node.get("t") == "Str":
            return node["c"]
        if node.get("t") in ("RawInline", "RawBlock", "CodeBlock", "Code"):
            return node["c"][1].strip().split("\n")[0]
        if node.get("t") in ("Link", "Image"):
            return node["c"][2][0]
        return _first_text(node.get("c"))
    if isinstance(node, list | tuple):
        for child in node:
            found = _first_text(child)
            if found:
                return found
    return None


def _first_words(node: Any, limit: int = 40) -> str:
    """The opening words of a node's first line of text ("A heading"), a sharper needle than one word."""
    words: list[str] = []

    def walk(item: Any) -> bool:  # True: stop
        if isinstance(item, dict):
            kind = item.get("t")
            if kind == "Str":
                words.append(item["c"])
            elif kind == "Space":
                words.append(" ")
            elif kind in ("SoftBreak", "LineBreak"):
                return bool(words)
            else:
                return walk(item.get("c"))
            return sum(map(len, words)) >= limit
        if isinstance(item, list | tuple):
            return any(walk(child) for child in item)
        return False

    walk(node)
    return "".join(words).strip()


def _locate(text: str, node: Any) -> int | None:
    for needle in (_first_words(node), _first_text(node)):
        line = line_of(text, needle) if needle else None
        if line:
            return line
    return None
