"""What runs on a Dask worker: one edition per task, through the same code as a local run.

Each task unpacks what the client sent into a private temporary folder, runs `pipeline.build`,
`validate_build` or `package_edition` there (with the worker's own prepared-font cache and its
own installed judges), and returns the resulting folder as bytes, or writes it to an fsspec URL
itself. An error a user can cause comes back as a located message (paths given as the client
knows them), never as an exception, so one bad edition does not stop the batch.
"""

from __future__ import annotations

import contextlib
import os
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archivekit.cluster.payload import Files, read_folder, write_files
from archivekit.errors import ArchivekitError

# SOURCE_DATE_EPOCH is process-wide: tasks that share a worker process take turns.
_TURN = threading.Lock()


@dataclass(frozen=True)
class Task:
    """One edition's work: `files` is the edition folder (sources, or a build for validate/package)."""

    label: str  # the folder as the client names it, for messages
    name: str  # the folder's own name, kept on the worker
    files: Files
    formats: tuple[str, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)
    epoch: int | None = None  # None: the worker's rule (validate; package reads the build's manifest)
    epoch_in_env: bool = True  # False: the client read it from git, not from $SOURCE_DATE_EPOCH
    out: str | None = None  # an fsspec URL the worker writes into, else results come back
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    """What came back: the folder written (`files`, or already at `written`), or a located error."""

    label: str
    name: str | None = None
    files: Files | None = None
    written: str | None = None
    error: str | None = None
    exit_code: int = 0
    summary: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    worker: str = ""


@contextlib.contextmanager
def _epoch(epoch: int | None, in_env: bool) -> Iterator[None]:
    """The client's clock, given to the build the way the client had it.

    ReportLab seeds the PDF's /ID with $SOURCE_DATE_EPOCH when it is set, so an epoch the client
    read from git must not reach the worker's build through the environment: there it arrives as
    the sources' modification time, which `pipeline.source_date_epoch` uses outside git.
    """
    before = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None and in_env:
        os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    elif epoch is not None:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


def _run(task: Task, work: Callable[[Path, Path], tuple[Path, dict[str, Any]]]) -> Result:
    """Unpack the task, run `work(folder, out_root)`, pack (or write) what it made."""
    started = time.perf_counter()
    host = f"{socket.gethostname()}:{os.getpid()}"
    with (
        _TURN,
        _epoch(task.epoch, task.epoch_in_env),
        tempfile.TemporaryDirectory(prefix="archivekit-worker-") as tmp,
    ):
        folder = Path(tmp) / "in" / task.name
        folder.mkdir(parents=True)
        write_files(task.files, folder)
        if task.epoch is not None and not task.epoch_in_env:
            for name in task.files:
                os.utime(folder / name, (task.epoch, task.epoch))
        out_root = Path(tmp) / "out"
        try:
            made, summary = work(folder, out_root)
        except ArchivekitError as exc:
            # Name the client's folder, not this worker's temporary copy of it.
            message = str(exc).replace(str(folder), task.label).replace(str(out_root), task.out or "OUT")
            return Result(task.label, error=message, exit_code=exc.exit_code,
                          seconds=time.perf_counter() - started, worker=host)  # fmt: skip
        files = read_folder(made)
        if task.out is not None:
            from archivekit.cluster.store import Store

            written = Store(task.out).write_edition(made.name, files)
            return Result(task.label, made.name, None, written, summary=summary,
                          seconds=time.perf_counter() - started, worker=host)  # fmt: skip
        return Result(task.label, made.name, files, None, summary=summary,
                      seconds=time.perf_counter() - started, worker=host)  # fmt: skip


def build_task(task: Task) -> Result:
    """Build one edition from its sources, as `archivekit build` would locally."""

    def work(folder: Path, out_root: Path) -> tuple[Path, dict[str, Any]]:
        from archivekit.pipeline import BuildRequest, build

        made = build(BuildRequest(folder, out_root, task.formats, dict(task.options), force=True))
        return made, {}

    return _run(task, work)


def validate_task(task: Task) -> Result:
    """Validate one built edition with this worker's judges; the report comes back inside it."""

    def work(folder: Path, out_root: Path) -> tuple[Path, dict[str, Any]]:
        from archivekit.pipeline import write_edition_index
        from archivekit.validate.runner import validate_build

        result = validate_build(folder)
        write_edition_index(folder)
        summary = {
            "errors": result.errors,
            "not_run": [f"{o.validator}: {o.not_run}" for o in result.not_run],
            "edition": result.edition,
        }
        return folder, summary

    return _run(task, work)


def package_task(task: Task) -> Result:
    """Bag one built edition; the bag folder comes back."""

    def work(folder: Path, out_root: Path) -> tuple[Path, dict[str, Any]]:
        from archivekit.package import _epoch as build_epoch
        from archivekit.package import package_edition

        epoch = task.epoch if task.epoch is not None else build_epoch(folder)
        bag = package_edition(
            folder,
            out_root,
            source_date_epoch=epoch,
            source_organization=task.extra.get("source_organization"),
        )
        return bag, {}

    return _run(task, work)
