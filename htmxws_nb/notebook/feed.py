"""Live notebook outputs that update in the browser, not through the kernel.

JupyterLab and Notebook 7 drop `update_display_data` messages a background
thread sends while no cell runs (the message names a finished cell, whose
handler is gone), and that is exactly when a learner types into the iframe.
So a live output (the transcript, the error panel) carries a small script
that opens a websocket to the server itself and replaces its own HTML with
what the server pushes, at most a few times a second.

The socket lives under `FEED_PATH` on every notebook server, answered before
the app (through `AppSlot.reserved`), so it works for any ASGI app. It is guarded by a
random token that only the notebook's outputs know, because the notebook's
origin (e.g. `http://127.0.0.1:8888`) is not the server's.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from ..app.paths import FEED_PATH

__all__ = ["Feeds", "LiveView"]


@dataclass
class LiveView:
    """One live output: how to render it, and how to hear that it changed."""

    render: Callable[[], str]
    subscribe: Callable[[Callable[[], None]], Callable[[], None]]  # returns unsubscribe
    interval: float
    sockets: set[WebSocket] = field(default_factory=set)


class Feeds:
    """The live outputs of one server, and the websocket that feeds them to browsers."""

    def __init__(self) -> None:
        self.token = secrets.token_urlsafe(16)
        self._views: dict[str, LiveView] = {}
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None

    def path(self, view_id: str) -> str:
        return f"{FEED_PATH}{self.token}/{view_id}"

    def add(self, view: LiveView) -> str:
        view_id = secrets.token_hex(6)
        with self._lock:
            self._views[view_id] = view
        return view_id

    def watched(self, view_id: str) -> bool:
        """Is a browser showing this output right now (so the kernel need not update it)?"""
        view = self._views.get(view_id)
        return bool(view and view.sockets)

    def remove(self, view_id: str) -> None:
        """Stop feeding an output; its browsers keep what they show."""
        with self._lock:
            view = self._views.pop(view_id, None)
        loop = self._loop
        if view and view.sockets and loop is not None and not loop.is_closed():
            for ws in list(view.sockets):
                asyncio.run_coroutine_threadsafe(ws.close(1000), loop)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ws = WebSocket(scope, receive, send)
        token, _, view_id = scope["path"][len(FEED_PATH):].partition("/")
        view = self._views.get(view_id)
        if not secrets.compare_digest(token, self.token) or view is None:
            await ws.close()  # before accept: 403
            return
        await ws.accept()
        loop = self._loop = asyncio.get_running_loop()
        pending: list[asyncio.TimerHandle] = []
        sending: set[asyncio.Task[None]] = set()

        def push() -> None:
            pending.clear()
            task = loop.create_task(_send(ws, view.render()))
            sending.add(task)
            task.add_done_callback(sending.discard)

        def changed() -> None:  # from any thread; at most one push per interval
            loop.call_soon_threadsafe(schedule)

        def schedule() -> None:
            if not pending:
                pending.append(loop.call_later(view.interval, push))

        view.sockets.add(ws)
        unsubscribe = view.subscribe(changed)
        try:
            await ws.send_text(view.render())
            while True:
                await ws.receive_text()
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            unsubscribe()
            view.sockets.discard(ws)
            for handle in pending:
                handle.cancel()


async def _send(ws: WebSocket, text: str) -> None:
    try:
        await ws.send_text(text)
    except (OSError, RuntimeError):
        pass
