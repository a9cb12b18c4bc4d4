"""What a build says about how it was made and checked: software versions and validation runs.

The build folder is the evidence: manifest.json (artifacts, clock, archivekit version) and
validation/report.json (written by `archivekit.validate`). The report's shape is read tolerantly,
because an archive must still be able to package a build whose report came from an older version.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from archivekit import __version__

VALIDATION_DIR = "validation"
REPORT = "report.json"


@dataclass(frozen=True)
class Software:
    """A program that acted on the edition, and its version."""

    name: str
    version: str
    role: str  # "creation" | "validation" | "packing"


@dataclass
class ValidationRun:
    """One validator's verdict on the artifacts it checked, from validation/report.json."""

    validator: str
    version: str
    artifacts: list[str] = field(default_factory=list)
    errors: int = 0
    warnings: int = 0
    outcome: str = "pass"  # "pass" | "fail" | "not run"
    detail: str = ""
    reports: list[str] = field(default_factory=list)  # paths relative to the build folder


def _installed(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _pandoc_version() -> str | None:
    # pypandoc asks the bundled pandoc binary; failing to find it must not stop packaging.
    try:
        import pypandoc

        return str(pypandoc.get_pandoc_version())
    except (ImportError, OSError, RuntimeError):
        return None


def creation_software(manifest: dict[str, Any]) -> list[Software]:
    """The software that made the renditions: what the manifest records, else what is installed here."""
    recorded = manifest.get("tools") or manifest.get("software") or {}
    out = [Software("archivekit", str(manifest.get("archivekit") or __version__), "creation")]
    wanted = {"pandoc": _pandoc_version, "ReportLab": lambda: _installed("reportlab")}
    for name, probe in wanted.items():
        version = next((str(v) for k, v in recorded.items() if k.lower() == name.lower()), None) or probe()
        if version:
            out.append(Software(name, version, "creation"))
    for key, value in sorted(recorded.items()):
        if key.lower() not in {"archivekit", "pandoc", "reportlab"}:
            out.append(Software(str(key), str(value), "creation"))
    return out


def packing_software() -> list[Software]:
    """The software that makes the bag."""
    import bagit
    import lxml.etree as etree

    return [
        Software("archivekit", __version__, "packing"),
        Software("bagit-python", str(bagit.VERSION), "packing"),
        Software("lxml", ".".join(str(n) for n in etree.LXML_VERSION[:3]), "packing"),
    ]


def _rows(value: Any) -> Iterable[dict[str, Any]]:
    if isinstance(value, dict):
        # {"verapdf": {...}, ...} keyed by validator
        for key, row in sorted(value.items()):
            if isinstance(row, dict):
                yield {"key": key, **row}
    elif isinstance(value, list):
        yield from (row for row in value if isinstance(row, dict))


def _text(row: dict[str, Any], *keys: str) -> str:
    for key in keys:
        if row.get(key) not in (None, ""):
            return str(row[key])
    return ""


def validation_runs(build_dir: Path) -> list[ValidationRun]:
    """Every validator run recorded in validation/report.json (empty when the build was not validated)."""
    path = build_dir / VALIDATION_DIR / REPORT
    if not path.is_file():
        return []
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return []
    findings = report if isinstance(report, list) else report.get("findings", [])
    findings = [f for f in findings if isinstance(f, dict)]
    declared = (
        []
        if isinstance(report, list)
        else list(_rows(report.get("validators") or report.get("outcomes") or report.get("runs") or []))
    )

    runs: dict[tuple[str, str], ValidationRun] = {}
    for row in declared:
        name = _text(row, "validator", "name", "key")
        version = _text(row, "version", "validator_version")
        run = runs.setdefault((name, version), ValidationRun(name, version))
        targets = row.get("artifacts") or row.get("targets") or []
        for target in targets if isinstance(targets, list) else [targets]:
            artifact = target.get("artifact") if isinstance(target, dict) else target
            if artifact and str(artifact) not in run.artifacts:
                run.artifacts.append(str(artifact))
        raw = row.get("raw_reports") or row.get("reports") or {}
        for report_path in raw.values() if isinstance(raw, dict) else raw:
            if str(report_path) not in run.reports:
                run.reports.append(str(report_path))
        not_run = _text(row, "not_run", "skipped")
        if not_run:
            run.outcome, run.detail = "not run", not_run
        verdict = row.get("passed", row.get("ok", row.get("outcome", row.get("status"))))
        if verdict is False or str(verdict).lower() in {"fail", "failed", "invalid", "error"}:
            run.outcome = "fail"
    for finding in findings:
        name = _text(finding, "validator")
        version = _text(finding, "validator_version", "version")
        run = runs.setdefault((name, version), ValidationRun(name, version))
        artifact = _text(finding, "artifact")
        if artifact and artifact not in run.artifacts:
            run.artifacts.append(artifact)
        severity = _text(finding, "severity").lower()
        if severity == "error":
            run.errors += 1
        elif severity == "warning":
            run.warnings += 1
    for run in runs.values():
        if run.errors and run.outcome != "not run":
            run.outcome = "fail"
        run.artifacts.sort()
        run.reports.sort()
    return [runs[key] for key in sorted(runs)]
