"""The resident build server (docs/server.md; the client is archivekit.resident.client).

Started in the background by the first command of an installation and environment that finds
none, it imports every writer and, when that first command was a build, builds its first edition
once into a scratch folder (its fonts, pandoc's reading, liblouis's tables are then in memory),
and only then opens its socket. Each command it gets runs in a fork of that warm process: the fork
takes the caller's stdin, stdout and stderr (passed over the socket), folder and environment, and
runs the command line exactly as the `archivekit` command would, so its output, files and exit
code are the same; a fork's failure or its Ctrl-C ends that fork only, and nothing a command does
changes the next one's start. The server passes each fork's exit status to its caller and leaves
after ARCHIVEKIT_SERVER_IDLE seconds (default 600) without a command, when its code or liblouis
is replaced, or on `archivekit server stop`.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import importlib
import io
import json
import os
import selectors
import signal
import socket
import struct
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from archivekit.resident.client import HEADER, installation, stop_least_used
from archivekit.toolpaths import loaded_library_marks

PR_SET_PDEATHSIG = 1  # linux/prctl.h
IDLE_ENV = "ARCHIVEKIT_SERVER_IDLE"
IDLE_S = 600.0
# How often a server looks whether the code it runs is still the installed code: once it is not (an
# upgrade, an edit of an editable install), no command will find it, and it leaves instead of idling.
STALE_CHECK_S = 5.0
# At most this many servers per user (one per installation and environment): a script that gives
# each command another environment would otherwise leave a server, and its memory, for each.
MAX_SERVERS = 4
# What the other served commands import when they run (the writers are loaded by name).
WARM_MODULES = ("archivekit.package.bag", "archivekit.package.verify", "archivekit.validate.runner")
_server_only: list[int] = []  # descriptors a command's fork closes: the lock, the wake-up pipe, the selector


def main(args: list[str]) -> int:
    """`python -m archivekit.resident.server SOCKET ARGV...`: serve until idle or stopped."""
    path, first = Path(args[0]), args[1:]
    lock = open(path.with_suffix(".lock"), "a")  # noqa: SIM115 (held for the server's life)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return 0  # another server for this environment is starting or running
    _server_only.append(lock.fileno())
    _warm(first)
    # What the warm-up made stays out of the forks' garbage collection, which would otherwise touch,
    # and so copy, every page of it in every command (the server itself makes little more).
    gc.collect()
    gc.freeze()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()  # a server that died left it
    listener.bind(str(path))
    os.chmod(path, 0o600)
    listener.listen(16)
    stop_least_used(str(path.parent), keep=MAX_SERVERS - 1, besides=str(path))
    try:
        _serve(listener, path)
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
        listener.close()
    return 0


def _warm(argv: list[str]) -> None:
    """Import every writer and, for a build, build its first edition once into a scratch folder: what
    a build reads once per process is then read, and every fork starts with it."""
    from archivekit import cli, writers

    for name in writers.names():
        writers.load(name)
    for module in WARM_MODULES:
        importlib.import_module(module)
    one = _first_edition_only(argv)
    if one is not None:
        with (
            tempfile.TemporaryDirectory(prefix="archivekit-server-") as scratch,
            contextlib.suppress(Exception, SystemExit),
        ):
            cli.main([*one, "--out", scratch, "--force"])
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)  # cli.main's handlers are for a command, not the server


def _first_edition_only(argv: list[str]) -> list[str] | None:
    """A build command line for the first of its editions only: what a build reads once per process
    is read by building one, and a batch (`archivekit build` builds every edition under sources/)
    would be built all over again. None for another command, a build sent to a cluster (its work is
    done elsewhere, and the warm-up would send it again), or when the line cannot be written so that
    it parses as the same build of one edition."""
    from archivekit import cli
    from archivekit.pipeline import find_editions

    def parsed(line: list[str]) -> dict[str, Any] | None:
        try:
            return vars(cli.parser().parse_args(cli.globals_first(line)))
        except (Exception, SystemExit):
            return None

    given = parsed(argv)
    if given is None or given.get("command") != "build" or given.get("scheduler"):
        return None
    editions = given["editions"] or [str(p) for p in find_editions(Path("sources"))]
    if not editions:
        return None
    named = set(given["editions"])
    one = [*(arg for arg in argv if arg not in named), editions[0]]
    return one if parsed(one) == {**given, "editions": editions[:1]} else None


def _idle_seconds() -> float:
    try:
        return float(os.environ.get(IDLE_ENV, IDLE_S))
    except ValueError:
        return IDLE_S


def _serve(listener: socket.socket, path: Path) -> None:
    """Accept commands, fork one child each, and tell each caller its child's pid and exit status.
    Asked to stop (SIGTERM, `archivekit server stop`), idle too long or its code replaced, it takes no
    new command and leaves once every running one has ended and its caller has its exit status."""
    wake, signalled = os.pipe()
    os.set_blocking(signalled, False)
    # Signals arrive as bytes on the wake-up pipe, which the selector watches with the socket:
    # SIGCHLD (a command ended) and SIGTERM (stop).
    signal.set_wakeup_fd(signalled)
    for sig in (signal.SIGCHLD, signal.SIGTERM):
        signal.signal(sig, lambda signum, frame: None)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    chosen = selectors.DefaultSelector()
    _server_only.extend([wake, signalled, chosen.fileno()])
    chosen.register(listener, selectors.EVENT_READ, "accept")
    chosen.register(wake, selectors.EVENT_READ, "signal")
    running: dict[int, socket.socket] = {}  # pid -> its caller
    accepting, idle_since = True, time.monotonic()
    code, checked = _code(), time.monotonic()
    while accepting or running:
        wait = _idle_seconds() - (time.monotonic() - idle_since) if accepting and not running else None
        stop = wait is not None and wait <= 0
        if accepting and time.monotonic() - checked >= STALE_CHECK_S:
            stop = stop or _code() != code
            checked = time.monotonic()
        if accepting:
            wait = min(STALE_CHECK_S, wait) if wait is not None else STALE_CHECK_S
        for key, _ in [] if stop else chosen.select(wait):
            if key.data == "accept":
                stop = _accept(listener, chosen, running) or stop
                with contextlib.suppress(OSError):
                    os.utime(path)  # last used now: the servers least used are the first to go
            elif isinstance(key.data, int):
                # The caller sends nothing after its request: readable means it has gone (killed,
                # say), and its command is stopped as a signal would stop it. (A command already
                # reaped is not in `running`, and its pid may be another process's by now.)
                with contextlib.suppress(KeyError, ValueError):
                    chosen.unregister(key.fileobj)
                if key.data in running:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(key.data, signal.SIGTERM)
            else:
                stop = signal.SIGTERM in os.read(wake, 64) or stop
                if _report_exits(running, chosen):
                    idle_since = time.monotonic()
        if stop and accepting:
            accepting = False
            chosen.unregister(listener)
            with contextlib.suppress(OSError):
                path.unlink()  # the next command starts a new server (or runs in its own process)


def _code() -> list[str]:
    """The code this server runs: the installation its name hashes, and the libraries it keeps
    loaded (liblouis: an upgrade needs a new server, though commands still find this one for up to
    STALE_CHECK_S)."""
    return installation() + loaded_library_marks()


def _report_exits(running: dict[int, socket.socket], chosen: selectors.BaseSelector) -> bool:
    """Every child that has ended: its exit status to its caller. Whether any had."""
    ended = False
    while running:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            break
        caller = running.pop(pid, None)
        if caller is None:
            continue  # not a command's (none should be left from the warm-up)
        with contextlib.suppress(KeyError, ValueError):
            chosen.unregister(caller)  # not registered any more when the caller had gone
        with contextlib.suppress(OSError):
            caller.sendall(f"exit {os.waitstatus_to_exitcode(status)}\n".encode())
        caller.close()
        ended = True
    return ended


def _accept(
    listener: socket.socket, chosen: selectors.BaseSelector, running: dict[int, socket.socket]
) -> bool:
    """Take one caller's command and fork its child; True when the caller asks the server to stop."""
    caller, _ = listener.accept()
    try:
        uid = struct.unpack("3i", caller.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))[1]
        if uid != os.getuid():
            raise ValueError("another user")
        request, fds = _receive(caller)
    except (OSError, ValueError):
        caller.close()
        return False
    if request.get("stop"):
        caller.close()
        return True
    pid = os.fork()
    if pid == 0:
        _child(listener, caller, request, fds)
    running[pid] = caller  # before its SIGCHLD is read: the loop reads signals after this returns
    for fd in fds:
        os.close(fd)
    with contextlib.suppress(OSError):
        caller.sendall(f"pid {pid}\n".encode())
    chosen.register(caller, selectors.EVENT_READ, pid)  # readable only when the caller has gone
    return False


def _receive(caller: socket.socket) -> tuple[dict[str, Any], list[int]]:
    """The request (a length, then JSON) and the descriptors sent with it."""
    caller.settimeout(10)
    data, fds, _, _ = socket.recv_fds(caller, 65536, 3)
    if len(data) < HEADER:
        raise ValueError("short request")
    size = int.from_bytes(data[:HEADER], "big")
    data = data[HEADER:]
    while len(data) < size:
        more = caller.recv(size - len(data))
        if not more:
            raise ValueError("request cut short")
        data += more
    caller.settimeout(None)
    request = json.loads(data)
    if not isinstance(request, dict) or ("stop" not in request and len(fds) != 3):
        raise ValueError("not a request")
    return request, fds


def _child(listener: socket.socket, caller: socket.socket, request: dict[str, Any], fds: list[int]) -> None:
    """Run the caller's command line as the caller would have, here; never returns."""
    code = 1
    try:
        _stop_with_the_server()
        signal.set_wakeup_fd(-1)  # a signal to this command must not wake the server
        for fd in _server_only:
            with contextlib.suppress(OSError):
                os.close(fd)
        listener.close()
        caller.close()
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD):
            signal.signal(sig, signal.SIG_DFL)
        for target, fd in zip((0, 1, 2), fds, strict=True):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        _reopen_standard_streams()
        sys.argv = ["archivekit", *request["argv"]]
        from archivekit.cli import main

        code = main(list(request["argv"]))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)


def _stop_with_the_server() -> None:
    """SIGTERM to this command when the server dies (Linux's parent-death signal): its caller then
    reports the failure, and the command must not go on writing behind it."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def _reopen_standard_streams() -> None:
    """Python's streams over the caller's descriptors, buffered as Python buffers them for a process
    started there (line by line to a terminal)."""
    for fd, name, mode in ((0, "stdin", "r"), (1, "stdout", "w"), (2, "stderr", "w")):
        old = getattr(sys, name)
        raw = io.FileIO(fd, mode, closefd=False)
        interactive = raw.isatty()
        buffered: Any = io.BufferedReader(raw) if mode == "r" else io.BufferedWriter(raw)
        stream = io.TextIOWrapper(
            buffered,
            encoding=old.encoding,
            errors=old.errors,
            line_buffering=interactive or name == "stderr",
        )
        setattr(sys, name, stream)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
