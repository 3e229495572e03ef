"""`Server`: one app served by uvicorn on one port, in the foreground or in a daemon thread.

It follows uvicorn's own lifecycle (start, started, should_exit) and adds
what a notebook needs:

- the listening socket is bound by the caller's thread before anything
  starts, so a taken port is known at once and `start()` can never hang;
- the app behind the socket can be swapped while the server runs (`AppSlot`),
  so a re-run cell keeps the port and the iframe's URL;
- the thread is a daemon and owns nothing the kernel waits for, so a kernel
  shutdown or restart frees the port without anyone calling `stop()`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import secrets
import socket
import threading
from collections.abc import Callable
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from ..app import ErrorLog
from ..app.errors import logger
from ..app.hooks import Signal
from ..recording import Recorder, Transcript
from . import inprocess, uvicorn_internals
from .slot import AppSlot

__all__ = ["Server", "ServerStartError"]


class ServerStartError(RuntimeError):
    """The server could not start; the message says why and what to try."""


class Server:
    """One app served by uvicorn on one port.

    In a notebook use `serve()`, which picks the port, reuses a running
    server, and shows the page. `id` is random per server: pages and outputs
    use it to tell this server from another program on the same port.
    """

    def __init__(self, app: ASGIApp, sock: socket.socket, *, quiet: bool = True, record: bool = False,
                 record_size: int = 5000, ws_max_size: int = 16 * 1024 * 1024,
                 ws_ping_interval: float | None = 20.0, ws_ping_timeout: float | None = 20.0,
                 ws_per_message_deflate: bool = True, load: Callable[[], ASGIApp] | None = None) -> None:
        """`load`, if given, makes the app to serve on the server's loop before it serves (instead of `app`):
        a script's module run there, where its `asyncio.create_task(...)` calls work."""
        uvicorn_internals.check()
        self._load = load
        self.id = secrets.token_hex(8)
        self.sock = sock
        self.host, self.port = sock.getsockname()[:2]
        self.recorder = Recorder(record_size, enabled=record)
        self.errors = ErrorLog(log=False)  # gathers errors logged where they happened
        self.errors.subscribe(self.recorder.add_error)
        self.slot = AppSlot(app, self.recorder, self.errors)
        self.app_replaced: Signal[ASGIApp] = Signal()  # the new app, once it serves
        self.startup_error: BaseException | None = None
        self.started = threading.Event()
        self.stopped = threading.Event()
        self.config = uvicorn.Config(
            self.slot, host=self.host, port=self.port, interface="asgi3", lifespan="off",
            http=uvicorn_internals.IdleClosingHttpProtocol, ws=uvicorn_internals.AbortingWebSocketProtocol,
            ws_max_size=ws_max_size, ws_ping_interval=ws_ping_interval, ws_ping_timeout=ws_ping_timeout,
            ws_per_message_deflate=ws_per_message_deflate, timeout_graceful_shutdown=1,
            log_config=None if quiet else uvicorn.config.LOGGING_CONFIG, access_log=not quiet,
        )
        self._uvicorn = uvicorn_internals.NotifyingServer(self.config, self.started.set)
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
        """What went over this server's websockets."""
        return Transcript(self.recorder)

    @property
    def running(self) -> bool:
        return self.started.is_set() and not self.stopped.is_set()

    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        """The event loop the server runs on, once it runs (for calling the app in-process)."""
        return self._loop

    def __repr__(self) -> str:
        return f"<Server {self.url} {'running' if self.running else 'stopped'}>"

    # -- lifecycle ----------------------------------------------------------

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        if self._load is not None:
            app = self._load()
            self.slot.load(app)
            self.app_replaced.emit(app)
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
            if thread.is_alive():  # clients that never finish closing
                self._uvicorn.force_exit = True
                thread.join(1.0)
        self.sock.close()
        self.stopped.set()
        self.recorder.close()

    def replace_app(self, app: ASGIApp, timeout: float = 5.0) -> None:
        """Serve `app` instead, on the same port; the old app's websockets get 1012."""
        loop = self._loop
        if loop is None or not self.running:
            raise RuntimeError("the server is not running")
        asyncio.run_coroutine_threadsafe(self.swap_app(app), loop).result(timeout)

    async def swap_app(self, app: ASGIApp) -> None:
        """`replace_app` on the server's own loop."""
        await self.slot.swap(app)
        self.app_replaced.emit(app)

    def request(self, method: str, path: str, headers: list[tuple[str, str]] | None = None, body: bytes = b"",
                timeout: float = 5.0) -> inprocess.Response:
        """Call the served app in this process, on the server's loop, as a client on the port would.

        From any thread but the server's own.
        """
        loop = self._loop
        if loop is None or not self.running:
            raise RuntimeError("the server is not running")
        call = inprocess.request(self.slot, method, path, headers or [], body, (self.host, self.port))
        future = asyncio.run_coroutine_threadsafe(call, loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:  # e.g. a stream that never ends: stop it, not just the wait
            future.cancel()
            raise TimeoutError(f"{method} {path} did not answer within {timeout} s") from None

    def owns_thread(self, thread: threading.Thread) -> bool:
        """Is `thread` the one this server's event loop runs in?"""
        return thread is self._thread


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
