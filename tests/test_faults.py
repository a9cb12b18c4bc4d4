"""Machine faults and races, as a catalogue: each case provokes one fault and states what a user sees.

A case is a function registered with @fault("what a user sees"); it gets an empty folder and fails
by assertion. Add a case by writing one more function: the test below runs every one.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
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


@pytest.mark.parametrize("case", CATALOGUE, ids=[c.name for c in CATALOGUE])
def test_fault(case: Fault, tmp_path: Path) -> None:
    case.check(tmp_path)
