"""EPUBCheck adapter: the W3C conformance checker, one JVM run per EPUB."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from archivekit.errors import Finding
from archivekit.validate.base import (
    ERROR,
    INFO,
    WARNING,
    Outcome,
    Target,
    ToolFailure,
    roots_for,
    run_tool,
    save_raw,
    scrub,
    scrubbed,
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
    for t in targets:
        with tempfile.TemporaryDirectory(prefix="archivekit-epubcheck-") as tmp:
            roots = roots_for(build_dir, tmp)
            raw = Path(tmp) / "report.json"
            # C1-only JIT and English messages: start-up dominates on a small book; codes stay stable.
            cmd = [
                str(tool.paths["java"]),
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Duser.language=en",
                "-jar",
                str(tool.paths["jar"]),
                t.artifact,
                "--json",
                str(raw),
            ]
            try:
                run_tool(cmd, cwd=build_dir, ok=(0, 1), judge=KEY)
                try:
                    report = json.loads(raw.read_text(encoding="utf-8"))
                except (OSError, json.JSONDecodeError) as exc:
                    raise ToolFailure(f"EPUBCheck wrote no JSON report: {exc}") from exc
            except ToolFailure as exc:
                outcome.findings.append(
                    Finding(
                        "EPUBCheck",
                        outcome.version,
                        "tool-failure",
                        ERROR,
                        t.artifact,
                        "",
                        scrub(str(exc), roots),
                    )
                )
                continue
        outcome.version = str(report.get("checker", {}).get("checkerVersion") or tool.version)
        norm = normalise(report, t.artifact)
        save_raw(out_dir, outcome, t.artifact, norm, roots)
        outcome.findings.extend(scrubbed(f, roots) for f in findings(norm, t.artifact, outcome.version))
    return outcome
