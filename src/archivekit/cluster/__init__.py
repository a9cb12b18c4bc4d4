"""Build, validate and package collections on a Dask cluster (`--scheduler ADDRESS`).

Each edition is one task. The client reads the edition folder, keeps the no-op rule (an edition
whose build key is unchanged is not sent), and writes every result atomically into `--out`,
where a local build would have put it, byte for byte; then it refreshes the collection
manifest (`collection.json`, `collection.html`). Workers need only `pip install archivekit` and
the Debian packages the README lists (plus the validators, for `validate`).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from archivekit.clock import epoch_from_env
from archivekit.cluster.client import ENV, SchedulerLost, SchedulerUnreachable, connect, run_batch
from archivekit.cluster.collection import update_collection
from archivekit.cluster.payload import read_folder, read_sources
from archivekit.cluster.progress import Progress
from archivekit.cluster.store import Store, is_url
from archivekit.cluster.tasks import Result, Task, build_task, package_task, validate_task
from archivekit.errors import ArchivekitError, UsageError, from_os_error
from archivekit.validate import report_missing

__all__ = [
    "ENV",
    "SchedulerLost",
    "SchedulerUnreachable",
    "build_on_cluster",
    "is_url",
    "package_on_cluster",
    "validate_on_cluster",
]


def _fault(label: str, exc: BaseException) -> ArchivekitError:
    if isinstance(exc, ArchivekitError):
        return exc
    if isinstance(exc, OSError):
        return from_os_error(exc)
    raise exc


class _Batch:
    """Shared bookkeeping of one command: progress, worst exit code, the stores to index."""

    def __init__(self, total: int, verb: str, quiet: bool) -> None:
        self.progress = Progress(total, verb, quiet=quiet)
        self.quiet = quiet
        self.worst = 0
        self.stores: dict[str, Store] = {}

    def fail(self, label: str, error: str, code: int) -> None:
        self.progress.failure(label, error)
        self.worst = max(self.worst, code)

    def refused(self, label: str, exc: BaseException) -> None:
        """What the client could not send (unreadable, not built): a failure with its exit code."""
        error = _fault(label, exc)
        self.fail(label, str(error), error.exit_code)

    def written(self, result: Result, store: Store) -> None:
        """Write a result that came back (unless the worker wrote it) and count it."""
        try:
            where = result.written or store.write_edition(str(result.name), result.files or {})
        except (ArchivekitError, OSError) as exc:
            error = _fault(result.label, exc)
            self.fail(result.label, f"{result.label}: {error}", error.exit_code)
            return
        self.stores[store.out] = store
        self.progress.finished(result.label, result.seconds, result.worker)
        if not self.quiet:
            print(where, flush=True)

    def run(
        self,
        address: str,
        task: Callable[..., Result],
        tasks: Iterable[Task],
        store_of: Callable[[Result], Store],
        seen: Callable[[Result], None] | None = None,
    ) -> None:
        """Send the tasks to the cluster at `address`; write each result as it comes back (`seen` first
        reads it), then close: totals and the collection manifests."""
        client = connect(address)
        try:
            for result in run_batch(client, task, tasks, address=address):
                if result.error:
                    self.fail(result.label, result.error, result.exit_code)
                    continue
                if seen is not None:
                    seen(result)
                self.written(result, store_of(result))
        finally:
            self.close()
            _close(client)

    def close(self) -> None:
        """Totals on stderr, then the collection manifest of every output root touched."""
        self.progress.close()
        for store in self.stores.values():
            try:
                update_collection(store)
            except (OSError, ValueError) as exc:
                print(f"archivekit: warning: collection manifest not updated in {store.out}: {exc}",
                      file=sys.stderr)  # fmt: skip


def build_on_cluster(
    editions: list[Path],
    *,
    out: str,
    formats: tuple[str, ...],
    options: dict[str, Any],
    force: bool,
    address: str,
    quiet: bool = False,
) -> int:
    """Build every edition on the cluster at `address` into `out`; return the worst exit code."""
    from archivekit import writers
    from archivekit.pipeline import _declared_id, build_key, source_date_epoch

    names = writers.plan(list(formats) or None)
    unknown = set(formats) - set(writers.names())
    if unknown:
        raise UsageError(
            f"unknown format(s): {', '.join(sorted(unknown))}",
            hint=f"choose among: {', '.join(writers.names())}",
        )
    store = Store(out)
    batch = _Batch(len(editions), "built", quiet)
    batch.stores[store.out] = store

    in_env = epoch_from_env() is not None

    def tasks() -> Any:
        for edition in editions:
            label = str(edition)
            try:
                epoch = source_date_epoch(edition)  # the client's git, as a local build would read it
                key = build_key(edition, names, options, epoch)
                quick = _declared_id(edition)
                if quick and not force and store.up_to_date(quick, key):
                    batch.progress.up_to_date(f"{out.rstrip('/')}/{quick}")
                    continue
                files = read_sources(edition)
            except (ArchivekitError, OSError) as exc:
                batch.refused(label, exc)
                continue
            yield Task(label, edition.name, files, tuple(formats), dict(options), epoch, in_env,
                       out=store.out if store.direct else None)  # fmt: skip

    batch.run(address, build_task, tasks(), lambda _result: store)
    return batch.worst


def validate_on_cluster(build_dirs: list[Path], *, address: str, require_all: bool, quiet: bool) -> int:
    """Run the judges on the workers; each validated folder comes back and replaces its build atomically."""
    batch = _Batch(len(build_dirs), "validated", quiet)
    missing: set[str] = set()
    failed = False

    def tasks() -> Any:
        for build_dir in build_dirs:
            try:
                files = read_folder(build_dir)
                if "manifest.json" not in files:
                    raise UsageError(f"{build_dir} holds no manifest.json", hint="build it first")
            except (ArchivekitError, OSError) as exc:
                batch.refused(str(build_dir), exc)
                continue
            yield Task(str(build_dir), build_dir.name, files)

    def seen(result: Result) -> None:
        nonlocal failed
        summary = result.summary
        failed |= summary.get("errors", 0) > 0
        missing.update(summary.get("not_run", []))
        if not quiet:
            not_run = "; ".join(summary.get("not_run", [])) or "none"
            print(f"{summary.get('edition')} ({result.label}): {summary.get('errors', 0)} error(s); "
                  f"not run (not passed): {not_run}", flush=True)  # fmt: skip

    batch.run(address, validate_task, tasks(), lambda result: Store(str(Path(result.label).parent)), seen)
    report_missing(
        missing,
        require_all=require_all,
        quiet=quiet,
        where=" on the workers",
        install="install them on every worker (docs/scaling.md)",
    )
    return max(batch.worst, 1 if failed else 0)


def package_on_cluster(
    build_dirs: list[Path], *, out: str | None, source_organization: str | None, address: str, quiet: bool
) -> int:
    """Bag every build on the workers; each bag is written atomically beside its build (or into `out`)."""
    from archivekit.package import _epoch as build_epoch

    batch = _Batch(len(build_dirs), "packaged", quiet)

    def tasks() -> Any:
        for build_dir in build_dirs:
            try:
                epoch = build_epoch(build_dir)  # env first, else the build's own clock, as locally
                files = read_folder(build_dir)
            except (ArchivekitError, OSError) as exc:
                batch.refused(str(build_dir), exc)
                continue
            yield Task(str(build_dir), build_dir.name, files, epoch=epoch,
                       extra={"source_organization": source_organization})  # fmt: skip

    batch.run(address, package_task, tasks(), lambda result: Store(out or str(Path(result.label).parent)))
    return batch.worst


def _close(client: Any) -> None:
    # Closing a client whose scheduler is gone may fail; nothing is lost by it.
    with contextlib.suppress(Exception):
        client.close(timeout=5)
