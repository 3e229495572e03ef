"""Keeping a notebook's iframes of an app in step with the app.

Pages served to a notebook load `live.js`, which sizes the iframe to the
page and holds a small socket to `LIVE_PATH`. When a page route is
registered again (a re-run cell), the app sends `reload` on every such
socket. On connect the app sends its token; a page that reconnects and finds
another token is talking to a new app object on the same port, and reloads.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import TYPE_CHECKING

from starlette.websockets import WebSocket, WebSocketDisconnect

from .components import FT, Script
from .paths import ASSETS_PATH, LIVE_PATH

if TYPE_CHECKING:
    from .app import FastHTML

__all__ = ["LiveReload"]


class LiveReload:
    """The reload channel of one app; off until a notebook serves the app."""

    def __init__(self, app: FastHTML) -> None:
        self.app = app
        self.enabled = False
        self.token = secrets.token_hex(8)
        self._sockets: set[WebSocket] = set()
        self._loop: asyncio.AbstractEventLoop | None = None

    def head_items(self) -> list[FT]:
        if not self.enabled:
            return []
        return [Script(src=f"{ASSETS_PATH}/live.js", data_live=LIVE_PATH)]

    async def endpoint(self, ws: WebSocket) -> None:
        if not self.app.origin_allowed(ws.headers):
            await ws.close()
            return
        await ws.accept()
        self._loop = asyncio.get_running_loop()
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
        """Tell every open page of this app to reload; callable from any thread."""
        loop = self._loop
        if self._sockets and loop is not None and not loop.is_closed():
            asyncio.run_coroutine_threadsafe(self._send_reload(), loop)

    async def _send_reload(self) -> None:
        for ws in list(self._sockets):
            try:
                await ws.send_text("reload")
            except (OSError, RuntimeError):
                self._sockets.discard(ws)
