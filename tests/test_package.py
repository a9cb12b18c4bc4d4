"""The archival package: a BagIt 1.0 bag that bagit's own validator accepts, a PREMIS record the
official schema accepts, reproducible manifests, and `archivekit verify` catching every tampering."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from archivekit.package import package_edition, verify_bag
from archivekit.package.formats import identify
from archivekit.package.premis import PREMIS_NS, schema, schema_errors
from conftest import EDITION, EDITION_ID, EPOCH, ROOT, build_canonical, require, run_cli

BAGIT_CLI = Path(sys.executable).parent / "bagit.py"
BAG_NAME = f"{EDITION_ID}-1.0.0.bag"
NS = {"p": PREMIS_NS}
# sha256 of premis-v3-0.xsd as published by the Library of Congress (2016-01-18); two independent
# public copies of the file (same git blob be6122b6) were compared before shipping it.
OFFICIAL_XSD_SHA256 = "03b8a77a20b32b882ad799e12262671d07ad18210c60233f4e613a1289491cba"


def _build(out: Path) -> Path:
    # The text writer alone keeps this fast; the full-format build is packaged in its own test below.
    return build_canonical(out, "text")


@pytest.fixture(scope="session")
def text_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One clean build of the edition (text and sources), shared by the tests that only read it."""
    return _build(tmp_path_factory.mktemp("build-a"))


@pytest.fixture
def bag(text_build: Path, tmp_path: Path) -> Path:
    """A fresh bag of that build, private to one test so it may be tampered with."""
    return package_edition(text_build, tmp_path, source_date_epoch=int(EPOCH))


def _verify_cli(bag: Path) -> subprocess.CompletedProcess[str]:
    return run_cli("verify", str(bag))


def test_bag_is_bagit_1_0_and_bagits_own_validator_accepts_it(bag: Path) -> None:
    assert bag.name == BAG_NAME
    assert (bag / "bagit.txt").read_text(encoding="utf-8").startswith("BagIt-Version: 1.0\n")
    result = subprocess.run(
        [sys.executable, str(BAGIT_CLI), "--validate", str(bag)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "is valid" in result.stderr


def test_bag_info_fields(bag: Path) -> None:
    info = dict(
        line.split(": ", 1) for line in (bag / "bag-info.txt").read_text(encoding="utf-8").splitlines()
    )
    assert info["Bagging-Date"] == dt.datetime.fromtimestamp(int(EPOCH), dt.UTC).date().isoformat()
    assert info["External-Identifier"].startswith("urn:uuid:")
    assert "Archival edition, version 1.0.0" in info["External-Description"]
    assert info["Bag-Software-Agent"].startswith("archivekit ")
    payload = [p for p in (bag / "data").rglob("*") if p.is_file()]
    assert info["Payload-Oxum"] == f"{sum(p.stat().st_size for p in payload)}.{len(payload)}"
    for alg in ("sha256", "sha512"):
        assert (bag / f"manifest-{alg}.txt").is_file()
        assert (bag / f"tagmanifest-{alg}.txt").is_file()


def test_payload_holds_every_artifact_of_the_build(text_build: Path, bag: Path) -> None:
    manifest = json.loads((text_build / "manifest.json").read_text(encoding="utf-8"))
    assert any(row["format"] == "source" for row in manifest["artifacts"])
    for row in manifest["artifacts"]:
        copied = bag / "data" / row["path"]
        assert hashlib.sha256(copied.read_bytes()).hexdigest() == row["sha256"], row["path"]
    assert (bag / "data" / "manifest.json").read_bytes() == (text_build / "manifest.json").read_bytes()
    # The canonical sources, the bibliography and the edition's CHANGELOG travel in the bag.
    for name in ("edition.yaml", "bibliography.json", "CHANGELOG.md", "01-letter.zh-Hans.md"):
        assert (bag / "data" / "sources" / name).read_bytes() == (EDITION / name).read_bytes()


def test_shipped_premis_schema_is_the_official_one() -> None:
    xsd = ROOT / "src" / "archivekit" / "schemas" / "premis-v3-0.xsd"
    assert hashlib.sha256(xsd.read_bytes()).hexdigest() == OFFICIAL_XSD_SHA256


def test_premis_record_validates_and_states_the_manifests_fixity(bag: Path) -> None:
    data = (bag / "data" / "metadata" / "premis.xml").read_bytes()
    doc = etree.fromstring(data)
    schema().assertValid(doc)  # the official PREMIS 3.0 schema, loaded without network
    manifest = dict(
        reversed(line.split("  ", 1)) for line in (bag / "manifest-sha256.txt").read_text().splitlines()
    )
    described = {}
    for obj in doc.iterfind("p:object", NS):
        if obj.get(f"{{{'http://www.w3.org/2001/XMLSchema-instance'}}}type") != "premis:file":
            continue
        path = obj.findtext("p:objectIdentifier/p:objectIdentifierValue", namespaces=NS)
        for fixity in obj.iterfind("p:objectCharacteristics/p:fixity", NS):
            if fixity.findtext("p:messageDigestAlgorithm", namespaces=NS) == "SHA-256":
                described[path] = fixity.findtext("p:messageDigest", namespaces=NS)
    # Every payload file but the record itself is described, with the manifest's own checksum.
    manifest.pop("data/metadata/premis.xml")
    assert described == manifest
    types = [e.findtext("p:eventType", namespaces=NS) for e in doc.iterfind("p:event", NS)]
    assert {"creation", "message digest calculation", "packing"} <= set(types)
    creation = next(
        e for e in doc.iterfind("p:event", NS) if e.findtext("p:eventType", namespaces=NS) == "creation"
    )
    detail = creation.findtext("p:eventDetailInformation/p:eventDetail", namespaces=NS)
    for program in ("archivekit", "pandoc", "ReportLab"):
        assert program in detail
    text_format = doc.xpath(
        "p:object[p:objectIdentifier/p:objectIdentifierValue='data/carfc-2019-07-15-letter-to-ceos.txt']"
        "//p:formatRegistryKey/text()",
        namespaces=NS,
    )
    assert text_format == ["x-fmt/111"]


def test_premis_schema_check_rejects_a_broken_record(bag: Path) -> None:
    data = (bag / "data" / "metadata" / "premis.xml").read_bytes()
    assert schema_errors(data) == []
    broken = data.replace(b"<premis:eventType>packing</premis:eventType>", b"", 1)
    assert broken != data
    assert schema_errors(broken)


def test_verify_accepts_an_intact_bag(bag: Path) -> None:
    assert verify_bag(bag) == []
    result = _verify_cli(bag)
    assert result.returncode == 0, result.stdout + result.stderr


def _flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def test_verify_reports_a_flipped_byte(bag: Path) -> None:
    _flip_byte(bag / "data" / "sources" / "01-letter.zh-Hans.md")
    codes = {(f.code, f.artifact) for f in verify_bag(bag)}
    assert codes == {("payload.changed", "data/sources/01-letter.zh-Hans.md")}
    result = _verify_cli(bag)
    assert result.returncode == 1
    assert "data/sources/01-letter.zh-Hans.md has changed" in result.stdout


def test_verify_reports_a_deleted_file(bag: Path) -> None:
    (bag / "data" / "sources" / "bibliography.json").unlink()
    codes = {(f.code, f.artifact) for f in verify_bag(bag)}
    assert ("payload.missing", "data/sources/bibliography.json") in codes
    assert ("bag.oxum", "bag-info.txt") in codes
    assert _verify_cli(bag).returncode == 1


def test_verify_reports_an_added_file(bag: Path) -> None:
    (bag / "data" / "sources" / "extra.txt").write_text("not part of the edition\n", encoding="utf-8")
    codes = {(f.code, f.artifact) for f in verify_bag(bag)}
    assert ("payload.extra", "data/sources/extra.txt") in codes
    assert _verify_cli(bag).returncode == 1


def test_verify_reports_every_problem_at_once(bag: Path) -> None:
    _flip_byte(bag / "data" / "carfc-2019-07-15-letter-to-ceos.txt")
    (bag / "data" / "sources" / "CHANGELOG.md").unlink()
    (bag / "data" / "stray.bin").write_bytes(b"\x00")
    info = bag / "bag-info.txt"
    info.write_text(
        info.read_text(encoding="utf-8").replace("Archival edition", "Archival editon"), encoding="utf-8"
    )
    result = _verify_cli(bag)
    assert result.returncode == 1
    for expected in (
        "payload.changed: data/carfc-2019-07-15-letter-to-ceos.txt",
        "payload.missing: data/sources/CHANGELOG.md",
        "payload.extra: data/stray.bin",
        "bag.oxum",
        "tag.changed: bag-info.txt",
    ):
        assert expected in result.stdout, result.stdout
    # bagit's own validator agrees the bag is broken (it stops at the first stage that fails).
    bagit = subprocess.run(
        [sys.executable, str(BAGIT_CLI), "--validate", str(bag)], capture_output=True, text=True
    )
    assert bagit.returncode != 0


def test_verify_reports_a_changed_premis_fixity_even_with_a_recomputed_manifest(bag: Path) -> None:
    # Someone "repairs" a bag by editing the record: the record no longer matches the manifests.
    record = bag / "data" / "metadata" / "premis.xml"
    text = record.read_text(encoding="utf-8")
    manifest = (bag / "manifest-sha256.txt").read_text(encoding="utf-8")
    digest = next(line.split()[0] for line in manifest.splitlines() if line.endswith("01-letter.zh-Hans.md"))
    record.write_text(text.replace(digest, "0" * 64), encoding="utf-8")
    codes = {f.code for f in verify_bag(bag)}
    assert "premis.fixity" in codes
    assert "payload.changed" in codes


def test_verify_rejects_a_folder_that_is_not_a_bag(tmp_path: Path) -> None:
    result = _verify_cli(tmp_path)
    assert result.returncode == 1
    assert "bag.not-a-bag" in result.stdout


def test_two_clean_builds_give_identical_bags(
    text_build: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    other_build = _build(tmp_path_factory.mktemp("build-b"))
    first = package_edition(text_build, tmp_path_factory.mktemp("bag-a"), source_date_epoch=int(EPOCH))
    second = package_edition(other_build, tmp_path_factory.mktemp("bag-b"), source_date_epoch=int(EPOCH))
    names = ["manifest-sha256.txt", "manifest-sha512.txt", "tagmanifest-sha256.txt", "tagmanifest-sha512.txt"]
    names += ["bag-info.txt", "bagit.txt", "data/metadata/premis.xml"]
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    # No file date leaks the packaging time: everything carries SOURCE_DATE_EPOCH.
    assert {int(p.stat().st_mtime) for p in first.rglob("*")} == {int(EPOCH)}


def test_package_via_cli_and_repackaging_replaces_the_bag(text_build: Path, tmp_path: Path) -> None:
    out = tmp_path / "bags"
    for _ in range(2):
        result = run_cli(
            "package", str(text_build), "--out", str(out), "--source-organization", "Test Archive"
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == str(out / BAG_NAME)
    assert sorted(p.name for p in out.iterdir()) == [BAG_NAME]
    assert "Source-Organization: Test Archive\n" in (out / BAG_NAME / "bag-info.txt").read_text(
        encoding="utf-8"
    )
    assert verify_bag(out / BAG_NAME) == []


def test_failed_packaging_leaves_no_half_bag(text_build: Path, tmp_path: Path) -> None:
    build = tmp_path / "build" / EDITION_ID
    shutil.copytree(text_build, build)
    out = tmp_path / "bags"
    good = package_edition(build, out, source_date_epoch=int(EPOCH))
    before = (good / "manifest-sha256.txt").read_bytes()
    _flip_byte(build / "sources" / "edition.yaml")  # the build no longer matches its manifest
    result = run_cli("package", str(build), "--out", str(out))
    assert result.returncode == 2
    assert "changed after the build" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == [BAG_NAME]  # no .partial folder left behind
    assert (good / "manifest-sha256.txt").read_bytes() == before


@pytest.mark.slow
def test_two_clean_full_builds_give_identical_bag_manifests(built: Path, tmp_path: Path) -> None:
    result = run_cli("build", str(EDITION), "--out", str(tmp_path / "again"), "--force")
    assert result.returncode == 0, result.stderr
    first = package_edition(built, tmp_path / "a", source_date_epoch=int(EPOCH))
    second = package_edition(tmp_path / "again" / EDITION_ID, tmp_path / "b", source_date_epoch=int(EPOCH))
    for name in (
        "manifest-sha256.txt",
        "manifest-sha512.txt",
        "tagmanifest-sha256.txt",
        "tagmanifest-sha512.txt",
    ):
        assert (first / name).read_text() == (second / name).read_text(), name


def test_full_build_is_packaged_with_pronom_formats(built: Path, tmp_path: Path) -> None:
    bag = package_edition(built, tmp_path, source_date_epoch=int(EPOCH))
    result = subprocess.run(
        [sys.executable, str(BAGIT_CLI), "--validate", str(bag)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert verify_bag(bag) == []
    doc = etree.parse(str(bag / "data" / "metadata" / "premis.xml"))
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    by_path = {row["path"]: row for row in manifest["artifacts"]}
    name = built.name
    # the reader's PDF/A-2a, the PDF 2.0 preservation master (PDF/A-4f), the EPUB, the HTML
    expected = {f"{name}.pdf": "fmt/476", f"{name}.pdfa4f.pdf": "fmt/1912", f"{name}.epub": "fmt/483",
                f"{name}.html": "fmt/471"}  # fmt: skip
    for fmt, puid in expected.items():
        row = by_path.get(fmt)
        assert row is not None, f"the full build has no {fmt}"
        keys = doc.xpath(
            f"p:object[p:objectIdentifier/p:objectIdentifierValue='data/{row['path']}']//p:formatRegistryKey/text()",
            namespaces=NS,
        )
        assert keys == [puid], (fmt, row["conforms_to"], keys)


@pytest.mark.parametrize(
    ("claims", "puid"),
    [
        (("PDF/A-2a", "PDF/UA-1"), "fmt/476"),
        (("ISO 19005-3 PDF/A-3a",), "fmt/479"),
        (("PDF/A-2u",), "fmt/478"),
        (("PDF/X-4",), "fmt/488"),
    ],
)
def test_pdf_conformance_claims_map_to_pronom(claims: tuple[str, ...], puid: str, tmp_path: Path) -> None:
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    assert identify(pdf, media_type="application/pdf", conforms_to=claims).puid == puid


def test_plain_pdf_is_identified_by_its_header(tmp_path: Path) -> None:
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\n")
    info = identify(pdf, media_type="application/pdf")
    assert (info.puid, info.version) == ("fmt/276", "1.7")


@pytest.mark.validators
def test_validation_reports_become_premis_validation_events(tmp_path: Path) -> None:
    from archivekit.validate import tools

    vnu = tools.vnu()
    require(vnu.available, f"Nu HTML Checker: {vnu.missing}")
    result = run_cli("build", str(EDITION), "--out", str(tmp_path), "--format", "html", "--force")
    assert result.returncode == 0, result.stderr
    build = tmp_path / EDITION_ID
    run_cli("validate", str(build))  # exit 1 on findings is fine here: the bag must record either verdict
    report = json.loads((build / "validation" / "report.json").read_text(encoding="utf-8"))
    bag = package_edition(build, tmp_path / "bags", source_date_epoch=int(EPOCH))
    assert verify_bag(bag) == []
    doc = etree.parse(str(bag / "data" / "metadata" / "premis.xml"))
    events = {}
    for event in doc.iterfind("p:event", NS):
        if event.findtext("p:eventType", namespaces=NS) != "validation":
            continue
        agent = event.findtext("p:linkingAgentIdentifier/p:linkingAgentIdentifierValue", namespaces=NS)
        source = event.xpath(
            "p:linkingObjectIdentifier[p:linkingObjectRole='source']/*[2]/text()", namespaces=NS
        )
        events[(agent, tuple(source))] = event.findtext(
            "p:eventOutcomeInformation/p:eventOutcome", namespaces=NS
        )
    expected = {}
    for row in report["validators"]:
        for target in row["artifacts"]:
            status = "not run" if row["status"] == "not run" else target["status"]
            expected[
                (f"{row['validator']} {row['version'] or 'unknown'}", (f"data/{target['artifact']}",))
            ] = status
            if target["raw_report"]:
                assert (bag / "data" / target["raw_report"]).is_file()
    assert expected and events == expected
