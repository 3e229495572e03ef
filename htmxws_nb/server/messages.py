"""A served app driven by messages instead of TCP: a page's HTTP requests and websockets as events.

Where the browser cannot reach the server's port, a page can still send its
traffic through some other message channel (the notebook's kernel channel,
a widget's comm). `Bridge` turns those events into ASGI calls of the
server's app slot *in this process, on the server's loop*: the same
handlers, live swap, recorder, feeds and error log as clients on the port
get. It knows nothing of the channel: it is given a `send(content, buffers)`
for batches to the browser and is handed the browser's batches.

Events (JSON-able dicts; bodies are byte buffers, referenced by index):

    browser → server  {"view": V, "seq": N, "events": [...]}
        {"type": "http", "id", "method", "url": "/path?query", "headers": [[k, v]], "body": i | null}
        {"type": "ws-open", "id", "url": "/path?query", "headers", "protocols": [...]}
        {"type": "ws-send", "id", "text": str} | {"type": "ws-send", "id", "body": i[, "utf8": true]}
        {"type": "ws-close", "id", "code", "reason"}
    server → browser  {"seq": K, "acks": {V: N}, "events": [...]}
        {"type": "http", "id", "status", "headers", "body": i}
        {"type": "ws-accept", "id", "protocol"}
        {"type": "ws-send", "id", "text"} | {"type": "ws-send", "id", "body": i[, "utf8": true]}
        {"type": "ws-close", "id", "code", "reason"}

Server → browser events are batched: the first after a quiet spell goes at
the end of the loop iteration (no added latency), later ones at most every
`FLUSH_DELAY` seconds, so a channel with a message rate limit (Jupyter's
iopub: 1000/s) is never flooded however fast the app sends. Batches are
numbered, so the browser can tell that some were dropped; acks tell it which
of its batches were picked up (its flow control).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.types import ASGIApp, Message

from ..app.websocket import ABORT_EXTENSION
from . import inprocess

__all__ = ["Bridge", "BridgedSocket", "SocketClosed"]

logger = logging.getLogger("htmxws_nb")

FLUSH_DELAY = 0.005  # seconds between two batches to the browser: at most 200 a second
MAX_BATCH_BYTES = 4 * 1024 * 1024  # a batch with this many body bytes goes at once
HTTP_TIMEOUT = 30.0  # seconds a response may take to end (a stream that never ends is not carried)
TEXT_AS_BUFFER = 64 * 1024  # longer text frames travel as UTF-8 buffers (no JSON escaping)
CLIENT = ("kernel", 0)  # the scope's client: what the transcript names these connections by

Send = Callable[[dict[str, Any], list[bytes]], None]


class SocketClosed(OSError):
    """The app sent on a websocket the browser has closed (ASGI: an OSError subclass, as uvicorn raises)."""


class Bridge:
    """Calls an ASGI app for a browser's events; everything but `receive` runs on `loop`."""

    def __init__(self, app: ASGIApp, loop: asyncio.AbstractEventLoop, send: Send, *, server: tuple[str, int]) -> None:
        self.app = app
        self.loop = loop
        self.server = server
        self.sockets: dict[str, BridgedSocket] = {}
        self._send = send
        self._events: list[dict[str, Any]] = []
        self._buffers: list[bytes] = []
        self._bytes = 0
        self._acks: dict[str, int] = {}
        self._timer: asyncio.Handle | None = None
        self._last_flush = 0.0
        self._seq = 0
        self._tasks: set[asyncio.Task[None]] = set()

    @classmethod
    def of(cls, server: Any, send: Send) -> Bridge:
        """The bridge to a running `Server`: its app slot (recorder, live swap, feeds, errors), on its loop."""
        loop = server.loop
        if loop is None or not server.running:
            raise RuntimeError("the server is not running")
        return cls(server.slot, loop, send, server=(server.host, server.port))

    # -- from the channel's thread -------------------------------------------

    def receive(self, content: dict[str, Any], buffers: list[Any]) -> None:
        """A batch from the browser, from any thread: handed to the server's loop, never waited on."""
        data = [bytes(b) for b in buffers]
        try:
            self.loop.call_soon_threadsafe(self._dispatch, content, data)
        except RuntimeError:  # the server has stopped (its loop is closed): nothing runs there any more
            self._refuse(content)

    def _refuse(self, content: dict[str, Any]) -> None:
        """Answer a batch for a stopped server at once: requests 503, sockets 1012 (htmx retries later)."""
        for event in content.get("events", []):
            if event.get("type") == "http":
                self.post({"type": "http", "id": event.get("id"), "status": 503,
                           "headers": [["content-type", "text/plain; charset=utf-8"]]}, b"the server has stopped")
            elif event.get("type") == "ws-open":
                self.post({"type": "ws-close", "id": event.get("id"), "code": 1012, "reason": "server stopped"})
        self._acks[str(content.get("view", ""))] = int(content.get("seq", 0))
        self.flush()

    # -- on the server's loop -------------------------------------------------

    def _dispatch(self, content: dict[str, Any], buffers: list[bytes]) -> None:
        for event in content.get("events", []):
            try:
                self._event(event, buffers)
            except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
                logger.warning("the bridge refused a malformed event %r", event, exc_info=True)
                self._answer_malformed(event, exc)
        self._acks[str(content.get("view", ""))] = int(content.get("seq", 0))
        self._schedule()

    def _event(self, event: dict[str, Any], buffers: list[bytes]) -> None:
        kind, sid = event["type"], event["id"]
        body = buffers[event["body"]] if event.get("body") is not None else None
        if kind == "http":
            self._spawn(self._http(event, self.headers(event), body or b""))
        elif kind == "ws-open":
            socket = self.sockets[sid] = BridgedSocket(self, event)
            self._spawn(socket.run())
        elif kind == "ws-send" and sid in self.sockets:
            if event.get("utf8"):
                self.sockets[sid].from_browser(text=(body or b"").decode())
            elif "text" in event:
                self.sockets[sid].from_browser(text=event["text"])
            else:
                self.sockets[sid].from_browser(data=body or b"")
        elif kind == "ws-close" and sid in self.sockets:
            self.sockets[sid].closed_by_browser(int(event.get("code", 1005)), str(event.get("reason", "")))

    def _answer_malformed(self, event: Any, exc: Exception) -> None:
        """The page's request fails (400) or its socket closes (1006) instead of waiting for ever."""
        sid = event.get("id") if isinstance(event, dict) else None
        if sid is None:
            return
        if event.get("type") == "http":
            text = f"the kernel channel could not read this request: {type(exc).__name__}: {exc}"
            self.post({"type": "http", "id": sid, "status": 400,
                       "headers": [["content-type", "text/plain; charset=utf-8"]]}, text.encode())
        elif event.get("type") == "ws-open":
            self.post({"type": "ws-close", "id": sid, "code": 1006, "reason": ""})

    def post(self, event: dict[str, Any], body: bytes | None = None) -> None:
        """Queue one event for the browser (it goes with the next batch)."""
        if body is not None:
            event["body"] = len(self._buffers)
            self._buffers.append(body)
            self._bytes += len(body)
        self._events.append(event)
        if self._bytes >= MAX_BATCH_BYTES:
            self.flush()
        else:
            self._schedule()

    def _schedule(self) -> None:
        if self.loop.is_closed():
            return  # only `_refuse` posts then, and it flushes itself
        if self._timer is None:
            wait = self._last_flush + FLUSH_DELAY - self.loop.time()
            self._timer = self.loop.call_later(wait, self.flush) if wait > 0 else self.loop.call_soon(self.flush)

    def flush(self) -> None:
        """Send what is queued now, as one batch."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._events and not self._acks:
            return
        self._seq += 1
        content = {"seq": self._seq, "acks": self._acks, "events": self._events}
        buffers = self._buffers
        self._events, self._buffers, self._bytes, self._acks = [], [], 0, {}
        self._last_flush = self.loop.time()
        try:
            self._send(content, buffers)
        except Exception:  # the channel is closed (widget closed, kernel shutting down)
            logger.debug("the bridge could not send to the browser", exc_info=True)

    def _spawn(self, coro: Awaitable[None]) -> None:
        task = self.loop.create_task(coro)  # type: ignore[arg-type]
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def headers(self, event: dict[str, Any]) -> list[tuple[str, str]]:
        """An event's headers, with the `host` a client of the port would send (the app's origin check uses it).

        A header HTTP cannot carry (not latin-1) raises `UnicodeEncodeError`: the event is malformed.
        """
        headers = [(str(k), str(v)) for k, v in event.get("headers", [])]
        "".join(k + v for k, v in headers).encode("latin-1")
        if not any(k.lower() == "host" for k, _ in headers):
            headers.insert(0, ("host", f"{self.server[0]}:{self.server[1]}"))
        return headers

    async def _http(self, event: dict[str, Any], headers: list[tuple[str, str]], body: bytes) -> None:
        """One HTTP request, answered whole. The slot has logged an exception (→ the error panel)."""
        call = inprocess.request(self.app, str(event.get("method", "GET")), str(event["url"]), headers,
                                 body, self.server, CLIENT)
        try:
            response = await asyncio.wait_for(call, HTTP_TIMEOUT)
        except asyncio.TimeoutError:
            response = inprocess.Response(504, [("content-type", "text/plain; charset=utf-8")],
                                          f"the response did not end within {HTTP_TIMEOUT:.0f} s (the kernel channel "
                                          "carries whole responses, not streams)".encode())
        except Exception:
            logger.debug("the app failed on %s %s", event.get("method"), event.get("url"), exc_info=True)
            response = inprocess.Response(500, [("content-type", "text/plain; charset=utf-8")],
                                          b"Internal Server Error")
        self.post({"type": "http", "id": event["id"], "status": response.status,
                   "headers": [list(h) for h in response.headers]}, response.body)


class BridgedSocket:
    """One websocket of the page, driven through ASGI's receive/send (what uvicorn does for a TCP one)."""

    def __init__(self, bridge: Bridge, event: dict[str, Any]) -> None:
        self.bridge = bridge
        self.id: str = event["id"]
        self.state = "connecting"  # → open → closed
        self.inbox: asyncio.Queue[Message] = asyncio.Queue()
        self.scope = inprocess.scope_for("websocket", str(event["url"]), bridge.headers(event), bridge.server, CLIENT)
        self.scope["subprotocols"] = [str(p) for p in event.get("protocols") or []]
        # A client that cannot take a close frame is cut: here that is a close without one (1006).
        self.scope["extensions"][ABORT_EXTENSION] = {"abort": lambda: self.close_from_server(1006, "")}
        self.inbox.put_nowait({"type": "websocket.connect"})

    async def run(self) -> None:
        bridge = self.bridge
        try:
            await bridge.app(self.scope, self.inbox.get, self.send)
        except asyncio.CancelledError:  # the server is stopping: as uvicorn does, 1012 (Service Restart)
            self.close_from_server(1012, "server stopped")
            bridge.flush()
            raise
        except Exception:  # the slot has logged it (→ the error panel)
            logger.debug("the app failed on websocket %s", self.scope["path"], exc_info=True)
            self.close_from_server(1011 if self.state == "open" else 1006, "")
        else:  # the app returned: uvicorn closes with 1000 (or refuses the handshake: 403, the browser sees 1006)
            self.close_from_server(1000 if self.state == "open" else 1006, "")
        finally:
            bridge.sockets.pop(self.id, None)

    async def send(self, message: Message) -> None:
        """The app's ASGI `send`: never waits, the bridge's batch takes it."""
        kind = message["type"]
        if self.state == "closed":
            raise SocketClosed("the browser's websocket is closed")
        if kind == "websocket.accept":
            self.state = "open"
            self.bridge.post({"type": "ws-accept", "id": self.id, "protocol": message.get("subprotocol")})
        elif kind == "websocket.send":
            text = message.get("text")
            if text is not None and len(text) > TEXT_AS_BUFFER:
                self.bridge.post({"type": "ws-send", "id": self.id, "utf8": True}, text.encode())
            elif text is not None:
                self.bridge.post({"type": "ws-send", "id": self.id, "text": text})
            else:
                self.bridge.post({"type": "ws-send", "id": self.id}, message.get("bytes") or b"")
        elif kind == "websocket.close" and self.state == "connecting":  # a refused handshake: HTTP 403
            self.close_from_server(1006, "")
        elif kind == "websocket.close":
            self.close_from_server(int(message.get("code", 1000)), message.get("reason") or "")

    def from_browser(self, text: str | None = None, data: bytes | None = None) -> None:
        if self.state == "open":
            self.inbox.put_nowait({"type": "websocket.receive", "text": text} if text is not None
                                  else {"type": "websocket.receive", "bytes": data or b""})

    def closed_by_browser(self, code: int, reason: str) -> None:
        """The page called close(): the app hears a disconnect; the page gets the echo of its close frame."""
        if self.state != "closed":
            self.state = "closed"
            self.inbox.put_nowait({"type": "websocket.disconnect", "code": code, "reason": reason})
            self.bridge.post({"type": "ws-close", "id": self.id, "code": code, "reason": reason})

    def close_from_server(self, code: int, reason: str) -> None:
        if self.state != "closed":
            self.state = "closed"
            self.bridge.post({"type": "ws-close", "id": self.id, "code": code, "reason": reason})
            self.inbox.put_nowait({"type": "websocket.disconnect", "code": code, "reason": reason})
