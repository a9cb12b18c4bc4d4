"""The navigation document: table of contents, landmarks, and the page-list of the archival PDF."""

from __future__ import annotations

from archivekit.model import Document
from archivekit.model.locale import message
from archivekit.writers.epub.pagebreaks import PageTarget
from archivekit.writers.epub.xhtml import ContentDoc, el, set_lang

NAV_FILE = "nav.xhtml"


def nav_document(doc: Document, docs: list[ContentDoc], pages: list[PageTarget]) -> ContentDoc:
    """nav.xhtml for these content documents, with a page-list when the PDF's page starts are known.

    The navigation's own headings are the edition's words, in its editorial language; each entry
    keeps the language of the heading it points to.
    """
    lang = doc.edition.editorial_language
    labels = {key: message(lang, key) for key in ("contents", "landmarks", "page_list")}
    body = el("body")

    toc = el("nav", {"epub:type": "toc", "role": "doc-toc", "id": "toc", "aria-labelledby": "toc-h"})
    toc.append(el("h1", {"id": "toc-h"}, labels["contents"]))
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
    marks.append(el("h2", {"id": "landmarks-h"}, labels["landmarks"]))
    ol = el("ol")
    ol.append(el("li", None, el("a", {"epub:type": "toc", "href": f"{NAV_FILE}#toc"}, labels["contents"])))
    body_doc = next(
        (cd for cd in docs if cd.body.get("{http://www.idpf.org/2007/ops}type") == "bodymatter"), None
    )
    if body_doc is not None:
        li = el("li", None, el("a", {"epub:type": "bodymatter", "href": body_doc.name}, body_doc.title))
        if body_doc.lang != lang:
            set_lang(li, body_doc.lang)  # the first part's own title, in its language
        ol.append(li)
    for cd in docs:
        for kind, href, label in cd.landmarks:
            ol.append(el("li", None, el("a", {"epub:type": kind, "href": href}, label)))
    marks.append(ol)
    body.append(marks)

    if pages:
        plist = el("nav", {"epub:type": "page-list", "role": "doc-pagelist", "id": "page-list"})
        plist.set("hidden", "hidden")
        plist.set("aria-labelledby", "page-list-h")
        plist.append(el("h2", {"id": "page-list-h"}, labels["page_list"]))
        ol = el("ol")
        for target in pages:
            ol.append(el("li", None, el("a", {"href": target.href}, target.label)))
        plist.append(ol)
        body.append(plist)

    return ContentDoc(NAV_FILE, labels["contents"], lang, body, properties=("nav",))
