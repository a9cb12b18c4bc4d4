"""The `archivekit` command's entry point: the command line in this process, or, with
ARCHIVEKIT_SERVER=on, in a resident build server that has the libraries imported and the fonts
read already (archivekit.resident.server; docs/server.md).

A one-shot `archivekit build` spends most of its time importing libraries and reading fonts, not
building. A server kept per installation and environment answers each command from a fork of
itself, so every command still starts from the same state and a failure ends only its own fork.
This module runs before every command, so it imports next to nothing.
"""

from __future__ import annotations

import os
import sys

SWITCH = "ARCHIVEKIT_SERVER"  # "on": commands below go to the server (started on first use)
SERVED = frozenset({"build", "package", "validate", "verify", "check"})
# cli.GLOBAL_FLAGS, which this module cannot import (it is the CLI's way in, and imports nothing heavy).
GLOBAL_FLAGS = ("-q", "--quiet", "-v", "--verbose")


def command_of(argv: list[str]) -> str | None:
    """The subcommand of a command line: its first word that is not a global flag."""
    return next((arg for arg in argv if arg not in GLOBAL_FLAGS), None)


def server_wanted(argv: list[str], environ: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    """Whether this command goes to the resident server: switched on, and a command it serves
    (watch and preview are resident already; new and import start an edition, once)."""
    if environ.get(SWITCH, "").strip().lower() not in ("on", "1", "yes", "true"):
        return False
    return command_of(argv) in SERVED


def main() -> int:
    """Run the command given on the command line; return its exit code."""
    argv = sys.argv[1:]
    if server_wanted(argv):
        from archivekit.resident import client

        code = client.run(argv)
        if code is not None:
            return code
    from archivekit.cli import main as run_here

    return run_here(argv)
