"""`app.setup_ws(f)`: the socket at `/ws` with a send that reaches every page connected to it.

FastHTML's own `setup_ws` keys connections by `scope.client` on a plain dict
and fails on every connection; this one keeps each connection's `send` by
connection and drops it when the connection ends, so `await send(...)` from
an HTTP handler, a background task or a notebook cell reaches every open page.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.websockets import WebSocket

__all__ = ["Broadcast"]


async def _ignore() -> None:
    """The message handler when `setup_ws` is given none: messages are read and dropped."""


class Broadcast:
    """The sends of the connections open on one socket path; calling it sends to all of them."""

    def __init__(self) -> None:
        self.sends: dict[int, Callable[..., Awaitable[bool]]] = {}

    # `conn`/`disconn` callbacks: parameters are filled by name (`send` must stay unannotated to be the send)
    def joined(self, ws: WebSocket, send) -> None:
        self.sends[id(ws)] = send

    def left(self, ws: WebSocket) -> None:
        self.sends.pop(id(ws), None)

    async def __call__(self, *content: Any) -> int:
        """Send `content` to every open connection; returns how many took it."""
        reached = 0
        for send in list(self.sends.values()):
            reached += bool(await send(*content))
        return reached

    @staticmethod
    def handler(f: Callable[..., Any] | None) -> Callable[..., Any]:
        return f if f is not None else _ignore
