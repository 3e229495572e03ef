"""The server layer: uvicorn's lifecycle, the swappable app slot, lifespans and sockets.

Knows the app and recording layers, nothing of notebooks (they subscribe to
`Server.app_replaced` and add endpoints through `AppSlot.reserved`).
"""

from .server import Server, ServerStartError
from .slot import AppSlot
from .sockets import DEFAULT_HOST, DEFAULT_PORT, bind_socket, port_in_use

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "AppSlot", "Server", "ServerStartError", "bind_socket", "port_in_use"]
