"""The EPUB's accessibility claim, judged at build time by the same Ace and EPUBCheck runners as validate.

The pipeline hands the EPUB writer a judge (`CandidateJudge`): the writer gives it a candidate
file and gets a future verdict, so html and print are written while a browser and a JVM work.
The claim is earned only when Ace found no failed assertion at all (whatever its impact) and
EPUBCheck no fatal, error or warning. Verdicts are cached by the candidate's SHA-256 and the
tools' versions: identical bytes get the identical verdict, so rebuilds stay byte-identical and fast.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from archivekit.validate import ace, epubcheck, tools
from archivekit.validate.base import KILLED, Outcome, Target, raw_name

CACHE_RECIPE = "epub-checks-3"  # bump when what a verdict records, or how it is judged, changes
CANDIDATE = "candidate.epub"
log = logging.getLogger("archivekit")


@dataclass(frozen=True)
class Violation:
    """One failed Ace assertion: the rule, its impact, the file it was found in."""

    rule: str
    impact: str
    file: str
    description: str


@dataclass
class Verdict:
    """What the judges said about one EPUB file (versions None when a judge was not installed)."""

    ace_version: str | None = None
    ace_violations: list[Violation] = field(default_factory=list)
    ace_error: str | None = None
    epubcheck_version: str | None = None
    epubcheck_counts: dict[str, int] = field(default_factory=dict)  # fatal, error, warning
    epubcheck_messages: list[str] = field(default_factory=list)
    epubcheck_error: str | None = None

    @property
    def ace_ran(self) -> bool:
        """Ace was installed and completed."""
        return self.ace_version is not None and self.ace_error is None

    @property
    def epubcheck_ran(self) -> bool:
        """EPUBCheck was installed and completed."""
        return self.epubcheck_version is not None and self.epubcheck_error is None

    @property
    def epubcheck_clean(self) -> bool:
        """EPUBCheck completed with no fatal, error or warning."""
        return self.epubcheck_ran and not any(
            self.epubcheck_counts.get(k, 0) for k in ("fatal", "error", "warning")
        )

    @property
    def earned(self) -> bool:
        """True only when Ace found 0 violations and EPUBCheck 0 fatal/errors/warnings."""
        return self.ace_ran and not self.ace_violations and self.epubcheck_clean

    def to_json(self) -> dict[str, Any]:
        """The verdict as the cache stores it."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Verdict:
        """A verdict read back from the cache."""
        data = dict(data)
        data["ace_violations"] = [Violation(**v) for v in data.get("ace_violations", [])]
        return cls(**data)


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


def _failure(outcome: Outcome) -> str | None:
    """The runner's tool-failure message, if the tool did not complete (a crash is never a verdict)."""
    failed = [f.message for f in outcome.findings if f.code == "tool-failure"]
    return f"{outcome.validator} did not complete: {failed[0]}" if failed else None


def _report(outcome: Outcome, out_dir: Path) -> dict[str, Any]:
    return json.loads((out_dir / raw_name(outcome.key, CANDIDATE)).read_text(encoding="utf-8"))


def _judge_ace(tool: tools.Tool, work: Path, verdict: Verdict) -> None:
    out_dir = work / "ace"
    target = [Target(CANDIDATE, work / CANDIDATE)]
    # A browser that fails to start on a busy machine is not a verdict: one more try before giving up.
    for _attempt in range(2):
        outcome = ace.run(tool, target, work, out_dir)
        verdict.ace_error = _failure(outcome)
        if verdict.ace_error is None:
            verdict.ace_violations = ace_violations(_report(outcome, out_dir))
            return


def _judge_epubcheck(tool: tools.Tool, work: Path, verdict: Verdict) -> None:
    out_dir = work / "epubcheck"
    outcome = epubcheck.run(tool, [Target(CANDIDATE, work / CANDIDATE)], work, out_dir)
    verdict.epubcheck_error = _failure(outcome)
    if verdict.epubcheck_error is not None:
        return
    data = _report(outcome, out_dir)
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


def _entry(candidate: Path, cache: Path | None, home: Path | None) -> tuple[Path | None, Verdict | None]:
    """Where this candidate's verdict is cached (None: no cache), and the verdict when it is there."""
    ace_tool, ec_tool = tools.ace(home), tools.epubcheck(home)
    ace_version = ace_tool.version if ace_tool.available else None
    ec_version = ec_tool.version if ec_tool.available else None
    digest = hashlib.sha256(candidate.read_bytes()).hexdigest()
    key = hashlib.sha256(f"{CACHE_RECIPE}|{digest}|{ace_version}|{ec_version}".encode()).hexdigest()
    cached = cache / f"{key}.json" if cache is not None else None
    if cached is not None and cached.is_file():
        return cached, _read_entry(cached)
    return cached, None


def judge(candidate: Path, work: Path, cache: Path | None, home: Path | None = None) -> Verdict:
    """Ace and EPUBCheck on the candidate (scratch files in work); a cached verdict for the same bytes."""
    cached, known = _entry(candidate, cache, home)
    if known is not None:
        return known
    ace_tool, ec_tool = tools.ace(home), tools.epubcheck(home)
    ace_version = ace_tool.version if ace_tool.available else None
    ec_version = ec_tool.version if ec_tool.available else None

    # The runners name the file they check relative to their folder: the candidate sits in work.
    work.mkdir(parents=True, exist_ok=True)
    if candidate.resolve() != (work / CANDIDATE).resolve():
        (work / CANDIDATE).write_bytes(candidate.read_bytes())
    verdict = Verdict(ace_version=ace_version, epubcheck_version=ec_version)
    # Both judges at once: each is mostly start-up (a browser, a JVM), so together they take the time of one.
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="epub-judge") as pool:
        jobs = []
        if ace_version is not None:
            jobs.append(pool.submit(_judge_ace, ace_tool, work, verdict))
        if ec_version is not None:
            jobs.append(pool.submit(_judge_epubcheck, ec_tool, work, verdict))
        for job in jobs:
            job.result()
    # A crashed judge is never cached: the next build tries again.
    if cached is not None and verdict.ace_error is None and verdict.epubcheck_error is None:
        _write_entry(cached, verdict)
    return verdict


def _body(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1)


def _read_entry(path: Path) -> Verdict | None:
    """The cached verdict if the entry is whole (its body matches its sha256); else None, with a
    warning, and the entry is removed so it is judged again."""
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
        body = entry["verdict"]
        if hashlib.sha256(_body(body).encode()).hexdigest() != entry["sha256"]:
            raise ValueError("content does not match its sha256")
        return Verdict.from_json(body)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("EPUB verdict cache entry %s is damaged (%s): judging the EPUB again", path, exc)
        path.unlink(missing_ok=True)
        return None


def _write_entry(path: Path, verdict: Verdict) -> None:
    """Store the verdict with its sha256, atomically: a killed build never leaves half an entry."""
    body = verdict.to_json()
    entry = {"sha256": hashlib.sha256(_body(body).encode()).hexdigest(), "verdict": body}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp{os.getpid()}-{threading.get_ident()}")
        tmp.write_text(json.dumps(entry, ensure_ascii=False, sort_keys=True, indent=1), encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        log.debug("EPUB verdict not cached (%s)", exc)  # a cache that cannot be written only costs time


class CandidateJudge:
    """What the pipeline hands the EPUB writer: judge(candidate, work) -> Future[Verdict], in the background.

    Used as a context manager around one build, so no judge outlives the build's staging folder.
    """

    def __init__(self, cache: Path | None, home: Path | None = None) -> None:
        self.cache, self.home = cache, home
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="epub-claim")

    def __call__(self, candidate: Path, work: Path) -> Future[Verdict]:
        """Start judging the candidate; the future holds the verdict."""
        return self._pool.submit(judge, candidate, work, self.cache, self.home)

    def close(self) -> None:
        """Let every started judgement end."""
        self._pool.shutdown(wait=True)

    def __enter__(self) -> CandidateJudge:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class DeferredJudge:
    """For resident rebuilds (watch, preview): a verdict now only when one is known for these bytes.

    A candidate judged before (the verdict cache, or this judge's memory) gets its verdict at once;
    any other gets none now, so its build writes the EPUB without the claim at once ("no checks
    were run", which is true of that file), and Ace and EPUBCheck judge a copy of it in the
    background once the build has ended (`start`, which watch calls after each build); `on_judged`
    is then called, and the rebuild it asks for finds the verdict known and writes the claim only
    if it was earned. A newer candidate replaces one still waiting or queued.
    """

    def __init__(self, cache: Path | None, home: Path | None, on_judged: Callable[[], None]) -> None:
        self.cache, self.home, self.on_judged = cache, home, on_judged
        self._known: dict[str, Verdict] = {}  # sha256 of a candidate -> its verdict (an unwritable cache)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="epub-claim-later")
        self._queued: Future[None] | None = None
        self._waiting: tuple[Path, str] | None = None  # the newest candidate, until start()
        self._spool = Path(tempfile.mkdtemp(prefix="archivekit-epub-later-"))

    def __call__(self, candidate: Path, work: Path) -> Future[Verdict | None]:
        """The known verdict, or None (judged later); the future is already done either way."""
        done: Future[Verdict | None] = Future()
        ace_tool, ec_tool = tools.ace(self.home), tools.epubcheck(self.home)
        digest = hashlib.sha256(candidate.read_bytes()).hexdigest()
        _, known = _entry(candidate, self.cache, self.home)
        known = known or self._known.get(digest)
        if known is None and not (ace_tool.available or ec_tool.available):
            known = judge(candidate, work, self.cache, self.home)  # no judge installed: nothing to wait for
        if known is None:
            copy = self._spool / f"{digest}.epub"
            copy.write_bytes(candidate.read_bytes())  # the build's staging folder goes with the build
            if self._waiting is not None and self._waiting[0] != copy:
                self._waiting[0].unlink(missing_ok=True)
            self._waiting = (copy, digest)  # judged from start(): the build ends first, undisturbed
        done.set_result(known)
        return done

    def start(self) -> None:
        """Judge the newest candidate not judged yet, in the background (called once its build has
        ended: Ace and EPUBCheck would otherwise take the cores the rest of that build needs)."""
        if self._waiting is None:
            return
        copy, digest = self._waiting
        self._waiting = None
        if self._queued is not None:
            self._queued.cancel()  # not started yet: only the newest text is worth judging
        self._queued = self._pool.submit(self._judge, copy, digest)

    def _judge(self, copy: Path, digest: str) -> None:
        work = self._spool / digest
        try:
            verdict = judge(copy, work, self.cache, self.home)
        finally:
            shutil.rmtree(work, ignore_errors=True)
            copy.unlink(missing_ok=True)
        if verdict.ace_error is None and verdict.epubcheck_error is None:
            self._known[digest] = verdict
            self.on_judged()
        else:  # a crashed judge: no rebuild (it would only queue the same judging again)
            error = verdict.ace_error or verdict.epubcheck_error or ""
            # Stopped by a signal (watch ending at Ctrl-C): no finding, and nothing to warn of.
            level = logging.INFO if KILLED in error else logging.WARNING
            log.log(level, "epub: the judges did not complete (%s)", error)

    def settle(self) -> None:
        """Start what waits, then wait until the judging has ended (tests; the bench: a user's pace
        between saves)."""
        self.start()
        self._pool.submit(lambda: None).result()  # one worker: it runs after what is queued

    def close(self) -> None:
        """Drop queued judging, let a running one end, remove the copies."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(self._spool, ignore_errors=True)
