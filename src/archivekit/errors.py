"""One exception family for everything a user can cause, and the Finding type validators report.

Each error carries its exit code, so the CLI never guesses: 1 = a check or validation failed,
2 = bad usage, bad input, or a missing tool the user must install.
"""

from __future__ import annotations

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
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.hint = hint

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

    def as_dict(self) -> dict[str, str]:
        return {
            "validator": self.validator,
            "validator_version": self.validator_version,
            "code": self.code,
            "severity": self.severity,
            "artifact": self.artifact,
            "location": self.location,
            "message": self.message,
        }
