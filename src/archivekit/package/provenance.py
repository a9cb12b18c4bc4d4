"""What a build says about how it was made and checked: software versions and validation runs.

The build folder is the evidence: manifest.json (artifacts, clock, archivekit version) and
validation/report.json (written by `archivekit.validate`). The report's shape is read tolerantly,
because an archive must still be able to package a build whose report came from an older version.
"""

from __future__ import annotations

import json
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
    # Only for a manifest that records no pandoc: ask the pandoc installed here (pypandoc, a dependency,
    # imported late because it is slow to import). Failing to find the binary must not stop packaging.
    import pypandoc

    try:
        return str(pypandoc.get_pandoc_version())
    except (OSError, RuntimeError):
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


def _text(row: dict[str, Any], *keys: str) -> str:
    for key in keys:
        if row.get(key) not in (None, ""):
            return str(row[key])
    return ""


def _outcome(status: str) -> str:
    status = status.lower()
    if status in {"fail", "failed", "invalid", "error"}:
        return "fail"
    if status in {"not run", "skipped", "missing"}:
        return "not run"
    return "pass"


def _declared_runs(report: dict[str, Any]) -> list[ValidationRun]:
    """Runs as report.json declares them: one per validator and artifact, with its raw report."""
    runs = []
    for row in report.get("validators") or []:
        if not isinstance(row, dict):
            continue
        name, version = _text(row, "validator", "name"), _text(row, "version")
        reason = _text(row, "reason", "not_run")
        overall = _text(row, "status")
        for target in row.get("artifacts") or []:
            if not isinstance(target, dict) or not target.get("artifact"):
                continue
            checks = [str(c) for c in target.get("checks") or []]
            status = _text(target, "status") or overall
            run = ValidationRun(
                name,
                version,
                artifacts=[str(target["artifact"])],
                errors=int(target.get("errors") or 0),
                warnings=int(target.get("warnings") or 0),
                outcome="not run" if overall == "not run" else _outcome(status),
                detail="; ".join(x for x in (reason, "checks: " + ", ".join(checks) if checks else "") if x),
                reports=[str(target["raw_report"])] if target.get("raw_report") else [],
            )
            if run.errors and run.outcome == "pass":
                run.outcome = "fail"
            runs.append(run)
    return runs


def _runs_from_findings(findings: list[dict[str, Any]]) -> list[ValidationRun]:
    """Runs inferred from findings alone (a report without a validators table)."""
    runs: dict[tuple[str, str, str], ValidationRun] = {}
    for finding in findings:
        key = (
            _text(finding, "validator"),
            _text(finding, "validator_version", "version"),
            _text(finding, "artifact"),
        )
        run = runs.setdefault(key, ValidationRun(key[0], key[1], artifacts=[key[2]] if key[2] else []))
        severity = _text(finding, "severity").lower()
        run.errors += severity == "error"
        run.warnings += severity == "warning"
        if run.errors:
            run.outcome = "fail"
    return [runs[key] for key in sorted(runs)]


def validation_runs(build_dir: Path) -> list[ValidationRun]:
    """Every validator run recorded in validation/report.json (empty when the build was not validated)."""
    path = build_dir / VALIDATION_DIR / REPORT
    if not path.is_file():
        return []
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return []
    if isinstance(report, list):
        return _runs_from_findings([f for f in report if isinstance(f, dict)])
    runs = _declared_runs(report)
    if runs:
        return runs
    return _runs_from_findings([f for f in report.get("findings") or [] if isinstance(f, dict)])
