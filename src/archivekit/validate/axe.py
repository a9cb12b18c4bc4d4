"""axe-core adapter: WCAG 2.2 AA checks on each HTML page at 320/1280 px in light and dark schemes."""

from __future__ import annotations

import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from archivekit.errors import Finding
from archivekit.validate.base import (
    ERROR,
    Outcome,
    Target,
    ToolFailure,
    failure_findings,
    record,
    report_written,
    roots_for,
    run_tool,
)
from archivekit.validate.tools import Tool, playwright_version

KEY = "axe"
# Run by module name, not imported: importing it here would make `python -m` warn about a double import.
RUNNER_MODULE = "archivekit.validate.axe_runner"


def _config(r: dict[str, Any]) -> str:
    return f"{r['width']}px {r['scheme']}"


def findings(report: dict[str, Any], artifact: str, version: str) -> list[Finding]:
    """One error per violated rule and element (with the views where it fails), and per blocked request."""
    # Most violations repeat in all four views: merge them so one problem is one finding.
    seen: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    blocked: dict[str, list[str]] = defaultdict(list)
    for r in report.get("results", []):
        if r.get("page") != artifact:
            continue
        for v in r.get("violations", []):
            for n in v.get("nodes", []) or [{}]:
                target = " ".join(str(x) for x in n.get("target") or [])
                seen[(str(v.get("id")), target, str(v.get("help", "")))].append(_config(r))
        for url in r.get("blocked_requests", []):
            blocked[url].append(_config(r))
    out = [
        Finding("axe-core", version, rule, ERROR, artifact, f"{target} [{', '.join(configs)}]", help_)
        for (rule, target, help_), configs in seen.items()
    ]
    out += [
        Finding(
            "axe-core",
            version,
            "network-request",
            ERROR,
            artifact,
            f"[{', '.join(configs)}]",
            f"the page requested {url} (blocked: pages must not touch the network)",
        )
        for url, configs in blocked.items()
    ]
    return out


def run(tool: Tool, targets: list[Target], build_dir: Path, out_dir: Path) -> Outcome:
    """Check all HTML pages of a build in one headless chromium (a child process running axe_runner)."""
    outcome = Outcome(KEY, "axe-core", tool.version, targets)
    roots = roots_for(build_dir)
    with tempfile.TemporaryDirectory(prefix="archivekit-axe-") as tmp:
        out = Path(tmp) / "axe.json"
        cmd = [
            sys.executable,
            "-m",
            RUNNER_MODULE,
            "--root",
            str(build_dir.resolve()),
            "--axe",
            str(tool.paths["axe_js"]),
            "--chromium",
            str(tool.paths["chromium"]),
            "--out",
            str(out),
            *[t.artifact for t in targets],
        ]
        try:
            # Chromium's profile in the run's folder: a run stopped early leaves nothing behind.
            run_tool(cmd, env={"TMPDIR": tmp}, ok=(0,), judge=KEY)
            report = report_written("axe runner", out)
        except ToolFailure as exc:
            failure_findings(outcome, exc, roots_for(build_dir, tmp))
            return outcome
    outcome.version = str(report.get("axeVersion") or tool.version)
    for t in targets:
        raw = {
            "axeVersion": outcome.version,
            "browser": report.get("browser"),
            "tags": report.get("tags"),
            "playwright": playwright_version(),
            "results": [r for r in report.get("results", []) if r.get("page") == t.artifact],
        }
        record(out_dir, outcome, t.artifact, raw, findings(raw, t.artifact, outcome.version), roots)
    return outcome
