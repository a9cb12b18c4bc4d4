"""The one JSON spelling archivekit writes, so every JSON file of a build is byte-stable.

Stable key order, two-space indent, UTF-8 text (no \\u escapes) and a trailing newline: the same
data always gives the same bytes, whichever stage writes it. Any stage may import this module.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def dumps(data: Any) -> str:
    """Data as archivekit's JSON text: sorted keys, indent 2, no ASCII escaping, trailing newline."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write(path: Path, data: Any) -> None:
    """Write data to path as archivekit's JSON (parent folders made as needed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(data), encoding="utf-8")


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write text (or bytes, as they are) to path so that readers see the old file or the new
    one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
