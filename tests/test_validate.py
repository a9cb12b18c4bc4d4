"""Unit tests for the validator adapters: report parsing, routing, determinism; no external tool runs here."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from archivekit.errors import ToolMissing
from archivekit.validate import ace, axe, epubcheck, registry, run_validate, tools, verapdf, vnu
from archivekit.validate.base import ERROR, INFO, WARNING, Target, scrub
from archivekit.validate.runner import validate_build


def test_verapdf_flavours_follow_the_manifest_claims() -> None:
    assert [verapdf.flavour(c) for c in ("PDF/A-2a", "PDF/A-2u", "PDF/A-3a", "PDF/UA-1")] == [
        "2a",
        "2u",
        "3a",
        "ua1",
    ]
    assert verapdf.flavour("PDF/A-4f") == "4f"
    assert verapdf.flavour("PDF/UA-2") == "ua2"
    assert verapdf.flavour("PDF/X-4") is None  # the print preflight judges PDF/X, not veraPDF
    assert verapdf.profile_claim("PDF/UA-2 + Tagged PDF validation profile") == "PDF/UA-2"
    t = Target("letter.pdf", Path("letter.pdf"), ("PDF/A-2a", "PDF/UA-1", "PDF/X-4", "PDF/A-2a"))
    assert verapdf.flavours_of(t) == ["2a", "ua1"]


VERAPDF_JOB = {
    "itemDetails": {"name": "/abs/build/letter.pdf", "size": 1406},
    "processingTime": {"start": 1, "finish": 2, "duration": "00:00:00.391", "difference": 391},
    "validationResult": [
        {
            "jobEndStatus": "normal",
            "profileName": "PDF/A-2a validation profile",
            "compliant": False,
            "details": {
                "failedRules": 1,
                "ruleSummaries": [
                    {
                        "ruleStatus": "FAILED",
                        "status": "failed",
                        "specification": "ISO 19005-2:2011",
                        "clause": "6.6.2.1",
                        "testNumber": 1,
                        "failedChecks": 2,
                        "description": "The Catalog dictionary shall contain the Metadata key",
                        "checks": [
                            {
                                "status": "failed",
                                "context": "root/document[0]",
                                "errorMessage": "no metadata key",
                            },
                            {
                                "status": "failed",
                                "context": "root/document[1]",
                                "errorMessage": "no metadata key",
                            },
                        ],
                    }
                ],
            },
        }
    ],
}


def test_verapdf_failed_rule_is_one_error_with_its_first_location() -> None:
    job = verapdf.normalise_job(VERAPDF_JOB, "letter.pdf")
    assert "processingTime" not in job and job["itemDetails"]["name"] == "letter.pdf"
    (f,) = verapdf.findings_from_job(job, "letter.pdf", "1.30.2")
    assert (f.validator, f.code, f.severity) == ("veraPDF", "PDF/A-2a 6.6.2.1-1", ERROR)
    assert f.location == "root/document[0] (+1 more)"
    assert f.message == "no metadata key"


def test_verapdf_job_without_results_is_an_error_not_a_pass() -> None:
    (f,) = verapdf.findings_from_job({"itemDetails": {"name": "x.pdf"}}, "x.pdf", "1.30.2")
    assert f.severity == ERROR and f.code == "not-validated"


def test_verapdf_build_information_loses_dates() -> None:
    rep = {
        "report": {
            "buildInformation": {
                "releaseDetails": [{"id": "apps", "version": "1.30.2", "buildDate": 1780483980000}]
            }
        }
    }
    assert verapdf.normalise_build_info(rep) == {"releaseDetails": [{"id": "apps", "version": "1.30.2"}]}
    assert verapdf.version_of(rep, "?") == "1.30.2"


EPUBCHECK_REPORT = {
    "checker": {
        "path": "/abs/book.epub",
        "filename": "book.epub",
        "checkerVersion": "5.3.0",
        "checkDate": "11-28-2026 03:30:41",
        "elapsedTime": 3008,
        "nError": 1,
    },
    "messages": [
        {
            "ID": "RSC-008",
            "severity": "ERROR",
            "message": "Referenced resource is not declared",
            "locations": [{"path": "EPUB/c1.xhtml", "line": 8, "column": 20}, {"path": "EPUB/c2.xhtml"}],
        },
        {"ID": "OPF-096", "severity": "WARNING", "message": "w", "locations": []},
        {"ID": "ACC-001", "severity": "USAGE", "message": "u", "locations": []},
        {"ID": "X", "severity": "SUPPRESSED", "message": "s", "locations": []},
    ],
}


def test_epubcheck_messages_map_to_severities_and_locations() -> None:
    norm = epubcheck.normalise(EPUBCHECK_REPORT, "book.epub")
    assert "checkDate" not in norm["checker"] and "elapsedTime" not in norm["checker"]
    assert norm["checker"]["path"] == "book.epub"
    found = epubcheck.findings(norm, "book.epub", "5.3.0")
    assert [(f.code, f.severity) for f in found] == [
        ("RSC-008", ERROR),
        ("OPF-096", WARNING),
        ("ACC-001", INFO),
    ]
    assert found[0].location == "EPUB/c1.xhtml:8:20 (+1 more)"


ACE_REPORT = {
    "dct:date": "11/28/2026, 3:30:48 AM",
    "earl:assertedBy": {"doap:release": {"doap:revision": "1.4.6"}},
    "earl:testSubject": {"url": "../somewhere/book.epub"},
    "assertions": [
        {
            "earl:testSubject": {"url": "EPUB/c1.xhtml"},
            "assertions": [
                {
                    "earl:result": {
                        "earl:outcome": "fail",
                        "dct:description": "Element has no alt\nmore",
                        "earl:pointer": {"css": ["img"]},
                    },
                    "earl:test": {
                        "earl:impact": "critical",
                        "dct:title": "image-alt",
                        "dct:description": "Images",
                    },
                },
                {
                    "earl:result": {"earl:outcome": "fail"},
                    "earl:test": {
                        "earl:impact": "moderate",
                        "dct:title": "metadata-accessibilitysummary",
                        "dct:description": "summary",
                    },
                },
                {"earl:result": {"earl:outcome": "pass"}, "earl:test": {"dct:title": "ok"}},
            ],
        }
    ],
}


def test_ace_impacts_split_errors_from_advice() -> None:
    norm = ace.normalise(ACE_REPORT, "book.epub")
    assert "dct:date" not in norm and norm["earl:testSubject"]["url"] == "book.epub"
    assert ace.version_of(norm, "?") == "1.4.6"
    found = ace.findings(norm, "book.epub", "1.4.6")
    assert [(f.code, f.severity, f.location) for f in found] == [
        ("image-alt", ERROR, "EPUB/c1.xhtml img"),
        ("metadata-accessibilitysummary", WARNING, "EPUB/c1.xhtml"),
    ]
    assert found[0].message == "Images: Element has no alt"


def test_vnu_codes_severities_and_files() -> None:
    assert vnu.code_of("Stray end tag “div”.") == "Stray end tag “…”."
    assert vnu.severity_of({"type": "error"}) == ERROR
    assert vnu.severity_of({"type": "non-document-error"}) == ERROR
    assert vnu.severity_of({"type": "info", "subType": "warning"}) == WARNING
    assert vnu.severity_of({"type": "info"}) == INFO
    build = Path("/abs/build")
    targets = [Target("index.html", build / "index.html"), Target("html/a b.html", build / "html/a b.html")]
    assert vnu.artifact_of("file:/abs/build/html/a%20b.html", targets, build) == "html/a b.html"
    assert vnu.artifact_of("file:/elsewhere/other.html", targets, build) is None
    assert vnu.location_of({"lastLine": 14, "firstColumn": 1}) == "14:1"


def test_axe_merges_views_and_reports_network_requests() -> None:
    viol = {
        "id": "image-alt",
        "impact": "critical",
        "help": "Images must have alternative text",
        "nodes": [{"target": ["img"]}],
    }
    results = [
        {
            "page": "index.html",
            "width": w,
            "scheme": s,
            "violations": [viol],
            "blocked_requests": ["https://fonts.example/x.woff2"] if w == 320 else [],
        }
        for w in (320, 1280)
        for s in ("light", "dark")
    ]
    found = axe.findings({"results": results}, "index.html", "4.14.1")
    assert [(f.code, f.severity) for f in found] == [("image-alt", ERROR), ("network-request", ERROR)]
    assert found[0].location == "img [320px light, 320px dark, 1280px light, 1280px dark]"
    assert found[1].location == "[320px light, 320px dark]"
    assert "https://fonts.example/x.woff2" in found[1].message


def test_registry_routes_by_media_type_and_claims() -> None:
    def keys(entry: dict[str, object]) -> list[str]:
        return [k for k, _ in registry.validators_for(entry)]

    assert keys({"media_type": "application/pdf", "conforms_to": ["PDF/A-2a", "PDF/UA-1"]}) == ["verapdf"]
    assert keys({"media_type": "application/pdf", "conforms_to": ["PDF/X-4"]}) == ["preflight"]
    assert keys({"media_type": "application/pdf", "conforms_to": ["PDF/A-2u", "PDF/X-4"]}) == [
        "verapdf",
        "preflight",
    ]
    assert keys({"media_type": "application/epub+zip", "conforms_to": ["EPUB 3.3"]}) == ["epubcheck", "ace"]
    assert keys({"media_type": "text/html", "path": "index.html"}) == ["vnu", "axe"]
    # archivekit's judge reads every edition of the text and every page with links.
    assert keys({"media_type": "text/plain", "path": "letter.txt"}) == ["judge"]
    pdf = {"format": "pdf", "path": "a.pdf", "media_type": "application/pdf", "conforms_to": ["PDF/A-2a"]}
    assert keys(pdf) == ["verapdf", "judge"]
    assert keys({"format": "html-index", "media_type": "text/html", "path": "index.html"}) == [
        "vnu",
        "axe",
        "judge",
    ]
    assert keys({"format": "validation-report", "media_type": "application/json"}) == []


def test_scrub_blanks_absolute_folders_only() -> None:
    roots = {"/tmp/b/ed": "", "ed": ""}
    assert scrub("file:/tmp/b/ed/x.html; /tmp/b/ed; /tmp/b/edx; dcterms:modified", roots) == (
        "file:x.html; ; /tmp/b/edx; dcterms:modified"
    )


def test_tools_folder_honours_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ARCHIVEKIT_VALIDATORS", str(tmp_path / "v"))
    assert tools.validators_home() == tmp_path / "v"
    monkeypatch.delenv("ARCHIVEKIT_VALIDATORS")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert tools.validators_home() == tmp_path / "cache" / "archivekit" / "validators"
    assert not tools.verapdf().available  # nothing installed there


def _fake_build(root: Path) -> Path:
    build = root / "build" / "demo"
    (build / "html").mkdir(parents=True)
    files = {
        "letter.pdf": (b"%PDF-1.7\n", "application/pdf", ["PDF/A-2a", "PDF/UA-1"]),
        "letter.epub": (b"PK", "application/epub+zip", ["EPUB 3.3"]),
        "html/index.html": (b"<!doctype html>", "text/html", ["HTML"]),
        "letter.txt": (b"text", "text/plain", []),
    }
    rows = []
    for rel, (data, media, claims) in files.items():
        (build / rel).write_bytes(data)
        rows.append(
            {
                "format": rel.rsplit(".", 1)[1],
                "path": rel,
                "media_type": media,
                "bytes": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "conforms_to": claims,
            }
        )
    manifest = {
        "archivekit": "0.1.0",
        "edition": {"id": "demo", "version": "1.0.0", "identifier": "urn:x"},
        "sources_sha256": "0",
        "source_date_epoch": 1563148800,
        "artifacts": rows,
    }
    (build / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return build


def test_missing_tools_are_not_run_never_passed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ARCHIVEKIT_VALIDATORS", str(tmp_path / "empty"))
    # The fake artifacts are not editions: archivekit's judge (tests/test_judge.py) would fail them.
    monkeypatch.delitem(registry.RUNNERS, "judge")
    build = _fake_build(tmp_path)
    result = validate_build(build)
    names = {"veraPDF", "EPUBCheck", "Ace", "Nu HTML Checker", "axe-core"}
    assert {o.validator for o in result.not_run} == names
    report = json.loads((build / "validation" / "report.json").read_text(encoding="utf-8"))
    statuses = {(v["validator"], a["status"]) for v in report["validators"] for a in v["artifacts"]}
    assert all(status == "not run" for _, status in statuses) and len(statuses) == 5
    assert report["summary"]["not_run"] == ["veraPDF", "EPUBCheck", "Ace", "Nu HTML Checker", "axe-core"]
    # The report is an artifact of the edition, hashed in the manifest.
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    (row,) = [r for r in manifest["artifacts"] if r["format"] == "validation-report"]
    data = (build / "validation" / "report.json").read_bytes()
    assert row["path"] == "validation/report.json" and row["media_type"] == "application/json"
    assert row["sha256"] == hashlib.sha256(data).hexdigest() and row["bytes"] == len(data)
    # No absolute path of this machine in the evidence.
    assert str(tmp_path) not in data.decode("utf-8")

    assert run_validate([build], require_all=False, quiet=False) == 0
    out = capsys.readouterr()
    assert "not run" in out.out and "not run (not passed)" in out.err and "validated demo in" in out.err
    with pytest.raises(ToolMissing):
        run_validate([build], require_all=True, quiet=True)


def test_validation_is_repeatable_and_catches_changed_files(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ARCHIVEKIT_VALIDATORS", str(tmp_path / "empty"))
    monkeypatch.delitem(registry.RUNNERS, "judge")
    build = _fake_build(tmp_path)
    validate_build(build)

    def snapshot() -> tuple[bytes, bytes]:
        return (build / "validation" / "report.json").read_bytes(), (build / "manifest.json").read_bytes()

    first = snapshot()
    validate_build(build)
    assert snapshot() == first
    (build / "letter.txt").write_text("changed", encoding="utf-8")
    result = validate_build(build)
    assert [(f.code, f.artifact) for f in result.findings] == [("artifact-changed", "letter.txt")]


def test_a_second_validation_finds_the_index_link_to_the_last_report(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`make` then `make test` validates a build twice: index.html then links validation/report.json,
    which must still be there while the judges read the index (it was removed first, a false error)."""
    from archivekit.pipeline import write_edition_index
    from conftest import build_canonical

    monkeypatch.setenv("ARCHIVEKIT_VALIDATORS", str(tmp_path / "empty"))  # our judge alone: quick
    build = build_canonical(tmp_path / "out", "text", "html")
    validate_build(build)
    write_edition_index(build)  # as `archivekit validate` does after each build
    assert 'href="validation/report.json"' in (build / "index.html").read_text(encoding="utf-8")
    result = validate_build(build)
    assert [f for f in result.findings if f.severity == ERROR] == []
