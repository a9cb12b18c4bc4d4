"""Atomic edition folders: build beside the target, swap in on success, leave nothing on failure."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def staged_folder(target: Path) -> Iterator[Path]:
    """Yield an empty folder beside `target`; on success it replaces `target`, on error it vanishes.

    The previous `target` survives any failure: it is moved aside only after the new folder is
    complete, and moved back if the final rename fails.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.tmp-"))
    try:
        yield stage
        stage.chmod(0o755)
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.old-"))
            old.rmdir()
            target.rename(old)
        try:
            stage.rename(target)
        except BaseException:
            if old is not None:
                old.rename(target)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)


def sweep_leftovers(folder: Path, name: str) -> None:
    """Remove staging folders a killed build of `name` left (never another edition's, which may be
    building right now in a parallel job, and never the editions themselves)."""
    if not folder.is_dir():
        return
    for pattern in (f".{name}.tmp-*", f".{name}.old-*"):
        for entry in folder.glob(pattern):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
