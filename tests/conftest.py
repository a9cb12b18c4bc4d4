"""Shared fixtures and helpers: the seed, the canonical edition and its builds, the judges tests call."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "fixtures" / "seed-000_9225e419539e859c.txt"
EDITION = ROOT / "sources" / "carfc-2019-07-15-letter-to-ceos"
EDITION_ID = EDITION.name
EPOCH = "1700000000"
IN_CI = os.environ.get("CI") == "true"
# Every command a test runs runs in its own process, whatever the shell asked for and even outside
# CI (where the server is on by default); the server's own tests (test_resident_server.py) switch it
# on for theirs.
os.environ["ARCHIVEKIT_SERVER"] = "off"


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
    return build_canonical(tmp_path_factory.mktemp("build"))


def build_canonical(out: Path, *formats: str) -> Path:
    """Build the canonical edition into `out` as a user would (only `formats`, when named): out/<id>/."""
    chosen = [arg for name in formats for arg in ("--format", name)]
    result = run_cli("build", str(EDITION), "--out", str(out), *chosen, "--force")
    assert result.returncode == 0, result.stderr
    return out / EDITION_ID


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium, launched as the axe runner launches it (never a downloaded browser);
    CHROMIUM_BIN as in tools/validators/install.sh."""
    from archivekit.validate.axe_runner import CHROMIUM_FLAGS

    chromium = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
    require(Path(chromium).is_file() or shutil.which(chromium) is not None, f"chromium at {chromium}")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
        yield b
        b.close()


def verapdf_verdicts(
    files: Iterable[Path | str], *args: str, timeout: int = 1200
) -> dict[str, dict[str, Any]]:
    """File name -> veraPDF profile name -> result, for all `files` in one JVM (`args`: e.g. a flavour)."""
    from archivekit.validate.tools import verapdf

    tool = verapdf()
    require(tool.available, f"veraPDF: {tool.missing}")
    cmd = [str(tool.paths["java"]), "-cp", f"{tool.paths['lib'].parent}/*",
           "org.verapdf.apps.GreenfieldCliWrapper", *args, "--format", "json", *map(str, files)]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    out: dict[str, dict[str, Any]] = {}
    for job in json.loads(proc.stdout)["report"]["jobs"]:
        name = job["itemDetails"]["name"].rsplit("/", 1)[-1]
        out[name] = {r["profileName"]: r for r in job.get("validationResult") or []}
    return out


def pdf_layout(pdf: Path) -> ET.Element:
    """poppler's reading of a PDF with every page, line and word and its box (`pdftotext -bbox-layout`)."""
    result = subprocess.run(
        ["pdftotext", "-bbox-layout", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        check=True,
        timeout=600,
    )
    return ET.fromstring(result.stdout)
