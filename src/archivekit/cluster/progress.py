"""Progress of a batch on stderr: done, failed, remaining, rate and an estimate.

On a terminal one line is rewritten in place; in CI (`CI=true`) or when stderr is a file or a
pipe, each finished edition prints its own line, so logs read top to bottom.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


class Progress:
    """Counts finished editions and reports each one."""

    def __init__(self, total: int, verb: str, *, stream: TextIO | None = None, quiet: bool = False) -> None:
        self.total = total
        self.verb = verb
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.done = 0
        self.failed = 0
        self.skipped = 0
        self.started = time.monotonic()
        ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
        self.live = not ci and hasattr(self.stream, "isatty") and self.stream.isatty()

    @property
    def remaining(self) -> int:
        """Editions neither finished nor failed yet."""
        return self.total - self.done - self.failed - self.skipped

    def status(self) -> str:
        """done / failed / remaining, editions per second and the time left at that rate."""
        elapsed = max(time.monotonic() - self.started, 1e-6)
        worked = self.done + self.failed
        rate = worked / elapsed
        eta = f", about {_duration(self.remaining / rate)} left" if rate > 0 and self.remaining else ""
        skipped = f", {self.skipped} up to date" if self.skipped else ""
        return (
            f"{self.done} {self.verb}, {self.failed} failed{skipped}, {self.remaining} remaining; "
            f"{rate:.2f} editions/s{eta}"
        )

    def _line(self, text: str) -> None:
        if self.live:
            self.stream.write("\r\033[K")
        self.stream.write(text + "\n")
        self.stream.flush()

    def _bar(self) -> None:
        if self.live and not self.quiet:
            self.stream.write(f"\r\033[Karchivekit: {self.status()}")
            self.stream.flush()

    def up_to_date(self, label: str) -> None:
        """An edition the no-op rule let stay as it is."""
        self.skipped += 1
        if not self.quiet and not self.live:
            self._line(f"archivekit: {label} is up to date")
        self._bar()

    def finished(self, label: str, seconds: float, where: str) -> None:
        """An edition that came back and was written."""
        self.done += 1
        if not self.quiet and not self.live:
            self._line(f"archivekit: {self.verb} {label} in {seconds:.1f} s on {where} [{self.status()}]")
        self._bar()

    def failure(self, label: str, message: str) -> None:
        """An edition that failed: its located error, always shown, even with -q."""
        self.failed += 1
        self._line(f"archivekit: error: {message}")
        self._bar()

    def close(self) -> None:
        """End the live line and print the totals."""
        if self.live:
            self.stream.write("\r\033[K")
        if not self.quiet:
            elapsed = time.monotonic() - self.started
            self._line(f"archivekit: {self.status()}; {_duration(elapsed)} in all")
