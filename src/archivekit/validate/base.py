"""Shared shapes for validator adapters: what to check, what came back, and deterministic raw reports."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from archivekit import jsonfile
from archivekit.errors import Finding

ERROR, WARNING, INFO = "error", "warning", "info"
TIMEOUT_S = 600
# How long each judge may take on one build before it is stopped and reported as a tool failure
# (docs/troubleshooting.md): about fifty times what a short edition takes here, room for a
# 300-page edition on a loaded machine. $ARCHIVEKIT_TIMEOUT_<KEY> (seconds) overrides one.
TIME_LIMITS_S = {"verapdf": 300, "epubcheck": 300, "ace": 300, "vnu": 300, "axe": 600}
# The external judges' names, as findings and messages give them (registry.NAMES adds our own).
JUDGE_NAMES = {
    "verapdf": "veraPDF",
    "epubcheck": "EPUBCheck",
    "ace": "Ace",
    "vnu": "Nu HTML Checker",
    "axe": "axe-core",
}


@dataclass(frozen=True)
class Target:
    """One artifact of a build, with the conformance claims a validator must check."""

    artifact: str  # path relative to the build folder, as written in the manifest
    path: Path
    checks: tuple[str, ...] = ()


@dataclass
class Outcome:
    """What one validator said about its targets (or why it did not run)."""

    key: str
    validator: str
    version: str
    targets: list[Target]
    findings: list[Finding] = field(default_factory=list)
    raw_reports: dict[str, str] = field(default_factory=dict)  # artifact -> "validation/<file>"
    not_run: str = ""

    def errors_for(self, artifact: str) -> int:
        """Count error-level findings for one artifact."""
        return sum(1 for f in self.findings if f.artifact == artifact and f.severity == ERROR)


class ToolFailure(Exception):
    """The validator crashed or gave output we cannot read: a verdict we must not treat as a pass."""


def raw_name(key: str, artifact: str, suffix: str = ".json") -> str:
    """Return the raw report's file name for one validator and artifact (flat, no subfolders)."""
    return f"{key}-{artifact.replace('/', '__')}{suffix}"


def write_json(path: Path, data: Any) -> None:
    """Write JSON the deterministic way every file of a build is written."""
    jsonfile.write(path, data)


def save_raw(
    out_dir: Path, outcome: Outcome, artifact: str, data: Any, roots: dict[str, str] | None = None
) -> None:
    """Save one normalised raw report beside report.json and remember it on the outcome."""
    name = raw_name(outcome.key, artifact)
    if roots:
        # Whatever a tool echoes back (paths in messages, data URLs) must not name this machine's folders.
        data = json.loads(scrub(json.dumps(data, ensure_ascii=False), roots))
    write_json(out_dir / name, data)
    outcome.raw_reports[artifact] = f"validation/{name}"


def roots_for(build_dir: Path, *temps: str) -> dict[str, str]:
    """Absolute folders to blank out of tool output: the build folder and temp dirs, as given and resolved."""
    roots = {os.path.abspath(build_dir): "", str(build_dir.resolve()): ""}
    roots.update({p: "" for t in temps for p in (os.path.abspath(t), str(Path(t).resolve()))})
    return roots


def scrub(text: str, roots: dict[str, str]) -> str:
    """Replace absolute folders (build dir, temp dirs) in a message with stable names."""
    for root, label in sorted(roots.items(), key=lambda kv: -len(kv[0])):
        if not root.startswith("/") or root == "/":
            continue  # a relative name like "ed" would also match inside ordinary words
        literal = label.replace("\\", "\\\\")  # a replacement string, taken as it is
        text = re.sub(re.escape(root.rstrip("/")) + r"(?:/|(?![\w.-]))", literal, text)
    return text


def scrubbed(finding: Finding, roots: dict[str, str]) -> Finding:
    """The finding with local paths in its message replaced (reports must not depend on the machine)."""
    return replace(finding, message=scrub(finding.message, roots))


def time_limit(key: str) -> int:
    """Seconds judge `key` may take before it is stopped: TIME_LIMITS_S, or $ARCHIVEKIT_TIMEOUT_<KEY>."""
    value = os.environ.get(timeout_variable(key), "")
    return int(value) if value.isdigit() and int(value) > 0 else TIME_LIMITS_S.get(key, TIMEOUT_S)


def timeout_variable(key: str) -> str:
    """The environment variable that overrides judge `key`'s time limit."""
    return f"ARCHIVEKIT_TIMEOUT_{key.upper()}"


KILLED = "was killed by"  # a judge stopped by a signal (ours, at Ctrl-C, or the system's): no verdict


def run_tool(
    args: list[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    ok: tuple[int, ...] = (0, 1),
    judge: str = "",
) -> subprocess.CompletedProcess[str]:
    """Run a validator process; exit codes outside `ok` mean the tool itself failed.

    The tool runs in its own session, so a time limit ends the whole of it (a JVM, a node process and
    the browser it started), not just the process started here."""
    full_env = {**os.environ, **(env or {})}
    program = Path(args[0]).name
    name = f"{JUDGE_NAMES[judge]} ({program})" if judge in JUDGE_NAMES else program
    limit = time_limit(judge) if judge else TIMEOUT_S
    try:
        proc = subprocess.Popen(
            args,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=full_env,
            cwd=cwd,
            start_new_session=True,
        )
    except OSError as exc:
        raise ToolFailure(f"{name} could not be started: {exc.strerror or exc}") from exc
    with proc:
        try:
            stdout, stderr = proc.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            _kill_session(proc)
            proc.communicate()
            variable = f" (the limit: {timeout_variable(judge)}={limit})" if judge else ""
            raise ToolFailure(f"{name} gave no answer within {limit} s and was stopped{variable}") from None
        except BaseException:
            _kill_session(proc)  # Ctrl-C or SIGTERM: the judge goes with us
            raise
    if proc.returncode < 0:
        raise ToolFailure(f"{name} {KILLED} {_signal_name(-proc.returncode)} before it answered")
    if proc.returncode not in ok:
        tail = (stderr or stdout).strip().splitlines()[-5:]
        raise ToolFailure(f"{name} failed with exit {proc.returncode}: " + " | ".join(tail))
    return subprocess.CompletedProcess(args, proc.returncode, stdout, stderr)


def unreadable(proc: subprocess.CompletedProcess[str]) -> str:
    """What a judge printed instead of its report, shortened for a finding."""
    said = (proc.stderr or "").strip()[-300:] or (proc.stdout or "").strip()[:120]
    return repr(said) if said else "it printed nothing"


def _kill_session(proc: subprocess.Popen[str]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        proc.kill()


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def failure_findings(
    outcome: Outcome, exc: ToolFailure, roots: dict[str, str], targets: Iterable[Target] | None = None
) -> None:
    """Turn a crashed validator into an error finding on each target it was judging (a crash is never a pass).

    `targets`: the ones the failed run was judging, when the judge runs once per target (default: all)."""
    # The loopback server's port changes every run; the report must not.
    message = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1", scrub(str(exc), roots))
    for t in outcome.targets if targets is None else targets:
        outcome.findings.append(
            Finding(outcome.validator, outcome.version, "tool-failure", ERROR, t.artifact, "", message)
        )


def jvm(java: Path, *args: str) -> list[str]:
    """A Java judge's command: serial GC and C1-only JIT, as start-up dominates a short check."""
    return [str(java), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", *args]


def report_written(judge: str, path: Path) -> Any:
    """The JSON report a judge wrote into `path`; a missing or unreadable one is the judge's failure."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ToolFailure(f"{judge} wrote no JSON report: {exc}") from exc


def report_printed(judge: str, proc: subprocess.CompletedProcess[str]) -> Any:
    """The JSON report a judge printed on stdout; anything else is the judge's failure."""
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise ToolFailure(f"{judge} printed no JSON report: {unreadable(proc)}") from exc


def each_alone(
    outcome: Outcome, build_dir: Path, report_of: Callable[[Target, Path], Any]
) -> Iterator[tuple[Target, Any, dict[str, str]]]:
    """Run a judge that takes one target a run (an EPUB), each in its own temporary folder.

    `report_of(target, folder)` runs the judge and returns its report; yields each target that got
    one, with it and the folders to blank out of it. A run that fails is its target's failure finding.
    """
    for t in outcome.targets:
        with tempfile.TemporaryDirectory(prefix=f"archivekit-{outcome.key}-") as tmp:
            roots = roots_for(build_dir, tmp)
            try:
                report = report_of(t, Path(tmp))
            except ToolFailure as exc:
                failure_findings(outcome, exc, roots, [t])
                continue
        yield t, report, roots


def record(
    out_dir: Path, outcome: Outcome, artifact: str, raw: Any, found: Iterable[Finding], roots: dict[str, str]
) -> None:
    """Keep what a judge said about one artifact: its raw report saved, its findings added, both without
    this machine's folders."""
    save_raw(out_dir, outcome, artifact, raw, roots)
    outcome.findings.extend(scrubbed(f, roots) for f in found)
