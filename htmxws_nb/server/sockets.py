"""Listening sockets, bound by the caller so that a taken port is known before anything starts."""

from __future__ import annotations

import errno
import socket

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "bind_socket", "port_in_use"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5001


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port (port 0: any free port). Raises OSError."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


def port_in_use(error: OSError) -> bool:
    return error.errno in (errno.EADDRINUSE, errno.EACCES)
