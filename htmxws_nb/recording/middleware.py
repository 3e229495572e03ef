"""ASGI middleware that feeds a `Recorder` with every websocket event of any ASGI app.

Ours, plain Starlette, FastHTML: connects, every frame in and out, closes
with their codes. Our own endpoint adds, through the scope's tracer, which
handler answered each frame and which frame caused each outgoing one.
"""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..app.paths import RESERVED_PREFIX
from ..app.websocket.tracing import CAUSE_KEY, CONNECTION_ID_KEY, FRAME_KEY, TRACER_KEY
from .recorder import Recorder

__all__ = ["CLIENT_AGENT", "CLOSED_BY_SERVER_KEY", "VIEW_PARAMETER", "RecordingMiddleware"]

# Set in a websocket's scope by whoever closes it from outside the app (the server retiring
# an old app's sockets), so that the close is recorded as the server's.
CLOSED_BY_SERVER_KEY = "htmxws.closed_by_server"
VIEW_PARAMETER = "_htmxws_view"  # added by live.js to the sockets of a page served to a notebook: "iframe /"
CLIENT_AGENT = "htmxws_nb-client"  # the User-Agent our Python client sends


class RecordingMiddleware:
    """Records the websocket events of `app` in `recorder` (while it is enabled)."""

    def __init__(self, app: ASGIApp, recorder: Recorder) -> None:
        self.app = app
        self.recorder = recorder

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        recorder = self.recorder
        if scope["type"] != "websocket" or not recorder.enabled or scope["path"].startswith(RESERVED_PREFIX):
            await self.app(scope, receive, send)
            return
        connection = recorder.new_connection()
        path = scope["path"]
        scope[CONNECTION_ID_KEY] = connection
        scope[TRACER_KEY] = recorder
        add, frame = recorder.add, recorder.frame
        accepted = closed = False

        async def recording_receive() -> Message:
            nonlocal closed
            message = await receive()
            kind = message["type"]
            if kind == "websocket.receive":
                text = message.get("text")
                if text is not None:
                    message[FRAME_KEY] = frame(connection, path, "in", text)
                else:
                    data = message.get("bytes") or b""
                    message[FRAME_KEY] = add(connection, path, "in", _binary(data), size=len(data), binary=True)
            elif kind == "websocket.disconnect" and not closed:
                closed = True
                add(connection, path, "close", message.get("reason") or "", code=message.get("code", 1005),
                    by="server" if scope.get(CLOSED_BY_SERVER_KEY) else "client")
            return message

        async def recording_send(message: Message) -> None:
            nonlocal accepted, closed
            await send(message)
            kind = message["type"]
            if kind == "websocket.send":
                text = message.get("text")
                if text is not None:
                    frame(connection, path, "out", text, message.get(CAUSE_KEY))
                else:
                    data = message.get("bytes") or b""
                    add(connection, path, "out", _binary(data), size=len(data), binary=True,
                        cause=message.get(CAUSE_KEY))
            elif kind == "websocket.accept":
                accepted = True
                add(connection, path, "open", _client_kind(scope), peer=_peer(scope), client=_client(scope))
            elif kind == "websocket.close" and not closed:
                closed = True
                add(connection, path, "close" if accepted else "refused", message.get("reason") or "",
                    code=message.get("code", 1000) if accepted else 403, by="server")

        try:
            await self.app(scope, recording_receive, recording_send)
        finally:
            add(connection, path, "end")  # the app is done with this socket (its `disconn` has run)


def _binary(data: bytes) -> str:
    return f"<{len(data)} bytes>"


def _client_kind(scope: Scope) -> str:
    """What opened the socket: `iframe /path` or `tab /path` (pages served to a notebook say so in the
    query), `python` (our client), `browser` (another page) or `script` (any other client)."""
    query = scope.get("query_string", b"")
    if VIEW_PARAMETER.encode() in query:
        view = parse_qs(query.decode("latin-1")).get(VIEW_PARAMETER)
        if view:
            return view[0][:80]
    headers = dict(scope.get("headers", []))
    if headers.get(b"user-agent", b"").startswith(CLIENT_AGENT.encode()):
        return "python"
    return "browser" if b"origin" in headers else "script"


def _client(scope: Scope) -> str:
    """Who opened the socket, as far as a handshake tells: its address, Origin and User-Agent, hashed.

    The same page reconnecting (htmx 4 reopens its socket when a hidden tab
    is shown again) gives the same value; the port does not count, it is new.
    """
    headers = dict(scope.get("headers", []))
    client = scope.get("client")
    who = b"|".join([(client[0] if client else "").encode(), headers.get(b"origin", b""),
                     headers.get(b"user-agent", b"")])
    return hashlib.blake2s(who, digest_size=6).hexdigest()


def _peer(scope: Scope) -> str | None:
    client = scope.get("client")
    return f"{client[0]}:{client[1]}" if client else None
