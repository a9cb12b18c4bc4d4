"""Collection bench (issue #20): N editions built with --jobs 1, --jobs 2 and a 2-worker LocalCluster.

The collection is copies of corpus editions (the letter, the Manifesto, Wagner's Act I, in turn)
with new ids, in a temporary folder. Each mode is one fresh `archivekit build --force` process of
the whole collection, timed from spawn to exit like every other bench figure, with a warm
prepared-font cache (one untimed build first). The cluster's two worker processes are started
and warmed before the timed run (as on a real cluster, where workers outlive one command); their
start-up is reported apart. Per-edition cost is core-seconds: wall time x processes working / N.
Builds run without the EPUB's judges (ARCHIVEKIT_VALIDATORS points at an empty folder): every
copy is a new EPUB, so Ace and EPUBCheck would run for each and the first mode would pay for the
verdict cache the others reuse. Judging is its own per-edition cost: `archivekit validate`.

Run alone: .venv/bin/python bench/collection.py [--editions 200]; `bench/run.py --collection`
runs it inside `make bench` and puts the table into the results.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import measure
import scale
from cases import ARCHIVEKIT, EPOCH, ROOT

CORPUS = [
    ROOT / "sources" / "carfc-2019-07-15-letter-to-ceos",
    ROOT / "sources" / "gutenberg-61-communist-manifesto",
    ROOT / "sources" / "gutenberg-31963-wagner-flying-dutchman-act-1",
]


def generate(work: Path, editions: int, first: int = 0) -> list[Path]:
    """N copies of the corpus editions, each with its own id."""
    # Every id holds all ten digits, so each copy of one corpus edition needs the same font subsets:
    # the warm-up fills the cache for all of them, whichever mode runs first.
    return [
        scale.copy_edition(
            CORPUS[k % len(CORPUS)], work / "src" / f"c{k:05d}", f"bench-coll-{k:05d}-0123456789"
        )
        for k in range(first, first + editions)
    ]


def _build(sources: list[Path], out: Path, env: dict[str, str], *extra: str) -> measure.Run:
    argv = [*ARCHIVEKIT, "-q", "build", *map(str, sources), "--out", str(out), "--force", *extra]
    return measure.run_child(argv, env=env, cwd=ROOT)


def collection_bench(work: Path, editions: int) -> dict:
    """Editions per second and core-seconds per edition for the three modes, in one run."""
    from distributed import LocalCluster

    cache = work / "cache"
    no_judges = work / "no-validators"
    no_judges.mkdir(parents=True, exist_ok=True)
    pinned = {
        "SOURCE_DATE_EPOCH": EPOCH,
        "ARCHIVEKIT_CACHE": str(cache),
        "ARCHIVEKIT_VALIDATORS": str(no_judges),
    }
    env = {**os.environ, **pinned, "CI": "true"}
    env.pop("ARCHIVEKIT_SCHEDULER", None)
    sources = generate(work, editions)
    print(f"bench: collection of {editions} editions in {work}", file=sys.stderr)
    warm = generate(work, len(CORPUS), first=90000)
    _build(warm, work / "warm", env, "--jobs", "1")  # fills the font cache: every mode is warm

    rows: dict[str, dict] = {}
    for jobs in (1, 2):
        print(f"bench: collection, --jobs {jobs}", file=sys.stderr)
        run = _build(sources, work / f"jobs{jobs}", env, "--jobs", str(jobs))
        rows[f"--jobs {jobs}"] = _row(run.seconds, editions, jobs, run.max_rss_mib)

    # Workers inherit this process's environment: the same cache and clock as the local modes.
    saved = {k: os.environ.get(k) for k in pinned}
    os.environ.update(pinned)
    try:
        started = time.perf_counter()
        with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as lc:
            address = lc.scheduler_address
            _build(warm, work / "warm-cluster", env, "--scheduler", address)  # imports on the workers
            startup = time.perf_counter() - started
            print("bench: collection, LocalCluster of 2 worker processes", file=sys.stderr)
            run = _build(sources, work / "cluster", env, "--scheduler", address)
            rows["LocalCluster, 2 workers"] = _row(run.seconds, editions, 2, run.max_rss_mib)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    same = _identical(work / "jobs2", work / "cluster", sources)
    return {
        "editions": editions,
        "corpus": [p.name for p in CORPUS],
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "modes": rows,
        "cluster_startup_seconds": round(startup, 2),
        "cluster_byte_identical_to_jobs_2": same,
    }


def _row(seconds: float, editions: int, processes: int, rss: float) -> dict:
    return {
        "seconds": round(seconds, 2),
        "editions_per_second": round(editions / seconds, 3),
        "core_seconds_per_edition": round(seconds * processes / editions, 3),
        "client_peak_mib": round(rss),
    }


def _identical(a: Path, b: Path, sources: list[Path]) -> bool:
    import hashlib

    def tree(folder: Path) -> dict[str, str]:
        return {
            p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith(("collection.", "."))
        }

    return tree(a) == tree(b) and len(list(a.glob("*/manifest.json"))) == len(sources)


def table(section: dict) -> str:
    """The collection table, Markdown."""
    lines = [
        f"Collection of {section['editions']} editions (copies of {', '.join(section['corpus'])}), warm, "
        f"--force, on {section['cpus']} cores (load average at end {section['load_average'][0]}); "
        f"cluster start-up {section['cluster_startup_seconds']} s, not counted; cluster output "
        f"byte-identical to --jobs 2: {'yes' if section['cluster_byte_identical_to_jobs_2'] else '**no**'}.",
        "",
        "| mode | wall s | editions/s | core-s per edition | client peak MiB |",
        "|---|---|---|---|---|",
    ]
    for name, row in section["modes"].items():
        lines.append(
            f"| {name} | {row['seconds']:.1f} | {row['editions_per_second']:.2f} | "
            f"{row['core_seconds_per_edition']:.2f} | {row['client_peak_mib']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--editions", type=int, default=200, help="editions in the collection (default 200)")
    p.add_argument("--work", type=Path, help="keep the collection and its builds here")
    args = p.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="archivekit-bench-collection-"))
    try:
        section = collection_bench(work, args.editions)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    import json

    print(json.dumps(section, indent=2))
    print(table(section))
    return 0


if __name__ == "__main__":
    sys.exit(main())
