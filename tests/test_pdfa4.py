"""The PDF 2.0 preservation master (issue #17): for every edition in sources/, `--pdfa 4f,2a` builds
<id>.pdfa4f.pdf, which veraPDF passes as PDF/A-4f, PDF/UA-2 and WTPDF 1.0 accessibility (0 failed
rules), whose tag tree (pdfinfo -struct-text, read by the judge's fidelity code) carries every
character of the sources in order with every note whole, and whose notes are FENote elements in the
PDF 2.0 namespace reached from their marks by structure destinations; the default file beside it
still passes PDF/A-2a + PDF/UA-1; a second build of the 4f file is byte-identical."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from archivekit.validate.judge import fidelity
from archivekit.validate.judge.sources import read_sources
from conftest import ROOT, require, run_cli, verapdf_verdicts

pytestmark = pytest.mark.validators

EDITIONS = sorted(p.name for p in (ROOT / "sources").iterdir() if (p / "edition.yaml").is_file())
PDF2_NS = "http://iso.org/pdf2/ssn"


@pytest.fixture(scope="module")
def masters(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every edition's archival PDFs, 4f and 2a, built once."""
    require(shutil.which("pdfinfo") is not None, "poppler-utils (pdfinfo)")
    out = tmp_path_factory.mktemp("pdfa4")
    dirs = [str(ROOT / "sources" / e) for e in EDITIONS]
    result = run_cli("build", *dirs, "--out", str(out), "--format", "pdf", "--pdfa", "4f,2a", "--force")
    assert result.returncode == 0, result.stderr[-3000:]
    return out


def _verapdf(files: list[Path], flavour: str) -> dict[str, dict[str, Any]]:
    """File name -> veraPDF profile name -> result, for one flavour over all files in one JVM."""
    return verapdf_verdicts(files, "--flavour", flavour, timeout=900)


def _failures(results: dict[str, Any]) -> list[str]:
    return [
        f"{profile}: {r['clause']}-{r['testNumber']} {r['description']} ({r['failedChecks']}x)"
        for profile, result in results.items()
        for r in result["details"]["ruleSummaries"]
    ]


@pytest.mark.parametrize(
    ("flavour", "suffix", "profile"),
    [
        ("4f", ".pdfa4f.pdf", "PDF/A-4f validation profile"),
        ("ua2", ".pdfa4f.pdf", "PDF/UA-2 + Tagged PDF validation profile"),
        ("wt1a", ".pdfa4f.pdf", "WTPDF 1.0 Accessibility validation profile"),
        ("2a", ".pdf", "PDF/A-2a validation profile"),
        ("ua1", ".pdf", "PDF/UA-1 validation profile"),
    ],
)
def test_verapdf_passes_every_edition(masters: Path, flavour: str, suffix: str, profile: str) -> None:
    files = [masters / e / (e + suffix) for e in EDITIONS]
    verdicts = _verapdf(files, flavour)
    for edition in EDITIONS:
        results = verdicts[edition + suffix]
        assert set(results) == {profile}, edition
        assert not _failures(results), edition + "\n" + "\n".join(_failures(results))
        assert results[profile]["compliant"] is True, edition


@pytest.mark.parametrize("edition", EDITIONS)
def test_tag_tree_carries_the_sources(masters: Path, edition: str) -> None:
    """The judge's fidelity check on the 4f file, which it reads through pdfinfo -struct-text."""
    build = masters / edition
    name = edition + ".pdfa4f.pdf"
    assert fidelity.check(read_sources(build), name, "pdf", build / name) == []


@pytest.mark.parametrize("edition", EDITIONS)
def test_notes_are_fenotes_reached_by_structure_destinations(masters: Path, edition: str) -> None:
    with pikepdf.open(masters / edition / (edition + ".pdfa4f.pdf")) as pdf:
        assert pdf.pdf_version == "2.0"
        assert "/Info" not in pdf.trailer
        root = pdf.Root.StructTreeRoot
        assert [str(ns.NS) for ns in root.Namespaces] == [PDF2_NS]
        (document,) = list(root.K)
        assert document.S == "/Document" and str(document.NS.NS) == PDF2_NS
        roles: list[str] = []
        stack = [document]
        while stack:
            elem = stack.pop()
            roles.append(str(elem.S))
            assert str(elem.NS.NS) == PDF2_NS
            if elem.S == "/FENote":
                assert elem.A.O == "/FENote" and elem.A.NoteType == "/Footnote"
                for mark in elem.Ref:  # each mark refers back to its note
                    assert any(ref.objgen == elem.objgen for ref in mark.Ref)
            stack += [
                k for k in elem.K if isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/StructElem"
            ]
        assert "/Note" not in roles and "/Reference" not in roles
        with pdf.open_metadata() as meta:
            assert meta["pdfaid:part"] == "4" and meta["pdfaid:rev"] == "2020"
            assert meta["pdfaid:conformance"] == "F"
            assert meta["pdfuaid:part"] == "2" and meta["pdfuaid:rev"] == "2024"
        assert b"http://pdfa.org/declarations/wtpdf#accessibility1.0" in pdf.Root.Metadata.read_bytes()
        notes = roles.count("/FENote")
        links = [a for page in pdf.pages for a in page.get("/Annots", []) if a.get("/Subtype") == "/Link"]
        assert len(links) >= notes
        for annot in links:
            assert "/Dest" not in annot and annot.A.SD[0].get("/Type") == "/StructElem"
        specs = {str(s.F): s for s in pdf.Root.AF}
        assert "edition.yaml" in specs and specs["edition.yaml"].AFRelationship == "/Data"
        assert any(s.AFRelationship == "/Source" for s in specs.values())
        for spec in specs.values():
            assert str(spec.EF.F.Subtype).count("/") == 2  # a MIME type: /type/subtype
            assert str(spec.EF.F.Params.ModDate).startswith("D:2023")  # the build clock, 1700000000


def test_two_builds_are_byte_identical(masters: Path, tmp_path: Path) -> None:
    edition = "carfc-2019-07-15-letter-to-ceos"
    result = run_cli(
        "build", str(ROOT / "sources" / edition), "--out", str(tmp_path), "--format", "pdf",
        "--pdfa", "4f", "--force",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    name = edition + ".pdfa4f.pdf"
    assert (tmp_path / edition / name).read_bytes() == (masters / edition / name).read_bytes()
