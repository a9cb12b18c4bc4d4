"""Atomic edition folders: build beside the target, swap in on success, leave nothing on failure.

Two builds of one edition into one folder take turns through a lock file beside the edition
(`.<id>.lock`, an advisory `flock`: released by the kernel when its holder dies, however it dies).
Staging folders carry their owner (host, pid, start time) in their name, so a later build removes
only those whose owner is dead, never a folder a live build is writing.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from archivekit.errors import ArchivekitError

log = logging.getLogger("archivekit")


class Busy(ArchivekitError):
    """Another build holds the edition's lock and the caller asked not to wait."""


def _host() -> str:
    return socket.gethostname().replace(".", "_").replace("-", "_")[:40] or "host"


def _process_start(pid: int) -> str:
    """The process's start time in clock ticks since boot (Linux), telling a reused pid from its owner."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return fields[19]
    except (OSError, IndexError):
        return "0"


def _owner_tag() -> str:
    pid = os.getpid()
    return f"{_host()}-{pid}-{_process_start(pid)}"


def _owner_alive(tag: str) -> bool:
    """Whether the process named by a staging folder's owner tag still runs (on this host)."""
    try:
        host, pid_text, start = tag.rsplit("-", 2)
        pid = int(pid_text)
    except ValueError:
        return False  # not ours to judge: an old-style name, left by a build of an earlier version
    if host != _host():
        return True  # another machine's build on a shared folder: never remove it
    return Path(f"/proc/{pid}").exists() and _process_start(pid) == start


@contextlib.contextmanager
def edition_lock(folder: Path, name: str, *, wait: bool = True) -> Iterator[None]:
    """Hold the lock of edition `name` in `folder`; wait for another build of it, or raise Busy."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f".{name}.lock"
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            if not wait:
                raise Busy(
                    f"another build of {name} is writing into {folder}",
                    file=path,
                    hint="wait for it to finish, or build without --no-wait to wait for it",
                ) from None
            log.info("waiting for another build of %s in %s", name, folder)
            started = time.monotonic()
            fcntl.flock(handle, fcntl.LOCK_EX)
            log.info("the other build of %s ended after %.1f s", name, time.monotonic() - started)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def staged_folder(target: Path) -> Iterator[Path]:
    """Yield an empty folder beside `target`; on success it replaces `target`, on error it vanishes.

    The previous `target` survives any failure: it is moved aside only after the new folder is
    complete, and moved back if the final rename fails.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.tmp-{_owner_tag()}-"))
    try:
        yield stage
        stage.chmod(0o755)
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.old-{_owner_tag()}-"))
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
    """Remove staging folders of `name` whose owner is dead (a killed build); never a live build's,
    never another edition's, never the editions themselves."""
    if not folder.is_dir():
        return
    for kind in ("tmp", "old"):
        prefix = f".{name}.{kind}-"
        for entry in folder.glob(f"{prefix}*"):
            owner = entry.name[len(prefix) :].rsplit("-", 1)[0]  # drop mkdtemp's random suffix
            if entry.is_dir() and not entry.is_symlink() and not _owner_alive(owner):
                shutil.rmtree(entry, ignore_errors=True)
