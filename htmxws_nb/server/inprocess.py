"""Calling the served app in this process, as an HTTP client would, without a socket.

The notebook takes a snapshot of a page this way, through the same app slot
that serves the port (reserved paths, the current app, its lifespan state).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message

__all__ = ["Response", "request"]


@dataclass
class Response:
    status: int = 500
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((value for key, value in self.headers if key.lower() == name), None)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


async def request(app: ASGIApp, method: str, path: str, headers: Iterable[tuple[str, str]] = (), body: bytes = b"",
                  server: tuple[str, int] = ("127.0.0.1", 80)) -> Response:
    """One HTTP request to `app` as ASGI; the whole response."""
    target, _, query = path.partition("?")
    scope: dict[str, Any] = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method.upper(),
        "scheme": "http", "path": target, "raw_path": target.encode(), "query_string": query.encode(),
        "root_path": "", "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers],
        "client": ("127.0.0.1", 0), "server": server, "extensions": {},
    }
    pending = [{"type": "http.request", "body": body, "more_body": False}]
    response = Response()

    async def receive() -> Message:
        return pending.pop() if pending else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            response.status = message["status"]
            response.headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in message.get("headers", [])]
        elif message["type"] == "http.response.body":
            response.body += message.get("body", b"")

    await app(scope, receive, send)
    return response
