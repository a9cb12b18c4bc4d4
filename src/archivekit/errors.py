"""One exception family for everything a user can cause, and the Finding type validators report.

Each error carries its exit code, so the CLI never guesses: 1 = a check or validation failed,
2 = bad usage, bad input, or a missing tool the user must install.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass
from pathlib import Path


class ArchivekitError(Exception):
    """An error the user can fix: says where (file, line) and what to do."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        hint: str | None = None,
        needle: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.hint = hint
        # Text of the file to find the line by, when the raiser knows the file and what is wrong
        # but not the line (a writer sees the document, not its sources): see
        # pipeline._name_the_line.
        self.needle = needle

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "") + ": "
        text = where + self.message
        if self.hint:
            text += f"\n  fix: {self.hint}"
        return text


class UsageError(ArchivekitError):
    """The command line asks for something that cannot be done."""


class SourceError(ArchivekitError):
    """A source file (metadata, Markdown, bibliography) is malformed or unsafe."""


class BuildError(ArchivekitError):
    """The sources are valid but cannot be rendered (e.g. a character no font covers)."""


class ToolMissing(ArchivekitError):
    """An external program archivekit needs is not installed."""


class MachineFault(ArchivekitError):
    """The machine, not the sources, stopped the work: a full disk, a path that cannot be written."""


# errno -> (exit code, what to do). 2: the path given can be fixed; 1: the machine ran short, try again.
_OS_FIXES: dict[int, tuple[int, str]] = {
    errno.ENOSPC: (1, "free space on that file system (or choose another --out), then build again"),
    errno.EDQUOT: (1, "free space within your disk quota (or choose another --out), then build again"),
    errno.EMFILE: (1, "raise the open-files limit (ulimit -n) or build fewer editions at once (--jobs 1)"),
    errno.ENFILE: (1, "the system is out of file handles: close other programs and build again"),
    errno.EIO: (1, "the disk reported an input/output error: check the device, then build again"),
    errno.EACCES: (2, "choose a folder you may write to, or change its permissions"),
    errno.EPERM: (2, "choose a folder you may write to, or change its permissions"),
    errno.EROFS: (2, "that file system is read-only: choose another --out"),
    errno.ENOTDIR: (2, "a part of that path is a file, not a folder: choose another path"),
    errno.EISDIR: (2, "that path is a folder where a file was expected: choose another path"),
    errno.ENOENT: (2, "check that the path exists"),
    errno.ENAMETOOLONG: (2, "choose a shorter path"),
}


def from_os_error(exc: OSError) -> ArchivekitError:
    """An operating-system error as one user-facing error naming the path and what to do."""
    code, hint = _OS_FIXES.get(exc.errno or 0, (1, "check the path and the machine, then try again"))
    error = MachineFault(exc.strerror or str(exc), file=exc.filename, hint=hint)
    error.exit_code = code
    return error


class CheckFailed(ArchivekitError):
    """A check or validation ran and found errors."""

    exit_code = 1


@dataclass(frozen=True)
class Finding:
    """One message from a checker, in one shape whatever the checker (validator, preflight, our own)."""

    validator: str
    validator_version: str
    code: str
    severity: str  # "error" | "warning" | "info"
    artifact: str
    location: str
    message: str
    fix: str = ""  # what to do about it, when the checker knows (the archivekit judge always says)

    def as_dict(self) -> dict[str, str]:
        """The finding as report.json holds it: every key always present, "" when unknown."""
        return {
            "validator": self.validator,
            "validator_version": self.validator_version,
            "code": self.code,
            "severity": self.severity,
            "artifact": self.artifact,
            "location": self.location,
            "message": self.message,
            "fix": self.fix,
        }
