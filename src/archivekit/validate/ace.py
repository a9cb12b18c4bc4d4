"""Ace by DAISY adapter: EPUB accessibility (metadata + axe in each content document), one run per EPUB."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from archivekit.errors import Finding
from archivekit.validate.base import (
    ERROR,
    WARNING,
    Outcome,
    Target,
    each_alone,
    record,
    report_written,
    run_tool,
)
from archivekit.validate.tools import Tool

KEY = "ace"
# Ace's own reading of axe impacts: critical and serious violations fail a publication, the rest are advice.
SEVERITY = {"critical": ERROR, "serious": ERROR, "moderate": WARNING, "minor": WARNING}


def normalise(report: dict[str, Any], artifact: str) -> dict[str, Any]:
    """Drop Ace's run date and the EPUB's path so the saved report is reproducible."""
    report = json.loads(json.dumps(report))
    report.pop("dct:date", None)
    subject = report.get("earl:testSubject")
    if isinstance(subject, dict):
        subject["url"] = artifact
    return report


def version_of(report: dict[str, Any], fallback: str) -> str:
    """Return the Ace version named in the report (EARL doap:release)."""
    rel = report.get("earl:assertedBy", {}).get("doap:release", {})
    return str(rel.get("doap:revision") or fallback)


def findings(report: dict[str, Any], artifact: str, version: str) -> list[Finding]:
    """One finding per failed Ace/axe assertion, located at the content document and CSS selector."""
    out: list[Finding] = []
    for doc in report.get("assertions", []):
        doc_url = str(doc.get("earl:testSubject", {}).get("url", "")).lstrip("/")
        for a in doc.get("assertions", []):
            result = a.get("earl:result", {})
            if result.get("earl:outcome") != "fail":
                continue
            test = a.get("earl:test", {})
            impact = str(test.get("earl:impact", "serious"))
            css = result.get("earl:pointer", {}).get("css") or []
            loc = doc_url + (f" {css[0]}" if css else "")
            detail = str(result.get("dct:description") or "").split("\n")[0]
            message = str(test.get("dct:description", ""))
            if detail and detail != message:
                message = f"{message}: {detail}" if message else detail
            out.append(
                Finding(
                    "Ace",
                    version,
                    str(test.get("dct:title", "?")),
                    SEVERITY.get(impact, ERROR),
                    artifact,
                    loc,
                    message,
                )
            )
    return out


def run(tool: Tool, targets: list[Target], build_dir: Path, out_dir: Path) -> Outcome:
    """Run Ace on each EPUB with Debian's chromium (puppeteer never downloads a browser)."""
    outcome = Outcome(KEY, "Ace", tool.version, targets)

    def report_of(t: Target, tmp: Path) -> Any:
        env = {
            "PUPPETEER_EXECUTABLE_PATH": str(tool.paths["chromium_wrapper"]),
            "PUPPETEER_SKIP_DOWNLOAD": "true",
            # Ace writes a log per run and reads a config from these: keep both out of $HOME.
            "XDG_STATE_HOME": f"{tmp}/state",
            "XDG_CONFIG_HOME": f"{tmp}/config",
            # Chromium's profile too: a run stopped before it closes its browser leaves nothing behind.
            "TMPDIR": str(tmp),
        }
        cmd = [
            str(tool.paths["node"]),
            str(tool.paths["cli"].resolve()),
            "--force",
            "--silent",
            "--exiterror2",
            "--outdir",
            f"{tmp}/out",
            str((build_dir / t.artifact).resolve()),
        ]
        # --exiterror2: 0 pass, 2 violations, 1 Ace itself failed.
        run_tool(cmd, env=env, cwd=tmp, ok=(0, 2), judge=KEY)
        return report_written("Ace", tmp / "out" / "report.json")

    for t, report, roots in each_alone(outcome, build_dir, report_of):
        outcome.version = version_of(report, tool.version)
        norm = normalise(report, t.artifact)
        record(out_dir, outcome, t.artifact, norm, findings(norm, t.artifact, outcome.version), roots)
    return outcome
