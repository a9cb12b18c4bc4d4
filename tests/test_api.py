"""The library API: archivekit.build and archivekit.check, with the CLI's errors and bytes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EPOCH, ROOT, run_cli

SMALL = ROOT / "sources" / "gutenberg-31963-wagner-flying-dutchman-act-1"


@pytest.fixture
def small_copy(tmp_path: Path) -> Path:
    target = tmp_path / "sources" / SMALL.name
    shutil.copytree(SMALL, target)
    return target


def test_import_is_cheap() -> None:
    code = "import sys, archivekit; print(sorted(m for m in sys.modules if m.startswith('archivekit')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['archivekit']"


def test_build_matches_the_cli(small_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import archivekit

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    folder = archivekit.build(small_copy, tmp_path / "out", formats=["html", "text"])
    assert folder == tmp_path / "out" / SMALL.name
    assert (folder / f"{SMALL.name}.html").is_file() and (folder / f"{SMALL.name}.txt").is_file()
    # The same request from the command line finds the library's build up to date.
    cli = run_cli(
        "build", str(small_copy), "--out", str(tmp_path / "out"), "--format", "html", "--format", "text"
    )
    assert cli.returncode == 0 and "up to date" in cli.stderr, cli.stderr
    doc = archivekit.check(small_copy)
    assert doc.edition.id == SMALL.name


def test_errors_are_the_clis(small_copy: Path, tmp_path: Path) -> None:
    import archivekit
    from archivekit.errors import SourceError, UsageError

    with pytest.raises(UsageError) as unknown:
        archivekit.build(small_copy, tmp_path / "out", formats=["nope"])
    assert unknown.value.exit_code == 2 and "nope" in str(unknown.value)
    with pytest.raises(UsageError):
        archivekit.build(small_copy, tmp_path / "out", formats="html")  # type: ignore[arg-type]
    part = next(small_copy.glob("*.md"))
    part.write_text(part.read_text(encoding="utf-8") + '\n<div onclick="x">raw</div>\n', encoding="utf-8")
    with pytest.raises(SourceError) as bad:
        archivekit.check(small_copy)
    assert bad.value.exit_code == 2 and bad.value.file and part.name in bad.value.file
    cli = run_cli("check", str(small_copy))
    assert cli.returncode == 2 and str(bad.value).splitlines()[0] in cli.stderr
