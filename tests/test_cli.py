"""The command line as users and scripts meet it: help, exit codes, errors that say where."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EDITION, run_cli


def test_help_explains_with_examples() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    assert "examples:" in result.stdout and "exit codes" in result.stdout
    for command in ("build", "check"):
        assert command in result.stdout


def test_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0 and re.match(r"archivekit \d+\.\d+\.\d+", result.stdout)


def test_bad_usage_exits_2_without_traceback() -> None:
    result = run_cli("build", "--format", "nonsense", str(EDITION), "--out", "/nonexistent/never")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "unknown format" in result.stderr and "choose among" in result.stderr


def test_check_good_sources() -> None:
    result = run_cli("check", str(EDITION))
    assert result.returncode == 0, result.stderr
    assert "ok (3 parts, 1 note, 1 references)" in result.stdout


def _break(edition: Path, file: str, old: str, new: str) -> None:
    path = edition / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


CASES = {
    "broken metadata": ("edition.yaml", "date: 2019-07-15", "date: [2019-07-15", "edition.yaml:", "YAML"),
    "note reference without note": (
        "01-letter.zh-Hans.md",
        "来往行踪。”[^1]",
        "来往行踪。”[^1][^2]",
        "01-letter.zh-Hans.md:15:",
        "[^2] has no note",
    ),
    "unknown cite key": (
        "01-letter.zh-Hans.md",
        'cite-key="un-a-hrc-41-35"',
        'cite-key="un-a-hrc-41-36"',
        "01-letter.zh-Hans.md:35:",
        "not in the bibliography",
    ),
    # A character no font draws: the build refuses it, so check must (it once passed it).
    "character without a glyph": (
        "01-letter.zh-Hans.md",
        "来往行踪。”[^1]",
        "来往行踪\U0001f600。”[^1]",
        "01-letter.zh-Hans.md:15:",
        "no font has a glyph for U+1F600",
    ),
    "missing part file": (
        "edition.yaml",
        "file: 03-principles.en.md",
        "file: 03-principles.fr.md",
        "edition.yaml",
        "does not exist",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_check_bad_sources_names_file_and_line(case: str, edition_copy: Path, tmp_path: Path) -> None:
    file, old, new, where, what = CASES[case]
    _break(edition_copy, file, old, new)
    out = tmp_path / "out"
    for command in (["check", str(edition_copy)], ["build", str(edition_copy), "--out", str(out)]):
        result = run_cli(*command)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert where in result.stderr and what in result.stderr, result.stderr
        assert "fix:" in result.stderr
    # Nothing built, nothing left behind: at most the edition's lock (kept: removing a lock file
    # another build may be opening would let two builds in), when a writer refused.
    assert not out.exists() or all(p.name.endswith(".lock") for p in out.iterdir()), list(out.iterdir())


# A program ending through launch.end: a large buffered output, an exit handler that removes a
# folder (as a temporary folder's does) and prints, and, when asked, a thread still writing.
ENDING = """
import atexit, pathlib, shutil, sys, threading, time
from archivekit import launch
scratch = pathlib.Path(sys.argv[1])
atexit.register(lambda: (shutil.rmtree(scratch), print("handler ran")))
if sys.argv[2] == "thread":
    threading.Thread(target=lambda: (time.sleep(0.5), (scratch.parent / "late").write_text("x"))).start()
print("x" * 200_000)
launch.end(3)
"""


@pytest.mark.parametrize("thread", ["alone", "thread"])
def test_a_command_ends_without_teardown_yet_as_the_interpreter_would(thread: str, tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    result = subprocess.run(
        [sys.executable, "-c", ENDING, str(scratch), thread], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 3, result.stderr
    assert result.stdout == "x" * 200_000 + "\nhandler ran\n"  # flushed, handlers run, in order
    assert not scratch.exists()
    # With a thread running, the interpreter's own end, which waits for it to finish.
    assert (tmp_path / "late").exists() == (thread == "thread")
