"""The navigation document: table of contents, landmarks, and the page-list of the archival PDF."""

from __future__ import annotations

from archivekit.model import Document
from archivekit.writers.epub.pagebreaks import PageTarget
from archivekit.writers.epub.xhtml import ContentDoc, el, set_lang

NAV_FILE = "nav.xhtml"

# The navigation's own headings are machinery, not text of the letter; Chinese first, as the edition.
LABELS = {
    "toc": "目录",
    "landmarks": "导航标志",
    "page-list": "页码(档案版PDF)",
}


def nav_document(doc: Document, docs: list[ContentDoc], pages: list[PageTarget]) -> ContentDoc:
    """nav.xhtml for these content documents, with a page-list when the PDF's page starts are known."""
    lang = doc.edition.language
    body = el("body")

    toc = el("nav", {"epub:type": "toc", "role": "doc-toc", "id": "toc", "aria-labelledby": "toc-h"})
    toc.append(el("h1", {"id": "toc-h"}, LABELS["toc"]))
    ol = el("ol")
    for cd in docs:
        for entry in cd.toc:
            a = el("a", {"href": entry.href}, entry.label)
            li = el("li", None, a)
            if entry.lang != lang:
                set_lang(li, entry.lang)
            ol.append(li)
    toc.append(ol)
    body.append(toc)

    marks = el("nav", {"epub:type": "landmarks", "id": "landmarks", "hidden": "hidden"})
    marks.set("aria-labelledby", "landmarks-h")
    marks.append(el("h2", {"id": "landmarks-h"}, LABELS["landmarks"]))
    ol = el("ol")
    ol.append(el("li", None, el("a", {"epub:type": "toc", "href": f"{NAV_FILE}#toc"}, LABELS["toc"])))
    body_doc = next(
        (cd for cd in docs if cd.body.get("{http://www.idpf.org/2007/ops}type") == "bodymatter"), None
    )
    if body_doc is not None:
        label = body_doc.title
        ol.append(el("li", None, el("a", {"epub:type": "bodymatter", "href": body_doc.name}, label)))
    for cd in docs:
        for kind, href, label in cd.landmarks:
            ol.append(el("li", None, el("a", {"epub:type": kind, "href": href}, label)))
    marks.append(ol)
    body.append(marks)

    if pages:
        plist = el("nav", {"epub:type": "page-list", "role": "doc-pagelist", "id": "page-list"})
        plist.set("hidden", "hidden")
        plist.set("aria-labelledby", "page-list-h")
        plist.append(el("h2", {"id": "page-list-h"}, LABELS["page-list"]))
        ol = el("ol")
        for target in pages:
            ol.append(el("li", None, el("a", {"href": target.href}, target.label)))
        plist.append(ol)
        body.append(plist)

    return ContentDoc(NAV_FILE, LABELS["toc"], lang, body, properties=("nav",))
