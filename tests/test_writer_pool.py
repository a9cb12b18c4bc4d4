"""A resident process's writer workers (issue #22): the same bytes as one process, errors as they
are, and a dead worker replaced, all with real builds of the corpus."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from archivekit import interrupts, pipeline
from archivekit.errors import ArchivekitError
from archivekit.writer_pool import WriterPool
from conftest import EDITION, EDITION_ID

OTHER = EDITION.parent / "gutenberg-31963-wagner-flying-dutchman-act-1"


def _tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def pool(monkeypatch: pytest.MonkeyPatch) -> Iterator[WriterPool]:
    monkeypatch.setenv("ARCHIVEKIT_WRITER_PROCESSES", "2")  # print goes to a worker on any machine
    workers = WriterPool(1)
    yield workers
    workers.close()


def _build(edition: Path, out: Path, pool: WriterPool | None, **options: object) -> Path:
    request = pipeline.BuildRequest(
        edition, out, (), {"epub_checks": "off", **options}, force=True, writer_pool=pool
    )
    return pipeline.build(request)


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _workers() -> list[int]:
    """The processes multiprocessing's forkserver has forked for this one: the pool's workers."""
    servers = {
        pid
        for pid, _ in interrupts.descendants()
        if b"multiprocessing.forkserver" in Path(f"/proc/{pid}/cmdline").read_bytes()
    }
    return sorted(pid for pid in servers if _parent(pid) in servers)


@pytest.mark.parametrize("edition", [EDITION, OTHER], ids=["letter", "wagner"])
def test_workers_write_what_one_process_writes(
    edition: Path, tmp_path: Path, pool: WriterPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from archivekit.writers import print_edition

    alone = _build(edition, tmp_path / "alone", None)  # print forked for this build
    # The print writer of this process would fail: the builds below never run it here.
    monkeypatch.setattr(print_edition.WRITER, "write", lambda *_: pytest.fail("print ran here"))
    first = _build(edition, tmp_path / "pooled", pool)
    workers = _workers()
    second = _build(edition, tmp_path / "pooled", pool)  # the same worker again, warm
    assert _tree(first) == _tree(alone)
    assert _tree(second) == _tree(alone)
    assert len(workers) == 1 and _workers() == workers, "the worker was not kept between builds"


def test_a_writer_error_in_a_worker_is_raised_here_as_it_is(tmp_path: Path, pool: WriterPool) -> None:
    out = tmp_path / "build"
    good = _tree(_build(EDITION, out, pool))
    with pytest.raises(ArchivekitError, match="no ICC profile at") as raised:
        _build(EDITION, out, pool, print_icc=str(tmp_path / "missing.icc"))
    assert raised.value.hint == "name the printer's CMYK .icc file"
    assert _tree(out / EDITION_ID) == good  # the last good edition stays
    assert sorted(p.name for p in out.iterdir() if not p.name.endswith(".lock")) == [EDITION_ID]
    assert _tree(_build(EDITION, out, pool)) == good  # and the workers serve the next build


def test_a_worker_that_died_is_replaced_for_the_next_build(tmp_path: Path, pool: WriterPool) -> None:
    edition = tmp_path / "src" / EDITION.name
    shutil.copytree(EDITION, edition)
    good = _tree(_build(edition, tmp_path / "before", None))
    _build(edition, tmp_path / "build", pool)
    (dead,) = _workers()
    os.kill(dead, signal.SIGKILL)  # out of memory, or killed by hand, between two saves
    assert _tree(_build(edition, tmp_path / "build", pool)) == good
    assert _workers() and dead not in _workers()
