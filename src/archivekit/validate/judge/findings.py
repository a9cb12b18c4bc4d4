"""The judge's findings: one shape for every check, with the fix in its own field."""

from __future__ import annotations

from archivekit import __version__
from archivekit.errors import Finding
from archivekit.validate.base import ERROR

NAME = "archivekit judge"


def finding(rule: str, artifact: str, where: str, message: str, fix: str, severity: str = ERROR) -> Finding:
    """A judge finding: what is wrong where, and what to do about it."""
    return Finding(NAME, __version__, rule, severity, artifact, where, message, fix)
