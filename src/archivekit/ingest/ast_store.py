"""pandoc's answers kept in the user cache, so that a new process does not read an unchanged text again.

A one-shot `archivekit build` is a new process: without this it ran pandoc on every part, every
time (0.7 s of a 300-page part's 4.5 s build). An answer is stored under the hash of everything
that decides it (the command, the binary's identity, the exact bytes given, as pandoc_ast's key)
and is pandoc's output byte for byte (after its sha256, checked when read), so a build from it is
the build pandoc would give. Only answers pandoc gave are stored, never its errors. The store is
an optimisation: a cache that cannot be read or written is passed over silently, and a damaged
answer is warned of and read again by pandoc. The least recently used answers are forgotten
beyond STORED_BYTES.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

from archivekit import jsonfile
from archivekit.toolpaths import cache_dir

log = logging.getLogger("archivekit")
FOLDER = "pandoc-ast"  # in the user cache
SUFFIX = ".answer"  # <sha256 of the question>.answer: the answer's sha256, a newline, the answer
STORED_BYTES = 256 * 1024 * 1024  # answers kept, the least recently used forgotten first
KEPT_AFTER_PRUNE = 3 / 4  # pruned down to this share of STORED_BYTES, so not at every store
# The store is measured at a process's first store and every PRUNE_EVERY stores after: listing
# thousands of small answers (a resident process's edited pieces) at every edit would cost more
# than pandoc's reading of the piece.
PRUNE_EVERY = 256
_stores = 0


def answer_file(command: tuple[str, ...], identity: tuple[int, ...], data: bytes) -> Path:
    """Where the answer to this command on these bytes is stored."""
    digest = hashlib.sha256()
    for part in command:
        digest.update(part.encode("utf-8") + b"\0")
    digest.update(repr(identity).encode("ascii") + b"\0")
    digest.update(data)
    return cache_dir() / FOLDER / f"{digest.hexdigest()}{SUFFIX}"


def load(path: Path) -> bytes | None:
    """The stored answer, marked as just used; None when there is none, it cannot be read or it
    does not match the hash stored with it (warned of: pandoc reads the text again)."""
    try:
        kept = path.read_bytes()
        os.utime(path)
    except OSError:
        return None
    digest, _, out = kept.partition(b"\n")
    if hashlib.sha256(out).hexdigest().encode("ascii") != digest:
        log.warning("pandoc cache entry %s is damaged (its content does not match its sha256): "
                    "reading the text again", path)  # fmt: skip
        return None
    return out


def store(path: Path, out: bytes) -> None:
    """Keep pandoc's answer, after its sha256 (checked when read); forget the least recently used
    when the store grows too large."""
    global _stores
    try:
        jsonfile.write_atomic(path, hashlib.sha256(out).hexdigest().encode("ascii") + b"\n" + out)
        if _stores % PRUNE_EVERY == 0:
            _prune(path.parent)
        _stores += 1
    except OSError:
        pass  # a cache that cannot be written costs time, never a build


def _prune(folder: Path) -> None:
    entries = []
    total = 0
    with os.scandir(folder) as found:
        for entry in found:
            if entry.name.endswith(SUFFIX):
                st = entry.stat()
                entries.append((st.st_mtime_ns, st.st_size, entry.path))
                total += st.st_size
    if total <= STORED_BYTES:
        return
    for _, size, path in sorted(entries):
        if total <= STORED_BYTES * KEPT_AFTER_PRUNE:
            break
        Path(path).unlink(missing_ok=True)
        total -= size
