"""Where system resources live, found rather than hard-coded, in this one place: the external
validators (one rule for the installer, the validate stage and the EPUB's build-time checks;
tools/validators/install.sh follows it), the user cache, liblouis's bindings, the font files and
Ghostscript's ICC profiles. Each can be moved with an environment variable; how many cores this
process may use; and the installed Python libraries' versions. Any stage may import this module."""

from __future__ import annotations

import os
from functools import cache
from importlib.metadata import version
from pathlib import Path

ENV_FOLDER = "ARCHIVEKIT_VALIDATORS"


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system has one)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@cache
def library_version(dist: str) -> str:
    """An installed Python library's version (PackageNotFoundError if it is not installed), read
    once per process: importlib.metadata searches the installed packages and parses their metadata
    on every call, a few milliseconds a build in a resident process."""
    return version(dist)


def cache_dir() -> Path:
    """The user cache for prepared fonts and other content-addressed intermediates
    (env ARCHIVEKIT_CACHE overrides; else $XDG_CACHE_HOME/archivekit or ~/.cache/archivekit)."""
    root = os.environ.get("ARCHIVEKIT_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "archivekit"
    )
    return Path(root)


def validators_home() -> Path:
    """The folder holding the installed validators (env ARCHIVEKIT_VALIDATORS overrides)."""
    override = os.environ.get(ENV_FOLDER)
    if override:
        return Path(override).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "archivekit" / "validators"


def installed_versions(*names: str, home: Path | None = None) -> dict[str, str | None]:
    """The VERSION stamp the installer wrote for each named validator (None: not installed), in home
    (default: validators_home())."""
    home = home or validators_home()
    out: dict[str, str | None] = {}
    for name in names:
        stamp = home / name / "VERSION"
        out[name] = stamp.read_text(encoding="utf-8").strip() if stamp.is_file() else None
    return out


ENV_LOUIS = "ARCHIVEKIT_LOUIS_PY"
# Debian's python3-louis installs here; the venv has no system site-packages, so it is found by path.
LOUIS_MODULE_DIRS = ("/usr/lib/python3/dist-packages", "/usr/local/lib/python3/dist-packages")


def louis_module() -> Path | None:
    """liblouis's Python bindings (louis/__init__.py), or None; env ARCHIVEKIT_LOUIS_PY overrides."""
    override = os.environ.get(ENV_LOUIS)
    candidates = (
        [Path(override).expanduser()]
        if override
        else [Path(d) / "louis" / "__init__.py" for d in LOUIS_MODULE_DIRS]
    )
    return next((path for path in candidates if path.is_file()), None)


# Where liblouis's tables are (Debian's liblouis-data, and a local build's), read once a process.
LOUIS_TABLE_DIRS = ("/usr/share/liblouis/tables", "/usr/local/share/liblouis/tables")


def loaded_library_marks() -> list[str]:
    """What changes when a library a process loads once and keeps is upgraded: liblouis's bindings
    and its tables folder (a package upgrade replaces their files). A resident server compares them
    with those it started with, as it does its own code (the other tools run in a process a call)."""
    paths = [str(path) for path in (louis_module(),) if path is not None] + list(LOUIS_TABLE_DIRS)
    marks = []
    for path in paths:
        try:
            marks.append(f"{path}:{os.stat(path).st_mtime_ns}")
        except OSError:
            marks.append(f"{path}:absent")
    return marks


ENV_FONTS = "ARCHIVEKIT_FONT_DIRS"
# Where the Noto faces are installed: Debian's fonts-noto-cjk (OpenType collections) and
# fonts-noto-core (TrueType), then the folders other systems and a user install use.
FONT_DIRS = (
    "/usr/share/fonts/opentype/noto",
    "/usr/share/fonts/truetype/noto",
    "/usr/share/fonts/noto-cjk",
    "/usr/share/fonts/google-noto",
    "/usr/share/fonts/noto",
    "/usr/local/share/fonts",
    "~/.local/share/fonts",
)


def font_dirs() -> list[Path]:
    """The folders searched for font files: env ARCHIVEKIT_FONT_DIRS (':'-separated) first."""
    override = [d for d in os.environ.get(ENV_FONTS, "").split(os.pathsep) if d]
    return [Path(d).expanduser() for d in (*override, *FONT_DIRS)]


def font_file(name: str) -> Path:
    """The installed font file of this name; else where Debian would put it (for the error to name)."""
    for folder in font_dirs():
        path = folder / name
        if path.is_file():
            return path
    debian = FONT_DIRS[0] if name.endswith((".ttc", ".otf")) else FONT_DIRS[1]
    return Path(debian) / name


ENV_ICC = "ARCHIVEKIT_ICC_DIRS"
# Ghostscript's own ICC profiles (Debian: libgs-common; older packages: ghostscript's share folder).
ICC_DIRS = ("/usr/share/color/icc/ghostscript", "/usr/share/ghostscript/iccprofiles")


def icc_dirs() -> list[Path]:
    """The folders searched for Ghostscript's ICC profiles: env ARCHIVEKIT_ICC_DIRS (':'-separated) first."""
    override = [d for d in os.environ.get(ENV_ICC, "").split(os.pathsep) if d]
    return [Path(d).expanduser() for d in (*override, *ICC_DIRS)]


def icc_profile(name: str) -> Path | None:
    """The installed ICC profile of this name, or None."""
    return next((folder / name for folder in icc_dirs() if (folder / name).is_file()), None)


def chromium_bin() -> Path:
    """Debian's chromium (env CHROMIUM_BIN overrides): the only browser any judge or test may drive."""
    return Path(os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium"))
