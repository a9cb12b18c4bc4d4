"""Cluster builds on a real Dask LocalCluster (2 worker processes): byte-identical, fault-tolerant, clear."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT

distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.slow

# Three small editions of the corpus: a letter (CJK and English), the Manifesto, Wagner (German).
EDITIONS = [
    ROOT / "sources" / "carfc-2019-07-15-letter-to-ceos",
    ROOT / "sources" / "gutenberg-61-communist-manifesto",
    ROOT / "sources" / "gutenberg-31963-wagner-flying-dutchman-act-1",
]


def _env(**extra: str) -> dict[str, str]:
    # No SOURCE_DATE_EPOCH: both sides must date the build by git, the client for its workers.
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT"] = "3s"
    env["CI"] = "true"  # one progress line per edition, as in CI logs
    env.update(extra)
    return env


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "archivekit", *args],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=900,
    )


def _tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _ids() -> list[str]:
    return sorted(e.name for e in EDITIONS)


@pytest.fixture(scope="module")
def cluster() -> Iterator[tuple[Any, Any]]:
    from distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as lc,
        Client(lc) as client,
    ):
        yield lc, client


@pytest.fixture(scope="module")
def local_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("local")
    result = _cli("build", *map(str, EDITIONS), "--out", str(out), "--jobs", "2", "--force")
    assert result.returncode == 0, result.stderr
    return out


class _Table(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows = 0
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "tr":
            self.rows += 1
        if tag not in ("meta", "br"):
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1:]}>"
        self.open.pop()


def test_cluster_build_is_byte_identical_and_a_bad_edition_fails_alone(
    cluster: tuple[Any, Any], local_build: Path, tmp_path: Path
) -> None:
    lc, _ = cluster
    broken = tmp_path / "src" / "broken-edition"
    shutil.copytree(EDITIONS[0], broken)
    (broken / "edition.yaml").write_text("id: broken-edition\ntitle: [unclosed\n", encoding="utf-8")
    out = tmp_path / "cluster"
    result = _cli(
        "build", *map(str, EDITIONS), str(broken), "--out", str(out), "--scheduler", lc.scheduler_address
    )
    assert result.returncode == 2, result.stderr  # the broken sources: exit 2, the others built
    assert f"error: {broken}" in result.stderr, result.stderr
    assert "3 built, 1 failed, 0 remaining" in result.stderr
    for edition_id in _ids():
        assert _tree(out / edition_id) == _tree(local_build / edition_id), edition_id
    assert not list(out.glob(".*tmp-*")), "a staging folder was left behind"

    collection = json.loads((out / "collection.json").read_text(encoding="utf-8"))
    rows = {row["id"]: row for row in collection["editions"]}
    assert sorted(rows) == _ids()
    for edition_id, row in rows.items():
        manifest = (out / edition_id / "manifest.json").read_bytes()
        assert row["manifest_sha256"] == hashlib.sha256(manifest).hexdigest()
        assert row["version"] and row["bag"] is None and row["validation"] is None
    table = _Table()
    table.feed((out / "collection.html").read_text(encoding="utf-8"))
    assert table.rows == 1 + len(EDITIONS) and not table.open

    # Nothing changed: nothing is sent, nothing rewritten, the collection stays byte for byte.
    before = {e: (out / e / "manifest.json").stat().st_mtime_ns for e in _ids()}
    listing = (out / "collection.json").read_bytes()
    again = _cli("build", *map(str, EDITIONS), "--out", str(out), "--scheduler", lc.scheduler_address)
    assert again.returncode == 0, again.stderr
    assert again.stderr.count("is up to date") == len(EDITIONS), again.stderr
    assert before == {e: (out / e / "manifest.json").stat().st_mtime_ns for e in _ids()}
    assert (out / "collection.json").read_bytes() == listing


def test_file_url_out_is_written_by_the_workers(
    cluster: tuple[Any, Any], local_build: Path, tmp_path: Path
) -> None:
    lc, _ = cluster
    out = tmp_path / "direct"
    result = _cli("build", str(EDITIONS[0]), "--out", f"file://{out}", "--scheduler", lc.scheduler_address)
    assert result.returncode == 0, result.stderr
    assert _tree(out / EDITIONS[0].name) == _tree(local_build / EDITIONS[0].name)
    assert (out / "collection.json").is_file()


def test_killing_a_worker_mid_batch_still_completes_the_batch(
    cluster: tuple[Any, Any], local_build: Path, tmp_path: Path
) -> None:
    lc, client = cluster
    client.wait_for_workers(2, timeout=60)
    pids = client.run(os.getpid)
    out = tmp_path / "cluster"
    args = ["build", *map(str, EDITIONS), "--out", str(out), "--scheduler", lc.scheduler_address, "--force"]
    proc = subprocess.Popen([sys.executable, "-m", "archivekit", *args], cwd=ROOT, env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    victim = None
    deadline = time.monotonic() + 300
    while victim is None and proc.poll() is None and time.monotonic() < deadline:
        busy = [worker for worker, keys in client.processing().items() if keys and worker in pids]
        if busy:
            time.sleep(0.5)  # into the build, not before it
            victim = busy[0]
            os.kill(pids[victim], signal.SIGKILL)
        time.sleep(0.05)
    _, stderr = proc.communicate(timeout=900)
    assert victim is not None, "no worker was seen building: nothing was killed"
    assert proc.returncode == 0, stderr
    assert "3 built, 0 failed, 0 remaining" in stderr, stderr
    for edition_id in _ids():
        assert _tree(out / edition_id) == _tree(local_build / edition_id), edition_id
    assert not list(out.glob(".*tmp-*")), "a staging folder was left behind"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_no_scheduler_is_a_usage_error(tmp_path: Path) -> None:
    address = f"tcp://127.0.0.1:{_free_port()}"
    result = _cli("build", str(EDITIONS[0]), "--out", str(tmp_path), "--scheduler", address)
    assert result.returncode == 2, result.stderr
    assert f"no Dask scheduler answers at {address}" in result.stderr
    assert "fix: start one" in result.stderr


def test_scheduler_lost_mid_batch_keeps_finished_editions(local_build: Path, tmp_path: Path) -> None:
    from distributed import LocalCluster

    out = tmp_path / "cluster"
    lc = LocalCluster(n_workers=1, processes=True, threads_per_worker=1, dashboard_address=None)
    try:
        args = ["build", *map(str, EDITIONS), "--out", str(out), "--scheduler", lc.scheduler_address]
        proc = subprocess.Popen([sys.executable, "-m", "archivekit", *args], cwd=ROOT, env=_env(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
        deadline = time.monotonic() + 300
        while not list(out.glob("*/manifest.json")) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        lc.close()
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 1, stderr
    assert "lost the Dask scheduler" in stderr, stderr
    finished = [p.parent.name for p in out.glob("*/manifest.json")]
    assert finished, stderr
    for edition_id in finished:
        assert _tree(out / edition_id) == _tree(local_build / edition_id), edition_id
    assert not list(out.glob(".*tmp-*"))


def test_cluster_validate_and_package_match_local_ones(
    cluster: tuple[Any, Any], local_build: Path, tmp_path: Path
) -> None:
    lc, _ = cluster
    letter = EDITIONS[0].name
    here, there = tmp_path / "here", tmp_path / "there"
    for root in (here, there):
        shutil.copytree(local_build / letter, root / letter)

    local = _cli("-q", "validate", str(here / letter))
    remote = _cli("-q", "validate", str(there / letter), "--scheduler", lc.scheduler_address)
    assert remote.returncode == local.returncode, remote.stderr
    report = "validation/report.json"
    assert (there / letter / report).read_bytes() == (here / letter / report).read_bytes()
    assert _tree(there / letter) == _tree(here / letter)
    summary = json.loads((there / letter / report).read_text(encoding="utf-8"))["summary"]
    for name in summary["not_run"]:  # a judge missing on the worker is said, never passed
        assert f"{name}: " in remote.stderr or name in remote.stdout

    bags_here = tmp_path / "bags-here"
    local = _cli("-q", "package", str(here / letter), "--out", str(bags_here))
    remote = _cli("-q", "package", str(there / letter), "--scheduler", lc.scheduler_address)
    assert local.returncode == remote.returncode == 0, remote.stderr
    (bag,) = [p for p in bags_here.iterdir() if p.name.endswith(".bag")]
    assert _tree(there / bag.name) == _tree(bag)  # beside the build, as a local `package` puts it
    (row,) = json.loads((there / "collection.json").read_text(encoding="utf-8"))["editions"]
    assert row["bag"] == bag.name and row["validation"] == summary


def test_an_fsspec_store_commits_with_the_manifest_last_and_drops_stale_files() -> None:
    from archivekit.cluster.collection import update_collection
    from archivekit.cluster.store import Store

    store = Store("memory://archivekit-test/out")
    manifest = {"build_key": "k1", "edition": {"id": "e", "version": "1"}, "artifacts": []}
    manifest["artifacts"] = [{"path": "a.txt", "bytes": 1}, {"path": "old.txt", "bytes": 3}]
    first = {"a.txt": b"1", "old.txt": b"old", "manifest.json": json.dumps(manifest).encode()}
    store.write_edition("e", first)
    assert store.up_to_date("e", "k1") and not store.up_to_date("e", "k2")
    manifest.update(build_key="k2", artifacts=[{"path": "a.txt", "bytes": 2}])
    store.write_edition("e", {"a.txt": b"22", "manifest.json": json.dumps(manifest).encode()})
    assert store.sizes("e") == {"a.txt": 2, "manifest.json": len(json.dumps(manifest))}
    assert store.up_to_date("e", "k2")
    (row,) = update_collection(store)["editions"]
    assert row["id"] == "e" and row["version"] == "1" and row["bag"] is None
    assert b"<table>" in (store.read("collection.html") or b"")
