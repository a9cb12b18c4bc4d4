"""`archivekit import`: draft an edition from a document an archivist already has (DOCX, ODT, HTML, Markdown).

pandoc reads the file; this module turns what the source format allows into its archival form and
lists everything else instead of dropping it silently: images, tables, link targets, tracked
changes, comments, formatting the source format has no place for. Generated list numbers become
marker text, because that is what the reader of the original saw. pandoc writes the Markdown.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archivekit.ingest.pandoc_ast import ast_to_markdown, file_to_ast

Node = dict[str, Any]

_UNWRAPPED_INLINES = {
    "Strikeout": "strikeout formatting",
    "Superscript": "superscript formatting",
    "Subscript": "subscript formatting",
    "SmallCaps": "small capitals",
    "Underline": "underlining",
}
_DROPPED_BLOCKS = {
    "Table": "a table",
    "Figure": "a figure",
    "HorizontalRule": "a horizontal rule",
    "RawBlock": "raw markup",
}
_CHANGE_CLASSES = {"insertion", "deletion", "paragraph-insertion", "paragraph-deletion"}
_COMMENT_CLASSES = {"comment-start", "comment-end"}


@dataclass
class ImportReport:
    """What could not be carried over as it was, counted by kind, with examples."""

    counts: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)

    def note(self, what: str, example: str = "") -> None:
        self.counts[what] += 1
        if example and what not in self.examples:
            self.examples[what] = example[:80]

    def lines(self) -> list[str]:
        """One line per kind: count, kind, first example."""
        out = []
        for what, count in sorted(self.counts.items()):
            example = f" (first: {self.examples[what]!r})" if what in self.examples else ""
            out.append(f"{count} × {what}{example}")
        return out


@dataclass(frozen=True)
class Draft:
    """The drafted part's Markdown, the import report, and the original's sha256."""

    markdown: str
    report: ImportReport
    sha256: str


def draft_from_file(path: Path) -> Draft:
    """Read the file with pandoc and turn it into a part in the archival source format."""
    ast = file_to_ast(path)
    report = ImportReport()
    ast["blocks"] = _Converter(report).blocks(ast["blocks"])
    ast["meta"] = {}
    markdown = ast_to_markdown(ast, source=path)
    return Draft(markdown, report, hashlib.sha256(path.read_bytes()).hexdigest())


def _text(nodes: Any) -> str:
    """The plain characters inside AST nodes, for examples in the report."""
    if isinstance(nodes, dict):
        if nodes.get("t") == "Str":
            return str(nodes["c"])
        if nodes.get("t") in ("Space", "SoftBreak"):
            return " "
        return _text(nodes.get("c"))
    if isinstance(nodes, list):
        return "".join(_text(node) for node in nodes)
    return ""


def _marker(number: int, style: str, delim: str) -> str:
    """The marker a reader of the original saw for item `number` of an ordered list."""
    if style in ("LowerAlpha", "UpperAlpha"):
        body = chr(ord("a") + (number - 1) % 26)
        body = body.upper() if style == "UpperAlpha" else body
    elif style in ("LowerRoman", "UpperRoman"):
        body = _roman(number)
        body = body.upper() if style == "UpperRoman" else body
    else:
        body = str(number)
    return {"OneParen": f"{body})", "TwoParens": f"({body})"}.get(delim, f"{body}.")


_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"),
          (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))  # fmt: skip


def _roman(number: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while number >= value:
            out += letters
            number -= value
    return out


class _Converter:
    """Walks pandoc's AST once, keeping what the archival format holds and reporting the rest."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        self.block_handlers: dict[str, Callable[[Node], list[Node]]] = {
            "Para": self._para,
            "Plain": self._para,
            "Header": self._header,
            "BulletList": self._bullet_list,
            "OrderedList": self._ordered_list,
            "BlockQuote": self._unwrap_block("a block quote (its text kept as paragraphs)"),
            "Div": self._unwrap_block(""),
            "CodeBlock": self._code_block,
            "LineBlock": self._line_block,
            "DefinitionList": self._definition_list,
        }

    # Blocks -----------------------------------------------------------------------------------

    def blocks(self, nodes: list[Node]) -> list[Node]:
        out: list[Node] = []
        for node in nodes:
            kind = node["t"]
            if kind in _DROPPED_BLOCKS:
                self.report.note(f"{_DROPPED_BLOCKS[kind]} not carried over", _text(node))
            elif kind in self.block_handlers:
                out.extend(self.block_handlers[kind](node))
            else:
                self.report.note(f"{kind} not carried over", _text(node))
        return out

    def _para(self, node: Node) -> list[Node]:
        inlines = self.inlines(node["c"])
        return [{"t": "Para", "c": inlines}] if inlines else []

    def _header(self, node: Node) -> list[Node]:
        level, _, content = node["c"]
        # Level 1 is the edition's own title: the document's headings move one level down.
        return [{"t": "Header", "c": [min(level + 1, 6), ["", [], []], self.inlines(content)]}]

    def _bullet_list(self, node: Node) -> list[Node]:
        return [{"t": "BulletList", "c": [self.blocks(item) for item in node["c"]]}]

    def _ordered_list(self, node: Node) -> list[Node]:
        (start, style, delim), items = node["c"]
        self.report.note("generated list numbers written as marker text (check them against the original)")
        converted = []
        for index, item in enumerate(items):
            blocks = self.blocks(item)
            marker = {"t": "Str", "c": _marker(start + index, style["t"], delim["t"])}
            if blocks and blocks[0]["t"] == "Para":
                blocks[0] = {"t": "Para", "c": [marker, {"t": "Space"}, *blocks[0]["c"]]}
            else:
                blocks.insert(0, {"t": "Para", "c": [marker]})
            converted.extend(blocks)
        return [{"t": "Div", "c": [["", ["list"], []], converted]}]

    def _unwrap_block(self, what: str) -> Callable[[Node], list[Node]]:
        def unwrap(node: Node) -> list[Node]:
            if what:
                self.report.note(what, _text(node))
            content = node["c"][1] if node["t"] == "Div" else node["c"]
            return self.blocks(content)

        return unwrap

    def _code_block(self, node: Node) -> list[Node]:
        self.report.note("a code block (its text kept as a paragraph)", _text(node["c"][1]))
        lines = node["c"][1].split("\n")
        inlines: list[Node] = []
        for index, line in enumerate(lines):
            if index:
                inlines.append({"t": "LineBreak"})
            inlines.append({"t": "Str", "c": line})
        return [{"t": "Para", "c": inlines}]

    def _line_block(self, node: Node) -> list[Node]:
        inlines: list[Node] = []
        for index, line in enumerate(node["c"]):
            if index:
                inlines.append({"t": "LineBreak"})
            inlines.extend(self.inlines(line))
        return [{"t": "Para", "c": inlines}]

    def _definition_list(self, node: Node) -> list[Node]:
        self.report.note("a definition list (terms and definitions kept as paragraphs)", _text(node))
        out: list[Node] = []
        for term, definitions in node["c"]:
            out.append({"t": "Para", "c": self.inlines(term)})
            for definition in definitions:
                out.extend(self.blocks(definition))
        return out

    # Inlines ----------------------------------------------------------------------------------

    def inlines(self, nodes: list[Node]) -> list[Node]:
        out: list[Node] = []
        for node in nodes:
            kind = node["t"]
            if kind in ("Str", "Space", "SoftBreak", "LineBreak"):
                out.append(node)
            elif kind in ("Emph", "Strong"):
                out.append({"t": kind, "c": self.inlines(node["c"])})
            elif kind == "Note":
                out.append({"t": "Note", "c": self.blocks(node["c"])})
            elif kind == "Span":
                out.extend(self._span(node))
            elif kind == "Link":
                self.report.note("a link (its text kept, its target dropped)", node["c"][2][0])
                out.extend(self.inlines(node["c"][1]))
            elif kind == "Image":
                self.report.note("an image not carried over", _text(node["c"][1]) or node["c"][2][0])
            elif kind in _UNWRAPPED_INLINES:
                self.report.note(f"{_UNWRAPPED_INLINES[kind]} dropped (the text kept)", _text(node))
                out.extend(self.inlines(node["c"]))
            elif kind == "Quoted":
                quote_type, content = node["c"]
                marks = ("“", "”") if quote_type["t"] == "DoubleQuote" else ("‘", "’")
                out.append({"t": "Str", "c": marks[0]})
                out.extend(self.inlines(content))
                out.append({"t": "Str", "c": marks[1]})
            elif kind == "Code":
                out.append({"t": "Str", "c": node["c"][1]})
            elif kind == "Cite":
                out.extend(self.inlines(node["c"][1]))
            else:
                self.report.note(f"{kind} not carried over", _text(node))
        return out

    def _span(self, node: Node) -> list[Node]:
        (_, classes, attrs), content = node["c"]
        if _COMMENT_CLASSES & set(classes):
            if "comment-start" in classes:
                self.report.note("a comment not carried over", _text(content))
            return []
        if "deletion" in classes or "paragraph-deletion" in classes:
            self.report.note("a tracked deletion (the deleted text left out)", _text(content))
            return []
        if _CHANGE_CLASSES & set(classes):
            self.report.note("a tracked insertion (the inserted text kept)", _text(content))
            return self.inlines(content)
        lang = dict(attrs).get("lang")
        inner = self.inlines(content)
        return [{"t": "Span", "c": [["", [], [["lang", lang]]], inner]}] if lang else inner
