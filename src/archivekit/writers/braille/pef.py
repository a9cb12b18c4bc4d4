"""PEF 1.0 (Portable Embosser Format, http://www.daisy.org/ns/2008/pef): the archival braille file.

Unicode braille rows in pages of one section and one volume, with Dublin Core metadata (title,
creator per creator, language, date, identifier); what the pages hold is exactly what the BRF holds.
"""

from __future__ import annotations

from lxml import etree

from archivekit.model import Document
from archivekit.model.metadata import creator_names
from archivekit.writers.braille.layout import Page

PEF_NS = "http://www.daisy.org/ns/2008/pef"
DC_NS = "http://purl.org/dc/elements/1.1/"
MEDIA_TYPE = "application/x-pef+xml"  # the media type the PEF 1.0 specification registers for dc:format


def render(doc: Document, pages: list[Page], cells: int, lines: int, date: str) -> bytes:
    """The PEF document for these pages."""
    ed = doc.edition
    nsmap = {None: PEF_NS, "dc": DC_NS}
    root = etree.Element(f"{{{PEF_NS}}}pef", nsmap=nsmap, version="2008-1")
    head = etree.SubElement(root, f"{{{PEF_NS}}}head")
    meta = etree.SubElement(head, f"{{{PEF_NS}}}meta")
    lang = ed.editorial_language
    for name, value in (
        ("format", MEDIA_TYPE),
        ("identifier", ed.identifier),
        ("title", ed.title.prefer(lang)),
        *[("creator", name) for name in creator_names(ed.creators, lang)],
        ("date", date),
        *[("language", tag) for tag in ed.languages],
        ("description", f"{ed.statement.prefer(lang)} {ed.version}"),
    ):
        etree.SubElement(meta, f"{{{DC_NS}}}{name}").text = value
    body = etree.SubElement(root, f"{{{PEF_NS}}}body")
    volume = etree.SubElement(
        body, f"{{{PEF_NS}}}volume", cols=str(cells), rows=str(lines), rowgap="0", duplex="false"
    )
    section = etree.SubElement(volume, f"{{{PEF_NS}}}section")
    for page in pages:
        element = etree.SubElement(section, f"{{{PEF_NS}}}page")
        for line in page.lines:
            etree.SubElement(element, f"{{{PEF_NS}}}row").text = line
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
