"""Nu HTML Checker adapter: HTML conformance for every HTML file of a build in one JVM run."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from archivekit.errors import Finding
from archivekit.validate.base import (
    ERROR,
    INFO,
    WARNING,
    Outcome,
    Target,
    ToolFailure,
    failure_findings,
    jvm,
    record,
    report_printed,
    roots_for,
    run_tool,
)
from archivekit.validate.tools import Tool

KEY = "vnu"
_QUOTED = re.compile(r"“[^”]*”")


def code_of(message: str) -> str:
    """vnu has no rule ids: the message with its quoted specifics blanked groups identical problems."""
    return _QUOTED.sub("“…”", message).strip()


def severity_of(msg: dict[str, Any]) -> str:
    """Map vnu's type/subType to our severities (non-document-error = the file could not be read)."""
    kind = msg.get("type")
    if kind in ("error", "non-document-error"):
        return ERROR
    return WARNING if msg.get("subType") == "warning" else INFO


def artifact_of(url: str, targets: list[Target], build_dir: Path) -> str | None:
    """Map vnu's file: URL back to the artifact path written in the manifest."""
    path = unquote(url.removeprefix("file:"))
    for t in targets:
        for candidate in (str((build_dir / t.artifact).resolve()), str(build_dir / t.artifact), t.artifact):
            if path == candidate or path.endswith("/" + t.artifact):
                return t.artifact
    return None


def location_of(msg: dict[str, Any]) -> str:
    """Return "line:column" (vnu gives the last line and the first column of the extract)."""
    line = msg.get("lastLine", msg.get("firstLine"))
    if line is None:
        return ""
    col = msg.get("firstColumn")
    return f"{line}:{col}" if col is not None else str(line)


def findings(messages: list[dict[str, Any]], artifact: str, version: str) -> list[Finding]:
    """One finding per vnu message for one artifact."""
    return [
        Finding(
            "Nu HTML Checker",
            version,
            code_of(str(m.get("message", ""))),
            severity_of(m),
            artifact,
            location_of(m),
            str(m.get("message", "")),
        )
        for m in messages
    ]


def run(tool: Tool, targets: list[Target], build_dir: Path, out_dir: Path) -> Outcome:
    """Check all HTML files in one vnu run and split its report per artifact."""
    outcome = Outcome(KEY, "Nu HTML Checker", tool.version, targets)
    roots = roots_for(build_dir)
    # vnu's schema evaluation recurses deeply: it asks for at least 512k of thread stack (-Xss).
    args = ["-Xss2m", "-jar", str(tool.paths["jar"]), "--format", "json", "--stdout"]
    try:
        cmd = jvm(tool.paths["java"], *args, *[t.artifact for t in targets])
        report = report_printed("Nu HTML Checker", run_tool(cmd, cwd=build_dir, ok=(0, 1), judge=KEY))
    except ToolFailure as exc:
        failure_findings(outcome, exc, roots)
        return outcome
    outcome.version = str(report.get("version") or tool.version)
    per: dict[str, list[dict[str, Any]]] = {t.artifact: [] for t in targets}
    for msg in report.get("messages", []):
        art = artifact_of(str(msg.get("url", "")), targets, build_dir)
        if art is None:
            # A message about no file of ours (e.g. a vnu internal error) still belongs on record.
            for t in targets:
                per[t.artifact].append(msg)
            continue
        per[art].append({**msg, "url": art})
    for t in targets:
        raw = {"version": outcome.version, "messages": per[t.artifact]}
        record(
            out_dir, outcome, t.artifact, raw, findings(per[t.artifact], t.artifact, outcome.version), roots
        )
    return outcome
