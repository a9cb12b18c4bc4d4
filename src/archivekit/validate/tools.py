"""Locate the external validators that tools/validators/install.sh put in the user cache folder."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from archivekit import toolpaths
from archivekit.toolpaths import ENV_FOLDER, validators_home

INSTALL_HINT = "run `make validators` (tools/validators/install.sh)"

__all__ = ["ENV_FOLDER", "INSTALL_HINT", "validators_home"]


chromium_bin = toolpaths.chromium_bin  # one place knows where the browser is


@dataclass(frozen=True)
class Tool:
    """One installed validator: what to run, or why it cannot run."""

    name: str
    version: str = ""
    paths: dict[str, Path] = field(default_factory=dict)
    missing: str = ""  # empty when the tool can run; otherwise the reason, shown as "not run"

    @property
    def available(self) -> bool:
        """True when every file and program the tool needs is present."""
        return not self.missing


def _read_version(folder: Path) -> str:
    try:
        return (folder / "VERSION").read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def _check(name: str, folder: Path, needs: dict[str, Path], programs: dict[str, str | None]) -> Tool:
    for label, prog in programs.items():
        if not prog:
            return Tool(name, missing=f"{label} not found on PATH")
    for path in needs.values():
        if not path.exists():
            # No cache path in the reason: it goes into report.json, which must not name local folders.
            if path.is_relative_to(folder):
                rel = f"{folder.name}/{path.relative_to(folder)}"
                return Tool(name, missing=f"{rel} not installed; {INSTALL_HINT}")
            return Tool(name, missing=f"{path} not found; {INSTALL_HINT}")
    version = _read_version(folder)
    if not version:
        return Tool(name, missing=f"{folder.name}/VERSION missing (interrupted install?); {INSTALL_HINT}")
    paths = dict(needs)
    for label, prog in programs.items():
        paths[label] = Path(prog or "")
    return Tool(name, version=version, paths=paths)


def verapdf() -> Tool:
    """veraPDF command line (greenfield), as a folder of jars for java -cp."""
    home = validators_home() / "verapdf"
    return _check("veraPDF", home, {"lib": home / "lib" / "cli-1.30.2.jar"}, {"java": shutil.which("java")})


def epubcheck(root: Path | None = None) -> Tool:
    """EPUBCheck 5.x jar (not Debian's 4.2.6), under root (default: the validators' home)."""
    home = (root or validators_home()) / "epubcheck"
    return _check("EPUBCheck", home, {"jar": home / "epubcheck.jar"}, {"java": shutil.which("java")})


def ace(root: Path | None = None) -> Tool:
    """Ace by DAISY command line, driving Debian's chromium through a flag-adding wrapper, under root."""
    home = (root or validators_home()) / "ace"
    needs = {
        "cli": home / "node_modules" / ".bin" / "ace-cli",
        "chromium_wrapper": home / "chromium-wrapper",
        "chromium": chromium_bin(),
    }
    return _check("Ace", home, needs, {"node": shutil.which("node")})


def vnu() -> Tool:
    """Nu HTML Checker jar from npm vnu-jar."""
    home = validators_home() / "vnu"
    jar = home / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    return _check("Nu HTML Checker", home, {"jar": jar}, {"java": shutil.which("java")})


def axe() -> Tool:
    """axe-core script, injected through Python playwright into Debian's chromium."""
    home = validators_home() / "axe"
    if importlib.util.find_spec("playwright") is None:
        return Tool("axe-core", missing=f"Python package playwright not installed; {INSTALL_HINT}")
    needs = {"axe_js": home / "node_modules" / "axe-core" / "axe.min.js", "chromium": chromium_bin()}
    return _check("axe-core", home, needs, {})


def playwright_version() -> str:
    """Return the installed Python playwright version, or "" when it is missing."""
    try:
        return importlib.metadata.version("playwright")
    except importlib.metadata.PackageNotFoundError:
        return ""


ALL = {"verapdf": verapdf, "epubcheck": epubcheck, "ace": ace, "vnu": vnu, "axe": axe}
