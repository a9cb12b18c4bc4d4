"""The judges in the background: `archivekit validate` on a copy of each new build, one at a time.

A copy, because the next rebuild may swap the folder while the judges (20 s for every format)
still read it; a child process, so Ctrl-C ends its JVMs and browsers with it and the builds keep
this process's cores. Builds that arrive while the judges work are not queued one by one: the
newest is judged next. The verdict goes into the live build (validation/, manifest, index.html)
only when no newer build replaced it meanwhile.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from archivekit.switches import SERVER_SWITCH
from archivekit.toolpaths import ENV_FOLDER

if TYPE_CHECKING:
    from archivekit.live.watch import Edition, Watcher


class Judges:
    """One background thread judging the newest build of each edition."""

    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher
        self.wanted: dict[int, tuple[Edition, int]] = {}  # id(edition) -> (edition, generation)
        self.cond = threading.Condition()
        self.closed = False
        self.child: subprocess.Popen[str] | None = None
        self.thread = threading.Thread(target=self._loop, name="judges", daemon=True)
        self.thread.start()

    def submit(self, edition: Edition, generation: int) -> None:
        """Judge this build when the judges are free (a newer one replaces it in the queue)."""
        with self.cond:
            self.wanted[id(edition)] = (edition, generation)
            self.cond.notify()

    def _loop(self) -> None:
        while True:
            with self.cond:
                while not self.wanted and not self.closed:
                    self.cond.wait()
                if self.closed:
                    return
                _, (edition, generation) = self.wanted.popitem()
            try:
                self._judge(edition, generation)
            except Exception as exc:  # a crash here must not end the watcher; it is reported
                if not self.closed:
                    self.watcher.verdict(edition, generation, f"{edition.name}: judges failed: {exc}")

    def _judge(self, edition: Edition, generation: int) -> None:
        started = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="archivekit-judges-") as tmp:
            copy = Path(tmp) / edition.name
            with self.watcher.lock:
                if edition.generation != generation or edition.folder is None:
                    return  # already replaced: the newer build is (or will be) in the queue
                live = edition.folder
                shutil.copytree(live, copy, symlinks=True)
            with self.cond:
                if self.closed:
                    return
                # In its own process, not a resident server's (watch is resident itself, and a
                # server started here would outlive it), its temporary files (browser profiles) in
                # the folder removed after it, even if it is stopped.
                spool = Path(tmp) / "tmp"
                spool.mkdir()
                env = {**os.environ, SERVER_SWITCH: "off", "TMPDIR": str(spool)}
                if self.watcher.validators is not None:
                    env[ENV_FOLDER] = str(self.watcher.validators)  # where `validate` finds them
                self.child = subprocess.Popen(
                    [sys.executable, "-m", "archivekit", "-q", "validate", str(copy)],
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            _, stderr = self.child.communicate()
            code = self.child.returncode
            self.child = None
            if self.closed:
                return
            report = copy / "validation" / "report.json"
            elapsed = time.perf_counter() - started
            text = _verdict_line(edition.name, generation, code, report, stderr, elapsed)
            with self.watcher.lock:
                current = edition.generation == generation and edition.folder == live
                if current and report.is_file():
                    _record(copy, live)
            if not current:
                text += " (since rebuilt: the newer build is judged next)"
            self.watcher.verdict(edition, generation, text)

    def close(self) -> None:
        """Stop judging; end a running `validate` and its validators."""
        with self.cond:
            self.closed = True
            self.cond.notify_all()
            child = self.child
        if child is not None and child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=5)
            except subprocess.TimeoutExpired:
                child.kill()
        self.thread.join(timeout=5)


def _verdict_line(name: str, generation: int, code: int, report: Path, stderr: str, elapsed: float) -> str:
    clock = time.strftime("%H:%M:%S")
    if not report.is_file():
        tail = " | ".join(stderr.strip().splitlines()[-3:]) or f"exit {code}"
        return f"{clock} {name}: judges on #{generation} could not run: {tail}"
    summary = json.loads(report.read_text(encoding="utf-8"))["summary"]
    errors, warnings, not_run = summary["errors"], summary["warnings"], summary["not_run"]
    verdict = "pass" if errors == 0 else "FAIL"
    detail = f"{errors} error(s), {warnings} warning(s)"
    if not_run:
        detail += f"; not run (not passed): {', '.join(not_run)}"
    return f"{clock} {name}: judges on #{generation}: {verdict} ({detail}) in {elapsed:.1f} s"


def _record(copy: Path, live: Path) -> None:
    """Put the judged copy's reports into the live build, as `archivekit validate` would have."""
    from archivekit.pipeline import write_edition_index
    from archivekit.validate.runner import record_in_manifest

    target = live / "validation"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(copy / "validation", target)
    record_in_manifest(live)
    write_edition_index(live)
