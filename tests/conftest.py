"""Shared fixtures: the seed, the canonical edition, and one full build per test session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "fixtures" / "seed-000_9225e419539e859c.txt"
EDITION = ROOT / "sources" / "carfc-2019-07-15-letter-to-ceos"
EDITION_ID = EDITION.name
EPOCH = "1700000000"
IN_CI = os.environ.get("CI") == "true"


def require(condition: bool, reason: str) -> None:
    """Skip (loudly) when a real component is missing locally; in CI a missing component fails."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(f"NOT RUN: {reason}")


def run_cli(*args: str, cwd: Path | None = None, epoch: str = EPOCH) -> subprocess.CompletedProcess[str]:
    """Run `archivekit` as a user would, in a subprocess, with a fixed clock."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": epoch}
    return subprocess.run(
        [sys.executable, "-m", "archivekit", *args],
        cwd=cwd or ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="session")
def seed() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture
def edition_copy(tmp_path: Path) -> Path:
    """A private copy of the canonical edition folder, to mutate."""
    target = tmp_path / "sources" / EDITION_ID
    shutil.copytree(EDITION, target)
    return target


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The canonical edition, every format, built once per session: build/<edition-id>/."""
    out = tmp_path_factory.mktemp("build")
    result = run_cli("build", str(EDITION), "--out", str(out), "--force")
    assert result.returncode == 0, result.stderr
    return out / EDITION_ID
