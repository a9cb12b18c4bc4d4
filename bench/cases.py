"""What every bench section shares: a measured case, round-robin runs, archivekit's command lines."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import measure

ROOT = Path(__file__).resolve().parent.parent
ARCHIVEKIT = [sys.executable, "-m", "archivekit"]
EPOCH = "1563148800"  # 2019-07-15: a fixed build clock, so every run builds the same bytes

Argv = list[str]


@dataclass
class Case:
    """One measurement: the commands of run i (timed together), their environment, an untimed set-up."""

    name: str
    steps: Callable[[int], list[Argv]]
    env: Callable[[int], dict[str, str]]
    before: Callable[[int], None] | None = None
    expect_stderr: str | None = None  # a no-op build must say so, or it measured something else
    stats: measure.Stats = field(default_factory=measure.Stats)
    failed: str | None = None  # why the case stopped running (its figures are then left out)

    def run(self, i: int) -> None:
        """Do run i: set up, then time every step; the run's time is their sum."""
        if self.before:
            self.before(i)
        seconds, rss = 0.0, 0.0
        for argv in self.steps(i):
            child = measure.run_child(argv, env=self.env(i), cwd=ROOT)
            seconds += child.seconds
            rss = max(rss, child.max_rss_mib)
            if self.expect_stderr and self.expect_stderr not in child.stderr:
                raise measure.RunFailed(f"{self.name}: expected {self.expect_stderr!r}, got {child.stderr!r}")
        self.stats.add(measure.Run(seconds, rss, 0, "", ""))


def round_robin(cases: list[Case], runs: int, label: str) -> None:
    """Run every case `runs` times, interleaved; print progress."""
    for i in range(runs):
        for case in cases:
            if case.failed:
                continue
            try:
                case.run(i)
            except measure.RunFailed as exc:
                # One broken case (a writer mid-change) must not lose the rest of the bench.
                case.failed = str(exc).strip().splitlines()[-1][:300]
                print(f"  {case.name} failed, left out: {case.failed}", file=sys.stderr)
        print(f"  {label}: round {i + 1}/{runs} done", file=sys.stderr, flush=True)


def results_of(cases: list[Case]) -> dict[str, dict]:
    """Each case's figures, or why it failed."""
    return {
        c.name: {"failed": c.failed} if c.failed or not c.stats.seconds else c.stats.as_dict() for c in cases
    }


def env_with(cache: Path) -> dict[str, str]:
    """The environment of a measured archivekit: fixed clock, this cache, each command in its own
    process (the resident server's rows set their own)."""
    pinned = {"SOURCE_DATE_EPOCH": EPOCH, "ARCHIVEKIT_CACHE": str(cache), "ARCHIVEKIT_SERVER": "off"}
    return {**os.environ, **pinned}


def fresh(*folders: Path) -> None:
    """Empty these folders (cold runs start from nothing)."""
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)


def edition_id(edition_dir: Path) -> str:
    """The id in an edition's edition.yaml."""
    from archivekit.ingest.edition_yaml import load_edition_yaml

    return load_edition_yaml(edition_dir).id


def build_argv(
    edition: Path | list[Path], out: Path, formats: list[str] | None, *extra: str, quiet: bool = True
) -> Argv:
    """`archivekit build` of these editions into out, with the formats selected (None: all)."""
    editions = edition if isinstance(edition, list) else [edition]
    selected = [arg for name in formats or [] for arg in ("--format", name)]
    loud = ["-q"] if quiet else []
    return [*ARCHIVEKIT, *loud, "build", *map(str, editions), "--out", str(out), *selected, *extra]


def package_argv(build_dir: Path, out: Path) -> Argv:
    """`archivekit package` of one build folder into out."""
    return [*ARCHIVEKIT, "-q", "package", str(build_dir), "--out", str(out)]


def pdf_pages(path: Path) -> int | None:
    """The page count pdfinfo reads, or None without poppler."""
    try:
        out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    for line in out.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return None
