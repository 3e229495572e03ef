"""What the websocket endpoint needs from the app that hosts it, and what the app registers for a path.

The endpoint is written against `SocketHost`, not against `FastHTML`, so
that this package never imports the app that uses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from starlette.datastructures import Headers

from ..errors import ErrorLog
from ..handlers import Handler
from ..htmx_client import HtmxClient
from .registry import ConnectionSet

__all__ = ["SocketHandlers", "SocketHost", "SocketLimits"]


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


class SocketHost(Protocol):
    errors: ErrorLog
    connections: ConnectionSet
    socket_limits: SocketLimits
    state: Any

    @property
    def url_prefix(self) -> str: ...

    @property
    def htmx_client(self) -> HtmxClient: ...

    def socket_handlers(self, path: str) -> SocketHandlers | None: ...

    def origin_allowed(self, headers: Headers) -> bool: ...

    def read_session(self, scope: Any) -> dict[str, Any]: ...
