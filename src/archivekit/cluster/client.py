"""The client side: connect to a Dask scheduler, hand it one task per edition, take results as they come.

Dask schedules, balances and reruns the work of a lost worker; this module only keeps a bounded
number of editions in flight (so a collection of 100,000 does not sit in the scheduler's memory
at once), writes each result as it arrives, and turns a lost scheduler into one clear error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import CancelledError
from typing import Any

from archivekit.cluster.tasks import Result, Task
from archivekit.errors import ArchivekitError, MachineFault, UsageError

log = logging.getLogger("archivekit")

ENV = "ARCHIVEKIT_SCHEDULER"


class SchedulerUnreachable(UsageError):
    """No Dask scheduler answers at the address given (exit 2: fix the address or start it)."""


class SchedulerLost(MachineFault):
    """The scheduler went away during a batch (exit 1: run again; finished editions are kept)."""

    exit_code = 1


def connect(address: str) -> Any:
    """A dask.distributed Client for `address`, or SchedulerUnreachable naming it."""
    # Imported here: dask.distributed is a dependency, but slow to import for builds that do not use it.
    from distributed import Client

    try:
        return Client(address, set_as_default=False)  # timeout: distributed.comm.timeouts.connect
    except (OSError, TimeoutError, ValueError) as exc:
        raise SchedulerUnreachable(
            f"no Dask scheduler answers at {address} ({type(exc).__name__}: {exc})",
            hint=f"start one (`dask scheduler`, then `dask worker {address}` on each host) or correct "
            f"--scheduler / ${ENV}; without it, build locally with --jobs",
        ) from exc


def _window(client: Any) -> int:
    """Editions in flight: two per worker thread keeps every worker busy while results travel."""
    try:
        threads = sum(client.nthreads().values())
    except Exception:  # an answer is only an optimisation here
        threads = 2
    return max(4, 2 * threads)


def run_batch(
    client: Any, func: Callable[[Task], Result], tasks: Iterable[Task], *, address: str
) -> Iterator[Result]:
    """Yield one Result per task as workers finish them; a bug on a worker is a failed Result too."""
    from distributed import as_completed

    pending = iter(tasks)
    queue = as_completed(loop=client.loop)
    labels: dict[str, str] = {}
    serial = 0

    def submit() -> None:
        nonlocal serial
        task = next(pending, None)
        if task is None:
            return
        serial += 1
        future = client.submit(func, task, key=f"archivekit-{func.__name__}-{serial}-{task.name}", pure=False)
        labels[future.key] = task.label
        queue.add(future)

    for _ in range(_window(client)):
        submit()
    for future in queue:
        label = labels.pop(future.key)
        try:
            result = future.result()
        except CancelledError as exc:
            # We never cancel: a cancelled future means the client lost its scheduler.
            raise SchedulerLost(
                f"lost the Dask scheduler at {address} while {label} was in flight",
                hint="editions already written are kept; start the scheduler again and rerun the same "
                "command (unchanged editions are not rebuilt)",
            ) from exc
        except Exception as exc:  # KilledWorker, or our bug on a worker: this edition fails alone
            result = Result(label, error=f"{label}: {type(exc).__name__}: {exc}", exit_code=1)
        finally:
            future.release()
        yield result
        submit()


def scheduler_error(exc: BaseException, address: str) -> ArchivekitError:
    """A communication failure with the scheduler, as the SchedulerLost a user sees."""
    return SchedulerLost(
        f"lost the Dask scheduler at {address} ({type(exc).__name__}: {exc})",
        hint="editions already written are kept; start the scheduler again and rerun the same command",
    )
