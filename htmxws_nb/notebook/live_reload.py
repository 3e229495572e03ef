"""Keeping a notebook's iframes in step with the app they show.

Pages served to a notebook load `live.js`, which sizes the iframe to the page
and holds a small socket to `LIVE_PATH` (answered by the server, before the
app). The page reloads when told to (`reload`: a page route was re-run, or a
new app object took over the port), or when, after a reconnect, it finds
another token: another server, e.g. after a kernel restart.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from ..app import RouteChange
from ..app.origins import origin_allowed
from ..app.paths import ASSETS_PATH, LIVE_PATH
from ..html import Script
from ..server import Server

__all__ = ["LiveReload"]


class LiveReload:
    """The reload channel of one server's pages, following whichever app the server serves."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self._apps = itertools.count(1)
        self.token = f"{server.id}.{next(self._apps)}"
        self._sockets: set[WebSocket] = set()
        self._unfollow = self._follow(server.app)
        server.slot.reserved[LIVE_PATH] = self
        server.app_replaced.subscribe(self._app_replaced)

    def head_items(self) -> list[Any]:
        return [Script(src=f"{ASSETS_PATH}/live.js", data_live=LIVE_PATH)]

    def _follow(self, app: ASGIApp) -> Callable[[], None]:
        """Add our page helper to an app of ours and hear when its pages change."""
        pages = getattr(app, "pages", None)
        route_replaced = getattr(app, "route_replaced", None)
        if pages is None or route_replaced is None:
            return lambda: None
        pages.extra_head.append(self.head_items)
        unsubscribe = route_replaced.subscribe(self._route_replaced)

        def unfollow() -> None:
            unsubscribe()
            if self.head_items in pages.extra_head:
                pages.extra_head.remove(self.head_items)

        return unfollow

    def _route_replaced(self, change: RouteChange) -> None:
        if change.kind == "page":
            self.reload_pages()

    def _app_replaced(self, app: ASGIApp) -> None:
        self._unfollow()
        self._unfollow = self._follow(app)
        self.token = f"{self.server.id}.{next(self._apps)}"
        self.reload_pages()

    def close(self) -> None:
        self._unfollow()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ws = WebSocket(scope, receive, send)
        if not origin_allowed(ws.headers):
            await ws.close()
            return
        await ws.accept()
        self._sockets.add(ws)
        try:
            await ws.send_text(self.token)
            while True:
                await ws.receive_text()
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            self._sockets.discard(ws)

    def reload_pages(self) -> None:
        """Tell every open page of the server to reload; callable from any thread."""
        loop = self.server.loop
        if self._sockets and loop is not None and not loop.is_closed():
            asyncio.run_coroutine_threadsafe(self._send_reload(), loop)

    async def _send_reload(self) -> None:
        for ws in list(self._sockets):
            try:
                await ws.send_text("reload")
            except (OSError, RuntimeError):
                self._sockets.discard(ws)
