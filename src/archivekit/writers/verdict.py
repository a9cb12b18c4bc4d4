"""What a writer may read of a judge's verdict, and the judge it is handed: a read-only interface.

Judges run only in `archivekit.validate` (`validate/epub_claim.py` holds the verdict type and runs
Ace and EPUBCheck); the pipeline hands the EPUB writer a judge through `BuildContext.judge_epub`.
The writer depends on this shape only, so no writer imports `validate` and none runs a judge.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Protocol


class Violation(Protocol):
    """One failed Ace assertion: the rule, its impact, the file it was found in."""

    @property
    def rule(self) -> str: ...
    @property
    def impact(self) -> str: ...
    @property
    def file(self) -> str: ...
    @property
    def description(self) -> str: ...


class Verdict(Protocol):
    """What Ace and EPUBCheck said about one EPUB file (versions None when a judge was not installed)."""

    @property
    def ace_version(self) -> str | None: ...
    @property
    def ace_violations(self) -> Sequence[Violation]: ...
    @property
    def ace_error(self) -> str | None: ...
    @property
    def epubcheck_version(self) -> str | None: ...
    @property
    def epubcheck_counts(self) -> dict[str, int]: ...
    @property
    def epubcheck_messages(self) -> Sequence[str]: ...
    @property
    def epubcheck_error(self) -> str | None: ...
    @property
    def ace_ran(self) -> bool: ...
    @property
    def earned(self) -> bool: ...


# judge(candidate EPUB, scratch folder) -> the verdict, later: the writer goes on while it works.
# A verdict of None: not judged for this build (a resident rebuild has it judged afterwards): no claim.
EpubJudge = Callable[[Path, Path], "Future[Verdict | None]"]
