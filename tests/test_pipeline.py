"""Builds are atomic, reproducible and listed in their manifest."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from archivekit import pipeline
from archivekit.writers.base import BuildContext
from conftest import EDITION, EDITION_ID, run_cli


def _tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_manifest_lists_every_file_with_true_hashes(built: Path) -> None:
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["edition"]["id"] == EDITION_ID
    assert len(manifest["sources_sha256"]) == 64
    listed = {row["path"]: row for row in manifest["artifacts"]}
    for path, row in listed.items():
        data = (built / path).read_bytes()
        assert row["bytes"] == len(data)
        assert row["sha256"] == hashlib.sha256(data).hexdigest()
        assert row["media_type"]
    on_disk = set(_tree(built)) - {"manifest.json"}
    assert on_disk - set(listed) <= {p for p in on_disk if p.startswith("validation/")}


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        result = run_cli("build", str(EDITION), "--out", str(out), "--force")
        assert result.returncode == 0, result.stderr
    assert _tree(first / EDITION_ID) == _tree(second / EDITION_ID)


def test_failed_build_keeps_the_last_good_edition(tmp_path: Path) -> None:
    edition = tmp_path / "sources" / EDITION_ID
    shutil.copytree(EDITION, edition)
    out = tmp_path / "build"
    assert run_cli("build", str(edition), "--out", str(out), "--format", "text").returncode == 0
    before = _tree(out / EDITION_ID)
    part = edition / "03-principles.en.md"
    part.write_text(part.read_text(encoding="utf-8") + "\n<script>alert(1)</script>\n", encoding="utf-8")
    result = run_cli("build", str(edition), "--out", str(out), "--format", "text")
    assert result.returncode == 2
    assert "raw HTML" in result.stderr and "03-principles.en.md" in result.stderr
    assert _tree(out / EDITION_ID) == before
    assert sorted(p.name for p in out.iterdir() if not p.name.endswith(".lock")) == [
        EDITION_ID
    ]  # no staging folders left


def test_unchanged_sources_are_up_to_date(tmp_path: Path) -> None:
    out = tmp_path / "build"
    assert run_cli("build", str(EDITION), "--out", str(out), "--format", "text").returncode == 0
    again = run_cli("build", str(EDITION), "--out", str(out), "--format", "text")
    assert again.returncode == 0 and "up to date" in again.stderr


def test_parallel_jobs_build_several_editions(tmp_path: Path) -> None:
    editions = []
    for n in range(3):
        edition = tmp_path / "sources" / f"copy-{n}"
        shutil.copytree(EDITION, edition)
        meta = edition / "edition.yaml"
        meta.write_text(
            meta.read_text(encoding="utf-8").replace(f"id: {EDITION_ID}", f"id: copy-{n}"), encoding="utf-8"
        )
        editions.append(str(edition))
    out = tmp_path / "build"
    formats = ("--format", "text", "--format", "html")
    result = run_cli("build", *editions, "--out", str(out), "--jobs", "2", *formats)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir() if not p.name.endswith(".lock")) == [
        "copy-0",
        "copy-1",
        "copy-2",
    ]
    assert all((out / f"copy-{n}" / "manifest.json").is_file() for n in range(3))


def test_a_writer_failing_while_the_epub_judges_run_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The EPUB's judges run in a background thread while print is written; when print fails the
    # build must wait for them, drop its staging folder and keep the last good edition. Writers in
    # this process, so the test sees what print saw (a forked print records in its own memory).
    monkeypatch.setenv("ARCHIVEKIT_WRITER_PROCESSES", "1")
    from archivekit import pipeline
    from archivekit.errors import BuildError
    from archivekit.writers import print_edition

    out = tmp_path / "build"
    request = pipeline.BuildRequest(EDITION, out, ("text",), force=True)
    pipeline.build(request)
    before = _tree(out / EDITION_ID)
    started: list[int] = []

    def failing_print(doc: object, ctx: BuildContext) -> list:
        started.append(len(ctx.pending))
        raise BuildError("print failed on purpose")

    monkeypatch.setattr(print_edition.WRITER, "write", failing_print)
    with pytest.raises(BuildError, match="on purpose"):
        pipeline.build(pipeline.BuildRequest(EDITION, out, ("epub", "print"), force=True))
    assert started == [1], "print ran while the EPUB was still pending"
    assert not [t for t in threading.enumerate() if t.name.startswith("epub-judges")]
    assert _tree(out / EDITION_ID) == before
    assert sorted(p.name for p in out.iterdir() if not p.name.endswith(".lock")) == [EDITION_ID]


def test_the_second_pdf_profile_is_finished_on_a_spare_core(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Built alone, the archival PDF finishes its second profile in a forked process, to the same
    bytes; not when another thread runs here (a fork copies only the calling thread); a failure
    there fails the build, and the last good edition stays."""
    from archivekit.errors import BuildError
    from archivekit.writers.pdf import postprocess

    finished_in = tmp_path / "finished-in.txt"
    real = postprocess.finish

    def recorded(ts: object, fields: object, profile: object, **kw: object) -> bytes:
        with finished_in.open("a", encoding="utf-8") as log:  # a file: a child's memory is its own
            log.write(f"{profile.name} {os.getpid()}\n")  # type: ignore[attr-defined]
        if profile.name == os.environ.get("FAIL_PROFILE"):  # type: ignore[attr-defined]
            raise BuildError("finishing failed on purpose")
        return real(ts, fields, profile, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(postprocess, "finish", recorded)

    def build(processes: str, out: Path) -> dict[str, str]:
        finished_in.unlink(missing_ok=True)
        monkeypatch.setenv("ARCHIVEKIT_WRITER_PROCESSES", processes)
        pipeline.build(pipeline.BuildRequest(EDITION, out, ("pdf",), force=True))
        return _tree(out / EDITION_ID)

    def where() -> dict[str, int]:
        lines = finished_in.read_text(encoding="utf-8").splitlines()
        return {name: int(pid) for name, pid in (line.split() for line in lines)}

    alone = build("1", tmp_path / "one")
    assert len(where()) == 2 and set(where().values()) == {os.getpid()}
    # Earlier tests of a whole session may leave threads of their own in this process: this build
    # is told none runs, as in a command's own process.
    with monkeypatch.context() as only_thread:
        only_thread.setattr(pipeline.threading, "active_count", lambda: 1)
        apart = build("2", tmp_path / "two")
        first, second = where().values()
    assert first == os.getpid() and second != os.getpid()
    assert apart == alone and len([n for n in apart if n.endswith(".pdf")]) == 2
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert build("2", tmp_path / "three") == alone and set(where().values()) == {os.getpid()}
    finally:
        stop.set()
        other.join()
    monkeypatch.setenv("FAIL_PROFILE", list(where())[1])
    monkeypatch.setattr(pipeline.threading, "active_count", lambda: 1)
    with pytest.raises(BuildError, match="on purpose"):
        build("2", tmp_path / "two")
    assert _tree(tmp_path / "two" / EDITION_ID) == alone


def test_writer_processes_counts_cores_others_want_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """The kernel's runnable count decides (the last minute's load average would count our own
    previous builds); an explicit setting wins."""
    monkeypatch.delenv("ARCHIVEKIT_WRITER_PROCESSES", raising=False)
    cores = len(os.sched_getaffinity(0))
    monkeypatch.setattr(pipeline, "_others_running", lambda: 0)
    assert pipeline.writer_processes() == cores
    monkeypatch.setattr(pipeline, "_others_running", lambda: cores)
    assert pipeline.writer_processes() == 1
    monkeypatch.setenv("ARCHIVEKIT_WRITER_PROCESSES", "3")
    assert pipeline.writer_processes() == 3
    assert pipeline._others_running() >= 0


def test_a_stop_during_a_fork_is_held_not_lost() -> None:
    """A Ctrl-C whose handler runs inside os.fork's callbacks would be dropped by Python there;
    interrupts.held_during keeps it and raises it when the fork is done (in a process of its own:
    the handler ends every descendant of the process it runs in)."""
    script = (
        "import os, signal\n"
        "from archivekit import interrupts\n"
        "interrupts.install()\n"
        "try:\n"
        "    with interrupts.held_during():\n"
        "        os.kill(os.getpid(), signal.SIGINT)\n"
        "        print('held', flush=True)\n"
        "    print('lost', flush=True)\n"
        "except KeyboardInterrupt:\n"
        "    print('raised after', flush=True)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.stdout.split("\n")[:2] == ["held", "raised after"], done.stdout + done.stderr


@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM"])
def test_a_stop_raised_in_a_finalizer_is_raised_again_not_printed(signame: str) -> None:
    """Python drops, with a printed traceback, an exception raised in a weakref callback or a
    __del__: a stop whose handler ran there would be lost (the build goes on) and its traceback
    would reach the user. It is raised again at the next ordinary line, and nothing is printed."""
    script = (
        "import os, signal, weakref\n"
        "from archivekit import interrupts\n"
        "interrupts.install()\n"
        "class Held: pass\n"
        "def callback(ref):\n"
        f"    os.kill(os.getpid(), signal.{signame})\n"
        "    for _ in range(1000): pass  # the handler runs here, inside the callback\n"
        "held = Held()\n"
        "ref = weakref.ref(held, callback)\n"
        "try:\n"
        "    with interrupts.cleanup_scope():\n"
        "        del held\n"
        "        print('dropped', flush=True)\n"
        "        for _ in range(10_000_000): pass\n"
        "        print('lost', flush=True)\n"
        "except (KeyboardInterrupt, interrupts.Terminated) as exc:\n"
        "    print('raised', type(exc).__name__, flush=True)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    raised = "KeyboardInterrupt" if signame == "SIGINT" else "Terminated"
    assert done.stdout.split("\n")[:2] == ["dropped", f"raised {raised}"], done.stdout + done.stderr
    assert done.stderr == "", done.stderr


def test_dating_by_file_times_is_said_once_a_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """watch rebuilds a folder outside git at every save: the warning is given at the first build."""
    from archivekit.pipeline import source_date_epoch

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    (tmp_path / "a.md").write_text("x", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="archivekit"):
        first, again = source_date_epoch(tmp_path), source_date_epoch(tmp_path)
    assert (
        first == again
        and [r.getMessage() for r in caplog.records].count(
            f"SOURCE_DATE_EPOCH unset and {tmp_path} not in git: dating the build by file times"
        )
        == 1
    )
