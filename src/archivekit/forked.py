"""Run one function in a forked copy of this process and get its result back (writers side by side).

A build's writers that read nothing from each other run at once, each in a child forked after the
imports, the document and the fonts are in memory, so a child starts working at once (a fork of
the whole process takes milliseconds; a new interpreter would import for 0.2 s). The child
writes its files into the build's staging folder and sends back, pickled through a pipe, what
the parent needs: its artifacts and products, or the error it raised (a located
ArchivekitError stays one; any other exception carries the child's traceback as a note).

Signals: the child runs inside `interrupts.cleanup_scope`, so Ctrl-C or SIGTERM (the terminal's,
or the parent's `stop_children`) unwinds it through its `finally`s; the parent waits for every
child before its own staging folder goes (`Child.stop`).
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import sys
import traceback
from collections.abc import Callable
from typing import Any

from archivekit import interrupts
from archivekit.errors import BuildError

Outcome = tuple[str, Any]  # ("ok", value) | ("error", exception)


class Child:
    """A forked process computing one value."""

    def __init__(self, name: str, work: Callable[[], Any]) -> None:
        self.name = name
        read, write = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        # Objects made so far stay out of the child's garbage collection: it would touch, and so
        # copy, every page of the parent's heap.
        gc.freeze()
        with interrupts.held_during():  # a Ctrl-C in fork's callbacks would otherwise be dropped
            pid = os.fork()
        if pid == 0:  # the child: never returns into the parent's stack
            os.close(read)
            _serve(work, write)
        gc.unfreeze()
        os.close(write)
        self.pid, self.fd = pid, read
        self._data: list[bytes] = []
        self.outcome: Outcome | None = None

    def read_some(self) -> bool:
        """Read what the pipe holds; True when the child has closed it (its result is complete)."""
        chunk = os.read(self.fd, 1 << 20)
        if chunk:
            self._data.append(chunk)
            return False
        os.close(self.fd)
        self.fd = -1
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        data = b"".join(self._data)
        if data:
            self.outcome = pickle.loads(data)
        else:
            how = f"signal {-os.waitstatus_to_exitcode(status)}" if os.WIFSIGNALED(status) else "no result"
            self.outcome = (
                "error",
                BuildError(f"the {self.name} writer's process ended without a result ({how})"),
            )
        return True

    def result(self) -> Any:
        """The child's value once it has ended, or its exception raised here."""
        while self.outcome is None:
            self.read_some()
        kind, value = self.outcome
        if kind == "error":
            raise value
        return value

    def stop(self) -> None:
        """Ask a running child to stop (it unwinds as on SIGTERM) and wait until it has."""
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGTERM)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self.pid = 0
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def _serve(work: Callable[[], Any], fd: int) -> None:
    """In the child: compute, send the outcome, leave without running the parent's clean-ups."""
    code = 0
    try:
        with interrupts.cleanup_scope():
            outcome: Outcome = ("ok", work())
    except BaseException as exc:
        if not isinstance(exc, Exception) or hasattr(exc, "exit_code"):
            pass  # interrupts and located errors: their message is the point, not our stack
        else:
            exc.add_note("in a forked writer process:\n" + traceback.format_exc().rstrip())
        outcome = ("error", exc)
        code = 1
    try:
        data = pickle.dumps(outcome)
    except Exception as exc:
        data = pickle.dumps(
            ("error", BuildError(f"a forked writer's outcome could not be sent back: {exc!r}"))
        )
        code = 1
    try:
        with os.fdopen(fd, "wb") as pipe:
            pipe.write(data)
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)
