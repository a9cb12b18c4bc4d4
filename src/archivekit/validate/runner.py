"""Run every applicable validator on a build, write validation/report.json, and list it in the manifest."""

from __future__ import annotations

import os
import shutil
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archivekit import __version__
from archivekit.errors import Finding
from archivekit.validate import judge
from archivekit.validate.base import ERROR, WARNING, Outcome, ToolFailure, failure_findings, write_json
from archivekit.validate.registry import NAMES, RUNNERS, plan, status

VALIDATION_DIR = "validation"
REPORT = f"{VALIDATION_DIR}/report.json"
SEVERITY_ORDER = {ERROR: 0, WARNING: 1, "info": 2}


@dataclass
class BuildValidation:
    """Everything `archivekit validate` learned about one build folder."""

    build_dir: Path
    edition: str
    outcomes: list[Outcome]
    findings: list[Finding]

    @property
    def errors(self) -> int:
        """Number of error-level findings."""
        return sum(1 for f in self.findings if f.severity == ERROR)

    @property
    def not_run(self) -> list[Outcome]:
        """Validators that applied but could not run (missing tool)."""
        return [o for o in self.outcomes if o.not_run]


# Slowest first, so the long JVM/browser runs overlap instead of queueing last.
SLOWEST_FIRST = ("ace", "axe", "epubcheck", "verapdf", "vnu", "judge", "preflight", "braille")


def workers() -> int:
    """How many validators run at once: JVMs and chromium each want a core (env ARCHIVEKIT_VALIDATE_JOBS)."""
    env = os.environ.get("ARCHIVEKIT_VALIDATE_JOBS")
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    return max(1, min(3, os.cpu_count() or 1))


def _sort_key(f: Finding) -> tuple[str, str, int, str, str, str, str]:
    return (f.artifact, f.validator, SEVERITY_ORDER.get(f.severity, 3), f.code, f.location, f.message, f.fix)


def _integrity_findings(build_dir: Path, manifest: dict[str, Any]) -> list[Finding]:
    """The evidence must be about the listed bytes: a missing or changed artifact is an error."""
    from archivekit.manifest import sha256_file

    out: list[Finding] = []
    for entry in manifest.get("artifacts", []):
        if entry.get("format") == "validation-report":
            continue
        rel = str(entry.get("path", ""))
        path = build_dir / rel
        if not path.is_file():
            out.append(
                Finding(
                    "archivekit",
                    __version__,
                    "artifact-missing",
                    ERROR,
                    rel,
                    "",
                    "listed in manifest.json but not in the build folder",
                )
            )
        elif entry.get("sha256") and sha256_file(path) != entry["sha256"]:
            out.append(
                Finding(
                    "archivekit",
                    __version__,
                    "artifact-changed",
                    ERROR,
                    rel,
                    "",
                    "file bytes differ from the sha256 in manifest.json",
                )
            )
    return out


def _outcome(key: str, *, tool_version: str, targets: list[Any], future: Future[Outcome]) -> Outcome:
    """The adapter's outcome; a judge whose output our adapter could not read is a tool failure."""
    try:
        return future.result()
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, UnicodeError) as exc:
        # A judge answering with garbage that happens to parse (JSON of the wrong shape): never a
        # traceback, never a pass.
        outcome = Outcome(key, NAMES[key], tool_version, targets)
        reason = f"{type(exc).__name__}: {exc}"
        failure = ToolFailure(f"{NAMES[key]} gave an answer that could not be read ({reason})")
        failure_findings(outcome, failure, {})
        return outcome


def validate_build(build_dir: Path) -> BuildValidation:
    """Run the validators that apply to a build's artifacts, concurrently, and write the reports."""
    from archivekit.manifest import read_manifest

    manifest = read_manifest(build_dir)
    edition = str(manifest.get("edition", {}).get("id", build_dir.name))
    out_dir = build_dir / VALIDATION_DIR
    _clear_raw_reports(out_dir)
    jobs = plan(build_dir, manifest)
    installed = status()
    outcomes: dict[str, Outcome] = {}
    with ThreadPoolExecutor(max_workers=workers(), thread_name_prefix="validator") as pool:
        futures = {}
        # Slowest first, so the long JVM/browser runs overlap instead of queueing last.
        for key in sorted(jobs, key=lambda k: SLOWEST_FIRST.index(k)):
            tool = installed[key]
            if not tool.available:
                outcomes[key] = Outcome(key, NAMES[key], "", jobs[key], not_run=tool.missing)
                continue
            futures[key] = pool.submit(RUNNERS[key], tool, jobs[key], build_dir, out_dir)
        for key, fut in futures.items():
            outcomes[key] = _outcome(key, tool_version=installed[key].version, targets=jobs[key], future=fut)
    ordered = [outcomes[k] for k in RUNNERS if k in outcomes]
    findings = _integrity_findings(build_dir, manifest)
    for o in ordered:
        findings.extend(o.findings)
    if "judge" in outcomes and not outcomes["judge"].not_run:
        # What the EPUB says about its judges can be checked only once they have all spoken.
        late = judge.verdict_statements(build_dir, ordered)
        outcomes["judge"].findings.extend(late)
        findings.extend(late)
    findings.sort(key=_sort_key)
    result = BuildValidation(build_dir, edition, ordered, findings)
    write_json(build_dir / REPORT, report_data(result, manifest))
    record_in_manifest(build_dir)
    return result


def _clear_raw_reports(out_dir: Path) -> None:
    """Remove an earlier run's raw reports (stale ones would break byte-identical builds), but keep
    its report.json until the new one replaces it: index.html links to it, and the judges read
    index.html (a second `validate` of a build found the link broken)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for entry in out_dir.iterdir():
        if entry.name == Path(REPORT).name:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def report_data(result: BuildValidation, manifest: dict[str, Any]) -> dict[str, Any]:
    """The content of report.json: no times, no absolute paths, so a rebuild gives the same bytes."""
    from archivekit.manifest import sha256_file

    validators = []
    for o in result.outcomes:
        rows = []
        for t in o.targets:
            raw = o.raw_reports.get(t.artifact)
            raw_path = result.build_dir / raw if raw else None
            rows.append(
                {
                    "artifact": t.artifact,
                    "checks": list(t.checks),
                    "status": "not run" if o.not_run else ("fail" if o.errors_for(t.artifact) else "pass"),
                    "errors": o.errors_for(t.artifact),
                    "warnings": sum(
                        1 for f in o.findings if f.artifact == t.artifact and f.severity == WARNING
                    ),
                    "raw_report": raw,
                    # Manifest hashes report.json, report.json hashes each raw report: one evidence chain.
                    "raw_report_sha256": sha256_file(raw_path) if raw_path and raw_path.is_file() else None,
                }
            )
        validators.append(
            {
                "validator": o.validator,
                "version": o.version,
                "status": "not run" if o.not_run else "ran",
                "reason": o.not_run or None,
                "artifacts": rows,
            }
        )
    return {
        "archivekit": __version__,
        "edition": manifest.get("edition", {}),
        "summary": {
            "errors": result.errors,
            "warnings": sum(1 for f in result.findings if f.severity == WARNING),
            "not_run": [o.validator for o in result.not_run],
        },
        "validators": validators,
        "findings": [f.as_dict() for f in result.findings],
    }


def record_in_manifest(build_dir: Path) -> None:
    """List validation/report.json in manifest.json (bytes, sha256), rewriting the manifest atomically."""
    from archivekit.manifest import add_artifact
    from archivekit.model.artifact import Artifact

    add_artifact(build_dir, Artifact("validation-report", REPORT, "application/json"))


def table(result: BuildValidation) -> str:
    """A short artifact x validator table: pass / N errors / not run."""
    cells: dict[tuple[str, str], str] = {}
    artifacts: list[str] = []
    names: list[str] = []
    for o in result.outcomes:
        names.append(o.validator)
        for t in o.targets:
            if t.artifact not in artifacts:
                artifacts.append(t.artifact)
            n = o.errors_for(t.artifact)
            cells[(t.artifact, o.validator)] = (
                "not run" if o.not_run else (f"{n} error{'s' * (n != 1)}" if n else "pass")
            )
    for f in result.findings:
        if f.validator == "archivekit":
            if f.artifact not in artifacts:
                artifacts.append(f.artifact)
            if "archivekit" not in names:
                names.append("archivekit")
            cells[(f.artifact, "archivekit")] = f"{f.code}"
    header = ["artifact", *names]
    rows = [[a, *[cells.get((a, n), "-") for n in names]] for a in artifacts]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in [header, *rows]]
    return "\n".join(lines)
