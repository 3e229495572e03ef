"""A Python websocket client that speaks like the htmx ws extension.

`connect(app_or_server, '/ws')` opens a real socket; `client.send(msg='Bob')`
sends `{"msg": "Bob", "HEADERS": {...}}` as a browser's form submit would
(for an app with `htmx4=True`, as htmx 4 would: `{"msg": "Bob", "headers": {...}}`);
`client.round_trip(msg='Bob')` sends and returns the frames that message
caused. `aconnect(...)` is the same for `await` in a cell.

Which frames a message caused: when the server runs in this process (a
notebook's `serve()`), the client reads the server's transcript: it waits
until the handler has answered and counts exactly the frames it queued, so
a round trip never depends on timing (which keeps nbval outputs stable).
Against any other server it collects frames until none arrive for `quiet`
seconds.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from html import escape
from http.cookies import SimpleCookie
from typing import Any

from websockets.asyncio.client import ClientConnection as AsyncConnection
from websockets.asyncio.client import connect as async_connect
from websockets.sync.client import ClientConnection
from websockets.sync.client import connect as sync_connect

from ..app.errors import ERROR_COLOR
from ..recording import Recorder
from ..recording.labels import shorten
from ..recording.middleware import CLIENT_AGENT
from ..server import Server
from .serve import server_for
from .server_side import ServerSide

__all__ = ["AsyncClient", "Client", "ClientRoundTrip", "Page", "aconnect", "connect", "fetch"]

VIEW_TEXT = 120
ERROR_POINTER = "the traceback is under the served page, and in app.errors"


@dataclass
class ClientRoundTrip:
    """What one message sent and what came back for it."""

    sent: dict[str, Any]
    replies: list[str] = field(default_factory=list)
    elapsed: float = 0.0  # seconds until the last reply arrived
    other: list[str] = field(default_factory=list)  # frames received meanwhile that other messages caused
    error: str | None = None  # what the handler raised (a server in this process), e.g. "ValueError: bad x"

    @property
    def reply(self) -> str | None:
        """The only (or last) reply, handy for assertions."""
        return self.replies[-1] if self.replies else None

    @property
    def error_note(self) -> str:
        return f"{self.error} ({ERROR_POINTER})" if self.error else ""

    def __repr__(self) -> str:
        lines = [f"→ {json.dumps(self.sent, ensure_ascii=False)}"]
        lines += [f"← {shorten(r, VIEW_TEXT)}" for r in self.replies] or ["← (no reply)"]
        if self.error:
            lines.append(f"   {self.error_note}")
        lines.append(f"({self.elapsed * 1000:.1f} ms)")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        replies = "".join(f"<div>← <code>{escape(r)}</code></div>" for r in self.replies)
        replies = replies or "<div>← <i>no reply</i></div>"
        if self.error:
            replies += f'<div style="color:{ERROR_COLOR}">{escape(self.error_note)}</div>'
        sent = escape(json.dumps(self.sent, ensure_ascii=False))
        return (f'<div class="htmxws-roundtrip"><div>→ <code>{sent}</code></div>{replies}'
                f'<div style="opacity:0.6">{self.elapsed * 1000:.1f} ms</div></div>')


def _resolve(target: Any, path: str) -> tuple[str, Server | None]:
    """A ws:// URL and, when it runs in this process, the server."""
    if isinstance(target, str):
        if target.startswith(("ws://", "wss://")):
            return target, None
        if target.startswith(("http://", "https://")):
            return "ws" + target[4:].rstrip("/") + path, None
    if isinstance(target, int):
        return f"ws://127.0.0.1:{target}{path}", None
    server = server_for(target)
    return f"ws://127.0.0.1:{server.port}{path}", server


def _traceable(server: Server | None) -> Recorder | None:
    """The server's recorder, if it can tell us exactly what a message caused."""
    if server is None or not server.recorder.enabled or not hasattr(server.app, "socket_handlers"):
        return None
    return server.recorder


def _htmx_payload(values: dict[str, Any], url: str, trigger: str | None, htmx4: bool) -> dict[str, Any]:
    """What a form with id `trigger` sends: htmx 2's ws extension, or htmx 4's hx-ws (lowercase `headers`,
    the form named "tag#id", no HX-Trigger)."""
    if htmx4:
        source = f"form#{trigger}" if trigger else "form"
        return {**values, "headers": {"HX-Request": "true", "HX-Source": source, "HX-Current-URL": _page_url(url),
                                      "HX-Target": source}}
    headers = {"HX-Request": "true", "HX-Trigger": trigger, "HX-Trigger-Name": trigger, "HX-Target": trigger,
               "HX-Current-URL": _page_url(url)}
    return {**values, "HEADERS": headers}


def _speaks_htmx4(server: Server | None) -> bool:
    """Does the app behind `server` serve htmx 4 pages? Then the client speaks like them."""
    return bool(server is not None and getattr(server.app, "htmx4", False))


def _page_url(ws_url: str) -> str:
    scheme, rest = ws_url.split("://", 1)
    return ("https" if scheme == "wss" else "http") + "://" + rest.split("/", 1)[0] + "/"


class _ClientBase:
    """What the sync and async clients share: the payload, the history, the display."""

    def __init__(self, url: str, server: Server | None, trigger: str | None, timeout: float,
                 quiet: float, htmx4: bool | None) -> None:
        self.url = url
        self.server = server
        self.trigger = trigger
        self.htmx4 = _speaks_htmx4(server) if htmx4 is None else htmx4
        self.timeout = timeout
        self.quiet = quiet
        self.received: list[str] = []  # every frame received, in order
        self.round_trips: list[ClientRoundTrip] = []
        self._sent = 0
        self._side: ServerSide | None = None

    def payload(self, values: dict[str, Any]) -> str:
        """The JSON text the htmx ws extension would send for these form values."""
        return json.dumps(_htmx_payload(values, self.url, self.trigger, self.htmx4))

    def _watch(self, peer: Any) -> None:
        recorder = _traceable(self.server)
        if recorder is not None and peer:
            self._side = ServerSide(recorder, f"{peer[0]}:{peer[1]}")

    def _split(self, frames: list[str], caused: set[int], first_index: int) -> tuple[list[str], list[str]]:
        mine = [f for i, f in enumerate(frames, first_index) if i in caused]
        other = [f for i, f in enumerate(frames, first_index) if i not in caused]
        return mine, other

    def __repr__(self) -> str:
        path = self.url.split("/", 3)[-1]
        return f"<{type(self).__name__} /{path}: {self._sent} sent, {len(self.received)} received>"

    def _repr_html_(self) -> str:
        last = "".join(f"<div>← <code>{escape(shorten(f, VIEW_TEXT))}</code></div>" for f in self.received[-5:])
        path = escape("/" + self.url.split("/", 3)[-1])
        return (f"<div><b>{type(self).__name__}</b> on <code>{path}</code>: {self._sent} sent, "
                f"{len(self.received)} received{last}</div>")


class Client(_ClientBase):
    """A blocking client, for plain cells and tests. Use `connect()` to make one."""

    def __init__(self, url: str, server: Server | None = None, *, trigger: str | None = "form",
                 timeout: float = 5.0, quiet: float = 0.1, htmx4: bool | None = None, **options: Any) -> None:
        super().__init__(url, server, trigger, timeout, quiet, htmx4)
        # Entered by hand: the connection outlives this call (it spans notebook cells).
        self.ws: ClientConnection = sync_connect(url, open_timeout=timeout, close_timeout=2,
                                                 **{"user_agent_header": CLIENT_AGENT, **options}).__enter__()
        self._watch(self.ws.local_address)
        if self._side is not None:
            for _ in range(self._side.frames_after_connect(timeout)):
                self.recv()

    def send(self, values: dict[str, Any] | None = None, /, **fields: Any) -> None:
        """Send form values as the htmx ws extension does."""
        self.send_text(self.payload({**(values or {}), **fields}))

    def send_text(self, text: str | bytes) -> None:
        """Send a raw frame (text, or bytes for a binary frame)."""
        self._sent += 1
        self.ws.send(text)

    def recv(self, timeout: float | None = None) -> str:
        """The next frame; raises TimeoutError when none comes in time."""
        frame = self.ws.recv(timeout=self.timeout if timeout is None else timeout)
        text = frame if isinstance(frame, str) else f"<{len(frame)} bytes>"
        self.received.append(text)
        return text

    def round_trip(self, values: dict[str, Any] | None = None, /, **fields: Any) -> ClientRoundTrip:
        """Send form values; return the frames that message caused."""
        sent = {**(values or {}), **fields}
        started = time.perf_counter()
        self.send(sent)
        if self._side is not None:
            total, caused, error = self._side.frames_until_answered(self._sent, self.timeout)
            first = len(self.received) + 1
            frames = [self.recv() for _ in range(total - len(self.received))]
            mine, other = self._split(frames, caused, first)
        else:
            mine, other, error = self._collect(), [], None
        trip = ClientRoundTrip(sent, mine, time.perf_counter() - started, other, error)
        self.round_trips.append(trip)
        return trip

    def _collect(self) -> list[str]:
        frames = []
        try:
            frames.append(self.recv())
            while True:
                frames.append(self.recv(self.quiet))
        except TimeoutError:
            pass
        return frames

    @property
    def close_code(self) -> int | None:
        return self.ws.protocol.close_code  # (websockets < 15 has no close_code on the connection)

    def close(self, code: int | None = 1000) -> None:
        """Close, and (for a server in this process) return once its `disconn` has run.

        `close(None)` sends a close frame without a code, as htmx 4 does when its tab is hidden.
        """
        self.ws.close(code)  # type: ignore[arg-type]  # None: websockets sends no code
        if self._side is not None:
            try:
                self._side.wait_ended(self.timeout)
            finally:
                self._side.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncClient(_ClientBase):
    """The same client for `await` in a cell. Use `await aconnect()` to make one."""

    ws: AsyncConnection

    @classmethod
    async def open(cls, url: str, server: Server | None = None, *, trigger: str | None = "form",
                   timeout: float = 5.0, quiet: float = 0.1, htmx4: bool | None = None,
                   **options: Any) -> AsyncClient:
        client = cls(url, server, trigger, timeout, quiet, htmx4)
        client.ws = await async_connect(url, open_timeout=timeout, close_timeout=2,
                                        **{"user_agent_header": CLIENT_AGENT, **options})
        client._watch(client.ws.local_address)
        if client._side is not None:
            count = await asyncio.to_thread(client._side.frames_after_connect, timeout)
            for _ in range(count):
                await client.recv()
        return client

    async def send(self, values: dict[str, Any] | None = None, /, **fields: Any) -> None:
        await self.send_text(self.payload({**(values or {}), **fields}))

    async def send_text(self, text: str | bytes) -> None:
        self._sent += 1
        await self.ws.send(text)

    async def recv(self, timeout: float | None = None) -> str:
        frame = await asyncio.wait_for(self.ws.recv(), self.timeout if timeout is None else timeout)
        text = frame if isinstance(frame, str) else f"<{len(frame)} bytes>"
        self.received.append(text)
        return text

    async def round_trip(self, values: dict[str, Any] | None = None, /, **fields: Any) -> ClientRoundTrip:
        sent = {**(values or {}), **fields}
        started = time.perf_counter()
        await self.send(sent)
        if self._side is not None:
            total, caused, error = await asyncio.to_thread(self._side.frames_until_answered, self._sent,
                                                           self.timeout)
            first = len(self.received) + 1
            frames = [await self.recv() for _ in range(total - len(self.received))]
            mine, other = self._split(frames, caused, first)
        else:
            mine, other, error = await self._collect(), [], None
        trip = ClientRoundTrip(sent, mine, time.perf_counter() - started, other, error)
        self.round_trips.append(trip)
        return trip

    async def _collect(self) -> list[str]:
        frames = []
        try:
            frames.append(await self.recv())
            while True:
                frames.append(await self.recv(self.quiet))
        except (TimeoutError, asyncio.TimeoutError):
            pass
        return frames

    @property
    def close_code(self) -> int | None:
        return self.ws.protocol.close_code  # (websockets < 15 has no close_code on the connection)

    async def close(self, code: int | None = 1000) -> None:
        await self.ws.close(code)  # type: ignore[arg-type]  # None: websockets sends no code
        if self._side is not None:
            try:
                await asyncio.to_thread(self._side.wait_ended, self.timeout)
            finally:
                self._side.close()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


def _with_cookies(options: dict[str, Any], cookies: dict[str, str] | None) -> dict[str, Any]:
    if not cookies:
        return options
    header = "; ".join(f"{k}={v}" for k, v in cookies.items())
    return {**options, "additional_headers": {**dict(options.get("additional_headers") or {}), "Cookie": header}}


def connect(target: Any, path: str = "/ws", *, cookies: dict[str, str] | None = None, **options: Any) -> Client:
    """A client for `path` of a served app, a `Server`, a port, or a URL.

    `cookies` are sent with the handshake, as a browser sends its session
    cookie (see `fetch`). Other options: `trigger` (the id of the form that
    sends, default 'form': htmx 2's HX-Trigger, htmx 4's HX-Source
    "form#form"), `htmx4` (speak like htmx 4; default: like the app's pages),
    `timeout`, `quiet`, and `websockets` connect options such as `origin`.
    """
    url, server = _resolve(target, path)
    return Client(url, server, **_with_cookies(options, cookies))


async def aconnect(target: Any, path: str = "/ws", *, cookies: dict[str, str] | None = None,
                   **options: Any) -> AsyncClient:
    """`connect` for `await`: `client = await aconnect(app, '/ws')`."""
    url, server = _resolve(target, path)
    return await AsyncClient.open(url, server, **_with_cookies(options, cookies))


@dataclass(frozen=True)
class Page:
    """An HTTP response as a browser keeps it: the text, the status, the cookies it set."""

    status: int
    text: str
    cookies: dict[str, str]

    def __repr__(self) -> str:
        return f"{self.status} {shorten(self.text, VIEW_TEXT)}"


def fetch(target: Any, path: str = "/", cookies: dict[str, str] | None = None,
          headers: dict[str, str] | None = None) -> Page:
    """GET `path` like a browser: e.g. `fetch(app, '/login').cookies` for `connect(..., cookies=...)`.

    `headers` are sent too, e.g. `{'HX-Request': 'true'}` to get what htmx would get.
    """
    url, _ = _resolve(target, path)
    request = urllib.request.Request(_page_url(url).rstrip("/") + path, headers=headers or {})
    if cookies:
        request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
    try:
        response = urllib.request.urlopen(request, timeout=10)
    except urllib.error.HTTPError as error:
        response = error
    with response:
        jar = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        return Page(response.status, response.read().decode(), {k: m.value for k, m in jar.items()})
