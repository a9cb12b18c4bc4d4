"""EPUBCheck adapter: the W3C conformance checker, one JVM run per EPUB."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from archivekit.errors import Finding
from archivekit.validate.base import (
    ERROR,
    INFO,
    WARNING,
    Outcome,
    Target,
    each_alone,
    jvm,
    record,
    report_written,
    run_tool,
)
from archivekit.validate.tools import Tool

KEY = "epubcheck"
SEVERITY = {"FATAL": ERROR, "ERROR": ERROR, "WARNING": WARNING, "USAGE": INFO, "INFO": INFO}


def normalise(report: dict[str, Any], artifact: str) -> dict[str, Any]:
    """Drop the check date, elapsed time and path so the saved report is reproducible."""
    report = json.loads(json.dumps(report))
    checker = report.get("checker", {})
    checker.pop("checkDate", None)
    checker.pop("elapsedTime", None)
    checker["path"] = artifact
    checker["filename"] = Path(artifact).name
    return report


def findings(report: dict[str, Any], artifact: str, version: str) -> list[Finding]:
    """One finding per EPUBCheck message, located at its first location inside the EPUB."""
    out: list[Finding] = []
    for msg in report.get("messages", []):
        sev = SEVERITY.get(str(msg.get("severity", "")).upper(), INFO)
        if str(msg.get("severity", "")).upper() == "SUPPRESSED":
            continue
        locs = msg.get("locations") or []
        loc = ""
        if locs:
            first = locs[0]
            loc = str(first.get("path") or "")
            if first.get("line", -1) not in (-1, None):
                loc += f":{first['line']}"
                if first.get("column", -1) not in (-1, None):
                    loc += f":{first['column']}"
            if len(locs) > 1:
                loc += f" (+{len(locs) - 1} more)"
        out.append(
            Finding(
                "EPUBCheck", version, str(msg.get("ID", "?")), sev, artifact, loc, str(msg.get("message", ""))
            )
        )
    return out


def run(tool: Tool, targets: list[Target], build_dir: Path, out_dir: Path) -> Outcome:
    """Check each EPUB (EPUBCheck takes one publication per run)."""
    outcome = Outcome(KEY, "EPUBCheck", tool.version, targets)

    def report_of(t: Target, tmp: Path) -> Any:
        # English messages: codes stay stable whatever the machine's locale.
        args = [
            "-Duser.language=en",
            "-jar",
            str(tool.paths["jar"]),
            t.artifact,
            "--json",
            str(tmp / "report.json"),
        ]
        run_tool(jvm(tool.paths["java"], *args), cwd=build_dir, ok=(0, 1), judge=KEY)
        return report_written("EPUBCheck", tmp / "report.json")

    for t, report, roots in each_alone(outcome, build_dir, report_of):
        outcome.version = str(report.get("checker", {}).get("checkerVersion") or tool.version)
        norm = normalise(report, t.artifact)
        record(out_dir, outcome, t.artifact, norm, findings(norm, t.artifact, outcome.version), roots)
    return outcome
