"""Running an app with uvicorn: in the foreground for scripts, in a thread for notebooks.

`Server` follows uvicorn's own lifecycle (start, started, should_exit) and
adds what a notebook needs:

- the listening socket is bound by the caller's thread before anything
  starts, so a taken port is known at once and `start()` can never hang;
- the app behind the socket can be swapped while the server runs (`AppSlot`),
  so re-running a cell keeps the port and the iframe's URL; websockets of the
  old app are closed with 1012, which makes the htmx client reconnect;
- the thread is a daemon and owns nothing the kernel waits for, so a kernel
  shutdown or restart frees the port without anyone calling `stop()`.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
import threading
from collections.abc import Awaitable, Callable
from html import escape
from typing import Any

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _HttpProtocol
except ImportError:  # httptools is optional in uvicorn
    from uvicorn.protocols.http.h11_impl import H11Protocol as _HttpProtocol  # type: ignore[assignment]

from .errors import ErrorLog, logger
from .feed import FEED_PATH, Feeds
from .lifespan import Lifespan
from .transcript import Recorder, RecordingMiddleware, Transcript

__all__ = ["AppSlot", "Server", "ServerStartError", "bind_socket"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5001


class ServerStartError(RuntimeError):
    """The server could not start; the message says why and what to try."""


class TransportWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's websocket protocol, plus an ASGI extension that shows the app its transport.

    `scope["extensions"]["htmxws.transport"]` has `writable()` (the socket
    buffer has room, so a send will not wait) and `abort()` (cut the TCP
    connection). The first lets a reply be written at once instead of through
    the writer task; the second drops a client that stopped reading, which
    not even a close frame can reach any more.
    """

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        scope = getattr(self, "scope", None)
        if scope is not None:
            scope["extensions"]["htmxws.transport"] = {"abort": self.transport.abort,
                                                       "writable": self.writable.is_set}


class IdleClosingHttpProtocol(_HttpProtocol):
    """uvicorn's HTTP protocol, closing a connection that sends nothing at all.

    uvicorn arms its keep-alive timer only after a first request, so a client
    that opens a TCP connection and stays silent holds it forever. Here the
    same timer (`timeout_keep_alive`, 5 s) runs from the moment it connects.
    """

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self.timeout_keep_alive_task = self.loop.call_later(self.timeout_keep_alive, self.timeout_keep_alive_handler)


class AppSlot:
    """The ASGI app uvicorn runs: it forwards, through the recorder, to the served app.

    The served app can be swapped while the server runs; each app gets a new
    generation number, stamped on every scope, so the sockets of an old app
    can be found and closed.
    """

    def __init__(self, app: ASGIApp, recorder: Recorder, feeds: Feeds) -> None:
        self.app = app
        self.recorder = recorder
        self.feeds = feeds
        self.generation = 0
        self.lifespan: Lifespan | None = None
        self._recording = RecordingMiddleware(app, recorder)

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        """Route to the feed, the recorder or the app; a plain function, so it adds no frame per connection."""
        if scope["type"] == "websocket" and scope["path"].startswith(FEED_PATH):
            return self.feeds(scope, receive, send)
        lifespan = self.lifespan
        scope["htmxws.generation"] = self.generation
        if lifespan is not None and lifespan.state:
            scope["state"] = dict(lifespan.state)
        if self.recorder.enabled:
            return self._recording(scope, receive, send)
        return self.app(scope, receive, send)

    async def start(self) -> None:
        self.lifespan = await Lifespan.start(self.app)

    async def swap(self, app: ASGIApp, retire: Callable[[int], None]) -> None:
        """Serve `app` from now on; `retire(old_generation)` closes the old app's sockets."""
        new_lifespan = await Lifespan.start(app)
        old_lifespan, old_generation = self.lifespan, self.generation
        self.app, self.lifespan, self.generation = app, new_lifespan, old_generation + 1
        self._recording = RecordingMiddleware(app, self.recorder)
        retire(old_generation)
        if old_lifespan is not None:
            await old_lifespan.stop()

    async def stop(self) -> None:
        if self.lifespan is not None:
            await self.lifespan.stop()


class _Uvicorn(uvicorn.Server):
    """uvicorn's server, telling us the moment it accepts connections."""

    def __init__(self, config: uvicorn.Config, on_started: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_started = on_started

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self._on_started()


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port (port 0: any free port). Raises OSError."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


def port_in_use(error: OSError) -> bool:
    return error.errno in (errno.EADDRINUSE, errno.EACCES)


class Server:
    """One app served by uvicorn on one port.

    Use `serve()` rather than this class directly; it picks the port, reuses
    a running server for the same port, and knows scripts from notebooks.
    """

    def __init__(self, app: ASGIApp, sock: socket.socket, *, quiet: bool = True, record: bool = False,
                 record_size: int = 5000, ws_max_size: int = 16 * 1024 * 1024,
                 ws_ping_interval: float | None = 20.0, ws_ping_timeout: float | None = 20.0,
                 ws_per_message_deflate: bool = True) -> None:
        self.recorder = Recorder(record_size, enabled=record)
        self.feeds = Feeds()
        self.slot = AppSlot(app, self.recorder, self.feeds)
        self.sock = sock
        self.host, self.port = sock.getsockname()[:2]
        self.errors = ErrorLog()
        self.errors.subscribe(self.recorder.add_error)
        self._adopt(app)
        self.note = ""  # what the notebook should be told, e.g. that another port was chosen
        self.display_mode: str | None = None  # how outputs find the server (None: HTMXWS_NB_URL or auto)
        self.startup_error: BaseException | None = None
        self.started = threading.Event()
        self.stopped = threading.Event()
        self.config = uvicorn.Config(
            self.slot, host=self.host, port=self.port, interface="asgi3", lifespan="off", http=IdleClosingHttpProtocol,
            ws=TransportWebSocketProtocol,
            ws_max_size=ws_max_size, ws_ping_interval=ws_ping_interval, ws_ping_timeout=ws_ping_timeout,
            ws_per_message_deflate=ws_per_message_deflate, timeout_graceful_shutdown=1,
            log_config=None if quiet else uvicorn.config.LOGGING_CONFIG, access_log=not quiet,
        )
        self._uvicorn = _Uvicorn(self.config, self.started.set)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def app(self) -> ASGIApp:
        return self.slot.app

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    @property
    def transcript(self) -> Transcript:
        """What went over this server's websockets: see `htmxws_nb.transcript.Transcript`."""
        return Transcript(self.recorder, server=self)

    @property
    def running(self) -> bool:
        return self.started.is_set() and not self.stopped.is_set()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<Server {self.url} {state}>"

    # -- lifecycle ----------------------------------------------------------

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        await self.slot.start()
        try:
            await self._uvicorn.serve(sockets=[self.sock])
        finally:
            await self.slot.stop()

    def _thread_main(self) -> None:
        try:
            _run_loop(self._main(), self.config)
        except BaseException as exc:
            self.startup_error = exc
            if self.started.is_set():
                logger.error("server on port %d stopped with an error", self.port, exc_info=exc)
        finally:
            self.stopped.set()
            self.started.set()  # wake a start() still waiting

    def start(self, timeout: float = 5.0) -> Server:
        """Serve in a daemon thread; return once the server accepts connections."""
        self._thread = threading.Thread(target=self._thread_main, name=f"htmxws_nb :{self.port}", daemon=True)
        self._thread.start()
        if not self.started.wait(timeout):
            self.stop()
            raise ServerStartError(f"the server on port {self.port} did not start within {timeout} s")
        if self.stopped.is_set():
            self.sock.close()
            raise ServerStartError(f"the server on port {self.port} failed to start: "
                                   f"{self.startup_error!r}") from self.startup_error
        return self

    def run(self) -> None:
        """Serve in this thread until Ctrl+C (a script's `serve()`)."""
        logging.getLogger("uvicorn.error").info("Uvicorn running on %s (Press CTRL+C to quit)", self.url)
        try:
            _run_loop(self._main(), self.config)
        finally:
            self.sock.close()
            self.stopped.set()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop serving and free the port. Open websockets get 1012 (Service Restart)."""
        self._uvicorn.should_exit = True
        thread = self._thread
        if thread is not None and thread.is_alive() and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():  # clients that never finish closing: cut them
                self._uvicorn.force_exit = True
                self._call_in_loop(self._abort_connections)
                thread.join(1.0)
        self.sock.close()
        self.stopped.set()
        self.recorder.close()

    def replace_app(self, app: ASGIApp, timeout: float = 5.0) -> None:
        """Serve `app` instead, on the same port; the old app's websockets get 1012."""
        if self._loop is None or not self.running:
            raise RuntimeError("the server is not running")
        self._adopt(app)
        future = asyncio.run_coroutine_threadsafe(self.slot.swap(app, self._retire), self._loop)
        future.result(timeout)

    def _adopt(self, app: ASGIApp) -> None:
        """Have one of our apps report handler errors to this server (and so to its notebook)."""
        if isinstance(getattr(app, "errors", None), ErrorLog):
            app.errors = self.errors  # type: ignore[attr-defined]

    def owns_thread(self, thread: threading.Thread) -> bool:
        """Is `thread` the one this server's event loop runs in?"""
        return thread is self._thread

    # -- in a notebook ------------------------------------------------------

    def show(self, path: str = "/", height: int | None = None) -> None:
        """Display `path` of this server in an iframe, with the server's error panel under it."""
        from IPython.display import display

        from .display import ErrorPanel, iframe_html, url_mode

        html = iframe_html(self.port, path, direct=self.url, mode=url_mode(self.display_mode), height=height)
        text = f"{self!r} showing {path}"
        if self.note:
            html = f"<p><b>{escape(self.note)}</b></p>{html}"
            text = f"{self.note}\n{text}"
        display({"text/plain": text, "text/html": html}, raw=True)
        ErrorPanel(self).display()

    def _ipython_display_(self) -> None:
        self.show()

    # -- inside the loop --------------------------------------------------

    def _call_in_loop(self, fn: Callable[[], None]) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(fn)
            except RuntimeError:  # the loop closed meanwhile
                pass

    def _retire(self, generation: int) -> None:
        for connection in list(self._uvicorn.server_state.connections):
            scope = getattr(connection, "scope", None)
            if scope and scope.get("type") == "websocket" and scope.get("htmxws.generation") == generation:
                try:
                    connection.shutdown()
                except Exception:
                    logger.debug("could not retire a connection that is already closing", exc_info=True)

    def _abort_connections(self) -> None:
        for connection in list(self._uvicorn.server_state.connections):
            transport = getattr(connection, "transport", None)
            if transport is not None:
                transport.abort()


def _run_loop(main: Any, config: uvicorn.Config) -> None:
    """`asyncio.run` with uvicorn's loop choice (uvloop when installed), on any Python ≥ 3.10."""
    factory = config.get_loop_factory()
    loop = factory() if factory is not None else asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(main)
    finally:
        tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        asyncio.set_event_loop(None)
        loop.close()

