"""Machine faults and races, as a catalogue: each case provokes one fault and states what a user sees.

A case is a function registered with @fault("what a user sees"); it gets an empty folder and fails
by assertion. Add a case by writing one more function: the test below runs every one.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from archivekit import pipeline, staging
from conftest import EDITION, EDITION_ID, EPOCH, ROOT, run_cli

FORMATS = ("--format", "text", "--format", "html")  # the race is in staging, not in a writer: keep it fast


@dataclass(frozen=True)
class Fault:
    """One case of the catalogue: its name, what a user should see, and the check."""

    name: str
    expected: str
    check: Callable[[Path], None]


CATALOGUE: list[Fault] = []


def fault(expected: str) -> Callable[[Callable[[Path], None]], Callable[[Path], None]]:
    """Register a case; `expected` says, in a user's words, what must happen."""

    def register(check: Callable[[Path], None]) -> Callable[[Path], None]:
        CATALOGUE.append(Fault(check.__name__, expected, check))
        return check

    return register


def _hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if ".tmp-" in p.name or ".old-" in p.name)


def _start_build(out: Path, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    cmd = [sys.executable, "-m", "archivekit", "-q", "build", str(EDITION), "--out", str(out), "--force"]
    return subprocess.Popen(
        [*cmd, *FORMATS, *extra], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


@fault("three builds of one edition into one --out, 20 times: each exits 0, the last equals a clean build")
def concurrent_builds_take_turns(tmp: Path) -> None:
    clean = run_cli("-q", "build", str(EDITION), "--out", str(tmp / "clean"), "--force", *FORMATS)
    assert clean.returncode == 0, clean.stderr
    expected = _hashes(tmp / "clean" / EDITION_ID)
    out = tmp / "shared"
    for round_ in range(20):
        runs = [_start_build(out) for _ in range(3)]
        for run in runs:
            _, err = run.communicate(timeout=300)
            assert run.returncode == 0, f"round {round_}: {err}"
        assert _leftovers(out) == [], f"round {round_}"
        assert _hashes(out / EDITION_ID) == expected, f"round {round_}"


@fault("--no-wait while another build holds the edition: exit 2 naming it; the other build's folder is kept")
def no_wait_says_busy(tmp: Path) -> None:
    out = tmp / "out"
    with staging.edition_lock(out, EDITION_ID):
        result = run_cli("build", str(EDITION), "--out", str(out), "--force", "--no-wait", *FORMATS)
    assert result.returncode == 2, result.stderr
    assert f"another build of {EDITION_ID} is writing into {out}" in result.stderr
    assert not (out / EDITION_ID).exists() and _leftovers(out) == []


@fault("one edition's --out cannot be written: it fails with the path and a fix, the next edition is built")
def a_disk_fault_fails_one_edition_only(tmp: Path) -> None:
    (tmp / "a-file").write_text("not a folder\n", encoding="utf-8")
    bad = pipeline.BuildRequest(EDITION, tmp / "a-file" / "out", ("text",), force=True)
    good = pipeline.BuildRequest(EDITION, tmp / "out", ("text",), force=True)
    (failed, error, code), (built, no_error, zero) = pipeline.build_many([bad, good])
    assert failed is None and code == 2
    assert error is not None and str(tmp / "a-file") in error and "fix:" in error
    assert built == tmp / "out" / EDITION_ID and no_error is None and zero == 0


# ---- faults of the machine: each case injects one and checks message, exit code, no traceback and
# that the last good build is byte-identical afterwards.

# case -> the words its message must contain; docs/troubleshooting.md has a row per case quoting them.
SAYS: dict[str, str] = {
    "disk-full": "No space left on device",
    "read-only": "Read-only file system",
    "permission-denied": "Operation not permitted",
    "path-under-a-file": "Not a directory",
    "too-many-open-files": "Too many open files",
    "ctrl-c": "interrupted; nothing",
    "sigterm": "terminated; nothing",
    "damaged-cache": "is damaged",
    "judge-hangs": "gave no answer within 2 s and was stopped",
    "judge-killed": "was killed by SIGKILL before it answered",
    "judge-garbage": "printed no JSON report",
    "pandoc-missing": "pandoc is not available",
    "poppler-missing": "pdftotext and pdfinfo not found on PATH; install poppler-utils",
    "ghostscript-java-missing": "java not found on PATH",
    "part-is-a-folder": "is not a regular file",
    "part-is-a-fifo": "is not a regular file",
    "part-not-utf8": "file is not valid UTF-8",
    "epoch-not-a-number": "is not a whole number of seconds",
}


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, **extra}


def _cli(*args: str, env: dict[str, str] | None = None, preexec: Callable[[], None] | None = None,
         edition: Path = EDITION) -> subprocess.CompletedProcess[str]:  # fmt: skip
    cmd = [sys.executable, "-m", "archivekit", "-q", *args]
    if args and args[0] == "build":
        cmd = [*cmd[:5], str(edition), *cmd[5:]]
    return subprocess.run(cmd, cwd=ROOT, env=env or _env(), capture_output=True, text=True, timeout=300,
                          preexec_fn=preexec)  # fmt: skip


def _last_good(out: Path, *formats: str) -> dict[str, str]:
    result = _cli("build", "--out", str(out), "--force", *(formats or FORMATS))
    assert result.returncode == 0, result.stderr
    return _hashes(out / EDITION_ID)


def _says(case: str, result: subprocess.CompletedProcess[str], code: int, words: str) -> None:
    assert SAYS[case] == words
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == code, result.stderr
    assert words in result.stderr, result.stderr


def _intact(out: Path, good: dict[str, str]) -> None:
    assert _hashes(out / EDITION_ID) == good
    assert _leftovers(out) == []


@fault("disk full: exit 1 naming the file and 'No space left on device'; the last good build is kept")
def disk_full(tmp: Path) -> None:
    # A 300 KiB tmpfs as --out (root may mount here), filled but for a few KiB after a good build.
    small = tmp / "small"
    small.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(small)]).returncode != 0:
        pytest.skip("NOT RUN: this machine refuses a tmpfs mount (use RLIMIT_FSIZE there)")
    try:
        good = _last_good(small)
        free = os.statvfs(small).f_bavail * os.statvfs(small).f_frsize
        (small / "filler").write_bytes(b"\0" * max(0, free - 8192))
        result = _cli("build", "--out", str(small), "--force", *FORMATS)
        _says("disk-full", result, 1, "No space left on device")
        assert "fix: free space on that file system" in result.stderr and str(small) in result.stderr
        (small / "filler").unlink()
        _intact(small, good)
    finally:
        subprocess.run(["umount", str(small)], check=False)


@fault("read-only --out: exit 2, 'Read-only file system' and a fix; nothing changes there")
def read_only_out(tmp: Path) -> None:
    folder, view = tmp / "rw", tmp / "ro"
    folder.mkdir()
    view.mkdir()
    good = _last_good(folder)
    if subprocess.run(["mount", "--bind", "-o", "ro", str(folder), str(view)]).returncode != 0:
        pytest.skip("NOT RUN: this machine refuses a read-only bind mount")
    try:
        result = _cli("build", "--out", str(view), "--force", *FORMATS)
        _says("read-only", result, 2, "Read-only file system")
        _intact(folder, good)
    finally:
        subprocess.run(["umount", str(view)], check=False)


@fault("permission denied on --out (immutable folder: root ignores modes): exit 2 with a fix")
def permission_denied(tmp: Path) -> None:
    out = tmp / "out"
    good = _last_good(out)
    if subprocess.run(["chattr", "+i", str(out)], capture_output=True).returncode != 0:
        pytest.skip("NOT RUN: the file system has no immutable flag (chattr +i)")
    try:
        result = _cli("build", "--out", str(out), "--force", *FORMATS)
        _says("permission-denied", result, 2, "Operation not permitted")
        assert "fix: choose a folder you may write to" in result.stderr
    finally:
        subprocess.run(["chattr", "-i", str(out)], check=False)
    _intact(out, good)


@fault("--out under a file: exit 2, 'Not a directory' naming the path")
def path_under_file(tmp: Path) -> None:
    (tmp / "a-file").write_text("x\n", encoding="utf-8")
    result = _cli("build", "--out", str(tmp / "a-file" / "out"), "--force", *FORMATS)
    _says("path-under-a-file", result, 2, "Not a directory")
    assert str(tmp / "a-file") in result.stderr


@fault("too few open files (RLIMIT_NOFILE 12): exit 1, 'Too many open files', the last good build kept")
def too_many_open_files(tmp: Path) -> None:
    import resource

    out = tmp / "out"
    good = _last_good(out)
    # A cold cache: pandoc reads the parts (three at once, each with its pipes); from the cache of
    # its answers the build needs fewer than 12 files open and succeeds.
    cold = _env(ARCHIVEKIT_CACHE=str(tmp / "cold"))
    result = _cli("build", "--out", str(out), "--force", *FORMATS, env=cold,
                  preexec=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (12, 12)))  # fmt: skip
    _says("too-many-open-files", result, 1, "Too many open files")
    _intact(out, good)


def _mid_build(out: Path) -> subprocess.Popen[str]:
    """A build stopped while its staging folder exists."""
    run = _start_build(out)
    deadline = time.monotonic() + 60
    while not any(".tmp-" in p.name for p in out.iterdir()) if out.exists() else True:
        assert run.poll() is None and time.monotonic() < deadline, "the build ended before staging"
        time.sleep(0.002)
    return run


@fault("kill -9 mid-build: no partial edition; the next build sweeps the dead build's staging folder")
def killed_build(tmp: Path) -> None:
    out = tmp / "out"
    good = _last_good(out)
    run = _mid_build(out)
    run.kill()
    run.communicate()
    assert _hashes(out / EDITION_ID) == good
    again = _cli("build", "--out", str(out), "--force", *FORMATS)
    assert again.returncode == 0, again.stderr
    _intact(out, good)


def _signalled_mid_build(tmp: Path, sig: signal.Signals, case: str, code: int, words: str) -> None:
    """A build sent `sig` while it stages: one line on stderr, exit `code`, the last good build kept."""
    out = tmp / "out"
    good = _last_good(out)
    run = _mid_build(out)
    run.send_signal(sig)
    _, err = run.communicate(timeout=30)
    _says(case, subprocess.CompletedProcess([], run.returncode, "", err), code, words)
    assert err.strip().count("\n") == 0, err
    _intact(out, good)


@fault("Ctrl-C mid-build: exit 130, one line, no staging left, the last good build kept")
def interrupted(tmp: Path) -> None:
    _signalled_mid_build(tmp, signal.SIGINT, "ctrl-c", 130, "interrupted; nothing")


@fault("SIGTERM mid-build: exit 143, one line, no staging left, the last good build kept")
def terminated(tmp: Path) -> None:
    _signalled_mid_build(tmp, signal.SIGTERM, "sigterm", 143, "terminated; nothing")


@fault("damaged cache entries (font, proof, EPUB verdict, pandoc answer): warned, rebuilt, same output")
def damaged_caches(tmp: Path) -> None:
    cache, formats = tmp / "cache", ("--format", "pdf", "--format", "print", "--format", "epub")
    env = _env(ARCHIVEKIT_CACHE=str(cache))
    first = _cli("build", "--out", str(tmp / "a"), "--force", *formats, env=env)
    assert first.returncode == 0, first.stderr
    for entry in [next(cache.glob("fonts/*.ttf")), next(cache.glob("proofs/*/page-01.png")),
                  next(cache.glob("epub-checks/*.json")),
                  next(cache.glob("pandoc-ast/*.answer"))]:  # fmt: skip
        entry.write_bytes(entry.read_bytes()[:40])
    result = _cli("build", "--out", str(tmp / "b"), "--force", *formats, env=env)
    _says("damaged-cache", result, 0, "is damaged")
    for what in ("font cache entry", "proof cache entry", "EPUB verdict cache entry", "pandoc cache entry"):
        assert what in result.stderr, result.stderr
    assert _hashes(tmp / "b" / EDITION_ID) == _hashes(tmp / "a" / EDITION_ID)


def _fake_java(tmp: Path, body: str) -> dict[str, str]:
    """A `java` that misbehaves, found first on PATH, and a Nu HTML Checker install that runs it."""
    home, bin_dir = tmp / "validators", tmp / "fakebin"
    jar = home / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    jar.parent.mkdir(parents=True)
    jar.write_bytes(b"")
    (home / "vnu" / "VERSION").write_text("26.9.27\n", encoding="utf-8")
    bin_dir.mkdir()
    java = bin_dir / "java"
    java.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    java.chmod(0o755)
    return _env(PATH=f"{bin_dir}:{os.environ['PATH']}", ARCHIVEKIT_VALIDATORS=str(home),
                ARCHIVEKIT_TIMEOUT_VNU="2")  # fmt: skip


def _judge_case(tmp: Path, case: str, body: str, words: str) -> None:
    out = tmp / "out"
    _last_good(out)
    started = time.monotonic()
    result = _cli("validate", str(out / EDITION_ID), env=_fake_java(tmp, body))
    assert time.monotonic() - started < 60
    report = (out / EDITION_ID / "validation" / "report.json").read_text(encoding="utf-8")
    assert SAYS[case] == words
    assert "Traceback" not in result.stderr and result.returncode == 1, result.stderr
    assert words in report and '"tool-failure"' in report


@fault("a judge that never answers: stopped after its time limit, a tool-failure finding, exit 1")
def judge_hangs(tmp: Path) -> None:
    _judge_case(tmp, "judge-hangs", "exec sleep 600", "gave no answer within 2 s and was stopped")


@fault("a judge killed while checking: a tool-failure finding naming it and the signal, exit 1")
def judge_killed(tmp: Path) -> None:
    _judge_case(tmp, "judge-killed", "kill -9 $$", "was killed by SIGKILL before it answered")


@fault("a judge printing garbage: a tool-failure finding quoting it, exit 1")
def judge_garbage(tmp: Path) -> None:
    _judge_case(tmp, "judge-garbage", "echo '@@@ not json'; exit 0", "printed no JSON report")


@fault("pandoc missing (PYPANDOC_PANDOC pointed elsewhere): exit 2, 'pandoc is not available'")
def pandoc_missing(tmp: Path) -> None:
    result = _cli("build", "--out", str(tmp / "out"), *FORMATS, env=_env(PYPANDOC_PANDOC=str(tmp / "none")))
    _says("pandoc-missing", result, 2, "pandoc is not available")


def _path_without(tmp: Path, *programs: str) -> str:
    """A PATH holding links to every program on PATH except these."""
    folder = tmp / "path"
    folder.mkdir()
    for entry in os.environ["PATH"].split(os.pathsep):
        for program in Path(entry).glob("*") if Path(entry).is_dir() else []:
            if program.name not in programs and not (folder / program.name).exists():
                (folder / program.name).symlink_to(program)
    return str(folder)


@fault("poppler missing: print builds with its proofs; validate names the judges not run and the fix")
def poppler_missing(tmp: Path) -> None:
    # The proofs are rendered in process (PDFium): only the judges reading PDFs need poppler.
    out = tmp / "out"
    poppler = ("pdftoppm", "pdftotext", "pdfinfo", "pdffonts")
    env = _env(PATH=_path_without(tmp, *poppler), ARCHIVEKIT_CACHE=str(tmp / "cache"))
    built = _cli("build", "--out", str(out), "--format", "print", env=env)
    assert built.returncode == 0 and "Traceback" not in built.stderr, built.stderr
    assert len(list((out / EDITION_ID / "proof").glob("page-*.png"))) == 8
    result = _cli("validate", str(out / EDITION_ID), env=env)
    assert "Traceback" not in result.stderr and result.returncode == 0, result.stderr
    report = (out / EDITION_ID / "validation" / "report.json").read_text(encoding="utf-8")
    assert SAYS["poppler-missing"] in report


@fault("Ghostscript and Java missing: validate says which judges did not run and why, no traceback")
def ghostscript_and_java_missing(tmp: Path) -> None:
    out = tmp / "out"
    _last_good(out)
    env = _env(PATH=_path_without(tmp, "gs", "java"))
    result = _cli("validate", str(out / EDITION_ID), env=env)
    assert "Traceback" not in result.stderr and result.returncode == 0, result.stderr
    report = (out / EDITION_ID / "validation" / "report.json").read_text(encoding="utf-8")
    assert '"reason": "java not found on PATH"' in report


def _broken_part(tmp: Path, make: Callable[[Path], None]) -> Path:
    import shutil

    copy = tmp / "sources" / EDITION_ID
    shutil.copytree(EDITION, copy)
    part = copy / "03-principles.en.md"
    part.unlink()
    make(part)
    return copy


@fault("a folder where a part should be: exit 2, 'is not a regular file'; the last good build kept")
def part_is_a_folder(tmp: Path) -> None:
    out = tmp / "out"
    good = _last_good(out)
    copy = _broken_part(tmp, lambda p: p.mkdir())
    result = _cli("build", "--out", str(out), "--force", *FORMATS, edition=copy)
    _says("part-is-a-folder", result, 2, "is not a regular file")
    _intact(out, good)


@fault("a FIFO where a part should be: exit 2 at once (never blocks reading it)")
def part_is_a_fifo(tmp: Path) -> None:
    copy = _broken_part(tmp, lambda p: os.mkfifo(p))
    result = _cli("build", "--out", str(tmp / "out"), "--force", *FORMATS, edition=copy)
    _says("part-is-a-fifo", result, 2, "is not a regular file")


@fault("a part with invalid UTF-8: exit 2 naming the file, the line and the byte")
def part_not_utf8(tmp: Path) -> None:
    copy = _broken_part(tmp, lambda p: p.write_bytes(b"## Principles\n\nab\xff\xfecd\n"))
    result = _cli("build", "--out", str(tmp / "out"), "--force", *FORMATS, edition=copy)
    _says("part-not-utf8", result, 2, "file is not valid UTF-8")


@fault("SOURCE_DATE_EPOCH not a number: exit 2 naming the value and a fix")
def epoch_not_a_number(tmp: Path) -> None:
    result = _cli("build", "--out", str(tmp / "out"), *FORMATS, env=_env(SOURCE_DATE_EPOCH="abc"))
    _says("epoch-not-a-number", result, 2, "is not a whole number of seconds")


@pytest.mark.parametrize("case", CATALOGUE, ids=[c.name for c in CATALOGUE])
def test_fault(case: Fault, tmp_path: Path) -> None:
    case.check(tmp_path)


def test_troubleshooting_lists_every_fault_with_its_message() -> None:
    """docs/troubleshooting.md's "Faults of the machine" has a row per case quoting its words."""
    doc = (ROOT / "docs" / "troubleshooting.md").read_text(encoding="utf-8")
    section = doc.split("## Faults of the machine", 1)[1].split("\n## ", 1)[0]
    rows = {line.split("|")[1].strip(): line for line in section.splitlines() if line.startswith("| ")}
    for case, words in SAYS.items():
        assert case in rows, f"docs/troubleshooting.md has no row for {case}"
        assert words in rows[case], f"{case}: the row does not quote {words!r}"
