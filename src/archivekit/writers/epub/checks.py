"""Run the real judges (Ace by DAISY, EPUBCheck) on the EPUB at build time, so its claim is earned.

The accessibility conformance claim in the package is written only when both ran on the
publication and found nothing. Results are cached by the checked file's SHA-256 (and the tools'
versions): identical bytes get the identical verdict, so rebuilds stay byte-identical and fast.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from archivekit.toolpaths import validators_home

ACE_TIMEOUT_S = 180
EPUBCHECK_TIMEOUT_S = 300
CACHE_RECIPE = "epub-checks-1"  # bump when what a verdict records changes


@dataclass(frozen=True)
class Violation:
    """One failed Ace assertion: the rule, its impact, the file it was found in."""

    rule: str
    impact: str
    file: str
    description: str


@dataclass
class Verdict:
    """What the judges said about one EPUB file (empty when a judge was not installed)."""

    ace_version: str | None = None
    ace_violations: list[Violation] = field(default_factory=list)
    ace_error: str | None = None
    epubcheck_version: str | None = None
    epubcheck_counts: dict[str, int] = field(default_factory=dict)  # fatal, error, warning
    epubcheck_messages: list[str] = field(default_factory=list)
    epubcheck_error: str | None = None

    @property
    def ace_ran(self) -> bool:
        return self.ace_version is not None and self.ace_error is None

    @property
    def epubcheck_ran(self) -> bool:
        return self.epubcheck_version is not None and self.epubcheck_error is None

    @property
    def epubcheck_clean(self) -> bool:
        return self.epubcheck_ran and not any(
            self.epubcheck_counts.get(k, 0) for k in ("fatal", "error", "warning")
        )

    @property
    def earned(self) -> bool:
        """True only when Ace found 0 violations and EPUBCheck 0 fatal/errors/warnings."""
        return self.ace_ran and not self.ace_violations and self.epubcheck_clean

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Verdict:
        data = dict(data)
        data["ace_violations"] = [Violation(**v) for v in data.get("ace_violations", [])]
        return cls(**data)


def validators_dir(options: dict[str, Any]) -> Path:
    """Where tools/validators/install.sh puts the validators (options may point elsewhere)."""
    if options.get("validators_dir"):
        return Path(options["validators_dir"])
    return validators_home()


def _version(folder: Path) -> str | None:
    stamp = folder / "VERSION"
    return stamp.read_text().strip() if stamp.is_file() else None


def check(epub: Path, work: Path, tools: Path, cache: Path | None) -> Verdict:
    """Ace and EPUBCheck on epub (scratch files in work); a cached verdict for the same bytes and tools."""
    ace_dir, ec_dir = tools / "ace", tools / "epubcheck"
    ace_cli = ace_dir / "node_modules" / ".bin" / "ace-cli"
    ace_version = _version(ace_dir) if ace_cli.exists() and shutil.which("node") else None
    ec_jar = ec_dir / "epubcheck.jar"
    ec_version = _version(ec_dir) if ec_jar.exists() and shutil.which("java") else None

    digest = hashlib.sha256(epub.read_bytes()).hexdigest()
    key = hashlib.sha256(f"{CACHE_RECIPE}|{digest}|{ace_version}|{ec_version}".encode()).hexdigest()
    cached = cache / f"{key}.json" if cache is not None else None
    if cached is not None and cached.is_file():
        return Verdict.from_json(json.loads(cached.read_text()))

    verdict = Verdict(ace_version=ace_version, epubcheck_version=ec_version)
    # Both judges at once: each is mostly start-up (a browser, a JVM), so together they take the time of one.
    with ThreadPoolExecutor(max_workers=2) as pool:
        jobs = []
        if ace_version is not None:
            jobs.append(pool.submit(_run_ace, verdict, ace_cli, ace_dir, epub, work / "ace"))
        if ec_version is not None:
            jobs.append(pool.submit(_run_epubcheck, verdict, ec_jar, epub, work / "epubcheck.json"))
        for job in jobs:
            job.result()
    # A crashed judge is never cached: the next build tries again.
    if cached is not None and verdict.ace_error is None and verdict.epubcheck_error is None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".tmp")
        tmp.write_text(json.dumps(verdict.to_json(), ensure_ascii=False, sort_keys=True, indent=1))
        tmp.replace(cached)
    return verdict


def _run_ace(verdict: Verdict, ace_cli: Path, ace_dir: Path, epub: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(
        PUPPETEER_SKIP_DOWNLOAD="true",
        # Ace writes a log and reads its config under these: keep both in scratch space.
        XDG_STATE_HOME=str(out / "state"),
        XDG_CONFIG_HOME=str(out / "config"),
    )
    wrapper = ace_dir / "chromium-wrapper"
    if wrapper.exists():
        env["PUPPETEER_EXECUTABLE_PATH"] = str(wrapper)
    cmd = [str(ace_cli), "--force", "--silent", "--outdir", str(out / "report"), str(epub)]
    report = out / "report" / "report.json"
    # A browser that fails to start on a busy machine is not a verdict: one more try before giving up.
    for _attempt in range(2):
        try:
            proc = subprocess.run(
                cmd, env=env, capture_output=True, text=True, timeout=ACE_TIMEOUT_S, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            verdict.ace_error = f"Ace did not run: {exc}"
            continue
        if proc.returncode == 0 and report.is_file():
            verdict.ace_error = None
            verdict.ace_violations = ace_violations(json.loads(report.read_text(encoding="utf-8")))
            return
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        verdict.ace_error = f"Ace exited {proc.returncode}: {' | '.join(tail)}"


def ace_violations(report: dict[str, Any]) -> list[Violation]:
    """Every failed assertion in an Ace (EARL) report, sorted so the order never depends on Ace's."""
    found: list[Violation] = []
    for doc in report.get("assertions", []):
        subject = doc.get("earl:testSubject", {}).get("url", "")
        for item in doc.get("assertions", []):
            if item.get("earl:result", {}).get("earl:outcome") != "fail":
                continue
            test = item.get("earl:test", {})
            found.append(
                Violation(
                    rule=str(test.get("dct:title", "?")),
                    impact=str(test.get("earl:impact", "?")),
                    file=str(subject),
                    description=str(item.get("earl:result", {}).get("dct:description", "")).strip(),
                )
            )
    return sorted(set(found), key=lambda v: (v.file, v.rule, v.description))


def _run_epubcheck(verdict: Verdict, jar: Path, epub: Path, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    # Quick JIT and English messages: start-up dominates on a small book; codes are the same.
    cmd = ["java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Duser.language=en"]
    cmd += ["-jar", str(jar), str(epub), "--json", str(out)]
    try:
        subprocess.run(cmd, capture_output=True, text=True, timeout=EPUBCHECK_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        verdict.epubcheck_error = f"EPUBCheck did not run: {exc}"
        return
    if not out.is_file():
        verdict.epubcheck_error = "EPUBCheck wrote no report"
        return
    data = json.loads(out.read_text(encoding="utf-8"))
    checker = data.get("checker", {})
    verdict.epubcheck_counts = {
        "fatal": int(checker.get("nFatal", 0)),
        "error": int(checker.get("nError", 0)),
        "warning": int(checker.get("nWarning", 0)),
    }
    verdict.epubcheck_messages = sorted(
        f"{m.get('severity')} {m.get('ID')}: {m.get('message')}"
        for m in data.get("messages", [])
        if m.get("severity") in ("FATAL", "ERROR", "WARNING")
    )
