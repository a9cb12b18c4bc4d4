"""`make bench`: archivekit against its peers on the same sources, cold and warm, at scale, in batch.

Every figure is the wall time of a fresh process, as a user runs it, from spawn to exit, with its
peak memory from wait4. Measurements of one section run round-robin (run 1 of every case, then
run 2 of every case, ...), so load from elsewhere on the machine falls on archivekit and its peers
alike. Cold means an empty archivekit cache (ARCHIVEKIT_CACHE set to a new folder) and a new out
folder; the operating system's file cache is left alone. Warm means a filled cache and --force.

Usage: .venv/bin/python bench/run.py [--runs N] [--quick] [--skip-scale] [--skip-peers]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import conformance
import measure
import peers
import report
import scale
from cases import (
    ARCHIVEKIT,
    ROOT,
    Argv,
    Case,
    build_argv,
    edition_id,
    env_with,
    fresh,
    package_argv,
    pdf_pages,
    results_of,
    round_robin,
)

from archivekit import __version__, writers

# With --commit the bench re-runs itself on a snapshot of that commit (see snapshot_run).
SNAPSHOT = os.environ.get("ARCHIVEKIT_BENCH_SNAPSHOT")
EDITION = Path(SNAPSHOT or ROOT) / "sources" / "carfc-2019-07-15-letter-to-ceos"


def probe_formats(work: Path, warm_cache: Path) -> tuple[list[str], dict[str, str]]:
    """Build each registered format once (filling the warm cache); those that work, and why others fail."""
    working, broken = [], {}
    for name in writers.names():
        try:
            measure.run_child(
                build_argv(EDITION, work / "probe", [name], "--force"), env=env_with(warm_cache)
            )
            working.append(name)
        except measure.RunFailed as exc:
            broken[name] = str(exc).strip().splitlines()[-1][:300]
            print(f"  format {name} does not build; left out: {broken[name]}", file=sys.stderr)
    return working, broken


def full_steps(edition: Path, out: Path, bag_out: Path, formats: list[str]) -> list[Argv]:
    """The full edition set: every format, then the BagIt package of the build."""
    build = build_argv(edition, out, formats)
    return [build, package_argv(out / edition_id(edition), bag_out)]


def single_document(work: Path, formats: list[str], runs: int, with_peers: bool) -> dict:
    """The letter edition: each format and the full set, cold and warm; no-op; the peers."""
    warm_cache = work / "warm-cache"
    ident = edition_id(EDITION)
    cases: list[Case] = []
    for name in [*formats, "full"]:
        cold_root = work / "cold" / name
        warm_out = work / "warm" / name

        def steps(i: int, name: str = name, root: Path = cold_root, out: Path | None = None) -> list[Argv]:
            target = out or root / "out"
            force = ("--force",) if out else ()
            if name == "full":
                build = full_steps(EDITION, target, target.parent / "bag", formats)
                if force:
                    build[0] = [*build[0], *force]
                return build
            return [build_argv(EDITION, target, [name], *force)]

        cases.append(
            Case(
                f"{name} cold",
                steps,
                lambda i, root=cold_root: env_with(root / "cache"),
                before=lambda i, root=cold_root: fresh(root / "cache", root / "out", root / "bag"),
            )
        )
        cases.append(
            Case(
                f"{name} warm",
                lambda i, s=steps, out=warm_out: s(i, out=out),
                lambda i: env_with(warm_cache),
            )
        )
    # The full set warm again, each command run by the resident build server (on by default).
    served = served_env(work, warm_cache)

    def served_steps(i: int) -> list[Argv]:
        out, bag = work / "warm" / "full-server", work / "warm" / "bag-server"
        build, package = full_steps(EDITION, out, bag, formats)
        return [[*build, "--force"], package]

    cases.append(Case("full warm, server", served_steps, lambda i: served))
    noop_out = work / "warm" / "full"
    cases.append(
        Case(
            "no-op rebuild",
            # Not quiet: the "up to date" line is how we know the build really did nothing.
            lambda i: [build_argv(EDITION, noop_out, formats, quiet=False)],
            lambda i: env_with(warm_cache),
            expect_stderr="up to date",
        )
    )
    # Every warm case once, untimed: the warm out folders and the no-op's build exist after it, and
    # the server case's first command has started the server, which is waited for.
    try:
        round_robin([c for c in cases if "warm" in c.name], 1, "warm-up")
        await_server(served)
    except BaseException:
        stop_server(served)
        raise
    for case in cases:
        case.stats = measure.Stats()

    peer_outputs = work / "peers"
    peer_cases: list[Case] = []
    if with_peers:
        inputs = peers.prepare(EDITION, work / "peer-inputs")
        peer_outputs.mkdir(parents=True, exist_ok=True)
        for name, argv in peers.commands(inputs, peer_outputs).items():
            peer_cases.append(Case(name, lambda i, a=argv: [a], lambda i: dict(os.environ)))
    try:
        round_robin(cases + peer_cases, runs, "letter edition")
    finally:
        stop_server(served)

    try:
        verbose = verbose_log(work, formats)
    except measure.RunFailed as exc:
        verbose = {"failed": str(exc).strip().splitlines()[-1][:300]}
    built = noop_out / ident
    result: dict = {
        "archivekit": results_of(cases),
        "peers": results_of(peer_cases),
        "verbose": verbose,
        "sizes": sizes(built if (built / "manifest.json").is_file() else None, peer_outputs),
    }
    pdfs = {name: peer_outputs / peers.OUTPUTS[name] for name in ("typst-pdf", "weasyprint-pdf")}
    if "pdf" in result["sizes"].get("archivekit pdf", {}).get("path", ""):
        pdfs = {"archivekit pdf": built / result["sizes"]["archivekit pdf"]["path"], **pdfs}
    result["conformance"] = conformance.verapdf_verdicts(pdfs)
    result["conformance_pdf2"], result["pdf2_not_made"] = pdf2_conformance(
        built / f"{ident}.pdfa4f.pdf", inputs if with_peers else None, peer_outputs
    )
    return result


def served_env(work: Path, cache: Path) -> dict[str, str]:
    """The environment of a command run by the resident build server, its socket under work."""
    runtime = work / "rt"
    runtime.mkdir(parents=True, exist_ok=True)
    return {**env_with(cache), "ARCHIVEKIT_SERVER": "on", "XDG_RUNTIME_DIR": str(runtime)}


def await_server(env: dict[str, str], seconds: float = 300) -> None:
    """Wait until the server of this environment listens (it first builds once, judges included)."""
    deadline = time.monotonic() + seconds
    while not list(Path(env["XDG_RUNTIME_DIR"]).glob("archivekit-*/*.sock")):
        if time.monotonic() > deadline:
            print("bench: the resident build server did not start; its case runs without it", file=sys.stderr)
            return
        time.sleep(0.5)


def stop_server(env: dict[str, str]) -> None:
    subprocess.run([*ARCHIVEKIT, "-q", "server", "stop"], env=env, check=False, capture_output=True)


def pdf2_conformance(master: Path, inputs: peers.PeerInputs | None, out: Path) -> tuple[dict, dict]:
    """veraPDF (4f, ua2, wt1a) on archivekit's PDF 2.0 master and the peers asked for those standards
    (made once, untimed); and the peers that could not make theirs, with why."""
    files = {"archivekit pdfa4f": master} if master.is_file() else {}
    not_made: dict[str, str] = {}
    for name, (argv, target) in (peers.pdf2_commands(inputs, out) if inputs else {}).items():
        proc = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=300)
        if proc.returncode == 0 and target.is_file():
            files[name] = target
        else:
            not_made[name] = (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1][:200]
    return conformance.verapdf_verdicts(files, conformance.PDF2_FLAVOURS), not_made


def resident(work: Path, runs: int) -> dict:
    """bench/resident.py in its own process: every format rebuilt in one process after a
    one-character edit, alternated with Typst's CLI (the filled cache of the letter section)."""
    out = work / "resident.json"
    argv = [sys.executable, str(ROOT / "bench" / "resident.py"), "--runs", str(runs), "--json", str(out)]
    print(f"bench: resident rebuild, {runs} runs alternated with Typst", file=sys.stderr)
    proc = subprocess.run(
        argv, env=env_with(work / "warm-cache"), capture_output=True, text=True, check=False
    )
    if proc.returncode != 0 or not out.is_file():
        return {"failed": (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1][:300]}
    return json.loads(out.read_text(encoding="utf-8"))


def verbose_log(work: Path, formats: list[str]) -> dict[str, dict]:
    """What --verbose says, a full build cold then warm: cache hits and misses, each writer's time."""
    cache, out = work / "verbose" / "cache", work / "verbose" / "out"
    fresh(cache, out)
    seen: dict[str, dict] = {}
    for label in ("cold", "warm"):
        argv = [*ARCHIVEKIT, "-v", "build", str(EDITION), "--out", str(out), "--force"]
        argv += [arg for name in formats for arg in ("--format", name)]
        child = measure.run_child(argv, env=env_with(cache), cwd=ROOT)
        lines = [line.removeprefix("archivekit: ").strip() for line in child.stderr.splitlines()]
        took = [re.match(r"(\S+) took ([0-9.]+) s$", line) for line in lines]
        seen[label] = {
            "cache": [line for line in lines if "cache" in line.lower()],
            "writer_s": {m.group(1): float(m.group(2)) for m in took if m},
        }
    return seen


def sizes(build_dir: Path | None, peer_outputs: Path) -> dict[str, dict]:
    """Bytes (and PDF pages) of each archivekit artifact and each peer's output."""
    found: dict[str, dict] = {}
    manifest = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8")) if build_dir else {}
    for row in manifest.get("artifacts", []):
        if row["format"] == "source":
            continue
        entry = {"path": row["path"], "bytes": row["bytes"]}
        if row["path"].endswith(".pdf"):
            entry["pages"] = pdf_pages(build_dir / row["path"])
        found.setdefault(f"archivekit {row['format']}", entry)
    for name, file in peers.OUTPUTS.items():
        path = peer_outputs / file
        if path.is_file():
            entry = {"path": file, "bytes": path.stat().st_size}
            if file.endswith(".pdf"):
                entry["pages"] = pdf_pages(path)
            found[name] = entry
    return found


def batch(work: Path, formats: list[str], editions: int, runs: int) -> dict:
    """Several editions in one `archivekit build`, --jobs 1 against --jobs 2, warm, forced."""
    warm_cache = work / "warm-cache"
    sources = [
        scale.copy_edition(EDITION, work / "batch-sources" / f"e{k}", f"bench-batch-{k}")
        for k in range(1, editions + 1)
    ]
    cases = [
        Case(
            f"jobs {jobs}",
            lambda i, j=jobs: [
                build_argv(
                    sources,
                    work / "batch" / f"j{j}",
                    formats,
                    "--force",
                    "--jobs",
                    str(j),
                )
            ],
            lambda i: env_with(warm_cache),
        )
        for jobs in (1, 2)
    ]
    round_robin(cases, runs, f"batch of {editions}")
    one, two = (None if c.failed else c.stats.median for c in cases)
    return {
        "editions": editions,
        "cpus": os.cpu_count(),
        **results_of(cases),
        "speedup": round(one / two, 2) if one and two else None,
    }


def snapshot_run(rev: str, argv: list[str]) -> int:
    """Run this bench on archivekit as committed at rev, not on the working tree, and clean up."""
    # Other people's unfinished edits in a shared working tree would otherwise break or skew the
    # run. PYTHONPATH puts the snapshot's src/ before the editable install's path.
    commit = subprocess.run(
        ["git", "rev-parse", "--verify", f"{rev}^{{commit}}"], cwd=ROOT, capture_output=True, text=True
    )
    if commit.returncode != 0:
        print(f"bench: no commit {rev!r}: {commit.stderr.strip()}", file=sys.stderr)
        return 2
    sha = commit.stdout.strip()
    snap = Path(tempfile.mkdtemp(prefix="archivekit-snapshot-"))
    try:
        archive = subprocess.run(
            ["git", "archive", sha, "src", "sources"], cwd=ROOT, capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", str(snap)], input=archive.stdout, check=True)
        env = {
            **os.environ,
            "ARCHIVEKIT_BENCH_SNAPSHOT": str(snap),
            "ARCHIVEKIT_BENCH_COMMIT": sha,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(snap / "src"), os.environ.get("PYTHONPATH")])),
        }
        return subprocess.run([sys.executable, __file__, *argv], env=env, check=False).returncode
    finally:
        shutil.rmtree(snap, ignore_errors=True)


def tree_state() -> str:
    """Which archivekit is benched: a commit, or the working tree at HEAD with its local changes."""
    if os.environ.get("ARCHIVEKIT_BENCH_COMMIT"):
        return os.environ["ARCHIVEKIT_BENCH_COMMIT"]
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "src"], cwd=ROOT, capture_output=True, text=True)
    return f"{head} + uncommitted changes in src/" if dirty.stdout.strip() else head


def main(argv: list[str] | None = None) -> int:
    """Run the bench; print the table; write results.json, the chart and the README table."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=5, help="runs of each letter-edition case (default 5)")
    p.add_argument(
        "--scale-runs",
        type=int,
        default=3,
        help="runs of each scale case (default 3: the per-page goal is a difference of two medians, "
        "which one run each leaves to the machine's noise)",
    )
    p.add_argument("--scale-pages", default="10,100,300", help="target page counts (default 10,100,300)")
    p.add_argument("--batch-editions", type=int, default=4, help="editions in the batch case (default 4)")
    p.add_argument(
        "--collection",
        type=int,
        nargs="?",
        const=200,
        metavar="N",
        help="also build a generated collection of N editions (default 200) with --jobs 1, --jobs 2 and "
        "a 2-worker Dask LocalCluster (about 10 minutes on 2 cores; bench/collection.py)",
    )
    p.add_argument("--quick", action="store_true", help="2 runs, scale to 10 and 30 pages: a smoke run")
    p.add_argument("--skip-scale", action="store_true")
    p.add_argument("--skip-peers", action="store_true")
    p.add_argument("--work", type=Path, help="keep every build here (default: a temporary folder)")
    p.add_argument("--results", type=Path, default=ROOT / "bench" / "results.json")
    p.add_argument("--no-write", action="store_true", help="print the table only")
    p.add_argument(
        "--commit",
        metavar="REV",
        help="bench archivekit as committed at REV (e.g. HEAD), not the working tree",
    )
    p.add_argument("--from-results", type=Path, metavar="JSON", help="only re-render this results.json")
    argv = sys.argv[1:] if argv is None else argv
    args = p.parse_args(argv)
    if args.from_results:
        results = json.loads(args.from_results.read_text(encoding="utf-8"))
        if results.get("scale"):
            from scale_bench import growth

            results["scale"]["growth"] = growth(results["scale"]["series"])
        results["ratios"] = report.ratios(results)
        results["goals"] = report.goals(results)
        return publish(results, args)
    if args.commit and not SNAPSHOT:
        return snapshot_run(args.commit, argv)
    if args.quick:
        args.runs, args.scale_runs, args.scale_pages, args.batch_editions = 2, 1, "10,30", 2

    with_peers = not args.skip_peers
    if with_peers and not peers.peers_installed():
        print("bench: peers missing: run bench/install-peers.sh (make bench does)", file=sys.stderr)
        return 2
    started = time.perf_counter()
    work = args.work or Path(tempfile.mkdtemp(prefix="archivekit-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        print(f"bench: working in {work}", file=sys.stderr)
        formats, broken = probe_formats(work, work / "warm-cache")
        results: dict = {
            "archivekit_version": __version__,
            "archivekit_commit": tree_state(),
            "peer_versions": peers.versions() if with_peers else {"pandoc": peers.versions()["pandoc"]},
            "typst_pdf_standards": peers.TYPST_STANDARDS,
            "pdf_asked_for": peers.ASKED,
            "pdf2_asked_for": peers.PDF2_ASKED,
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "system": f"{platform.system()} {platform.machine()}",
                "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
            },
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "formats": formats,
            "formats_not_built": broken,
            "runs": args.runs,
        }
        results["letter"] = single_document(work, formats, args.runs, with_peers)
        results["resident"] = resident(work, max(args.runs, 5))
        results["batch"] = batch(work, formats, args.batch_editions, min(args.runs, 3))
        if not args.skip_scale:
            from scale_bench import scale_series

            pages = [int(x) for x in args.scale_pages.split(",")]
            results["scale"] = scale_series(work, EDITION, formats, pages, args.scale_runs, with_peers)
        if args.collection:
            from collection import collection_bench

            results["collection"] = collection_bench(work / "collection", args.collection)
        results["ratios"] = report.ratios(results)
        results["goals"] = report.goals(results)
        results["bench_seconds"] = round(time.perf_counter() - started, 1)
        # Other work on the machine skews absolute times (ratios less so): record how busy it was.
        results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)

    return publish(results, args)


def publish(results: dict, args: argparse.Namespace) -> int:
    """Print the table; unless --no-write, write results.json, the chart and the README table."""
    if not args.no_write:  # the figures first: a bug in rendering them must not lose them
        args.results.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(report.table(results))
    if not args.no_write:
        report.write_chart(results, args.results.with_name("ratios.svg"))
        report.update_readme(results, args.results.with_name("README.md"))
        print(f"bench: wrote {args.results} and {args.results.with_name('ratios.svg')}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
