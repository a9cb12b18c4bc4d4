"""The client side of the resident build server: find the server for this installation and
environment, hand it the command with this process's stdin, stdout and stderr, pass on Ctrl-C and
SIGTERM, and return the command's exit code. Without a server, start one in the background for
the next command once this one has run here (NotRunning).

Which server: one per installation (the archivekit package's files and the Python libraries it
runs with, by their sizes and times) and environment (every variable but the shell's bookkeeping),
so a server never answers with code or settings other than the caller's. Its socket lives in a
folder only this user may enter ($XDG_RUNTIME_DIR, else the temporary folder).
"""

from __future__ import annotations

# Only modules Python has loaded at start, or cheap ones: this runs before every served command.
import fcntl
import hashlib
import json
import os
import signal
import socket
import sys

# Not part of a server's name: the shell's bookkeeping, which changes nothing, and the build clock,
# which each command reads afresh (nothing read once per process depends on it) and which a script
# may set per edition (its last commit): one server serves them all.
VOLATILE = frozenset({"PWD", "OLDPWD", "SHLVL", "_", "SOURCE_DATE_EPOCH"})
HEADER = 8  # bytes of the request's length, before the request


def runtime_dir() -> str | None:
    """This user's folder for server sockets, made private if new; None when it is not private."""
    base = os.environ.get("XDG_RUNTIME_DIR") or os.environ.get("TMPDIR") or "/tmp"
    folder = os.path.join(base, f"archivekit-{os.getuid()}")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        stat = os.stat(folder)
    except OSError:
        return None
    if stat.st_uid != os.getuid() or stat.st_mode & 0o077:
        return None  # another user could reach the socket: build here instead
    return folder


def installation() -> list[str]:
    """What identifies the code a server runs: Python, this package's files, the library folders."""
    marks = [sys.executable, sys.version]
    package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))  # archivekit/
    for root, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            stat = os.stat(os.path.join(root, name))
            marks.append(f"{root}/{name}:{stat.st_size}:{stat.st_mtime_ns}")
    for entry in sys.path:
        # A library installed, upgraded or removed changes its folder; other entries (the current
        # folder, for `python -m`) change with every file made there, and hold no library.
        if os.path.basename(entry) in ("site-packages", "dist-packages") and os.path.isdir(entry):
            marks.append(f"{entry}:{os.stat(entry).st_mtime_ns}")
    return marks


def server_key(environ: dict[str, str]) -> str:
    """The server's name for this installation and environment."""
    settings = sorted((k, v) for k, v in environ.items() if k not in VOLATILE)
    text = json.dumps([installation(), settings])
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def socket_path(folder: str, key: str) -> str:
    return os.path.join(folder, f"{key}.sock")


class NotRunning:
    """No server answered: the command runs in its own process, then starts one for the next."""

    def __init__(self, path: str, argv: list[str], environ: dict[str, str]) -> None:
        self.path, self.argv, self.environ = path, argv, environ  # the environment its name hashes

    def start(self, *, quiet: bool) -> None:
        if _start_server(self.path, self.argv, self.environ) and not quiet:
            idle = self.environ.get("ARCHIVEKIT_SERVER_IDLE", "600")
            print(
                "archivekit: a build server starts in the background, so the next commands start faster (it "
                f"leaves after {idle} s without one; `archivekit server stop`; ARCHIVEKIT_SERVER=off: none)",
                file=sys.stderr,
            )


def run(argv: list[str]) -> int | NotRunning | None:
    """The command's exit code, run by the server; NotRunning when no server answered (start one
    after running the command here); None when no server may be used here (a runtime folder others
    may enter, a current folder gone): the command runs here and starts none."""
    folder = runtime_dir()
    if folder is None:
        return None
    try:
        cwd = os.getcwd()
    except OSError:
        return None  # a folder deleted under the shell: let the command say so, here
    environ = dict(os.environ)
    path = socket_path(folder, server_key(environ))
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(path)
    except OSError:
        connection.close()
        return NotRunning(path, argv, environ)
    with connection:
        request = json.dumps({"argv": argv, "cwd": cwd, "env": environ}).encode()
        message = len(request).to_bytes(HEADER, "big") + request
        socket.send_fds(connection, [message[:65536]], [0, 1, 2])
        if len(message) > 65536:
            connection.sendall(message[65536:])
        return _await_exit(connection, verbose=any(a in ("-v", "--verbose") for a in argv))


def _await_exit(connection: socket.socket, *, verbose: bool) -> int:
    """Read the server's "pid N" and "exit N" lines, passing signals on to the command meanwhile."""
    child: list[int] = []
    pending: list[int] = []

    def pass_on(signum: int, frame: object) -> None:
        if child:
            os.kill(child[0], signum)
        else:
            pending.append(signum)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, pass_on)
    for line in connection.makefile("r", encoding="ascii"):
        word, _, value = line.strip().partition(" ")
        if word == "pid":
            child.append(int(value))
            if verbose:
                print(f"archivekit: run by the resident build server (process {value})", file=sys.stderr)
            for signum in pending:
                os.kill(child[0], signum)
        elif word == "exit":
            code = int(value)
            return 128 - code if code < 0 else code  # killed by signal N: 128 + N, as a shell says
    print("archivekit: error: the build server ended before the command did; run it again", file=sys.stderr)
    return 1


def _start_server(path: str, argv: list[str], environ: dict[str, str]) -> bool:
    """Start this environment's server in the background unless one is starting already (it holds
    the lock while it reads the libraries and fonts, before its socket appears); whether it did."""
    stem = path.removesuffix(".sock")
    lock = f"{stem}.lock"
    try:
        with open(lock, "a") as held:
            fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(held, fcntl.LOCK_UN)
    except OSError:
        return False  # starting, or a folder we cannot write: this command ran here either way
    import subprocess

    with open(f"{stem}.log", "ab") as log:
        subprocess.Popen(
            [sys.executable, "-m", "archivekit.resident.server", path, *argv],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            env=environ,
            start_new_session=True,  # not in the terminal's group: Ctrl-C there is this command's
        )
    return True


def stop_all() -> int:
    """Ask every server of this user to stop; the number asked."""
    folder = runtime_dir()
    if folder is None:
        return 0
    return sum(_ask_to_stop(path) for path in _sockets(folder))


def stop_least_used(folder: str, keep: int, besides: str) -> int:
    """Ask all but the `keep` servers used last (a server touches its socket on each command) to
    stop, the one at `besides` left out of the count; the number asked."""

    def last_used(path: str) -> float:
        try:
            return os.stat(path).st_mtime
        except OSError:
            return 0.0

    others = sorted((p for p in _sockets(folder) if p != besides), key=last_used, reverse=True)
    return sum(_ask_to_stop(path) for path in others[keep:])


def _sockets(folder: str) -> list[str]:
    return [os.path.join(folder, name) for name in sorted(os.listdir(folder)) if name.endswith(".sock")]


def _ask_to_stop(path: str) -> bool:
    """Ask the server at this socket to stop; whether one listened (a dead one's socket is removed)."""
    import contextlib  # here: not on a served command's way

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        try:
            connection.connect(path)
            request = json.dumps({"stop": True}).encode()
            connection.sendall(len(request).to_bytes(HEADER, "big") + request)
            return True
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(path)  # nobody listens: a server that died left it
            return False
