"""The app slot: the ASGI app a server runs, forwarding to the app it serves right now.

The served app can be swapped while the server runs (a re-run notebook cell
makes a new app object). The slot keeps its own books of which websockets
each app has open, so that an old app's sockets can be retired (closed with
1012, Service Restart, which makes the htmx client reconnect to the new app)
through plain ASGI, and it catches what any app raises, so that the error
reaches the notebook and not only the log.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import anyio
from starlette.types import ASGIApp, Receive, Scope, Send

from ..app import ErrorLog, HandlerError
from ..app.paths import RESERVED_PREFIX
from ..app.pubsub import PubSub
from ..app.websocket.state import CLOSE_SERVICE_RESTART
from ..recording import Recorder, RecordingMiddleware
from ..recording.middleware import CLOSED_BY_SERVER_KEY
from .lifespan import Lifespan

__all__ = ["AppSlot"]

RETIRE_GRACE = 2.0  # seconds an old app's socket has to finish after its 1012 close


class _Socket:
    """One websocket the slot passed to an app: how to close it from outside, and its task."""

    __slots__ = ("scope", "send", "task")

    def __init__(self, scope: Scope, send: Send, task: asyncio.Task[object] | None) -> None:
        self.scope = scope
        self.send = send
        self.task = task

    async def retire(self) -> None:
        """Close with 1012; if the app has not let go of the socket soon after, cancel it."""
        self.scope[CLOSED_BY_SERVER_KEY] = True
        try:
            with anyio.fail_after(RETIRE_GRACE):
                await self.send({"type": "websocket.close", "code": CLOSE_SERVICE_RESTART, "reason": "app replaced"})
        except (TimeoutError, OSError, RuntimeError):
            pass  # closing or closed already
        if self.task is not None and not self.task.done():
            await asyncio.wait({self.task}, timeout=RETIRE_GRACE)
            self.task.cancel()


class AppSlot:
    """Forwards to the served app (through the recorder, while it records).

    `reserved` maps path prefixes under `/_htmxws/` to ASGI apps answered
    before the served app, whatever it is: the hook through which higher
    layers add their own endpoints (the notebook's live outputs) to a server.
    """

    def __init__(self, app: ASGIApp, recorder: Recorder, errors: ErrorLog) -> None:
        self.app = app
        self.recorder = recorder
        self.errors = errors
        self.reserved: dict[str, ASGIApp] = {}
        self.lifespan: Lifespan | None = None
        self._recording = RecordingMiddleware(app, recorder)
        self._sockets: set[_Socket] = set()
        self._retiring: set[asyncio.Task[None]] = set()
        self._unfollow = _follow(app, errors, recorder)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if path.startswith(RESERVED_PREFIX):
            for prefix, reserved in self.reserved.items():
                if path.startswith(prefix):
                    await reserved(scope, receive, send)
                    return
        lifespan = self.lifespan
        if lifespan is not None and lifespan.state:
            scope["state"] = dict(lifespan.state)
        app = self._recording if self.recorder.enabled else self.app
        socket = None
        if scope["type"] == "websocket":
            socket = _Socket(scope, send, asyncio.current_task())
            self._sockets.add(socket)
        try:
            await app(scope, receive, send)
        except Exception as exc:
            self.errors.add(HandlerError.capture(f"{scope['type']} {path}", exc))
            raise  # the server answers 500 (or closes the socket) and logs it
        finally:
            if socket is not None:
                self._sockets.discard(socket)

    def load(self, app: ASGIApp) -> None:
        """Serve `app` instead of the one given at first; only before `start`."""
        self._unfollow()
        self.app = app
        self._recording = RecordingMiddleware(app, self.recorder)
        self._unfollow = _follow(app, self.errors, self.recorder)

    async def start(self) -> None:
        self.lifespan = await Lifespan.start(self.app)

    async def swap(self, app: ASGIApp) -> None:
        """Serve `app` from now on; the old app's sockets are retired, its lifespan stopped."""
        new_lifespan = await Lifespan.start(app)
        old_lifespan, old_sockets = self.lifespan, self._sockets
        self._unfollow()
        self.app, self.lifespan, self._sockets = app, new_lifespan, set()
        self._recording = RecordingMiddleware(app, self.recorder)
        self._unfollow = _follow(app, self.errors, self.recorder)
        for socket in old_sockets:
            task = asyncio.get_running_loop().create_task(socket.retire())
            self._retiring.add(task)
            task.add_done_callback(self._retiring.discard)
        if old_lifespan is not None:
            await old_lifespan.stop()

    async def stop(self) -> None:
        self._unfollow()
        if self.lifespan is not None:
            await self.lifespan.stop()


def _follow(app: ASGIApp, errors: ErrorLog, recorder: Recorder) -> Callable[[], None]:
    """Gather the errors an app of ours catches itself (handler exceptions, pub/sub outages) into the
    server's log, and have its publishes recorded; returns what undoes both."""
    own = getattr(app, "errors", None)
    unfollow = errors.follow(own) if isinstance(own, ErrorLog) else lambda: None
    pubsub = getattr(app, "pubsub", None)
    if not isinstance(pubsub, PubSub) or not recorder.enabled:
        return unfollow
    pubsub.tracer = recorder

    def undo() -> None:
        unfollow()
        if pubsub.tracer is recorder:
            pubsub.tracer = None

    return undo
