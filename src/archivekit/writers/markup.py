"""The one way archivekit builds HTML and XHTML: lxml trees, never strings pasted together.

Every string enters a tree as text, so lxml escapes it; a page is serialized by one function, so
every HTML file has the same doctype and line ending. Like writers/base.py this is not a writer:
every writer, and the stages above the writers, may import it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lxml import etree
from lxml import html as lxml_html

DOCTYPE = "<!DOCTYPE html>"


def element(
    tag: str,
    attrs: Mapping[str, str | None] | None = None,
    *children: Any,
    nsmap: Mapping[str | None, str] | None = None,
) -> etree._Element:
    """An element with attributes (None values dropped) and children (elements, text, lists of them)."""
    node = etree.Element(tag, nsmap=nsmap) if nsmap else etree.Element(tag)
    for key, value in (attrs or {}).items():
        if value is not None:
            node.set(key, value)
    append(node, *children)
    return node


def append(node: etree._Element, *children: Any) -> etree._Element:
    """Append elements and text to a node, text going where lxml keeps it (text or the last child's tail).

    None is skipped and lists or tuples are flattened, so optional and repeated parts read as one call.
    """
    for child in children:
        if child is None:
            continue
        if isinstance(child, str):
            if len(node):
                last = node[-1]
                last.tail = (last.tail or "") + child
            else:
                node.text = (node.text or "") + child
        elif isinstance(child, list | tuple):
            append(node, *child)
        else:
            node.append(child)
    return node


def column_heads(*names: str) -> etree._Element:
    """<thead> of a table: one row of column headers, each scoped to its column."""
    return element("thead", None, element("tr", None, [element("th", {"scope": "col"}, n) for n in names]))


def lines(*children: Any) -> list[Any]:
    """Children one to a line: a line break before each and after the last (None is skipped).

    For pages whose source reads as written by hand, a block a line, inside an element's tags.
    """
    out: list[Any] = []
    for child in children:
        if child is not None:
            out += ["\n", child]
    return [*out, "\n"]


def html_page(root: etree._Element) -> str:
    """An HTML5 page as text: the doctype first, one trailing newline."""
    text = lxml_html.tostring(root, doctype=DOCTYPE, encoding="unicode", method="html")
    return text.rstrip("\n") + "\n"


def plain_page(title: str, head: list[Any], body: etree._Element, lang: str = "en") -> str:
    """A small page written a block a line (an order sheet, a listing): <head> with the charset, the
    mobile viewport, the title and `head` (styles, scripts), then `body`."""
    meta = [
        element("meta", {"charset": "utf-8"}),
        element("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}),
    ]
    head_node = element("head", None, *lines(*meta, element("title", None, title), *head))
    return html_page(element("html", {"lang": lang}, *lines(head_node, body)))


def page_head(title: str, *children: Any) -> etree._Element:
    """<head> of an archivekit page: UTF-8, mobile viewport, light and dark schemes, title, then children."""
    return element(
        "head",
        None,
        element("meta", {"charset": "utf-8"}),
        element("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}),
        element("meta", {"name": "color-scheme", "content": "light dark"}),
        element("title", None, title),
        *children,
    )
