"""Timing and peak memory of child processes, and the statistics of repeated runs."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Run:
    """One timed child process: wall seconds, peak resident memory, exit code, what it printed."""

    seconds: float
    max_rss_mib: float
    returncode: int
    stdout: str
    stderr: str


class RunFailed(RuntimeError):
    """A measured command exited non-zero: its figures would be meaningless."""


# Runs in a small Python of its own (-S: no site, a few MiB) that spawns the measured command and
# reports wall time, peak RSS and exit status. Why not spawn it from the bench itself: Linux keeps
# the high-water RSS of the address space a process had before exec (with vfork, the parent's),
# so a command started from a big bench process would report the bench's memory as its own.
_LAUNCHER = """\
import os, sys, time
report, argv = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
pid = os.posix_spawnp(argv[0], argv, os.environ)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - started
with open(report, "w") as f:
    f.write(f"{seconds!r} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}")
"""


def run_child(
    argv: Sequence[str | os.PathLike[str]],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    check: bool = True,
) -> Run:
    """Run one command; its wall time from spawn to exit and its peak RSS (with reaped children)."""
    with tempfile.TemporaryDirectory(prefix="archivekit-bench-run-") as tmp:
        report = Path(tmp) / "run"
        proc = subprocess.run(
            [sys.executable, "-S", "-c", _LAUNCHER, str(report), *(str(a) for a in argv)],
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
            check=False,
        )
        if not report.is_file():  # the launcher itself failed (e.g. no such command)
            raise RunFailed(f"could not run `{argv[0]}`:\n{proc.stderr.strip()[-2000:]}")
        seconds, rss_kib, code = report.read_text().split()
    run = Run(float(seconds), int(rss_kib) / 1024, int(code), proc.stdout, proc.stderr)
    if check and run.returncode != 0:
        cmd = " ".join(str(a) for a in argv)
        raise RunFailed(f"`{cmd}` exited {run.returncode}:\n{run.stderr.strip()[-2000:]}")
    return run


@dataclass
class Stats:
    """Median and spread of repeated runs of one measurement."""

    seconds: list[float] = field(default_factory=list)
    max_rss_mib: list[float] = field(default_factory=list)

    def add(self, run: Run) -> None:
        """Record one run."""
        self.seconds.append(run.seconds)
        self.max_rss_mib.append(run.max_rss_mib)

    @property
    def median(self) -> float:
        """Median wall time in seconds."""
        return statistics.median(self.seconds)

    def as_dict(self) -> dict[str, object]:
        """The figures results.json keeps: median, min, max, IQR, every run, peak memory."""
        s = sorted(self.seconds)
        q1, q3 = _quartiles(s)
        return {
            "runs": len(s),
            "median_s": round(self.median, 4),
            "min_s": round(s[0], 4),
            "max_s": round(s[-1], 4),
            "iqr_s": round(q3 - q1, 4),
            "all_s": [round(x, 4) for x in self.seconds],
            "max_rss_mib": round(max(self.max_rss_mib), 1),
        }


def _quartiles(sorted_values: list[float]) -> tuple[float, float]:
    if len(sorted_values) < 2:
        return sorted_values[0], sorted_values[0]
    q = statistics.quantiles(sorted_values, n=4, method="inclusive")
    return q[0], q[2]


def repeat(
    runs: int,
    make_argv: Callable[[int], Sequence[str | os.PathLike[str]]],
    *,
    env: Callable[[int], dict[str, str]] | dict[str, str] | None = None,
    before: Callable[[int], None] | None = None,
    cwd: Path | None = None,
) -> tuple[Stats, Run]:
    """Run a command `runs` times (calling `before(i)` untimed first); its stats and last run."""
    stats = Stats()
    last: Run | None = None
    for i in range(runs):
        if before is not None:
            before(i)
        child_env = env(i) if callable(env) else env
        last = run_child(make_argv(i), env=child_env, cwd=cwd)
        stats.add(last)
    assert last is not None
    return stats, last
