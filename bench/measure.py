"""Timing and peak memory of child processes, and the statistics of repeated runs."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
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


def run_child(
    argv: Sequence[str | os.PathLike[str]],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    check: bool = True,
) -> Run:
    """Run one command; time it from spawn to exit and read its peak RSS from wait4's rusage."""
    # wait4 gives this child's own rusage (and of the descendants it waited for), so the peak memory
    # is the build's, not the bench's or an earlier run's as RUSAGE_CHILDREN would mix in.
    started = time.perf_counter()
    proc = subprocess.Popen(
        [str(a) for a in argv],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, err = _drain(proc)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    run = Run(seconds, usage.ru_maxrss / 1024, proc.returncode, out, err)
    if check and run.returncode != 0:
        cmd = " ".join(str(a) for a in argv)
        raise RunFailed(f"`{cmd}` exited {run.returncode}:\n{err.strip()[-2000:]}")
    return run


def _drain(proc: subprocess.Popen[str]) -> tuple[str, str]:
    """Read both pipes to the end without reaping the child (wait4 must be the one to reap it)."""
    # communicate() would reap the child via waitpid and lose its rusage; reading the pipes to EOF
    # and leaving the exit to wait4 keeps it. Two threads avoid a deadlock on a full stderr pipe.
    import threading

    chunks: dict[str, str] = {}

    def read(name: str, stream: object) -> None:
        chunks[name] = stream.read()  # type: ignore[attr-defined]

    readers = [
        threading.Thread(target=read, args=("out", proc.stdout)),
        threading.Thread(target=read, args=("err", proc.stderr)),
    ]
    for t in readers:
        t.start()
    for t in readers:
        t.join()
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    proc.stderr.close()
    return chunks.get("out", ""), chunks.get("err", "")


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
