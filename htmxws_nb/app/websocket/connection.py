"""One open websocket: its state, its outbox, and the loop that reads and answers frames.

`send` (the function handlers get, and that the tutorial's chat keeps in its
`users` dict) renders and hands the frame to the outbox, which never waits
for the client; so a slow or dead client cannot hold up a loop over others.
A client that falls too far behind is closed with 1013 (Try Again Later: the
htmx client reconnects later) and its `disconn` runs.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections.abc import Callable
from typing import Any

from starlette.datastructures import QueryParams
from starlette.types import Message, Receive, Send
from starlette.websockets import WebSocket

from ..errors import logger
from .dispatch import SocketContext, answer, run_callback
from .frames import render_frame
from .host import SocketHost
from .outbox import Outbox
from .state import CLOSE_NO_STATUS, CLOSE_NORMAL, CLOSE_TRY_AGAIN_LATER, ConnectionState, InvalidTransition
from .tracing import CAUSE_KEY, CONNECT, CONNECTION_ID_KEY, FRAME_KEY, PUSHED, TRACER_KEY, current_frame

__all__ = ["ABORT_EXTENSION", "Connection"]

# An ASGI extension a server may offer: `scope["extensions"][ABORT_EXTENSION]["abort"]()`
# cuts the TCP connection at once (our notebook server does). Without it a client that
# cannot take even a close frame is cut by cancelling the connection's task.
ABORT_EXTENSION = "htmxws.abort"

_connection_ids = itertools.count(1)
OPEN, CLOSING, ABANDONED, CLOSED = (ConnectionState.OPEN, ConnectionState.CLOSING, ConnectionState.ABANDONED,
                                    ConnectionState.CLOSED)


class Connection:
    """One accepted websocket of an app, from `conn` to `disconn`."""

    __slots__ = ("_abort", "_closing", "_loop", "_task", "_thread", "_tracer", "app", "close_code", "context", "id",
                 "leaving", "outbox", "path", "queued", "state", "ws")

    def __init__(self, app: SocketHost, ws: WebSocket, path: str, send: Send) -> None:
        scope = ws.scope
        self.app = app
        self.ws = ws
        self.path = path
        self.id: str = scope.get(CONNECTION_ID_KEY) or f"ws{next(_connection_ids)}"
        self.state = OPEN
        self.close_code: int | None = None
        self.queued = 0  # frames accepted by `send` so far
        self.leaving: list[Callable[[Connection], None]] = []  # called when the socket ends, before `disconn`
        self.outbox = Outbox(send, app.socket_limits, self._cut)
        self.context = SocketContext(app, ws, path, self.id, self.send, self.close, scope.get("path_params", {}),
                                     dict(QueryParams(scope.get("query_string", b""))))
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()  # the server loop's thread: `send` from others hops to it
        self._task: asyncio.Task[Any] | None = None
        self._closing: asyncio.Task[None] | None = None
        self._tracer = scope.get(TRACER_KEY)
        self._abort = scope.get("extensions", {}).get(ABORT_EXTENSION, {}).get("abort")

    def __repr__(self) -> str:
        return f"<Connection {self.id} {self.path} {self.state.value}>"

    @property
    def closed(self) -> bool:
        """No more frames are accepted."""
        return self.state is not OPEN

    @property
    def stalled_since(self) -> float | None:
        return self.outbox.stalled_since

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The server's event loop, which this connection runs on."""
        return self._loop

    def call_on_loop(self, fn: Callable[..., None], *args: Any) -> None:
        """Call `fn(*args)` on this connection's loop: now if this is its thread, else soon."""
        if threading.get_ident() == self._thread:
            fn(*args)
        else:
            self._loop.call_soon_threadsafe(fn, *args)

    def _move(self, state: ConnectionState) -> None:
        if not self.state.can_become(state):
            raise InvalidTransition(f"{self!r} cannot become {state.value}")
        self.state = state

    # -- sending ----------------------------------------------------------

    async def send(self, *content: Any) -> bool:
        """Send components or text to this client; never waits for the client.

        Returns False (and does nothing) once the connection is closed, so a
        loop over many clients' `send` goes on past one that has left.
        """
        if self.state is not OPEN:
            return False
        app = self.app
        text = render_frame(content, app.url_prefix, app.htmx_client)
        if text is None:
            return False
        cause = current_frame.get()
        if cause is None and self._tracer is not None:
            cause = PUSHED
        return self.deliver(text, cause)

    def deliver(self, text: str, cause: int | str | None = None) -> bool:
        """Queue text already rendered (by `send`, or once for many clients by a publish), within the limits.

        From another thread (a notebook cell pushing to stored `users`) it hops to the connection's loop.
        """
        if self.state is not OPEN:
            return False
        if threading.get_ident() != self._thread:
            self._loop.call_soon_threadsafe(self.deliver, text, cause)
            return True
        outbox = self.outbox
        if outbox.unwritten and outbox.overflowing:
            self.abandon(CLOSE_TRY_AGAIN_LATER, "client too slow")
            return False
        message: Message = {"type": "websocket.send", "text": text}
        if cause is not None:
            message[CAUSE_KEY] = cause
        self.queued += 1
        return outbox.put(message)

    # -- closing ----------------------------------------------------------

    def close(self, code: int = CLOSE_NORMAL, reason: str = "") -> None:
        """Close once the frames already queued have been written."""
        if self.state is not OPEN:
            return
        self._move(CLOSING)
        if threading.get_ident() != self._thread:
            self._loop.call_soon_threadsafe(self.outbox.put_close, code, reason)
        else:
            self.outbox.put_close(code, reason)

    def abandon(self, code: int, reason: str) -> None:
        """Give up on a client that cannot keep up: drop its queue, say goodbye, cut it."""
        if not self.state.can_become(ABANDONED):
            return
        logger.warning("closing websocket %s on %s with %d: %s", self.id, self.path, code, reason)
        self._move(ABANDONED)
        self.close_code = code
        self.outbox.drop()
        self._closing = self._loop.create_task(self.outbox.goodbye(code, reason))

    def _cut(self) -> None:
        if self._abort is not None:
            self._abort()  # the server cuts the TCP connection
        elif self._task is not None:
            self._task.cancel()  # end the app's side; the server closes the connection

    # -- receiving --------------------------------------------------------

    async def serve(self, receive: Receive) -> None:
        """Run the connection: `conn`, the receive loop, then `disconn`."""
        self._task = asyncio.current_task()
        connections = self.app.connections
        connections.add(self)
        try:
            await self._connected()
            await self._read_loop(receive)
        except asyncio.CancelledError:
            if self.state is not ABANDONED:
                raise
        finally:
            self._move(CLOSED)
            connections.discard(self)
            self.outbox.drop()
            for leave in self.leaving:
                leave(self)
            await run_callback(self.context, "on_disconnect")

    async def _read_loop(self, receive: Receive) -> None:
        tracer, context, outbox = self._tracer, self.context, self.outbox
        while True:
            if outbox.unwritten:
                await outbox.lagging()
            message = await receive()
            kind = message["type"]
            if kind == "websocket.receive":
                if tracer is None:
                    await answer(context, message.get("text"))
                    continue
                frame = message.get(FRAME_KEY)
                token = current_frame.set(frame)  # frames sent meanwhile, to anyone, are tagged with it
                started, queued_before = tracer.now(), self.queued
                try:
                    handler, outcome = await answer(context, message.get("text"))
                finally:
                    current_frame.reset(token)
                tracer.dispatched(self.id, self.path, frame, handler.name if handler else "-",
                                  handler.version if handler else 0, started, outcome, self.queued - queued_before)
            elif kind == "websocket.disconnect":
                if self.close_code is None:
                    self.close_code = message.get("code", CLOSE_NO_STATUS)
                return

    async def _connected(self) -> None:
        """Run `conn`; tell the tracer (if one listens) what it sent."""
        tracer = self._tracer
        if tracer is None:
            await run_callback(self.context, "on_connect")
            return
        started = tracer.now()
        token = current_frame.set(CONNECT)
        try:
            handler, outcome = await run_callback(self.context, "on_connect")
        finally:
            current_frame.reset(token)
        tracer.dispatched(self.id, self.path, None, handler.name if handler else "-",
                          handler.version if handler else 0, started, outcome, self.queued)
