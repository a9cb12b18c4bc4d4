"""The crosswalk proven by readers nobody here wrote: every cited item, read back from every format.

For every cited item of every corpus edition and of the treaty fixture (the ICCPR in the UN Treaty
Series, the UDHR as General Assembly resolution 217 A (III)), the outputs are parsed by independent
libraries and compared field by field with the CSL-JSON record: type, title, creators or authority,
date, number, volume, page, container, URL.

Readers: citeproc-py (renders the same reference), bibtexparser 2 (BibTeX), rispy (RIS), extruct
(JSON-LD and its `dublincore` syntax for Dublin Core), Python's urllib.parse (COinS KEV), and for
Highwire `citation_*` our own small lxml reader (`_highwire`, below: no maintained Python Highwire
parser exists). Zotero itself: its BibTeX, RIS and CSL JSON import translators read the .bib, .ris and
.csl.json, its COinS and Embedded Metadata web translators read the HTML page (tests/zotero/read.js,
in Zotero's own translation framework under Node and jsdom; installed by `make validators`).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import bibtexparser
import citeproc
import extruct
import pytest
import rispy
import yaml
from lxml import etree
from lxml import html as lxml_html

from archivekit.ingest import load_edition
from archivekit.model import crosswalk as cw
from archivekit.model.citation import format_bibliography
from archivekit.model.locale import join
from archivekit.model.metadata import creator_names
from archivekit.validate import tools
from archivekit.writers.epub import opf
from conftest import EPOCH, ROOT, require, run_cli

FIXTURE = ROOT / "tests" / "fixtures" / "editions" / "treaties"
CORPUS = sorted(p for p in (ROOT / "sources").iterdir() if (p / "edition.yaml").is_file())
WITH_BIBLIOGRAPHY = [p for p in CORPUS if (p / "bibliography.json").is_file()] + [FIXTURE]
CHECKED = ("type", "title", "creators", "date", "number", "volume", "page", "container", "URL")


def _build(source: Path, out: Path) -> tuple[str, Path]:
    result = run_cli("build", str(source), "--out", str(out), "--force", "--format", "html")
    assert result.returncode == 0, result.stderr
    edition_id = next(line for line in result.stdout.splitlines() if line.strip()).strip().split("/")[-1]
    return edition_id, out / edition_id


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each edition with a bibliography built once (HTML and its citation files)."""
    out = tmp_path_factory.mktemp("xw")
    return dict(_build(source, out) for source in WITH_BIBLIOGRAPHY)


def expected(item: dict[str, Any]) -> dict[str, Any]:
    """The CSL record's values for the checked fields, as plain text."""
    return {
        "type": item["type"],
        "title": item["title"],
        "creators": [cw.name_text(n) for n in cw.creators(item)],
        "date": cw.iso_date(item),
        "number": item.get("number"),
        "volume": item.get("volume"),
        "page": item.get("page"),
        "container": item.get("container-title"),
        "URL": item.get("URL"),
    }


def _cited(build: Path) -> list[dict[str, Any]]:
    records = json.loads(next(build.glob("*.csl.json")).read_text(encoding="utf-8"))
    return records[1:]  # the first record is the edition itself


def _all_cited(builds: dict[str, Path]) -> list[tuple[str, dict[str, Any]]]:
    return [(eid, item) for eid, build in builds.items() for item in _cited(build)]


def test_every_cited_item_and_the_fixture_records_are_there(builds: dict[str, Path]) -> None:
    ids = {item["id"] for _, item in _all_cited(builds)}
    assert {"un-a-hrc-41-35", "iccpr", "unga-res-217-iii"} <= ids


def test_the_un_report_record_keeps_its_meaning(builds: dict[str, Path]) -> None:
    [report] = [i for _, i in _all_cited(builds) if i["id"] == "un-a-hrc-41-35"][:1]
    assert report["number"] == "A/HRC/41/35" and report["issued"] == {"date-parts": [[2019, 5, 28]]}
    assert report["author"] == [{"family": "Kaye", "given": "David"}]
    assert "Human Rights Council" in report["publisher"] and report["status"] == "Advance Edited Version"


# ---------------------------------------------------------------- one reader per format


def read_citeproc(build: Path, item: dict[str, Any]) -> dict[str, Any]:
    """citeproc-py renders the record from our .csl.json; the page shows that same entry."""
    text = format_bibliography(item, "chicago-author-date")
    page = lxml_html.fromstring((build / f"{build.name}.html").read_bytes())
    entries = [e.text_content() for e in page.xpath("//section[@id='cite']//p[@class='csl-entry']")]
    assert text in entries, (text, entries)
    got = expected(item)
    for key in STYLE_OMITS.get(item["type"], ()):
        got[key] = None if key != "creators" else []
    # A rendered reference has no fields: each value must be visible in it (the year for the date); the
    # URL is taken out first so that a number inside it does not count as the number shown.
    text = text.replace(item.get("URL") or "\0", "")
    if item.get("URL"):
        got["URL"] = item["URL"] if item["URL"] in format_bibliography(item, "chicago-author-date") else None
    return {
        k: v if v in (None, []) or k in ("type", "URL") or _in(v, text, k) else f"not in {text!r}"
        for k, v in got.items()
    }


# What chicago-author-date itself leaves out of a reference of this CSL type (its legal-citation
# conventions name no issuing body and no treaty registration number): facts of the style, not losses.
STYLE_OMITS = {"legislation": ("creators",), "treaty": ("creators", "number")}


def _in(value: Any, text: str, key: str) -> bool:
    text, value = (text.casefold(), value.casefold()) if key == "title" else (text, value)
    if key == "creators":
        return all(name.split(",")[0] in text for name in value)
    if key == "date":
        return value[:4] in text
    if key == "URL":
        return value in text or value.replace("%20", " ") in text
    return str(value) in text


def read_bibtex(build: Path, item: dict[str, Any]) -> dict[str, Any]:
    library = bibtexparser.parse_string(next(build.glob("*.bib")).read_text(encoding="utf-8"))
    assert not library.failed_blocks
    [entry] = [e for e in library.entries if e.key == cw.encode.bibtex_key(item)]
    f = {field.key: field.value for field in entry.fields}
    table = cw.type_row(item)
    container = f.get("journaltitle") or f.get("booktitle")
    return {
        "type": item["type"] if entry.entry_type == table.bibtex else entry.entry_type,
        "title": f.get("title"),
        "creators": [a.strip().strip("{}") for a in f.get("author", "").split(" and ") if a.strip()],
        "date": f.get("date"),
        "number": f.get("number"),
        "volume": f.get("volume"),
        "page": f.get("pages", "").replace("--", "-") or None,
        "container": container,
        "URL": f.get("url"),
    }


def read_ris(build: Path, item: dict[str, Any]) -> dict[str, Any]:
    records = rispy.loads(next(build.glob("*.ris")).read_text(encoding="utf-8"))
    [rec] = [r for r in records if r.get("title") == item["title"]]
    keys = rispy.TAG_KEY_MAPPING
    kind = item["type"]
    number_tag = next(row for row in cw.FIELDS if row.csl == "number").target("ris", kind)
    container_tag = next(row for row in cw.FIELDS if row.csl == "container-title").target("ris", kind)
    date = rec.get("date", "").replace("/", "-") or None
    return {
        "type": kind if rec["type_of_reference"] == cw.type_row(item).ris else rec["type_of_reference"],
        "title": rec.get("title"),
        "creators": rec.get("authors", []),
        "date": date,
        "number": rec.get(keys[number_tag]),
        "volume": rec.get("volume"),
        "page": "-".join(p for p in (rec.get("start_page"), rec.get("end_page")) if p) or None,
        # A report has no container tag in RIS (its T2 is the series): nothing there to read as one.
        "container": rec.get(keys[container_tag]) if isinstance(container_tag, str) else None,
        "URL": (rec.get("urls") or [None])[0],
    }


def _highwire(build: Path) -> list[dict[str, list[str]]]:
    """Our Highwire reader (no independent one exists in Python): citation_reference values, split."""
    page = lxml_html.fromstring((build / f"{build.name}.html").read_bytes())
    out = []
    for value in page.xpath("//head/meta[@name='citation_reference']/@content"):
        pairs: dict[str, list[str]] = {}
        for piece in value.split("; citation_"):
            name, _, text = piece.removeprefix("citation_").partition("=")
            pairs.setdefault(name, []).append(text)
        out.append(pairs)
    return out


def read_highwire(build: Path, item: dict[str, Any]) -> dict[str, Any]:
    [ref] = [r for r in _highwire(build) if r.get("title") == [item["title"]]]
    first = lambda *names: next((ref[n][0] for n in names if n in ref), None)  # noqa: E731
    page = first("firstpage")
    if page and "lastpage" in ref:
        page += "-" + ref["lastpage"][0]
    # Highwire has no type name: the type is what its names imply (Zotero: technical_report -> report).
    kind = item["type"]
    if "technical_report_number" in ref or "technical_report_institution" in ref:
        kind = "report" if item["type"] == "report" else "report (wrong)"
    return {
        "type": kind,
        "title": first("title"),
        "creators": ref.get("author", []),
        "date": (first("date") or "").replace("/", "-") or None,
        "number": first("technical_report_number", "number", "issue"),
        "volume": first("volume"),
        "page": page,
        "container": first("journal_title", "book_title"),
        "URL": first("public_url"),
    }


def read_coins(build: Path, item: dict[str, Any]) -> dict[str, Any]:
    page = lxml_html.fromstring((build / f"{build.name}.html").read_bytes())
    spans = [dict_multi(parse_qsl(t)) for t in page.xpath("//span[@class='Z3988']/@title")]
    [kev] = [s for s in spans if item["title"] in (s.get("rft.btitle", []) + s.get("rft.atitle", []))]
    fmt, genre = cw.type_row(item).coins
    one = lambda *keys: next((kev[k][0] for k in keys if k in kev), None)  # noqa: E731
    page_no = one("rft.spage")
    if page_no and "rft.epage" in kev:
        page_no += "-" + kev["rft.epage"][0]
    same_type = kev["rft_val_fmt"] == [f"info:ofi/fmt:kev:mtx:{fmt}"] and kev["rft.genre"] == [genre]
    return {
        "type": item["type"] if same_type else f"{kev['rft_val_fmt']} {kev['rft.genre']}",
        "title": one("rft.atitle", "rft.btitle"),
        "creators": kev.get("rft.au", []) + kev.get("rft.aucorp", []),
        "date": one("rft.date"),
        "number": one("rft.number", "rft.issue"),
        "volume": one("rft.volume"),
        "page": page_no,
        "container": one("rft.jtitle") if "rft.atitle" in kev else None,
        "URL": one("rft_id"),
    }


def dict_multi(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in pairs:
        out.setdefault(key, []).append(value)
    return out


def read_json_ld(build: Path, item: dict[str, Any]) -> dict[str, Any]:
    data = extruct.extract((build / f"{build.name}.html").read_text(encoding="utf-8"), syntaxes=["json-ld"])
    [node] = [c for c in data["json-ld"][0]["citation"] if c["@id"] == f"#ref-{item['id']}"]
    ident = node.get("legislationIdentifier") or node.get("identifier")
    page = node.get("pageStart")
    if page and node.get("pageEnd"):
        page += "-" + node["pageEnd"]
    containers = [c["name"] for c in node.get("isPartOf", [])]
    return {
        "type": item["type"] if node["@type"] == cw.type_row(item).schema else node["@type"],
        "title": node.get("name"),
        "creators": [
            f"{a['familyName']}, {a['givenName']}" if a.get("@type") == "Person" else a["name"]
            for a in node.get("author", [])
        ],
        "date": node.get("datePublished"),
        "number": ident["value"] if isinstance(ident, dict) else ident,
        "volume": node.get("volumeNumber"),
        "page": page,
        "container": item.get("container-title") if item.get("container-title") in containers else None,
        "URL": node.get("url"),
    }


READERS = {
    "citeproc-py": read_citeproc,
    "bibtexparser": read_bibtex,
    "rispy": read_ris,
    "highwire (ours)": read_highwire,
    "COinS (urllib)": read_coins,
    "extruct json-ld": read_json_ld,
}


@pytest.mark.parametrize("reader", list(READERS))
def test_every_cited_item_agrees_field_by_field(builds: dict[str, Path], reader: str) -> None:
    mismatches = []
    for edition_id, item in _all_cited(builds):
        got = READERS[reader](builds[edition_id], item)
        want = expected(item)
        if reader == "citeproc-py":
            for key in STYLE_OMITS.get(item["type"], ()):
                want[key] = None if key != "creators" else []
        for key in CHECKED:
            if got[key] != want[key]:
                mismatches.append(f"{item['id']}.{key}: {reader} read {got[key]!r}, CSL has {want[key]!r}")
    assert not mismatches, "\n".join(mismatches)


def test_the_edition_record_agrees_in_the_page_head(builds: dict[str, Path]) -> None:
    """The edition's own record (typed from its parts' roles) in Dublin Core, Highwire and JSON-LD."""
    for build in builds.values():
        record = json.loads(next(build.glob("*.csl.json")).read_text(encoding="utf-8"))[0]
        text = (build / f"{build.name}.html").read_text(encoding="utf-8")
        data = extruct.extract(text, syntaxes=["json-ld", "dublincore"])
        dc = {}
        for element in data["dublincore"][0]["elements"]:
            dc.setdefault(element["name"], element["content"])
        assert dc["DC.title"] == record["title"]
        assert dc["DC.creator"] == record["author"][0]["literal"]
        assert dc["DC.date"] == cw.iso_date(record)
        assert dc["DC.type"] == cw.type_row(record).zotero
        node = data["json-ld"][0]
        assert node["@type"] == cw.type_row(record).schema and node["name"] == record["title"]
        page = lxml_html.fromstring(text.encode())
        assert page.xpath("//head/meta[@name='citation_title']/@content") == [record["title"]]


def test_several_creators_are_one_entry_each_in_every_format(tmp_path: Path) -> None:
    """An edition.yaml listing two creators (and a part listing two): two names, in order, everywhere.

    Read back by bibtexparser, rispy, extruct (Dublin Core) and lxml (Highwire, OPF), never joined into
    one string, never reordered into family and given names.
    """
    names = ["Karl Marx", "Friedrich Engels"]
    source = tmp_path / "src" / MANIFESTO
    shutil.copytree(ROOT / "sources" / MANIFESTO, source)
    meta = yaml.safe_load((source / "edition.yaml").read_text(encoding="utf-8"))
    meta["creator"] = [{"role": "aut", "name": {"en": name}} for name in names]
    meta["parts"][1]["creator"] = [{"role": "aut", "name": {"en": name}} for name in names]
    (source / "edition.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
    doc = load_edition(source, source_date_epoch=int(EPOCH))
    assert creator_names(doc.edition.creators) == names
    assert [c.role for c in doc.edition.creators] == ["aut", "aut"]
    assert creator_names(doc.parts[1].creators) == names and doc.parts[0].creators == ()

    _, build = _build(source, tmp_path / "out")
    [record, *_] = json.loads((build / f"{MANIFESTO}.csl.json").read_text(encoding="utf-8"))
    assert record["author"] == [{"literal": name} for name in names]
    [entry] = bibtexparser.parse_string((build / f"{MANIFESTO}.bib").read_text(encoding="utf-8")).entries
    assert [a.strip().strip("{}") for a in entry.fields_dict["author"].value.split(" and ")] == names
    [ris] = rispy.loads((build / f"{MANIFESTO}.ris").read_text(encoding="utf-8"))
    assert ris["authors"] == names
    text = (build / f"{MANIFESTO}.html").read_text(encoding="utf-8")
    dc = extruct.extract(text, syntaxes=["dublincore"])["dublincore"][0]["elements"]
    assert [e["content"] for e in dc if e["name"] == "DC.creator"] == names
    page = lxml_html.fromstring(text.encode())
    assert page.xpath("//head/meta[@name='citation_author']/@content") == names
    assert page.xpath("//article[@id='section-1']/@data-creator") == [join("en", names)]

    package = etree.fromstring(opf.package(doc, opf.Context(epoch=int(EPOCH), print_source=None), [], []))
    ns = {"opf": opf.OPF_NS, "dc": opf.DC_NS}
    creators = package.findall("opf:metadata/dc:creator", ns)
    assert [c.text for c in creators] == names  # the part's creators are the edition's: named once
    roles = {m.get("refines"): m.text for m in package.findall("opf:metadata/opf:meta[@property='role']", ns)}
    assert [roles[f"#{c.get('id')}"] for c in creators] == ["aut", "aut"]


def test_the_treaty_and_the_resolution_are_typed_as_such() -> None:
    """What the issue found wrong: no @misc / GEN / CreativeWork for a resolution or a treaty."""
    for kind in ("treaty", "legislation"):
        row = cw.TYPES[kind]
        assert row.bibtex not in ("misc",) and row.ris != "GEN" and row.schema == "Legislation"


def test_every_required_type_and_field_has_a_row() -> None:
    types = "article-journal book chapter report legislation bill treaty legal_case webpage letter"
    types += " manuscript speech interview dataset document"
    assert set(types.split()) <= set(cw.TYPES)
    fields = "title title-translations creators issued number volume page container-title"
    fields += " collection-title publisher event-place URL DOI language genre note"
    assert set(fields.split()) <= {row.csl for row in cw.FIELDS}
    for row in cw.FIELDS:
        for fmt in cw.FORMATS:
            getattr(row, fmt)  # every row has a cell for every format, even if it says "no place"


def test_unmapped_fields_warn(caplog: pytest.LogCaptureFixture) -> None:
    """A CSL variable no row reads warns; a documented "not carried" cell (place in Highwire) does not."""
    item = {"id": "w", "type": "treaty", "title": "T", "event-place": "Geneva", "x-unknown": "1"}
    with caplog.at_level("WARNING", logger="archivekit"):
        cw.highwire(item)
    assert "event-place" not in caplog.text
    assert "no row for CSL variable 'x-unknown'" in caplog.text


# ---------------------------------------------------------------- Zotero's own translators

# tests/zotero/read.js runs a Zotero translator, chosen by its label, in Zotero's translation framework
# (the npm package zotero-translators bundles translation-server's framework and Zotero's translators;
# tools/validators/install.sh installs it pinned) and prints the items as Zotero API JSON.
ZOTERO_HARNESS = ROOT / "tests" / "zotero" / "read.js"
PAGE_URL = "https://editions.example/{0}/{0}.html"
MANIFESTO = "gutenberg-61-communist-manifesto"  # the address the page is read at (Zotero wants one)

# How Zotero's OpenURL reader (Zotero.OpenURL.parseContextObject) types a COinS span: by matrix and genre.
# A report is a report in the crosswalk and in Zotero; Z39.88 has no law or treaty genre, so a law is
# book/document and a treaty in a treaty series journal/article (table.py), which Zotero reads as such.
ZOTERO_COINS_TYPES = {
    ("journal", "article"): "journalArticle",
    ("book", "book"): "book",
    ("book", "bookitem"): "bookSection",
    ("book", "report"): "report",
    ("book", "document"): "document",
}

# What Zotero's translators (as bundled: BibTeX 2019-02-03, RIS 2017-10-28, CSL JSON 2019-01-31, COinS
# 2015-06-04 with the OpenURL reader of Zotero 5.0.61) read differently from the CSL-JSON, per
# (translator, CSL type), and why. Each is Zotero's reading of a value our file states as its format
# defines it; the test asserts exactly this, so a change on either side shows. `None` as the whole
# entry: Zotero imports no item.
ZOTERO_READS: dict[tuple[str, str], dict[str, Any] | None] = {
    # biblatex @legal ("legal documents such as treaties") is not in Zotero's BibTeX type map: the
    # translator logs "discarded item from BibTeX; type was legal" and imports nothing for it.
    ("BibTeX", "treaty"): None,
    # Zotero's BibTeX map reads biblatex @legislation as a bill (it has no statute mapping), and
    # `number` only as a report, patent or series number, or an issue: a bill has none of these.
    ("BibTeX", "legislation"): {"type": "bill", "number": None},
    # `series` goes to Zotero's `series` field, which the report type lacks (it has seriesTitle).
    ("BibTeX", "report"): {"series": None},
    # Zotero's RIS reader takes TY LEGAL for a case ("is this what they mean?" says its map): the title,
    # date, volume and first page land in caseName, dateDecided, reporterVolume, firstPage; M1 goes to
    # Extra and T2 (a case's reporter is A2 there) is dropped.
    ("RIS", "treaty"): {"type": "case", "number": None, "container": None},
    # Zotero's CSL JSON reader (2019-01-31) maps CSL types to Zotero's by Zotero's own table, which gives
    # the crosswalk's names (report, statute, document for a treaty); its name map has no CSL `authority`,
    # so an issuing body is not read, and a document has no number, volume, pages or publication fields.
    ("CSL JSON", "legislation"): {"creators": []},
    ("CSL JSON", "treaty"): {"creators": [], "number": None, "volume": None, "page": None, "container": None},
    # Zotero reads rft.number only for patents (Z39.88's book and journal matrices have no number).
    ("COinS", "report"): {"number": None},
    ("COinS", "legislation"): {"number": None},
    ("COinS", "treaty"): {"number": None},
}


def _zotero_modules() -> Path:
    modules = tools.validators_home() / "zotero" / "node_modules"
    require(
        shutil.which("node") is not None and (modules / "zotero-translators").is_dir(),
        "Zotero's translators (make validators installs zotero-translators)",
    )
    return modules


def _zotero_run(mode: str, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = ["node", str(ZOTERO_HARNESS), str(_zotero_modules()), mode, *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)


def _zotero(mode: str, *args: str) -> Any:
    result = _zotero_run(mode, *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def pages(builds: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every corpus edition's page: those without a bibliography are built here, once Zotero is there."""
    _zotero_modules()
    out = tmp_path_factory.mktemp("pages")
    more = dict(_build(source, out) for source in CORPUS if source not in WITH_BIBLIOGRAPHY)
    return builds | more


def from_zotero(z: dict[str, Any]) -> dict[str, Any]:
    """A Zotero item's checked fields, by base field (a case's caseName is its title), as plain text."""
    base = z["base"]
    return {
        "type": z["itemType"],
        "title": base.get("title"),
        "creators": [c.get("name") or f"{c['lastName']}, {c['firstName']}" for c in z["creators"]],
        "date": z["dateISO"],
        "number": base.get("number"),
        "volume": base.get("volume"),
        "page": base.get("pages"),
        "container": base.get("publicationTitle"),
        "series": base.get("series") or base.get("seriesTitle"),
        "URL": base.get("url"),
    }


def zotero_expected(translator: str, item: dict[str, Any]) -> dict[str, Any] | None:
    """The CSL record as Zotero should hold it: item type by the crosswalk's zotero name, and series."""
    want = expected(item)
    row = cw.type_row(item)
    want["type"] = ZOTERO_COINS_TYPES[row.coins] if translator == "COinS" else row.zotero
    want["series"] = item.get("collection-title")
    reads = ZOTERO_READS.get((translator, item["type"]), {})
    return None if reads is None else want | reads


def _compare(translator: str, got_items: list[dict[str, Any]], cited: list[dict[str, Any]]) -> list[str]:
    by_title = {}
    for z in got_items:
        by_title.setdefault(z["base"].get("title"), from_zotero(z))
    mismatches = []
    for item in cited:
        want = zotero_expected(translator, item)
        got = by_title.pop(item["title"], None)
        if want is None or got is None:
            if (want, got) != (None, None):
                mismatches.append(f"{item['id']}: Zotero's {translator} imported {got!r}, expected {want!r}")
            continue
        for key, value in want.items():
            if got[key] != value:
                mismatches.append(
                    f"{item['id']}.{key}: Zotero's {translator} read {got[key]!r}, not {value!r}"
                )
    return mismatches + [f"Zotero's {translator} read an item not cited: {z!r}" for z in by_title.values()]


@pytest.mark.validators
@pytest.mark.parametrize("translator", ["BibTeX", "RIS"])
def test_zotero_imports_every_cited_item_from_the_citation_files(
    builds: dict[str, Path], translator: str
) -> None:
    """Zotero's own BibTeX and RIS import translators read the .bib and .ris: type and fields per item."""
    suffix = {"BibTeX": "bib", "RIS": "ris"}[translator]
    mismatches = []
    for build in builds.values():
        records = json.loads(next(build.glob("*.csl.json")).read_text(encoding="utf-8"))
        items = _zotero("import", translator, str(next(build.glob(f"*.{suffix}"))))
        edition = from_zotero(items[0])  # the first record is the edition itself
        assert (edition["type"], edition["title"]) == (cw.type_row(records[0]).zotero, records[0]["title"])
        mismatches += _compare(translator, items[1:], records[1:])
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.validators
def test_zotero_imports_every_csl_json_whole(builds: dict[str, Path]) -> None:
    """Zotero's CSL JSON translator reads each .csl.json whole, typed as the crosswalk's `zotero` column says.

    Its detectImport accepts a file only when every record's type is a CSL type (CSL 1.0.2: citeproc-py's
    csl-types.rnc), so one record typed with Zotero's name "letter" instead of CSL's
    personal_communication would lose the whole file; the edition records are checked too.
    """
    schema = Path(citeproc.__file__).parent / "data" / "schema" / "schemas" / "styles" / "csl-types.rnc"
    csl_types = set(re.findall(r'"([a-z_-]+)"', schema.read_text(encoding="utf-8")))
    mismatches = []
    for build in builds.values():
        path = next(build.glob("*.csl.json"))
        records = json.loads(path.read_text(encoding="utf-8"))
        assert {r["type"] for r in records} <= csl_types, path.name
        items = _zotero("import", "CSL JSON", str(path))
        edition = from_zotero(items[0])
        assert (edition["type"], edition["title"]) == (cw.type_row(records[0]).zotero, records[0]["title"])
        mismatches += _compare("CSL JSON", items[1:], records[1:])
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.validators
def test_zotero_coins_translator_reads_every_cited_work_on_the_page(builds: dict[str, Path]) -> None:
    """Zotero's COinS web translator, on the page in jsdom: one item per span.Z3988, each cited work."""
    mismatches = []
    for edition_id, build in builds.items():
        page = build / f"{build.name}.html"
        items = _zotero("web", "COinS", str(page), PAGE_URL.format(edition_id))
        mismatches += _compare("COinS", items, _cited(build))
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.validators
def test_zotero_embedded_metadata_reads_the_page_as_the_edition(pages: dict[str, Path]) -> None:
    """Zotero's Embedded Metadata translator on every corpus page: one item, the edition, typed by DC.type."""
    read = {}
    for edition_id, build in pages.items():
        record = json.loads(next(build.glob("*.csl.json")).read_text(encoding="utf-8"))[0]
        url = PAGE_URL.format(edition_id)
        [item] = read[edition_id] = _zotero(
            "web", "Embedded Metadata", str(build / f"{build.name}.html"), url
        )
        got = from_zotero(item)
        assert got["type"] == cw.type_row(record).zotero, edition_id
        assert got["title"] == record["title"]
        # Our names are literals ("Richard Wagner", an issuing body): Zotero splits a person's into last
        # and first name; in reading order they are the literal again.
        natural = [c.get("name") or f"{c['firstName']} {c['lastName']}" for c in item["creators"]]
        assert natural == [cw.name_text(n) for n in cw.creators(record)], edition_id
        assert got["date"] == cw.iso_date(record)
        assert item["language"] == record["language"]
        # The page describes itself: its URL is where it was read (the edition record has no URL of its own).
        assert got["URL"] == url and record.get("URL") is None
    # The Manifesto's two authors are two creators in edition.yaml, so the page has a citation_author
    # each and Zotero holds two persons (until they were one creator string, read as one person
    # "Engels, Karl Marx and Friedrich").
    assert read[MANIFESTO][0]["creators"] == [
        {"firstName": "Karl", "lastName": "Marx", "creatorType": "author"},
        {"firstName": "Friedrich", "lastName": "Engels", "creatorType": "author"},
    ]


@pytest.mark.validators
def test_zotero_translators_that_ran_are_named() -> None:
    """The translators' own version stamps, so a report says which Zotero reading was checked."""
    stamps = _zotero("versions", "BibTeX", "RIS", "CSL JSON", "COinS", "Embedded Metadata")
    assert all(stamps.values()), stamps


def test_schema_org_types_only_what_the_record_says() -> None:
    """A literal author is a name with no guessed @type; an issuing body (authority) is an Organization."""
    by_name = {"type": "report", "id": "a", "title": "T", "author": [{"literal": "Ann Example"}]}
    issued = {"type": "legislation", "id": "b", "title": "T", "authority": "Example Assembly"}
    person = {"type": "report", "id": "c", "title": "T", "author": [{"family": "Kaye", "given": "David"}]}
    assert cw.schema_work(by_name)["author"] == [{"name": "Ann Example"}]
    assert cw.schema_work(issued)["author"] == [{"@type": "Organization", "name": "Example Assembly"}]
    assert cw.schema_work(person)["author"][0]["@type"] == "Person"
