"""Which pages may open a websocket: the same origin, or one the app lists."""

from __future__ import annotations

from collections.abc import Collection
from urllib.parse import urlsplit

from starlette.datastructures import Headers

__all__ = ["origin_allowed"]


def origin_allowed(headers: Headers, allowed: Collection[str] = ()) -> bool:
    """May a page from the handshake's `Origin` open a socket here?

    Same origin (the `Origin` names the `Host` the request came to, which
    also holds through jupyter-server-proxy) or listed in `allowed` (`'*'`
    allows any). Clients that send no `Origin` are not browsers and are let in.
    """
    origin = headers.get("origin")
    if origin is None or "*" in allowed or origin in allowed:
        return True
    return urlsplit(origin).netloc == headers.get("host")
