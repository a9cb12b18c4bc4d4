"""Every rendition listed in the manifest carries the seed's text, in order, with nothing gained."""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree, html

from archivekit.validate.judge.text import broken_units, first_gap

SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _html_text(data: bytes) -> str:
    tree = html.fromstring(data)
    for node in tree.xpath("//script | //style | //head"):
        node.getparent().remove(node)
    return tree.text_content()


def _epub_text(path: Path) -> str:
    with zipfile.ZipFile(path) as book:
        container = etree.fromstring(book.read("META-INF/container.xml"), SAFE_XML)
        opf_path = container.xpath("//*[local-name()='rootfile']/@full-path")[0]
        opf = etree.fromstring(book.read(opf_path), SAFE_XML)
        base = opf_path.rsplit("/", 1)[0] + "/" if "/" in opf_path else ""
        items = {i.get("id"): i.get("href") for i in opf.xpath("//*[local-name()='item']")}
        spine = [items[r.get("idref")] for r in opf.xpath("//*[local-name()='itemref']")]
        texts = []
        for href in spine:
            doc = etree.fromstring(book.read(base + href), SAFE_XML)
            body = doc.xpath("//*[local-name()='body']")[0]
            texts.append("".join(body.itertext()))
        return "\n".join(texts)


def _pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True
    ).stdout


def _renditions(built: Path) -> list[tuple[str, str, str]]:
    """(path, format, extracted text) for every rendition of the letter in the manifest."""
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    out = []
    for row in manifest["artifacts"]:
        path, fmt = built / row["path"], row["format"]
        if fmt == "text":
            out.append((row["path"], fmt, path.read_text(encoding="utf-8")))
        elif fmt == "html":
            out.append((row["path"], fmt, _html_text(path.read_bytes())))
        elif fmt == "epub":
            out.append((row["path"], fmt, _epub_text(path)))
        elif row["media_type"] == "application/pdf" and "booklet" not in row["path"]:
            out.append((row["path"], fmt, _pdf_text(path)))
    return out


def test_every_rendition_is_checked(built: Path) -> None:
    formats = {fmt for _, fmt, _ in _renditions(built)}
    assert {"text", "html", "epub", "pdf", "print-pdf"} <= formats


@pytest.mark.parametrize("kind", ["text", "html", "epub", "pdf", "print-pdf"])
def test_rendition_carries_the_seed_in_order(kind: str, built: Path, seed: str) -> None:
    found = [(p, t) for p, fmt, t in _renditions(built) if fmt == kind]
    assert found
    paged = kind in ("pdf", "print-pdf")
    # Paged editions set the two statements side by side, so the page's text alternates between
    # them: there each language must be whole and in order on its own.
    english = seed.index("Coalition to Advance Religious Freedom in China:")
    pieces = [seed[:english], seed[english:]] if paged else [seed]
    for path, text in found:
        for piece in pieces:
            assert first_gap(piece, text, paged=paged) is None, path
        assert "诺大" in text and "偌大" not in text, path


@pytest.mark.parametrize("kind", ["text", "html", "epub"])
def test_flowing_renditions_gain_nothing_inside_a_line(kind: str, built: Path, seed: str) -> None:
    # Paged renditions put page furniture and the footnote between lines; their strict check is
    # on the structure tree (tests/test_pdf.py). Flowing ones must hold every seed line whole.
    for path, fmt, text in _renditions(built):
        if fmt == kind:
            assert broken_units(seed, text) == [], path
