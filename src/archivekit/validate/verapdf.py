"""veraPDF adapter: PDF/A, PDF/UA and WTPDF verdicts for all PDFs of a build in few JVM runs."""

from __future__ import annotations

import json
import re
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
    jvm,
    record,
    report_printed,
    roots_for,
    run_tool,
)
from archivekit.validate.tools import Tool

KEY = "verapdf"
MAIN = "org.verapdf.apps.GreenfieldCliWrapper"
# veraPDF exit codes (CliConstants.ExitCodes): 0 all valid, 1 some invalid, 7 parse failure, 8 encrypted,
# 9 veraPDF exception. 7-9 still come with a JSON report whose jobs say which file failed.
OK_CODES = (0, 1, 7, 8, 9)

# conforms_to claim -> (veraPDF flavour, start of the profile name veraPDF reports for it)
_WTPDF = {"WTPDF 1.0 Accessibility": "wt1a", "WTPDF 1.0 Reuse": "wt1r"}


def flavour(claim: str) -> str | None:
    """Map a manifest conformance claim to a veraPDF flavour; None when veraPDF does not judge it (PDF/X)."""
    m = re.fullmatch(r"PDF/A-([123])([abu])", claim.strip())
    if m:
        return m.group(1) + m.group(2).lower()
    m = re.fullmatch(r"PDF/A-4([ef]?)", claim.strip())
    if m:
        return "4" + m.group(1)
    m = re.fullmatch(r"PDF/UA-([12])", claim.strip())
    if m:
        return "ua" + m.group(1)
    return _WTPDF.get(claim.strip())


def profile_claim(profile_name: str) -> str:
    """Turn "PDF/A-2a validation profile" or "PDF/UA-2 + Tagged PDF validation profile" into its claim."""
    name = profile_name.removesuffix(" validation profile")
    return name.split(" + ")[0].strip()


def flavours_of(target: Target) -> list[str]:
    """Return the veraPDF flavours a PDF artifact claims, in manifest order, without duplicates."""
    out: list[str] = []
    for claim in target.checks:
        fl = flavour(claim)
        if fl and fl not in out:
            out.append(fl)
    return out


def _claims_applied(job: dict[str, Any]) -> set[str]:
    return {flavour(profile_claim(r.get("profileName", ""))) or "" for r in job.get("validationResult") or []}


def _run(tool: Tool, build_dir: Path, targets: list[Target], args: list[str]) -> dict[str, Any]:
    classpath = f"{tool.paths['lib'].parent}/*"
    cmd = jvm(
        tool.paths["java"], "-cp", classpath, MAIN, *args, "--format", "json", *[t.artifact for t in targets]
    )
    report: dict[str, Any] = report_printed("veraPDF", run_tool(cmd, cwd=build_dir, ok=OK_CODES, judge=KEY))
    return report


def _job_for(report: dict[str, Any], target: Target, build_dir: Path) -> dict[str, Any] | None:
    names = {target.artifact, str(build_dir / target.artifact), str((build_dir / target.artifact).resolve())}
    for job in report.get("report", {}).get("jobs", []):
        if job.get("itemDetails", {}).get("name") in names:
            return job
    return None


def normalise_job(job: dict[str, Any], artifact: str) -> dict[str, Any]:
    """Drop timings and absolute paths from one veraPDF job so the saved report is reproducible."""
    job = json.loads(json.dumps(job))
    job.pop("processingTime", None)
    job.setdefault("itemDetails", {})["name"] = artifact
    return job


def normalise_build_info(report: dict[str, Any]) -> dict[str, Any]:
    """Keep veraPDF's component versions, without build dates."""
    details = report.get("report", {}).get("buildInformation", {}).get("releaseDetails", [])
    return {"releaseDetails": [{"id": d.get("id"), "version": d.get("version")} for d in details]}


def version_of(report: dict[str, Any], fallback: str) -> str:
    """Return the veraPDF apps version a report names, else the installed one."""
    for d in report.get("report", {}).get("buildInformation", {}).get("releaseDetails", []):
        if d.get("id") == "apps" and d.get("version"):
            return str(d["version"])
    return fallback


def findings_from_job(job: dict[str, Any], artifact: str, version: str) -> list[Finding]:
    """One error finding per failed rule (with the first failing object as location), or per failed job."""
    out: list[Finding] = []
    results = job.get("validationResult") or []
    if not results:
        exc = job.get("taskException")
        msg = exc.get("exceptionMessage") if isinstance(exc, dict) else None
        out.append(
            Finding(
                "veraPDF",
                version,
                "not-validated",
                ERROR,
                artifact,
                "",
                msg or "veraPDF could not validate this file (unreadable or encrypted PDF?)",
            )
        )
        return out
    for res in results:
        claim = profile_claim(res.get("profileName", "?"))
        if res.get("jobEndStatus", "normal") != "normal":
            out.append(
                Finding(
                    "veraPDF",
                    version,
                    f"{claim} job-{res.get('jobEndStatus')}",
                    ERROR,
                    artifact,
                    "",
                    res.get("statement", "validation did not finish"),
                )
            )
        for rule in (res.get("details") or {}).get("ruleSummaries", []):
            if str(rule.get("status", rule.get("ruleStatus", ""))).lower() != "failed":
                continue
            checks = [c for c in rule.get("checks", []) if c.get("status") == "failed"]
            n = int(rule.get("failedChecks") or len(checks) or 1)
            first = checks[0] if checks else {}
            loc = first.get("context", "") or ""
            if n > 1:
                loc += f" (+{n - 1} more)"
            message = first.get("errorMessage") or rule.get("description", "")
            code = f"{claim} {rule.get('clause', '?')}-{rule.get('testNumber', '?')}"
            out.append(Finding("veraPDF", version, code, ERROR, artifact, loc, message))
    return out


def run(tool: Tool, targets: list[Target], build_dir: Path, out_dir: Path) -> Outcome:
    """Validate every PDF of a build: one auto-detecting JVM run, plus one per claim the files' XMP lacks."""
    outcome = Outcome(KEY, "veraPDF", tool.version, targets)
    roots = roots_for(build_dir)
    wanted = {t.artifact: flavours_of(t) for t in targets}
    try:
        # Flavour 0 = veraPDF reads each file's XMP claims and checks all of them (PDF/A and PDF/UA) at once;
        # the default flavour covers files that claim nothing.
        first = next((f for fl in wanted.values() for f in fl), "2b")
        report = _run(tool, build_dir, targets, ["--flavour", "0", "--defaultflavour", first])
        outcome.version = version_of(report, tool.version)
        jobs: dict[str, list[dict[str, Any]]] = defaultdict(list)
        missing: dict[str, list[Target]] = defaultdict(list)
        for t in targets:
            job = _job_for(report, t, build_dir)
            if job is None:
                raise ToolFailure(f"veraPDF report has no job for {t.artifact}")
            jobs[t.artifact].append(job)
            for fl in wanted[t.artifact]:
                if fl not in _claims_applied(job):
                    missing[fl].append(t)
        # A manifest claim the file does not declare in XMP still gets its explicit verdict (which then
        # reports the missing identification schema itself).
        for fl, group in sorted(missing.items()):
            extra = _run(tool, build_dir, group, ["--flavour", fl])
            for t in group:
                job = _job_for(extra, t, build_dir)
                if job is None:
                    raise ToolFailure(f"veraPDF report has no job for {t.artifact} ({fl})")
                jobs[t.artifact].append(job)
    except ToolFailure as exc:
        failure_findings(outcome, exc, roots)
        return outcome
    info = normalise_build_info(report)
    for t in targets:
        norm = [normalise_job(j, t.artifact) for j in jobs[t.artifact]]
        found: list[Finding] = []
        for job in norm:
            # Only the claims the manifest makes are judged: a profile veraPDF picked by default for a file
            # whose XMP claims nothing (or claims something else) stays in the raw report only.
            judged = (
                {
                    **job,
                    "validationResult": [
                        r
                        for r in job.get("validationResult") or []
                        if flavour(profile_claim(r.get("profileName", ""))) in wanted[t.artifact]
                    ],
                }
                if job.get("validationResult")
                else job
            )
            if job.get("validationResult") and not judged["validationResult"]:
                continue
            found += findings_from_job(judged, t.artifact, outcome.version)
        record(
            out_dir, outcome, t.artifact, {"report": {"buildInformation": info, "jobs": norm}}, found, roots
        )
    return outcome
