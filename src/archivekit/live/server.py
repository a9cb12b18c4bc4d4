"""`archivekit preview`'s web server: Starlette on uvicorn, bound to 127.0.0.1 only, in a thread.

Routes: `/` (the page; a list when several editions are watched), `/edition/<id>/`,
`/files/<id>/<path>` (regular files of that edition's last good build, nothing else: see
files.inside), `/events` (server-sent events: build, failed, verdict), `/live/preview.{js,css}`.
Requests naming another host are refused (a web page elsewhere cannot reach this server by a
DNS name pointed at 127.0.0.1).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import socket
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import asdict
from pathlib import Path

import uvicorn
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from archivekit.errors import UsageError
from archivekit.live import files, page
from archivekit.live.watch import Edition, Update, Watcher

HOST = "127.0.0.1"
STATIC = Path(__file__).with_name("static")
# The editions never run a script; the preview page runs only its own file. An edition's HTML
# carries its stylesheet in the page (a file that stands alone): without its styles the preview
# would show another page than the edition.
EDITION_POLICY = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'none'; object-src 'none'; "
    "frame-ancestors 'self'"
)
PAGE_POLICY = "default-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'"
NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


class Hub:
    """Passes the watcher's updates (from its thread) to every open event stream (in the server's loop)."""

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.queues: set[asyncio.Queue[Update | None]] = set()
        # An edition's source error stands until it builds again; a page that connects meanwhile
        # (it was reloading when the error came) must still be told.
        self.failures: dict[str, Update] = {}

    def publish(self, update: Update) -> None:
        """Called from any thread."""
        if update.kind == "failed":
            self.failures[update.edition] = update
        elif update.kind == "build":
            self.failures.pop(update.edition, None)
            self.failures.pop(update.was, None)  # an error under the old name is over too
        loop = self.loop
        if loop is None or loop.is_closed():
            return
        for queue in list(self.queues):
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody listens
                loop.call_soon_threadsafe(queue.put_nowait, update)

    def end(self) -> None:
        """End every stream, so the server can stop without waiting for the browsers."""
        loop = self.loop
        for queue in list(self.queues):
            if loop is not None and not loop.is_closed():
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(queue.put_nowait, None)


class Preview:
    """The server of one watcher's editions, started in a background thread."""

    def __init__(self, watcher: Watcher, *, port: int = 0) -> None:
        self.watcher = watcher
        self.hub = Hub()
        watcher.listeners.append(self.hub.publish)
        self.socket = _bind(port)
        self.port = self.socket.getsockname()[1]
        self.url = f"http://{HOST}:{self.port}/"
        config = uvicorn.Config(
            self.app(),
            log_config=None,
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=1,
            lifespan="off",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self._serve, name="preview-server", daemon=True)

    def _serve(self) -> None:
        self.server.run(sockets=[self.socket])

    def start(self) -> None:
        """Serve in the background; return once the server accepts connections."""
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and self.thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)

    def close(self) -> None:
        """Stop serving (open event streams are ended first)."""
        self.hub.end()
        self.server.should_exit = True
        self.thread.join(timeout=3)
        self.socket.close()

    def _edition(self, name: str) -> Edition | None:
        """The edition of this name, or else the one that had it before (its id changed while
        watched): a page or bookmark under the old id is served the edition it meant."""
        editions = self.watcher.editions
        found = next((e for e in editions if e.name == name), None)
        return found or next((e for e in editions if name in e.former), None)

    def app(self) -> Starlette:
        """The Starlette application."""

        async def home(request: Request) -> Response:
            editions = self.watcher.editions
            if len(editions) == 1:
                return _page(page.render(editions[0], editions[0].generation))
            return _page(page.index(editions))

        async def edition_page(request: Request) -> Response:
            edition = self._edition(request.path_params["edition"])
            if edition is None:
                return _not_found()
            return _page(page.render(edition, edition.generation))

        async def edition_slash(request: Request) -> Response:
            return RedirectResponse(f"/edition/{request.path_params['edition']}/")

        async def serve_file(request: Request) -> Response:
            edition = self._edition(request.path_params["edition"])
            folder = edition.folder if edition else None
            path = files.inside(folder, request.path_params["path"]) if folder else None
            if path is None or folder is None:
                return _not_found()
            kind = files.media_type(path, request.path_params["path"], files.media_types(folder))
            headers = {**NO_STORE, "Content-Security-Policy": EDITION_POLICY}
            return FileResponse(path, media_type=kind, headers=headers)

        async def static(request: Request) -> Response:
            name = request.path_params["name"]
            if name not in ("preview.js", "preview.css"):
                return _not_found()
            kind = "text/javascript" if name.endswith(".js") else "text/css"
            return FileResponse(STATIC / name, media_type=f"{kind}; charset=utf-8", headers=NO_STORE)

        async def events(request: Request) -> Response:
            self.hub.loop = asyncio.get_running_loop()
            queue: asyncio.Queue[Update | None] = asyncio.Queue()
            # A page connects after it has loaded: a build that ended meanwhile is told again
            # (the page ignores one it already shows), then any error that stands.
            for update in _last_builds(self.watcher.editions):
                queue.put_nowait(update)
            for failure in list(self.hub.failures.values()):
                queue.put_nowait(failure)
            self.hub.queues.add(queue)

            async def stream() -> AsyncIterator[ServerSentEvent]:
                try:
                    while True:
                        update = await queue.get()
                        if update is None:
                            return
                        yield ServerSentEvent(data=json.dumps(asdict(update)), event=update.kind)
                finally:
                    self.hub.queues.discard(queue)

            return EventSourceResponse(stream(), ping=15, headers=NO_STORE)

        return Starlette(
            routes=[
                Route("/", home),
                Route("/events", events),
                Route("/live/{name}", static),
                Route("/edition/{edition}", edition_slash),
                Route("/edition/{edition}/", edition_page),
                Route("/files/{edition}/{path:path}", serve_file),
            ],
            middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=[HOST, "localhost"])],
        )


def _last_builds(editions: list[Edition]) -> list[Update]:
    """Each built edition's last build, under its name and each name it had (text left empty: a
    page that already shows this build has nothing to change)."""
    out = []
    for e in editions:
        if e.generation:
            out += [Update("build", e.name, e.generation, "", was) for was in ["", *e.former]]
    return out


def _page(html: str) -> Response:
    return HTMLResponse(html, headers={**NO_STORE, "Content-Security-Policy": PAGE_POLICY})


def _not_found() -> Response:
    return PlainTextResponse("not found\n", status_code=404, headers=NO_STORE)


def _bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1 (a free port when 0): a busy --port fails here, clearly."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((HOST, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            hint = "choose another --port, or leave it out for a free one"
            raise UsageError(f"port {port} on {HOST} is in use", hint=hint) from None
        raise
    sock.listen(128)
    return sock
