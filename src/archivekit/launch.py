"""The `archivekit` command's entry point: the command line in a resident build server that has
the libraries imported and the fonts read already (archivekit.resident.server; docs/server.md),
or in this process (ARCHIVEKIT_SERVER=off, under CI, or no server yet).

A one-shot `archivekit build` spends most of its time importing libraries and reading fonts, not
building. A server kept per installation and environment answers each command from a fork of
itself, so every command still starts from the same state and a failure ends only its own fork.
This module runs before every command, so it imports next to nothing.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import NoReturn

from archivekit.switches import GLOBAL_FLAGS, SERVER_SWITCH

ON = frozenset({"on", "1", "yes", "true"})
OFF = frozenset({"off", "0", "no", "false"})
SERVED = frozenset({"build", "package", "validate", "verify", "check"})
EXIT_UNFLUSHED = 120  # the interpreter's own status when it cannot flush the standard streams


def command_of(argv: list[str]) -> str | None:
    """The subcommand of a command line: its first word that is not a global flag."""
    return next((arg for arg in argv if arg not in GLOBAL_FLAGS), None)


def server_wanted(argv: list[str], environ: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    """Whether this command goes to the resident server: a command it serves (watch and preview are
    resident already; new and import start an edition, once), and the server on, which it is
    unless switched off or, when not switched on, the command runs under CI (a CI job's processes
    should end with it, as Nx and Turborepo decide for their daemons)."""
    setting = environ.get(SERVER_SWITCH, "").strip().lower()
    if setting in OFF or (setting not in ON and under_ci(environ)):
        return False
    if "-h" in argv or "--help" in argv:
        return False  # a page of help is quick here, and no reason to start a server
    return command_of(argv) in SERVED


def under_ci(environ: dict[str, str] | os._Environ[str]) -> bool:
    """Whether a CI service runs this command: they set CI (GitHub, GitLab, Travis, CircleCI, ...)."""
    return environ.get("CI", "").strip().lower() not in ("", *OFF)


def run() -> NoReturn:
    """The program: main(), then the end of the process without the interpreter's teardown."""
    end(main())


def end(code: int) -> NoReturn:
    """End this process with this exit code, as the interpreter would, but without freeing every
    object and module one by one: that teardown took 0.1 s after a short build and 0.3 s after
    a 300-page one, time the user waits for nothing. What teardown does that matters is done
    first: the exit handlers run (logging's flush, temporary folders' removal) and the standard
    streams are flushed. With another thread still running, the interpreter's own end waits for
    it, as it should."""
    if threading.active_count() > 1:
        sys.exit(code)
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:
        code = code or EXIT_UNFLUSHED  # the output did not all reach its reader (a closed pipe)
    os._exit(code)


def main() -> int:
    """Run the command given on the command line; return its exit code."""
    argv = sys.argv[1:]
    missing = None
    if server_wanted(argv):
        from archivekit.resident import client

        answer = client.run(argv)
        if isinstance(answer, int):
            return answer
        missing = answer
    from archivekit.cli import main as run_here

    code = run_here(argv)
    if missing is not None and code in (0, 1):
        # Started after this command, which so had the cores to itself (the server's warm-up is a
        # build of its own), and only after one that ran: not after a usage error or a Ctrl-C.
        missing.start(quiet=any(a in ("-q", "--quiet") for a in argv))
    return code
