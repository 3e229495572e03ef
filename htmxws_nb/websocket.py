"""The websocket endpoint: one receive loop and one writer per connection.

Incoming text frames are the htmx ws extension's JSON; each is dispatched to
the handler registered for the path *at that moment*, so a re-run notebook
cell takes over connections that are already open.

Outgoing frames go through a bounded per-connection queue drained by the
connection's own writer task. `send` (the function handlers get, and that the
tutorial's chat keeps in its `users` dict) only renders and enqueues, so a
slow or dead client can never hold up a loop over other clients. A client
whose queue overflows, or whose writes stall for longer than the send
timeout, is closed with 1013 (Try Again Later: the htmx client reconnects)
and its `disconn` runs.
"""

from __future__ import annotations

import asyncio
import contextvars
import itertools
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import anyio
from starlette.datastructures import QueryParams
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket

from .components import to_html
from .errors import HandlerError, logger
from .handlers import Handler
from .params import HtmxHeaders, ParamError, Sources

if TYPE_CHECKING:
    from .app import FastHTML

__all__ = ["Connection", "SocketEndpoint", "SocketHandlers", "SocketLimits", "render_frame"]

# Close codes (RFC 6455 §7.4.1) and what the htmx ws extension does with them.
CLOSE_SERVER_ERROR = 1011  # the client reconnects
CLOSE_TRY_AGAIN_LATER = 1013  # the client reconnects

# The incoming frame a handler is answering, so frames it sends (to any
# connection) can be tied to it by a transcript.
current_frame: contextvars.ContextVar[Any] = contextvars.ContextVar("htmxws_frame", default=None)

_connection_ids = itertools.count(1)


@dataclass(frozen=True)
class SocketHandlers:
    """What is registered for one websocket path: the message handler and the callbacks."""

    on_message: Handler
    on_connect: Handler | None = None
    on_disconnect: Handler | None = None


@dataclass(frozen=True)
class SocketLimits:
    """Per-connection limits; see the README's "Limits" section."""

    max_queue: int = 1000  # frames waiting to be written to one client
    send_timeout: float = 10.0  # seconds one write may wait for a client to read
    close_timeout: float = 2.0  # seconds a goodbye close frame may take before the socket is cut
    close_on_error: bool = False  # an exception in a handler closes the socket with 1011


def render_frame(content: tuple[Any, ...], prefix: str = "") -> str:
    """What `send(*content)` puts on the wire: HTML text (strings are sent as they are)."""
    if len(content) == 1:
        only = content[0]
        if type(only) is str:
            return only
        return to_html(only, prefix)
    return to_html(content, prefix)


def _is_empty(content: tuple[Any, ...]) -> bool:
    """FastHTML sends nothing for `None` or an empty string or tuple."""
    if len(content) != 1:
        return not content
    only = content[0]
    return only is None or (type(only) in (str, tuple, list) and not only)


@dataclass(frozen=True)
class _Close:
    code: int
    reason: str


class _LowerKeys(Mapping):
    """The htmx headers with lower-cased names, built only if a parameter asks."""

    __slots__ = ("_lower", "_raw")

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self._raw = raw
        self._lower: dict[str, Any] | None = None

    def _map(self) -> dict[str, Any]:
        if self._lower is None:
            self._lower = {str(k).lower(): v for k, v in self._raw.items()}
        return self._lower

    def __getitem__(self, key: str) -> Any:
        return self._map()[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self._map().get(key, default) if self._raw else default

    def __iter__(self):
        return iter(self._map())

    def __len__(self) -> int:
        return len(self._raw)


_NO_HEADERS = _LowerKeys({})


class Connection:
    """One open websocket of a `FastHTML` app."""

    __slots__ = ("_abandoned", "_abort", "_asgi_send", "_closing", "_drained", "_loop", "_path_params",
                 "_pending", "_query", "_task", "_thread", "_tracer", "_writable", "_writer", "app", "close_code",
                 "closed", "id", "limits", "path", "queued", "unwritten", "writing_since", "ws")

    def __init__(self, app: FastHTML, ws: WebSocket, path: str, send: Send, limits: SocketLimits) -> None:
        scope = ws.scope
        self.app = app
        self.ws = ws
        self.path = path
        self.id: str = scope.get("htmxws.connection_id") or f"ws{next(_connection_ids)}"
        self.limits = limits
        self.closed = False  # no more frames are accepted
        self.close_code: int | None = None
        self.writing_since: float | None = None  # loop time a blocked write started, for the watchdog
        self.queued = 0  # frames accepted by `send` so far
        self.unwritten = 0  # frames accepted but not yet written
        self._abandoned = False
        self._asgi_send = send
        self._pending: list[tuple[str, Any] | _Close] = []
        self._writer: asyncio.Task[None] | None = None  # exists only while there is something to write
        self._drained: asyncio.Future[None] | None = None  # the reader waits on it when its client lags
        self._closing: asyncio.Task[None] | None = None
        self._task: asyncio.Task[Any] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.get_ident()  # the server loop's thread: `send` from others hops to it
        transport = scope.get("extensions", {}).get("htmxws.transport", {})
        self._abort: Callable[[], None] | None = transport.get("abort")
        self._writable: Callable[[], bool] | None = transport.get("writable")
        self._tracer = scope.get("htmxws.tracer")
        self._query = dict(QueryParams(scope.get("query_string", b"")))
        self._path_params = scope.get("path_params", {})

    def __repr__(self) -> str:
        return f"<Connection {self.id} {self.path}{' closed' if self.closed else ''}>"

    # -- sending ----------------------------------------------------------

    async def send(self, *content: Any) -> bool:
        """Queue components or text for this client; never waits for the client.

        Returns False (and does nothing) once the connection is closed, so a
        loop over many clients' `send` goes on past one that has left.
        """
        if self.closed or _is_empty(content):
            return False
        if self.unwritten >= self.limits.max_queue and self.writing_since is not None:
            # The queue is full *and* the writer waits for the client to read: the client is
            # the bottleneck. (A burst from one handler run, written as soon as the handler
            # yields, is not.)
            self.abandon(CLOSE_TRY_AGAIN_LATER, "client too slow")
            return False
        text, cause = render_frame(content, self.app.url_prefix), current_frame.get()
        self.queued += 1
        writable = self._writable
        if self._writer is None and writable is not None and writable() and threading.get_ident() == self._thread:
            # Nothing queued and the socket has room: write now (this cannot wait for the client).
            message: Message = {"type": "websocket.send", "text": text}
            if cause is not None:
                message["htmxws.cause"] = cause
            try:
                await self._asgi_send(message)
            except (OSError, RuntimeError):
                return False  # the client is gone; the reader sees the disconnect
            return True
        self._enqueue((text, cause))
        return True

    def _enqueue(self, item: tuple[str, Any] | _Close) -> None:
        loop = self._loop
        if loop is None:
            return
        if threading.get_ident() != self._thread:
            # `send` awaited on another loop, e.g. a notebook cell pushing to stored `users`.
            loop.call_soon_threadsafe(self._enqueue, item)
            return
        self._pending.append(item)
        self.unwritten += 1
        if self._writer is None:
            self._writer = loop.create_task(self._write_loop())

    async def _write_loop(self) -> None:
        """Write what is queued, in order, then end (the next `send` starts a new writer)."""
        loop = asyncio.get_running_loop()
        send = self._asgi_send
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                for item in batch:
                    if type(item) is _Close:
                        await self._goodbye(item.code, item.reason)
                        return
                    text, cause = item
                    message: Message = {"type": "websocket.send", "text": text}
                    if cause is not None:
                        message["htmxws.cause"] = cause
                    self.writing_since = loop.time()
                    try:
                        await send(message)
                    except (OSError, RuntimeError):
                        return  # the client is gone; the reader sees the disconnect
                    self.writing_since = None
                    self.unwritten -= 1
                    if self._drained is not None and self.unwritten <= self.limits.max_queue // 4:
                        self._release_reader()
        finally:
            self._writer = None
            self._release_reader()

    def _release_reader(self) -> None:
        drained, self._drained = self._drained, None
        if drained is not None and not drained.done():
            drained.set_result(None)

    async def _backpressure(self) -> None:
        """Stop reading from a client that does not read its replies (it pipelines faster than it reads).

        Only this client waits; its own replies cannot overflow its queue,
        only broadcasts from others can.
        """
        if self.unwritten >= max(1, self.limits.max_queue // 2) and self._writer is not None and self._loop:
            self._drained = self._loop.create_future()
            await self._drained

    # -- closing ----------------------------------------------------------

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Close once the frames already queued have been written."""
        if not self.closed:
            self.closed = True
            self._enqueue(_Close(code, reason))

    def abandon(self, code: int, reason: str) -> None:
        """Give up on a client that cannot keep up: drop its queue, say goodbye, cut it."""
        if self._abandoned or self._loop is None:
            return
        logger.warning("closing websocket %s on %s with %d: %s", self.id, self.path, code, reason)
        self._abandoned = True
        self.closed = True
        self.close_code = code
        self._pending = []
        if self._writer is not None:
            self._writer.cancel()
        self._release_reader()
        self._closing = self._loop.create_task(self._goodbye(code, reason))

    async def _goodbye(self, code: int, reason: str) -> None:
        """Send a close frame; if the client cannot take even that, cut the connection."""
        try:
            with anyio.fail_after(self.limits.close_timeout):
                await self._asgi_send({"type": "websocket.close", "code": code, "reason": reason})
            return
        except (TimeoutError, OSError, RuntimeError):
            pass
        if self._abort is not None:
            self._abort()  # our server: cut the TCP connection
        elif self._task is not None:
            self._task.cancel()  # another server: end the app; the server closes its side

    # -- receiving --------------------------------------------------------

    async def serve(self, receive: Receive) -> None:
        """Run the connection: `conn`, the receive loop, then `disconn`."""
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()
        registry = self.app.connections
        registry.add(self, self.limits.send_timeout)
        try:
            await self._connected()
            await self._read_loop(receive)
        except asyncio.CancelledError:
            if not self._abandoned:
                raise
        finally:
            self.closed = True
            registry.discard(self)
            if self._writer is not None:
                self._writer.cancel()
            await self._run_callback("on_disconnect")

    async def _read_loop(self, receive: Receive) -> None:
        tracer = self._tracer
        while True:
            if self.unwritten:
                await self._backpressure()
            message = await receive()
            kind = message["type"]
            if kind == "websocket.receive":
                if tracer is None:
                    await self._answer(message)
                    continue
                frame = message.get("htmxws.frame")
                token = current_frame.set(frame)  # frames sent meanwhile, to anyone, are tagged with it
                started, queued_before = tracer.now(), self.queued
                try:
                    handler, outcome = await self._answer(message)
                finally:
                    current_frame.reset(token)
                tracer.dispatched(self.id, self.path, frame, handler.name if handler else "-",
                                  handler.version if handler else 0, started, outcome, self.queued - queued_before)
            elif kind == "websocket.disconnect":
                if self.close_code is None:
                    self.close_code = message.get("code", 1005)
                return

    async def _connected(self) -> None:
        """Run `conn`; tell the transcript (if one listens) what it sent."""
        tracer = self._tracer
        if tracer is None:
            await self._run_callback("on_connect")
            return
        started = tracer.now()
        handler, outcome = await self._run_callback("on_connect")
        tracer.dispatched(self.id, self.path, None, handler.name if handler else "-",
                          handler.version if handler else 0, started, outcome, self.queued)

    async def _answer(self, message: Message) -> tuple[Handler | None, str]:
        """Answer one incoming frame: parse it, call the current handler, send what it returns."""
        text = message.get("text")
        if text is None:
            return None, await self._refuse("binary frames are not supported; send JSON text")
        try:
            payload = json.loads(text)
        except ValueError:
            return None, await self._refuse("message is not JSON")
        if not isinstance(payload, dict):
            return None, await self._refuse("message must be a JSON object")
        headers = payload.pop("HEADERS", None)
        if headers is None and isinstance(payload.get("headers"), dict):
            headers = payload.pop("headers")
        handlers = self.app.socket_handlers(self.path)
        if handlers is None:
            return None, await self._refuse("no handler for this path")
        handler = handlers.on_message
        sources = MessageSources(self, payload, _LowerKeys(headers) if isinstance(headers, dict) else _NO_HEADERS)
        try:
            result = await handler.call(sources)
        except ParamError as exc:
            return handler, await self._refuse(str(exc))
        except Exception as exc:
            await self._handler_failed(handler, exc)
            return handler, type(exc).__name__
        if result is not None:
            await self.send(result)
        return handler, "ok"

    async def _refuse(self, problem: str) -> str:
        await self.send(f"error: {problem}")
        return problem

    async def _handler_failed(self, handler: Handler, exc: Exception) -> None:
        self.app.errors.add(HandlerError.capture(f"websocket {self.path}: {handler.name}", exc, self.id))
        if self.limits.close_on_error:
            self.close(CLOSE_SERVER_ERROR, "server error")
        else:
            await self.send("error: the server failed to handle this message")

    async def _run_callback(self, which: str) -> tuple[Handler | None, str]:
        handlers = self.app.socket_handlers(self.path)
        handler = getattr(handlers, which, None) if handlers else None
        if handler is None:
            return None, "ok"
        try:
            await self.send(await handler.call(MessageSources(self, {}, _NO_HEADERS), inline=True))
        except Exception as exc:
            label = "conn" if which == "on_connect" else "disconn"
            self.app.errors.add(HandlerError.capture(f"websocket {self.path}: {label} {handler.name}", exc, self.id))
            return handler, type(exc).__name__
        return handler, "ok"


class MessageSources(Sources):
    """The values one websocket message offers a handler's parameters."""

    __slots__ = ("connection", "headers", "payload")

    def __init__(self, connection: Connection, payload: dict[str, Any], headers: _LowerKeys) -> None:
        self.connection = connection
        self.payload = payload
        self.headers = headers
        self.lookups = (connection._path_params, payload, headers, connection._query)

    def specials(self, name: str) -> Any:
        conn = self.connection
        if name == "send":
            return conn.send
        if name == "ws":
            return conn.ws
        if name == "data":
            return self.payload
        if name == "htmx":
            return HtmxHeaders.from_headers(self.headers)
        if name == "session":
            scope = conn.ws.scope
            if "session" not in scope:
                scope["session"] = conn.app.sessions.read(scope)
            return scope["session"]
        if name == "scope":
            return conn.ws.scope
        if name == "app":
            return conn.app
        if name == "state":
            return conn.app.state
        return None


class SocketEndpoint:
    """The ASGI app behind one websocket path of a `FastHTML` app."""

    def __init__(self, app: FastHTML, path: str) -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ws = WebSocket(scope, receive, send)
        app = self.app
        if not app.origin_allowed(ws.headers):
            logger.warning("refused websocket %s from origin %s", self.path, ws.headers.get("origin"))
            await ws.close()  # before accept: the server answers 403
            return
        await ws.accept()
        await Connection(app, ws, self.path, send, app.socket_limits).serve(receive)


class ConnectionSet:
    """An app's open websockets, and a watchdog that cuts clients whose writes stall.

    One timer per app, not one per frame: the writer notes when a write
    started (`Connection.writing_since`) and the watchdog looks once a second.
    """

    def __init__(self) -> None:
        self._connections: set[Connection] = set()
        self._watchdog: asyncio.Task[None] | None = None

    def add(self, connection: Connection, send_timeout: float) -> None:
        self._connections.add(connection)
        loop = asyncio.get_running_loop()
        watchdog = self._watchdog
        if watchdog is None or watchdog.done() or watchdog.get_loop() is not loop:
            self._watchdog = loop.create_task(self._watch(send_timeout))

    def discard(self, connection: Connection) -> None:
        self._connections.discard(connection)

    async def _watch(self, send_timeout: float) -> None:
        loop = asyncio.get_running_loop()
        while self._connections:
            await asyncio.sleep(min(1.0, send_timeout / 2))
            deadline = loop.time() - send_timeout
            for connection in list(self._connections):
                since = connection.writing_since
                if since is not None and since < deadline:
                    connection.abandon(CLOSE_TRY_AGAIN_LATER, "client stopped reading")
