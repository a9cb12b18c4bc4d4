"""The edition's own record in OPF, XMP and PREMIS, and every cited work in the OPF, read back.

Every corpus edition (those without a bibliography too) and the treaty fixture: the edition type the
crosswalk derives from its parts' roles and edition.yaml is the dc:type of the OPF (read with lxml),
of the XMP packet of the archival and the print PDF (read back with pikepdf's metadata API from a
saved file) and the `type` significant property of the PREMIS record (schema-valid). Cited works are
dcterms:references in the OPF, each refined by its fields; they agree field by field with CSL-JSON.
XMP and PREMIS carry no cited works by design (docs/metadata.md says why).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from typing import Any

import pikepdf
import pytest
from lxml import etree

from archivekit.ingest import load_edition
from archivekit.model import Document
from archivekit.model import crosswalk as cw
from archivekit.model.crosswalk import encode
from archivekit.model.crosswalk.edition import edition_record
from archivekit.model.metadata import creator_names
from archivekit.package import premis
from archivekit.package.formats import FormatInfo
from archivekit.writers.epub import opf
from archivekit.writers.pdf import profiles, xmp
from archivekit.writers.print_edition.metadata import set_metadata
from conftest import ROOT

EPOCH = 1_700_000_000
BUILT = dt.datetime.fromtimestamp(EPOCH, dt.UTC).date()
EDITIONS = sorted(p for p in (ROOT / "sources").iterdir() if (p / "edition.yaml").is_file())
EDITIONS.append(ROOT / "tests" / "fixtures" / "editions" / "treaties")
OPF_NS = {"opf": opf.OPF_NS, "dc": opf.DC_NS}
ROOT_DOCS = ROOT / "docs" / "metadata.md"


@pytest.fixture(scope="module", params=EDITIONS, ids=lambda p: p.name)
def doc(request: pytest.FixtureRequest) -> Document:
    return load_edition(request.param, source_date_epoch=EPOCH)


def _record(doc: Document) -> dict[str, Any]:
    return edition_record(doc.edition, BUILT)


def _opf(doc: Document) -> etree._Element:
    data = opf.package(doc, opf.Context(epoch=EPOCH, print_source=None), [], [])
    return etree.fromstring(data)


def _xmp(write: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """Write metadata into a fresh PDF, save it, and read it back with pikepdf's metadata API."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    write(pdf)
    out = io.BytesIO()
    pdf.save(out)
    with pikepdf.open(io.BytesIO(out.getvalue())) as back:
        meta = back.open_metadata()
        keys = ("dc:type", "dc:title", "dc:creator", "dc:date", "dc:language", "dc:identifier")
        values = {k: meta.get(k) for k in keys}
        info = {str(k): str(v) for k, v in back.trailer.Info.items()}
    return values, info


def test_edition_type_in_opf(doc: Document) -> None:
    record = _record(doc)
    root = _opf(doc)
    md = root.find("opf:metadata", OPF_NS)
    assert [t.text for t in md.findall("dc:type", OPF_NS)] == [cw.type_row(record).zotero]
    assert md.findtext("dc:title", namespaces=OPF_NS) == doc.edition.title.first()
    assert md.findtext("dc:identifier", namespaces=OPF_NS) == doc.edition.identifier
    assert [d.text for d in md.findall("dc:date", OPF_NS)] == [cw.iso_date(record)]
    assert [lg.text for lg in md.findall("dc:language", OPF_NS)] == list(doc.edition.languages)
    creators = [c.text for c in md.findall("dc:creator", OPF_NS)]
    assert creators[: len(doc.edition.creators)] == creator_names(doc.edition.creators)


def test_edition_type_in_xmp_of_archival_and_print(doc: Document) -> None:
    record = _record(doc)
    want = {cw.type_row(record).zotero}
    fields = xmp.fields(doc, EPOCH, "test")
    archival, info = _xmp(lambda pdf: xmp.apply(pdf, fields, profiles.get("2a")))
    printed, print_info = _xmp(lambda pdf: set_metadata(pdf, doc, EPOCH, "print", pdfx=True, producer="test"))
    for values, entries in ((archival, info), (printed, print_info)):
        assert values["dc:type"] == want
        assert values["dc:title"] == doc.edition.title.first() == entries["/Title"]
        assert values["dc:creator"][: len(doc.edition.creators)] == creator_names(doc.edition.creators)
        assert values["dc:date"] == [cw.iso_date(record)]
        assert values["dc:language"] == set(doc.edition.languages)
        assert values["dc:identifier"] == doc.edition.identifier
        if len(values["dc:creator"]) == 1:
            assert entries["/Author"] == values["dc:creator"][0]
        else:
            assert "/Author" not in entries  # PDF/A: Info's Author must equal a single dc:creator
    assert print_info["/GTS_PDFXVersion"] == "PDF/X-4" and print_info["/Trapped"] == "/False"


def test_edition_type_in_premis(doc: Document) -> None:
    record = _record(doc)
    info = premis.EditionInfo(
        id=doc.edition.id,
        version=doc.edition.version,
        identifier=doc.edition.identifier,
        title=doc.edition.title.first(),
        statement=doc.edition.statement.first(),
        properties=tuple((p.prop, p.value) for p in cw.package_fields(record, "premis")),
    )
    data = premis.build_record(
        info,
        [premis.PayloadObject("data/e.pdf", "e.pdf", "rendition", 1, "0" * 64, "0" * 128, FormatInfo("PDF"))],
        creation=[premis.Software("archivekit", "0", "build")],
        validations=[],
        packing=[],
        bag_name="b",
        epoch=EPOCH,
    )
    assert premis.schema_errors(data) == []
    root = etree.fromstring(data)
    ns = {"p": premis.PREMIS_NS}
    props: dict[str, str] = {}
    for sig in root.iterfind(".//p:significantProperties", ns):
        key = sig.findtext("p:significantPropertiesType", namespaces=ns)
        props.setdefault(key, sig.findtext("p:significantPropertiesValue", namespaces=ns))
    assert props["type"] == cw.type_row(record).zotero
    assert props["title"] == doc.edition.title.first() and props["date"] == cw.iso_date(record)


def read_opf_reference(root: etree._Element, item: dict[str, Any]) -> dict[str, Any]:
    """A cited work back from the OPF: dcterms:references and the metas refining it."""
    md = root.find("opf:metadata", OPF_NS)
    [ref] = [
        m
        for m in md.iterfind("opf:meta", OPF_NS)
        if m.get("property") == "dcterms:references" and m.text == item["title"]
    ]
    refined: dict[str, list[str]] = {}
    for m in md.iterfind("opf:meta", OPF_NS):
        if m.get("refines") == f"#{ref.get('id')}":
            refined.setdefault(m.get("property"), []).append(m.text)
    one = lambda p: (refined.get(p) or [None])[0]  # noqa: E731
    return {
        "type": item["type"] if refined.get("dcterms:type") == [cw.type_row(item).zotero] else refined,
        "title": ref.text,
        "creators": refined.get("dcterms:creator", []),
        "date": one("dcterms:date"),
        "number": one("prism:number"),
        "volume": one("prism:volume"),
        "page": one("prism:pageRange"),
        "container": one("dcterms:isPartOf"),
        "URL": one("prism:url"),
    }


def test_every_cited_work_agrees_in_the_opf(doc: Document) -> None:
    root = _opf(doc)
    mismatches = []
    for item in doc.bibliography:
        got = read_opf_reference(root, item)
        want = {
            "type": item["type"],
            "title": item["title"],
            "creators": [cw.name_text(n, inverted=False) for n in cw.creators(item)],
            "date": cw.iso_date(item),
            "number": item.get("number"),
            "volume": item.get("volume"),
            "page": item.get("page"),
            "container": item.get("container-title"),
            "URL": item.get("URL"),
        }
        mismatches += [f"{item['id']}.{k}: OPF {got[k]!r}, CSL {v!r}" for k, v in want.items() if got[k] != v]
    assert not mismatches, "\n".join(mismatches)


def test_no_crosswalk_warning_for_what_the_table_documents(
    doc: Document, caplog: pytest.LogCaptureFixture
) -> None:
    """Translated titles in BibTeX/Highwire/COinS, genre in Highwire/COinS: documented, silent."""
    record = _record(doc)
    with caplog.at_level(logging.WARNING, logger="archivekit"):
        for item in doc.bibliography:
            cw.bibtex(item), cw.ris(item), cw.highwire(item), cw.coins(item)
            cw.dublin_core(item), cw.schema_work(item), cw.opf_reference(item)
            for fmt in ("xmp", "premis"):
                cw.package_fields(item, fmt)
        for fmt in ("opf", "xmp", "premis"):
            cw.package_fields(record, fmt)
    assert "crosswalk" not in caplog.text


def test_an_uncovered_cell_still_warns(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    row = cw.FieldRow("event-place", "text", highwire=None)
    monkeypatch.setattr(encode, "FIELDS", (row,))
    with caplog.at_level(logging.WARNING, logger="archivekit"):
        cw.highwire({"id": "w-uncovered", "type": "treaty", "title": "T", "event-place": "Geneva"})
    assert "the table has no highwire cell for 'event-place' of a 'treaty'" in caplog.text


def test_every_not_carried_cell_is_in_the_docs() -> None:
    text = ROOT_DOCS.read_text(encoding="utf-8")
    missing = [f"{field} / {fmt}" for field, fmt, _ in cw.not_carried() if f"`{field}`" not in text]
    assert not missing
    for field, fmt, reason in cw.not_carried():
        assert reason, (field, fmt)
