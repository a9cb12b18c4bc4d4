"""Ctrl-C and SIGTERM: end every child process, then unwind so every `finally` removes what it staged.

Python delivers a signal to the main thread only, while the work may sit in a thread waiting for a
judge (a JVM, a browser), in pandoc, or in process-pool workers (`--jobs`, font
preparation). Unwinding alone would wait for them: a pool's shutdown waits for its workers, a
thread waits for its child. So the handler first asks every descendant process to stop (SIGTERM,
found through /proc, whatever started it and whichever session it runs in), arms a timer that
kills the survivors (SIGKILL) after GRACE_S, and only then raises where the program is.

A forked worker inherits the handler: inside a build (`cleanup_scope`) it unwinds too, so its own
staging folder goes; anywhere else (an idle pool worker, a font being prepared) it lets its task
end and leaves when the pool shuts down (a raise there would print multiprocessing's traceback,
an exit would break the pool). Whatever still runs after GRACE_S is killed.

The handler runs wherever the main thread is, a weakref callback or a `__del__` included, where
Python prints the raised stop and drops it: there the signal is delivered again, a moment later.
"""

from __future__ import annotations

import _thread
import contextlib
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

GRACE_S = 5.0  # how long children get to end on SIGTERM before they are killed
POLL_S = 0.1
PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h
EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}


class Terminated(BaseException):
    """SIGTERM, raised where the program is, so every `finally` (staging folders, children) runs."""


_installed_by: int | None = None  # the pid that installed the handlers: it always unwinds
_scopes: dict[int, int] = {}  # pid -> open cleanup scopes (a forked child inherits its parent's)
_stopping = False
_received: int | None = None  # the signal that started the stop
_told: list[tuple[int, str]] = []  # (pid, start time) of every descendant asked to stop


def _start_time(pid: int) -> str | None:
    """The process's start time (clock ticks since boot), or None when it is gone or a zombie."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return None if fields[0] in ("Z", "X") else fields[19]


def descendants(root: int | None = None) -> list[tuple[int, str]]:
    """Every live process below `root` (default: this one), as (pid, start time); [] without /proc."""
    parents: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parents.setdefault(int(fields[1]), []).append(int(entry))
    found: list[tuple[int, str]] = []
    todo = [os.getpid() if root is None else root]
    while todo:
        for child in parents.get(todo.pop(), []):
            start = _start_time(child)
            if start is not None:
                found.append((child, start))
                todo.append(child)
    return found


def _send(processes: list[tuple[int, str]], sig: int) -> None:
    for pid, start in processes:
        if _start_time(pid) == start:  # never a pid the system has since given to another program
            with contextlib.suppress(OSError):
                os.kill(pid, sig)


def stop_children() -> None:
    """Ask every descendant to stop now, and any started while unwinding (a judge's retry, the
    next queued task); kill those still running after GRACE_S."""
    _adopt_orphans()
    _told.extend(found := descendants())
    _send(found, signal.SIGTERM)
    threading.Thread(target=_watch, name="stop-children", daemon=True).start()


def _adopt_orphans() -> None:
    """Become the Linux "child subreaper": a grandchild whose parent dies while unwinding (a
    browser's helpers when the judge ends) stays our descendant, so it is found and ended too."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def _watch() -> None:
    deadline = time.monotonic() + GRACE_S
    while time.monotonic() < deadline:
        time.sleep(POLL_S)
        new = [p for p in descendants() if p not in _told]
        _told.extend(new)
        _send(new, signal.SIGTERM)
    kill_children()


def kill_children(settle: float = 0.0) -> None:
    """Kill (SIGKILL) every descendant told to stop that still runs, and any new one, after giving
    them `settle` seconds to end by themselves."""
    deadline = time.monotonic() + settle
    while time.monotonic() < deadline and any(_start_time(pid) == start for pid, start in _told):
        time.sleep(POLL_S)
    _send([*_told, *descendants()], signal.SIGKILL)


def received() -> int | None:
    """The signal this process is stopping for (SIGINT, SIGTERM), or None."""
    return _received


def _on_signal(signum: int, frame: object) -> None:
    global _stopping, _received, _dropped
    if not _stopping:
        _stopping, _received = True, signum
        stop_children()
        # Threads that were waiting on children now fail because of it; that is the stop, not a bug.
        threading.excepthook = _quiet
    elif not _dropped:
        return  # a second Ctrl-C must not interrupt the clean-up of the first
    elif _in_hook:
        _deliver_again()  # still where it would be dropped
        return
    else:
        signum, _dropped = _received or signum, False
    if os.getpid() != _installed_by and not _scopes.get(os.getpid()):
        # A forked pool worker outside a build (preparing a font, or idle): it ends its task and
        # leaves when the pool shuts down. Ending it now would break the pool, and Python 3.11's
        # pool then fails in a thread over the futures the main process has just cancelled.
        return
    if _holding.get(os.getpid()):
        return  # raised when the held work ends (see held_during)
    _raise_for(signum)


def _raise_for(signum: int) -> None:
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Terminated


_dropped = False  # the stop was raised where Python drops exceptions: raise it once more
_in_hook = False  # _on_unraisable is running: a raise here would be dropped again


def _on_unraisable(args: sys.UnraisableHookArgs) -> None:
    """A stop raised in a weakref callback or a __del__ (the handler runs wherever the main thread
    is): Python would print its traceback and drop it, and the build would go on. Have the signal
    delivered again, so the handler raises it at an ordinary line."""
    global _dropped, _in_hook
    if _received is None or not isinstance(args.exc_value, KeyboardInterrupt | Terminated):
        sys.__unraisablehook__(args)
        return
    _in_hook = True
    try:
        _dropped = True
        _deliver_again()
    finally:
        _in_hook = False


def _deliver_again() -> None:
    """Send the stop's signal to the main thread a moment from now, from a thread of its own: sent
    here, its handler would run (and raise) before the finalizer or this hook had returned."""
    main, signum = threading.main_thread().ident, _received
    if main is None or signum is None:
        return

    def later() -> None:
        time.sleep(POLL_S / 10)
        with contextlib.suppress(OSError):
            signal.pthread_kill(main, signum)

    # Not threading.Thread: its start() waits for the thread, and the signal could land in the wait.
    _thread.start_new_thread(later, ())


_holding: dict[int, int] = {}  # pid -> how many held_during blocks it is in


@contextlib.contextmanager
def held_during() -> Iterator[None]:
    """Hold a stop's raise until this block ends. For os.fork: a signal handler may run in its
    at-fork callbacks, where Python prints and drops any exception, so the stop would be lost
    and the build go on. In a child forked inside the block, the block's end raises nothing."""
    with _counted(_holding) as pid:
        yield
    if os.getpid() == pid and not _holding[pid] and _stopping and _received is not None:
        _raise_for(_received)


@contextlib.contextmanager
def _counted(blocks: dict[int, int]) -> Iterator[int]:
    """This process's count of open blocks of one kind, one more while this runs; yields the pid."""
    pid = os.getpid()
    blocks[pid] = blocks.get(pid, 0) + 1
    try:
        yield pid
    finally:
        blocks[pid] -= 1


def _quiet(args: threading.ExceptHookArgs) -> None:
    logging.getLogger("archivekit").debug("while stopping, thread %s: %r", args.thread, args.exc_value)


def install() -> None:
    """Handle SIGINT and SIGTERM as above (main thread only; elsewhere Python refuses handlers)."""
    global _installed_by
    if threading.current_thread() is not threading.main_thread():
        return
    _installed_by = os.getpid()
    _handle_here()


def _handle_here() -> None:
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    sys.unraisablehook = _on_unraisable


def install_in_worker() -> None:
    """Handle SIGINT and SIGTERM in a worker that was not forked from the installing process (a
    writer pool's) as a forked child does: inside a build it unwinds; idle, it lets its pool end it."""
    if threading.current_thread() is threading.main_thread():
        _handle_here()


@contextlib.contextmanager
def cleanup_scope() -> Iterator[None]:
    """Mark work that stages files: a signal unwinds through it instead of ending the process at once."""
    with _counted(_scopes):
        yield
