"""Where the external validators live: one rule for the installer, the validate stage and the EPUB's
build-time checks (tools/validators/install.sh follows the same rule)."""

from __future__ import annotations

import os
from pathlib import Path

ENV_FOLDER = "ARCHIVEKIT_VALIDATORS"


def validators_home() -> Path:
    """The folder holding the installed validators (env ARCHIVEKIT_VALIDATORS overrides)."""
    override = os.environ.get(ENV_FOLDER)
    if override:
        return Path(override).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "archivekit" / "validators"


def installed_versions(*names: str) -> dict[str, str | None]:
    """The VERSION stamp the installer wrote for each named validator (None: not installed)."""
    home = validators_home()
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
