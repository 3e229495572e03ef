"""The ASGI app behind one websocket path: check the origin, accept, run the connection."""

from __future__ import annotations

from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

from ..errors import logger
from .connection import Connection
from .host import SocketHost

__all__ = ["SocketEndpoint"]


class SocketEndpoint:
    """The websocket endpoint of one path of an app."""

    def __init__(self, app: SocketHost, path: str) -> None:
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
        await Connection(app, ws, self.path, send).serve(receive)
