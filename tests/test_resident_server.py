"""The resident build server, with real processes: the `archivekit` command
starts it, later commands run in it, and what a user sees (files, output, exit codes, Ctrl-C) is
what the command run in its own process gives."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from archivekit import launch
from archivekit.resident import client
from archivekit.toolpaths import ENV_LOUIS, louis_module
from conftest import EDITION, EDITION_ID, EPOCH, ROOT

FORMATS = ("--format", "pdf", "--format", "html", "--epub-checks", "off")
LONG = ROOT / "sources" / "gutenberg-34901-mill-on-liberty"


def _archivekit(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "archivekit", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def _sockets(runtime: Path) -> list[Path]:
    return sorted(runtime.glob("archivekit-*/*.sock"))


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """An environment whose server is running: its first command started it."""
    runtime = Path(tempfile.mkdtemp(prefix="ak-", dir="/tmp"))  # short: a socket path has 108 bytes
    env = {
        **os.environ,
        "ARCHIVEKIT_SERVER": "on",
        "ARCHIVEKIT_SERVER_IDLE": "300",
        "XDG_RUNTIME_DIR": str(runtime),
        "ARCHIVEKIT_CACHE": str(tmp_path_factory.mktemp("cache")),
        "SOURCE_DATE_EPOCH": EPOCH,
    }
    out = tmp_path_factory.mktemp("first")
    first = _archivekit(env, "-q", "build", str(EDITION), "--out", str(out), *FORMATS)
    assert first.returncode == 0, first.stderr
    deadline = time.monotonic() + 120
    while not _sockets(runtime) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _sockets(runtime), f"no server started: {list(runtime.rglob('*.log'))}"
    try:
        yield env
    finally:
        stopped = _archivekit(env, "server", "stop")
        assert stopped.returncode == 0, stopped.stderr
        deadline = time.monotonic() + 30
        while _sockets(runtime) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _sockets(runtime), "the server did not stop"
        shutil.rmtree(runtime, ignore_errors=True)


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_served_build_is_the_build_made_in_its_own_process(served: dict[str, str], tmp_path: Path) -> None:
    there = _archivekit(served, "-v", "build", str(EDITION), "--out", str(tmp_path / "served"), *FORMATS)
    assert there.returncode == 0, there.stderr
    assert "run by the resident build server" in there.stderr
    assert "writing pdf" in there.stderr  # the command's own progress, on the caller's stderr
    assert there.stdout.strip().endswith(EDITION_ID)  # and its stdout
    here_env = {**served, "ARCHIVEKIT_SERVER": "off"}
    here = _archivekit(here_env, "-v", "build", str(EDITION), "--out", str(tmp_path / "here"), *FORMATS)
    assert here.returncode == 0, here.stderr
    assert "resident build server" not in here.stderr
    assert _files(tmp_path / "served") == _files(tmp_path / "here")
    # Another edition than the one the server warmed up with (its fonts, its languages).
    other = ROOT / "sources" / "mengzi-zh-hant"
    for where, env in (("served-other", served), ("here-other", here_env)):
        done = _archivekit(env, "-q", "build", str(other), "--out", str(tmp_path / where), *FORMATS)
        assert done.returncode == 0, done.stderr
    assert _files(tmp_path / "served-other") == _files(tmp_path / "here-other")
    # Another build clock, which names no server: the served build reads the caller's.
    for where, env in (("served-clock", served), ("here-clock", here_env)):
        clock = {**env, "SOURCE_DATE_EPOCH": "1600000000"}
        done = _archivekit(clock, "-v", "build", str(EDITION), "--out", str(tmp_path / where), *FORMATS)
        assert done.returncode == 0, done.stderr
        assert ("resident build server" in done.stderr) == (where == "served-clock")
    assert _files(tmp_path / "served-clock") == _files(tmp_path / "here-clock")
    assert _files(tmp_path / "served-clock") != _files(tmp_path / "served")


def test_a_served_command_fails_as_it_would_here(served: dict[str, str], tmp_path: Path) -> None:
    missing = _archivekit(served, "build", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"))
    assert missing.returncode == 2
    assert "nowhere" in missing.stderr and "fix:" in missing.stderr
    usage = _archivekit(served, "build", "--no-such-flag")
    assert usage.returncode == 2 and "unrecognized arguments" in usage.stderr
    checked = _archivekit(served, "check", str(EDITION))
    assert checked.returncode == 0 and "ok" in checked.stdout


def test_ctrl_c_stops_the_served_command_and_keeps_nothing(served: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "out"
    command = [sys.executable, "-m", "archivekit", "build", str(LONG), "--out", str(out), "--force", *FORMATS]
    running = subprocess.Popen(command, cwd=ROOT, env=served, stderr=subprocess.PIPE, text=True)
    assert running.stderr is not None
    seen = []
    for line in running.stderr:
        seen.append(line)
        if "writing" in line:
            break
    running.send_signal(signal.SIGINT)
    rest = running.stderr.read()
    assert running.wait(timeout=60) == 130, "".join(seen) + rest
    assert "interrupted" in rest
    assert [p.name for p in out.iterdir() if not p.name.startswith(".")] == []  # no half-written edition


def _start_long_build(env: dict[str, str], out: Path) -> subprocess.Popen[str]:
    """A served build of the long edition, returned once it has begun writing."""
    command = [sys.executable, "-m", "archivekit", "build", str(LONG), "--out", str(out), "--force", *FORMATS]
    running = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    assert running.stderr is not None
    for line in running.stderr:
        if "writing" in line:
            return running
    raise AssertionError(f"the build never began: exit {running.wait()}")


def _nothing_left(out: Path, seconds: float) -> list[str]:
    """What stays in out after the time a whole build would take: nothing, when its command stopped
    (not the edition, not a staging folder; the lock file may stay)."""
    time.sleep(seconds)
    return sorted(p.name for p in out.iterdir() if not p.name.endswith(".lock"))


def test_a_command_whose_caller_is_killed_stops(served: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "out"
    running = _start_long_build(served, out)
    running.kill()  # SIGKILL: the caller can pass nothing on; the server sees its socket close
    running.wait(timeout=30)
    assert _nothing_left(out, 15) == []
    checked = _archivekit(served, "-v", "check", str(EDITION))  # and the server still serves
    assert checked.returncode == 0 and "resident build server" in checked.stderr


def test_a_command_stops_with_its_server(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> None:
    runtime = Path(tempfile.mkdtemp(prefix="ak-", dir="/tmp"))
    env = {
        **os.environ,
        "ARCHIVEKIT_SERVER": "on",
        "XDG_RUNTIME_DIR": str(runtime),
        "SOURCE_DATE_EPOCH": EPOCH,
        "ARCHIVEKIT_CACHE": str(tmp_path_factory.mktemp("cache")),
    }
    try:
        first = _archivekit(env, "-q", "check", str(EDITION))  # starts this environment's server
        assert first.returncode == 0, first.stderr
        deadline = time.monotonic() + 120
        while not _sockets(runtime) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _sockets(runtime), "no server started"
        out = tmp_path / "out"
        running = _start_long_build(env, out)
        found = ["pgrep", "-f", f"archivekit.resident.server {_sockets(runtime)[0]}"]
        server = int(subprocess.run(found, capture_output=True, text=True, check=True).stdout.split()[0])
        os.kill(server, signal.SIGKILL)
        assert running.stderr is not None
        said = running.stderr.read()
        assert running.wait(timeout=60) == 1
        assert "build server ended before the command did" in said
        assert _nothing_left(out, 15) == []
    finally:
        shutil.rmtree(runtime, ignore_errors=True)


def test_no_server_where_another_user_could_reach_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    shared = tmp_path / f"archivekit-{os.getuid()}"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    assert client.runtime_dir() is None
    assert client.run(["check", str(EDITION)]) is None  # the command runs in its own process
    assert list(shared.iterdir()) == []  # and no server was started


def test_each_environment_has_its_own_server() -> None:
    base = {"PATH": "/usr/bin", "ARCHIVEKIT_CACHE": "/a"}
    assert client.server_key(base) == client.server_key({**base, "PWD": "/elsewhere", "SHLVL": "3"})
    assert client.server_key(base) == client.server_key({**base, "SOURCE_DATE_EPOCH": "1600000000"})
    assert client.server_key(base) != client.server_key({**base, "ARCHIVEKIT_CACHE": "/b"})


def test_the_server_is_on_by_default_but_not_under_ci() -> None:
    assert launch.server_wanted(["build", "x"], {})
    assert launch.server_wanted(["-q", "check", "x"], {"CI": "false"})
    assert not launch.server_wanted(["build", "x"], {"CI": "true"})  # a CI job's processes end with it
    assert launch.server_wanted(["build", "x"], {"CI": "true", "ARCHIVEKIT_SERVER": "on"})
    assert not launch.server_wanted(["build", "x"], {"ARCHIVEKIT_SERVER": "off"})
    assert not launch.server_wanted(["watch", "x"], {})  # resident already
    assert not launch.server_wanted(["build", "--help"], {})


def test_a_first_command_runs_here_and_then_starts_the_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    runtime = Path(tempfile.mkdtemp(prefix="ak-", dir="/tmp"))
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("ARCHIVEKIT_SERVER", "CI")},  # the default
        "XDG_RUNTIME_DIR": str(runtime),
        "SOURCE_DATE_EPOCH": EPOCH,
        "ARCHIVEKIT_CACHE": str(tmp_path_factory.mktemp("cache")),
    }
    try:
        # Neither under CI, nor after a command that did not run: no server, not even its log.
        assert _archivekit({**env, "CI": "true"}, "check", str(EDITION)).returncode == 0
        assert _archivekit(env, "build", "--no-such-flag").returncode == 2
        assert list(runtime.glob("archivekit-*/*.log")) == []
        first = _archivekit(env, "check", str(EDITION))
        assert first.returncode == 0 and "ok" in first.stdout
        assert "a build server starts in the background" in first.stderr  # the user is told
        deadline = time.monotonic() + 120
        while not _sockets(runtime) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _sockets(runtime), "no server started"
        served = _archivekit(env, "-v", "check", str(EDITION))
        assert served.returncode == 0 and "resident build server" in served.stderr
        assert "starts in the background" not in served.stderr
    finally:
        _archivekit(env, "server", "stop")
        shutil.rmtree(runtime, ignore_errors=True)


def test_the_warm_up_builds_one_edition_not_the_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    from archivekit.pipeline import find_editions
    from archivekit.resident.server import _first_edition_only

    monkeypatch.chdir(ROOT)
    batch = ["-q", "build", "a", "b", "--out", "x", "--format", "pdf", "build", "-v"]
    assert _first_edition_only(batch) is None  # "build" is a command and an edition: not rewritten
    batch = ["-q", "build", "a", "b", "--out", "x", "--format", "pdf", "-v"]
    assert _first_edition_only(batch) == ["-q", "build", "--out", "x", "--format", "pdf", "-v", "a"]
    every = _first_edition_only(["build", "--force"])  # every edition under sources/
    assert every == ["build", "--force", str(find_editions(Path("sources"))[0])]
    assert _first_edition_only(["check", "a"]) is None
    assert _first_edition_only(["build", "--no-such-flag"]) is None


def _server_leaves_after(change: Callable[[], None], env: dict[str, str]) -> None:
    """A server started in this environment leaves once `change` has been made."""
    runtime = Path(tempfile.mkdtemp(prefix="ak-", dir="/tmp"))
    env = {**env, "ARCHIVEKIT_SERVER": "on", "XDG_RUNTIME_DIR": str(runtime)}
    try:
        assert _archivekit(env, "-q", "check", str(EDITION)).returncode == 0
        deadline = time.monotonic() + 120
        while not _sockets(runtime) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _sockets(runtime), "no server started"
        change()
        deadline = time.monotonic() + 30
        while _sockets(runtime) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _sockets(runtime), "the server with the old code did not leave"
    finally:
        _archivekit(env, "server", "stop")
        shutil.rmtree(runtime, ignore_errors=True)


def test_a_server_whose_code_changed_leaves(tmp_path: Path) -> None:
    """An edited or upgraded installation gets a new server; the old one leaves, not idles."""
    code = tmp_path / "code"
    shutil.copytree(
        ROOT / "src" / "archivekit", code / "archivekit", ignore=shutil.ignore_patterns("__pycache__")
    )
    env = {**os.environ, "PYTHONPATH": str(code), "ARCHIVEKIT_CACHE": str(tmp_path / "cache")}
    # The code a command would run is not the server's.
    _server_leaves_after((code / "archivekit" / "errors.py").touch, env)


def test_a_server_whose_liblouis_changed_leaves(tmp_path: Path) -> None:
    """liblouis stays loaded in a server with its tables compiled: upgraded, the server leaves."""
    installed = louis_module()
    assert installed is not None, "liblouis's bindings are installed by make (tools/install-system.sh)"
    bindings = tmp_path / "louis" / "__init__.py"
    bindings.parent.mkdir()
    shutil.copyfile(installed, bindings)
    env = {**os.environ, ENV_LOUIS: str(bindings), "ARCHIVEKIT_CACHE": str(tmp_path / "cache")}
    _server_leaves_after(bindings.touch, env)


def test_a_user_has_at_most_four_servers_the_least_used_go(tmp_path: Path) -> None:
    runtime = Path(tempfile.mkdtemp(prefix="ak-", dir="/tmp"))
    base = {**os.environ, "ARCHIVEKIT_SERVER": "on", "XDG_RUNTIME_DIR": str(runtime)}
    envs = [
        {**base, "ARCHIVEKIT_CACHE": str(tmp_path / f"cache-{i}")} for i in range(5)
    ]  # five servers' names
    try:
        started: list[Path] = []
        for env in envs:
            assert _archivekit(env, "-q", "check", str(EDITION)).returncode == 0
            deadline = time.monotonic() + 120
            while (
                len(new := sorted(set(_sockets(runtime)) - set(started))) < 1 and time.monotonic() < deadline
            ):
                time.sleep(0.2)
            assert new, "no server started"
            started.append(new[0])
            time.sleep(0.05)  # each socket a later time: the order of last use
        deadline = time.monotonic() + 30
        while started[0].exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert set(_sockets(runtime)) == set(started[1:])  # the first, used least lately, has gone
    finally:
        _archivekit(base, "server", "stop")
        shutil.rmtree(runtime, ignore_errors=True)
