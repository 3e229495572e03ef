"""The websocket endpoint of an app: one connection per socket, frames dispatched to the current handler.

Modules, from the wire in: `frames` (reading and rendering frames), `dispatch`
(calling the handler), `outbox` (writing without waiting for the client),
`connection` (one socket's life), `registry` (an app's sockets and the
watchdog), `endpoint` (the ASGI app of a path), `state` (states and close
codes), `host` (what the endpoint needs from its app), `tracing` (what a
recorder learns).
"""

from .connection import ABORT_EXTENSION, Connection
from .endpoint import SocketEndpoint
from .frames import is_empty, render_frame
from .host import SocketHandlers, SocketHost, SocketLimits
from .registry import ConnectionSet
from .state import ConnectionState

__all__ = ["ABORT_EXTENSION", "Connection", "ConnectionSet", "ConnectionState", "SocketEndpoint", "SocketHandlers",
           "SocketHost", "SocketLimits", "is_empty", "render_frame"]
