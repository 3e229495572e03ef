"""Calling the served app in this process, as an HTTP client would, without a socket.

The notebook takes a snapshot of a page this way, and the message bridge
(`messages.py`) answers a page's requests this way, through the same app slot
that serves the port (reserved paths, the current app, its lifespan state).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from starlette.types import ASGIApp, Message

__all__ = ["Response", "request", "scope_for"]


@dataclass
class Response:
    status: int = 500
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    started: bool = False  # the app sent `http.response.start`

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((value for key, value in self.headers if key.lower() == name), None)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def scope_for(kind: str, path: str, headers: Iterable[tuple[str, str]], server: tuple[str, int],
              client: tuple[str, int] = ("127.0.0.1", 0)) -> dict[str, Any]:
    """The ASGI scope uvicorn would build for a request to `path` (with its query) on `server`."""
    target, _, query = path.partition("?")
    target = target or "/"
    return {
        "type": kind, "asgi": {"version": "3.0", "spec_version": "2.4"}, "http_version": "1.1",
        "scheme": "ws" if kind == "websocket" else "http", "path": unquote(target), "raw_path": target.encode(),
        "query_string": query.encode(), "root_path": "",
        "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers],
        "client": client, "server": server, "extensions": {},
    }


async def request(app: ASGIApp, method: str, path: str, headers: Iterable[tuple[str, str]] = (), body: bytes = b"",
                  server: tuple[str, int] = ("127.0.0.1", 80), client: tuple[str, int] = ("127.0.0.1", 0)) -> Response:
    """One HTTP request to `app` as ASGI; the whole response (a streamed one once it ends).

    An exception after the response started returns what was sent (the client
    of a real server sees that too); before it, the exception propagates.
    """
    scope = scope_for("http", path, headers, server, client)
    scope["method"] = method.upper()
    pending = [{"type": "http.request", "body": body, "more_body": False}]
    response = Response()
    chunks: list[bytes] = []
    done = asyncio.Event()

    async def receive() -> Message:
        if pending:
            return pending.pop()
        await done.wait()  # the client "disconnects" only once the response is complete, as a browser does
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            response.started = True
            response.status = message["status"]
            response.headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in message.get("headers", [])]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                done.set()

    try:
        await app(scope, receive, send)
    except Exception:
        if not response.started:
            raise
    finally:
        done.set()
        response.body = b"".join(chunks)
    return response
