"""Everything that reaches into uvicorn's private classes, in one place.

None of it is needed for speed or for correctness under plain uvicorn
(`uvicorn module:app`); our notebook server uses it to be tidier:

- `IdleClosingHttpProtocol`: uvicorn arms its keep-alive timer only after a
  first request, so a client that opens a TCP connection and stays silent
  holds it forever; here the same timer (5 s) runs from the moment it connects.
- `AbortingWebSocketProtocol`: offers the `htmxws.abort` ASGI extension, so
  a client that cannot take even a close frame (it stopped reading) has its
  TCP connection cut at once, instead of lingering until the OS gives up.
- `NotifyingServer`: tells us the moment uvicorn accepts connections.

`tests/server/test_uvicorn_internals.py` fails, naming what moved, when a
uvicorn upgrade breaks any of this (`check()` says the same at start).
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import uvicorn
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _HttpProtocol
except ImportError:  # httptools is optional in uvicorn
    from uvicorn.protocols.http.h11_impl import H11Protocol as _HttpProtocol  # type: ignore[assignment]

from ..app.websocket import ABORT_EXTENSION

__all__ = ["AbortingWebSocketProtocol", "IdleClosingHttpProtocol", "NotifyingServer", "check"]


class IdleClosingHttpProtocol(_HttpProtocol):
    """uvicorn's HTTP protocol, closing a connection that sends nothing at all."""

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self.timeout_keep_alive_task = self.loop.call_later(self.timeout_keep_alive, self.timeout_keep_alive_handler)


class AbortingWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's websocket protocol, plus the `htmxws.abort` extension (cut the TCP connection)."""

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        scope = getattr(self, "scope", None)
        if scope is not None:
            scope.setdefault("extensions", {})[ABORT_EXTENSION] = {"abort": self.transport.abort}


class NotifyingServer(uvicorn.Server):
    """uvicorn's server, calling `on_started()` the moment it accepts connections."""

    def __init__(self, config: uvicorn.Config, on_started: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_started = on_started

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self._on_started()


def check() -> None:
    """Raise, naming what is missing, if this uvicorn lacks what the classes above rely on."""
    missing = [
        f"{cls.__name__}.{name}"
        for cls, names in (
            (_HttpProtocol, ("connection_made", "timeout_keep_alive_handler")),
            (WebSocketsSansIOProtocol, ("handle_connect",)),
            (uvicorn.Server, ("startup",)),
        )
        for name in names
        if not hasattr(cls, name)
    ]
    if missing:
        raise RuntimeError(f"uvicorn {uvicorn.__version__} lacks {', '.join(missing)}: htmxws_nb's "
                           "server/uvicorn_internals.py needs updating")
