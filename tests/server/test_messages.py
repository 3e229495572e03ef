"""The message bridge: a page's HTTP and websocket traffic as events, driving the served app in-process.

A fake channel stands in for the widget's comm: it hands batches to
`Bridge.receive` from the test's thread (as the kernel's comm thread does) and
collects what the bridge sends back. The server is a real one (uvicorn on port
0): the bridge goes through its app slot, recorder and error log.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from conftest import msg_frame, running, wait_for
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from htmxws_nb import Div, FastHTML
from htmxws_nb.server import Server, messages
from htmxws_nb.server.messages import Bridge


class FakeChannel:
    """The browser's half of the channel: numbered batches out, events in (kept in arrival order)."""

    def __init__(self, server: Server, view: str = "v1") -> None:
        self.view = view
        self.bridge = Bridge.of(server, self._from_bridge)
        self.batches: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self._seq = itertools.count(1)
        self._changed = threading.Condition()

    def _from_bridge(self, content: dict[str, Any], buffers: list[bytes]) -> None:
        with self._changed:
            self.batches.append(content)
            for event in content["events"]:
                if event.get("body") is not None:
                    event = {**event, "bytes": buffers[event["body"]]}
                self.events.append(event)
            self._changed.notify_all()

    def send(self, *events: dict[str, Any], buffers: list[bytes] | None = None) -> None:
        self.bridge.receive({"view": self.view, "seq": next(self._seq), "events": list(events)}, buffers or [])

    def new_id(self) -> str:
        return f"{self.view}.{next(self._ids)}"

    def wait(self, predicate: Any, timeout: float = 5.0) -> Any:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [e for e in self.events if predicate(e)]
                if found:
                    return found[0]
                remaining = deadline - time.monotonic()
                assert remaining > 0, f"no matching event; got {self.events[-5:]}"
                self._changed.wait(remaining)

    def of(self, sid: str, kind: str) -> list[dict[str, Any]]:
        with self._changed:
            return [e for e in self.events if e["id"] == sid and e["type"] == kind]

    def http(self, method: str, url: str, headers: list[list[str]] | None = None, body: bytes | None = None
             ) -> dict[str, Any]:
        sid = self.new_id()
        self.send({"type": "http", "id": sid, "method": method, "url": url, "headers": headers or [],
                   "body": 0 if body else None}, buffers=[body] if body else [])
        return self.wait(lambda e: e["id"] == sid and e["type"] == "http")

    def open(self, url: str, headers: list[list[str]] | None = None) -> str:
        sid = self.new_id()
        self.send({"type": "ws-open", "id": sid, "url": url, "headers": headers or [], "protocols": []})
        self.wait(lambda e: e["id"] == sid and e["type"] in ("ws-accept", "ws-close"))
        return sid

    def text(self, sid: str, text: str) -> None:
        self.send({"type": "ws-send", "id": sid, "text": text})

    def received(self, sid: str, count: int) -> list[str]:
        self.wait(lambda e: len(self.of(sid, "ws-send")) >= count)
        return [e["text"] if "text" in e else e["bytes"].decode() if e.get("utf8") else e["bytes"]
                for e in self.of(sid, "ws-send")][:count]

    def closed(self, sid: str) -> tuple[int, str]:
        event = self.wait(lambda e: e["id"] == sid and e["type"] == "ws-close")
        return event["code"], event["reason"]


def raw_app(word: str, events: list[str]) -> Starlette:
    """Any ASGI app: HTTP that reports what it got, an echo socket, one that closes itself, ones that raise."""

    async def report(request: Request) -> JSONResponse:
        body = await request.body()
        response = JSONResponse({"method": request.method, "path": request.url.path, "query": request.url.query,
                                 "body": body.decode(), "x-test": request.headers.get("x-test"),
                                 "cookie": request.cookies.get("c"), "host": request.headers.get("host"),
                                 "client": request.client.host if request.client else None})
        response.set_cookie("c", "set-by-app", httponly=True)
        return response

    async def echo(ws: WebSocket) -> None:
        await ws.accept()
        try:
            while True:
                message = await ws.receive()
                if message["type"] == "websocket.disconnect":
                    events.append(f"{word} saw close {message.get('code')} {message.get('reason', '')}".strip())
                    return
                if message.get("text") == "burst":
                    for i in range(500):
                        await ws.send_text(f"{i}")
                elif message.get("text") == "close please":
                    await ws.close(4003, "asked to")
                    return
                elif message.get("text") is not None:
                    await ws.send_text(f"{word} {message['text']}")
                else:
                    await ws.send_bytes(message["bytes"][::-1])
        except WebSocketDisconnect as gone:
            events.append(f"{word} saw close {gone.code}")

    async def boom(request: Request) -> None:
        raise RuntimeError("http kaboom")

    async def endless(request: Request) -> StreamingResponse:
        async def ticks() -> AsyncIterator[str]:
            while True:
                yield "tick\n"
                await asyncio.sleep(0.01)

        return StreamingResponse(ticks(), media_type="text/event-stream")

    async def boom_socket(ws: WebSocket) -> None:
        await ws.accept()
        raise RuntimeError("socket kaboom")

    return Starlette(routes=[Route("/report", report, methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
                             Route("/boom", boom), Route("/", lambda r: PlainTextResponse(word)),
                             Route("/endless", endless),
                             WebSocketRoute("/ws", echo), WebSocketRoute("/boom", boom_socket)])


@pytest.fixture
def served() -> Iterator[tuple[Server, list[str]]]:
    events: list[str] = []
    with running(raw_app("old", events)) as server:
        yield server, events


def test_http_any_method_body_headers_and_cookies(served: tuple[Server, list[str]]) -> None:
    server, _ = served
    channel = FakeChannel(server)
    for method in ("GET", "POST", "PUT", "DELETE", "PATCH"):
        body = f"body of {method}".encode() if method != "GET" else None
        answer = channel.http(method, "/report?a=1&b=%C3%A9", [["X-Test", "yes"], ["Cookie", "c=from-jar"]], body)
        assert answer["status"] == 200
        got = json.loads(answer["bytes"])
        assert got == {"method": method, "path": "/report", "query": "a=1&b=%C3%A9",
                       "body": body.decode() if body else "", "x-test": "yes", "cookie": "from-jar",
                       "host": f"127.0.0.1:{server.port}", "client": "kernel"}
        assert ["set-cookie", "c=set-by-app; HttpOnly; Path=/; SameSite=lax"] in answer["headers"]


def test_http_error_answers_500_and_reaches_the_servers_error_log(served: tuple[Server, list[str]]) -> None:
    server, _ = served
    answer = FakeChannel(server).http("GET", "/boom")
    assert answer["status"] == 500
    wait_for(lambda: any("http kaboom" in str(e) for e in server.errors), what="the error in server.errors")


def test_websocket_text_binary_and_long_text(served: tuple[Server, list[str]]) -> None:
    server, _ = served
    channel = FakeChannel(server)
    sid = channel.open("/ws")
    assert channel.of(sid, "ws-accept")
    channel.text(sid, "hi")
    channel.send({"type": "ws-send", "id": sid, "body": 0}, buffers=[b"\x00\x01\x02"])
    long = "é" * 70_000  # over 64 KiB: travels as a UTF-8 buffer both ways
    channel.send({"type": "ws-send", "id": sid, "body": 0, "utf8": True}, buffers=[long.encode()])
    assert channel.received(sid, 3) == ["old hi", b"\x02\x01\x00", f"old {long}"]
    assert [e.get("utf8") for e in channel.of(sid, "ws-send")] == [None, None, True]


def test_close_codes_both_ways(served: tuple[Server, list[str]]) -> None:
    server, events = served
    channel = FakeChannel(server)
    first = channel.open("/ws")
    channel.send({"type": "ws-close", "id": first, "code": 4001, "reason": "bye"})
    assert channel.closed(first) == (4001, "bye")  # the echo of the page's close frame
    wait_for(lambda: "old saw close 4001 bye" in events, what="the app heard the page's close")
    second = channel.open("/ws")
    channel.text(second, "close please")
    assert channel.closed(second) == (4003, "asked to")
    refused = channel.open("/nowhere")
    assert channel.closed(refused) == (1006, "")  # a refused handshake: the browser sees 1006
    assert not channel.of(refused, "ws-accept")


def test_websocket_error_closes_1011_and_reaches_the_error_log(served: tuple[Server, list[str]]) -> None:
    server, _ = served
    channel = FakeChannel(server)
    sid = channel.open("/boom")
    assert channel.closed(sid) == (1011, "")
    wait_for(lambda: any("socket kaboom" in str(e) for e in server.errors), what="the error in server.errors")


def test_an_app_swap_closes_the_bridges_sockets_with_1012(served: tuple[Server, list[str]]) -> None:
    server, events = served
    channel = FakeChannel(server)
    sid = channel.open("/ws")
    server.replace_app(raw_app("new", events))
    assert channel.closed(sid) == (1012, "app replaced")
    wait_for(lambda: "old saw close 1012 app replaced" in events, what="the old app let go of its socket")
    again = channel.open("/ws")
    channel.text(again, "hi")
    assert channel.received(again, 1) == ["new hi"]


def test_batching_keeps_order_in_few_messages(served: tuple[Server, list[str]]) -> None:
    server, _ = served
    channel = FakeChannel(server)
    sid = channel.open("/ws")
    channel.text(sid, "burst")
    assert channel.received(sid, 500) == [str(i) for i in range(500)]
    assert len(channel.batches) < 20, f"500 frames went in {len(channel.batches)} messages"
    seqs = [b["seq"] for b in channel.batches]
    assert seqs == list(range(1, len(seqs) + 1)), "batches are numbered without gaps"
    assert any(b["acks"].get("v1") for b in channel.batches), "the browser's batches are acknowledged"


def test_a_malformed_event_is_ignored_and_the_rest_of_the_batch_runs(served: tuple[Server, list[str]]) -> None:
    server, _ = served
    channel = FakeChannel(server)
    sid = channel.new_id()
    channel.send({"type": "http"}, {"type": "http", "id": sid, "method": "GET", "url": "/", "headers": []})
    assert channel.wait(lambda e: e["id"] == sid)["bytes"] == b"old"


def test_an_unreadable_request_or_socket_is_answered_not_left_waiting(served: tuple[Server, list[str]]) -> None:
    """A header that is not latin-1 (a cookie with an emoji, say) cannot go into an ASGI scope."""
    server, _ = served
    channel = FakeChannel(server)
    answer = channel.http("GET", "/report", headers=[["x-test", "caf\u00e9 \u2615"]])
    assert answer["status"] == 400
    assert b"could not read this request: UnicodeEncodeError" in answer["bytes"]
    sid = channel.open("/ws", headers=[["x-test", "\u2615"]])
    assert channel.closed(sid) == (1006, "")
    assert channel.http("GET", "/")["bytes"] == b"old", "the bridge goes on serving"


def test_a_response_that_never_ends_is_cut_with_504(served: tuple[Server, list[str]],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    server, _ = served
    monkeypatch.setattr(messages, "HTTP_TIMEOUT", 0.5)
    answer = FakeChannel(server).http("GET", "/endless")
    assert answer["status"] == 504
    assert b"carries whole responses, not streams" in answer["bytes"]


def test_server_request_stops_a_response_that_never_ends(served: tuple[Server, list[str]]) -> None:
    server, _ = served
    with pytest.raises(TimeoutError):
        server.request("GET", "/endless", timeout=0.5)

    async def requests_running() -> int:
        return sum(getattr(t.get_coro(), "__qualname__", "") == "request" for t in asyncio.all_tasks())

    def none_running() -> bool:
        return asyncio.run_coroutine_threadsafe(requests_running(), server.loop).result(5) == 0

    wait_for(none_running, what="the in-process request cancelled, not left streaming")
    assert server.request("GET", "/").body == b"old"


def test_our_app_sessions_recorder_and_handler_errors() -> None:
    """A FastHTML app through the bridge: the session cookie of an HTTP route reaches the websocket,
    the transcript records the frames, a handler error reaches the error log."""
    app = FastHTML(exts="ws", secret_key="k")

    @app.route("/login")
    def get(session, name: str):
        session["user"] = name
        return "ok"

    @app.ws("/ws")
    async def ws(msg: str, session, send):
        if msg == "boom":
            raise RuntimeError("handler kaboom")
        await send(Div(f"{msg} from {session.get('user')}", id="n"))

    with running(app) as server:
        channel = FakeChannel(server)
        login = channel.http("GET", "/login?name=Ann")
        cookie = next(v for k, v in login["headers"] if k == "set-cookie").split(";")[0]
        sid = channel.open("/ws", [["Cookie", cookie], ["Origin", f"http://127.0.0.1:{server.port}"]])
        channel.text(sid, msg_frame("hi"))
        assert channel.received(sid, 1) == ['<div id="n">hi from Ann</div>']
        channel.text(sid, msg_frame("boom"))
        wait_for(lambda: any("handler kaboom" in str(e) for e in server.errors), what="the handler error")
        wait_for(lambda: any(r.kind == "in" for r in server.recorder.records()), what="recorded")
        assert "hi from Ann" in "\n".join(server.transcript.lines())


def test_a_page_from_another_origin_is_refused(served: tuple[Server, list[str]]) -> None:
    app = FastHTML(exts="ws")

    @app.ws("/ws")
    async def ws(msg: str):
        return msg

    with running(app) as server:
        channel = FakeChannel(server)
        sid = channel.open("/ws", [["Origin", "http://elsewhere.example"]])
        assert channel.closed(sid) == (1006, "")


def test_a_stopped_server_closes_the_sockets_with_1012_and_refuses_new_requests() -> None:
    events: list[str] = []
    with running(raw_app("old", events)) as server:
        channel = FakeChannel(server)
        sid = channel.open("/ws")
    assert channel.closed(sid) == (1012, "server stopped")
    answer = channel.http("GET", "/")
    assert (answer["status"], answer["bytes"]) == (503, b"the server has stopped")
    refused = channel.open("/ws")
    assert channel.closed(refused) == (1012, "server stopped")
