"""What each output says, read back from its bytes: the text of HTML, EPUB, PDF (tag tree or page
text) and plain text, and the XHTML documents of an EPUB. Poppler is the only program called."""

from __future__ import annotations

import re
import subprocess
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath

from lxml import etree, html

from archivekit.validate.base import ToolFailure

TIMEOUT_S = 300
OPF_NS = "http://www.idpf.org/2007/opf"
CONTAINER_NS = "urn:oasis:names:tc:opendocument:xmlns:container"
XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
# The EPUB under judgement is read without entities, DTDs or network access.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
# Text a reader never reads as the document: scripts, styles, and page-break markers (a page
# number inside a note must not split the note).
_SKIP_TAGS = {"script", "style", "head", "template"}
_STRUCT_LINE = re.compile(r'^\s*"(.*)"\s*$')


def poppler(*args: str) -> str:
    """Run a poppler tool and return its stdout (a crash is a ToolFailure, never a pass)."""
    try:
        proc = subprocess.run(
            list(args), capture_output=True, text=True, encoding="utf-8", errors="replace",
            timeout=TIMEOUT_S, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ToolFailure(f"{args[0]}: {exc}") from exc
    if proc.returncode != 0:
        raise ToolFailure(f"{args[0]} exit {proc.returncode}: {proc.stderr.strip()[-300:]}")
    return proc.stdout


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _is_pagebreak(node: etree._Element) -> bool:
    kinds = f"{node.get('role', '')} {node.get(f'{{{EPUB_NS}}}type', '')}"
    return "pagebreak" in kinds


def element_text(node: etree._Element) -> str:
    """The text a reader gets from an element: scripts, styles and page-break markers left out."""
    out: list[str] = []

    def walk(el: etree._Element) -> None:
        if _local(el.tag) in _SKIP_TAGS or _is_pagebreak(el):
            return
        if el.text and isinstance(el.tag, str):
            out.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                out.append(child.tail)

    walk(node)
    return "".join(out)


def html_tree(path: Path) -> etree._Element:
    """An HTML page parsed as a browser would (HTML5 serialisation, not XML)."""
    return html.fromstring(path.read_bytes())


def html_text(path: Path) -> str:
    """The reading text of an HTML page's body."""
    tree = html_tree(path)
    body = tree.find("body")
    return element_text(body if body is not None else tree)


@dataclass
class Epub:
    """An EPUB's package document and XHTML documents, by path inside the container."""

    zip: zipfile.ZipFile
    opf_path: str
    opf: etree._Element
    docs: dict[str, etree._Element]
    spine: list[str]

    def resolve(self, base: str, href: str) -> str:
        """A relative href from document `base`, as a path inside the container."""
        joined = PurePosixPath(base).parent / href.split("#", 1)[0]
        parts: list[str] = []
        for piece in joined.parts:
            if piece == "..":
                if parts:
                    parts.pop()
            elif piece not in (".", ""):
                parts.append(piece)
        return "/".join(parts)


def read_epub(path: Path) -> Epub:
    """Open an EPUB: its OPF (from META-INF/container.xml), spine order and XHTML documents."""
    zf = zipfile.ZipFile(path)
    container = etree.fromstring(zf.read("META-INF/container.xml"), _PARSER)
    rootfile = container.find(f".//{{{CONTAINER_NS}}}rootfile")
    opf_path = rootfile.get("full-path") if rootfile is not None else "content.opf"
    opf = etree.fromstring(zf.read(opf_path), _PARSER)
    base = str(PurePosixPath(opf_path).parent)
    items = {i.get("id"): i for i in opf.iter(f"{{{OPF_NS}}}item")}
    prefix = "" if base == "." else base + "/"
    docs: dict[str, etree._Element] = {}
    names = set(zf.namelist())
    for item in items.values():
        name = prefix + str(item.get("href"))
        if item.get("media-type") == "application/xhtml+xml" and name in names:
            docs[name] = etree.fromstring(zf.read(name), _PARSER)
    spine = []
    for ref in opf.iter(f"{{{OPF_NS}}}itemref"):
        item = items.get(ref.get("idref"))
        if item is not None:
            spine.append(prefix + str(item.get("href")))
    return Epub(zf, opf_path, opf, docs, spine)


def epub_text(path: Path) -> str:
    """The reading text of an EPUB: its spine documents' bodies, in spine order."""
    book = read_epub(path)
    texts = []
    for name in book.spine:
        doc = book.docs.get(name)
        if doc is not None:
            body = doc.find(f"{{{XHTML_NS}}}body")
            texts.append(element_text(body if body is not None else doc))
    return "\n".join(texts)


def struct_text(path: Path) -> str:
    """The text of a tagged PDF's structure tree, in tree order ("" when the PDF is not tagged)."""
    out = poppler("pdfinfo", "-struct-text", str(path))
    return "\n".join(m.group(1) for m in map(_STRUCT_LINE.match, out.split("\n")) if m)


def pdf_text(path: Path) -> tuple[str, str]:
    """A PDF's text and where it came from: its tag tree when tagged, else poppler's page text."""
    stat = path.stat()
    return _pdf_text(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _pdf_text(name: str, _mtime_ns: int, _size: int) -> tuple[str, str]:
    """Read once per file version: several checks read the same PDF (pdfinfo -struct-text is slow)."""
    path = Path(name)
    tagged = struct_text(path)
    if tagged.strip():
        return tagged, "tag tree"
    # -raw: content-stream order, the order the writer drew the text in (not a guess at columns).
    return poppler("pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"), "page text"
