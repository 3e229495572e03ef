"""The websocket endpoint over a real uvicorn and the `websockets` client."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import pytest
from conftest import htmx_frame, open_ws, recv_text, running
from websockets.exceptions import ConnectionClosed, InvalidStatus

from htmxws_nb import Div, FastHTML, P, Span


def make_app(**kwargs) -> FastHTML:
    return FastHTML(exts="ws", **kwargs)


def test_parameters_from_payload_headers_and_specials() -> None:
    app = make_app()
    seen = {}

    @app.ws("/ws/{room}")
    async def handler(msg: str, n: int, hx_trigger: str, room: str, q: str, data, htmx, ws, scope, send, app):
        seen.update(data=data, target=htmx.target, ws=ws, path=scope["path"], app=app)
        await send(Div(f"{room}:{msg}:{n + 1}:{hx_trigger}:{q}", id="out"))

    with running(app) as server, open_ws(server, "/ws/lobby?q=query") as ws:
        ws.send(htmx_frame({"msg": "hi", "n": "41"}))
        assert recv_text(ws) == '<div id="out">lobby:hi:42:form:query</div>'
    assert seen["data"] == {"msg": "hi", "n": "41"}, "data is the payload without HEADERS"
    assert seen["target"] == "form" and seen["path"] == "/ws/lobby" and seen["app"] is app


def test_htmx4_lowercase_headers() -> None:
    app = make_app()

    @app.ws("/ws")
    async def handler(hx_source: str, data):
        return Div(f"{hx_source}|{sorted(data)}", id="o")

    with running(app) as server, open_ws(server) as ws:
        ws.send(json.dumps({"msg": "x", "headers": {"HX-Request": "true", "HX-Source": "form#f"}}))
        assert recv_text(ws) == "<div id=\"o\">form#f|['msg']</div>"


def test_return_values() -> None:
    app = make_app()

    @app.ws("/ws")
    async def handler(kind: str):
        return {"tuple": (Div("a", id="a"), Div("b", id="b")), "str": "<b id='s'>raw</b>", "none": None,
                "empty": ""}[kind]

    with running(app) as server, open_ws(server) as ws:
        for kind in ("none", "empty", "tuple", "str"):
            ws.send(json.dumps({"kind": kind}))
        assert recv_text(ws) == '<div id="a">a</div><div id="b">b</div>', "a tuple is one frame; None/'' send nothing"
        assert recv_text(ws) == "<b id='s'>raw</b>"


def test_same_ws_object_in_conn_handler_and_disconn() -> None:
    app = make_app()
    ids: dict[str, int] = {}
    gone = threading.Event()

    def on_conn(ws, send):
        ids["conn"] = id(ws)

    def on_disconn(ws):
        ids["disconn"] = id(ws)
        gone.set()

    @app.ws("/ws", conn=on_conn, disconn=on_disconn)
    async def handler(ws):
        ids["handler"] = id(ws)
        return "<p id='x'>ok</p>"

    with running(app) as server:
        with open_ws(server) as ws:
            ws.send("{}")
            recv_text(ws)
        assert gone.wait(5)
    assert ids["conn"] == ids["handler"] == ids["disconn"]


@pytest.mark.parametrize(("frame", "reply"), [
    ("not json", "error: message is not JSON"),
    ("[1, 2]", "error: message must be a JSON object"),
    ('"text"', "error: message must be a JSON object"),
    ("{}", "error: missing required field 'n'"),
    ('{"n": "seven"}', "error: invalid value for 'n': expected an integer"),
    (b"\x00binary", "error: binary frames are not supported; send JSON text"),
])
def test_bad_input_gets_a_short_error_and_the_connection_stays(frame, reply) -> None:
    app = make_app()

    @app.ws("/ws")
    async def handler(n: int):
        return Span(n * 2, id="n")

    with running(app) as server, open_ws(server) as ws:
        ws.send(frame)
        assert recv_text(ws) == reply
        ws.send('{"n": 21}')
        assert recv_text(ws) == '<span id="n">42</span>'
    assert not list(app.errors), "bad input is the client's problem, not a handler error"


@pytest.mark.parametrize("is_async", [True, False])
def test_handler_exception_keeps_connection_and_records_traceback(is_async) -> None:
    app = make_app()

    async def async_boom(msg: str):
        if msg == "boom":
            raise RuntimeError("secret internal detail")
        return Div(msg, id="m")

    def sync_boom(msg: str):
        if msg == "boom":
            raise RuntimeError("secret internal detail")
        return Div(msg, id="m")

    app.ws("/ws")(async_boom if is_async else sync_boom)
    with running(app) as server, open_ws(server) as ws:
        ws.send('{"msg": "boom"}')
        reply = recv_text(ws)
        assert reply == "error: the server failed to handle this message"
        assert "secret" not in reply
        ws.send('{"msg": "fine"}')
        assert recv_text(ws) == '<div id="m">fine</div>'
    [error] = list(app.errors)
    assert error.where.startswith("websocket /ws: ")
    assert "RuntimeError: secret internal detail" in error.traceback and "_boom" in error.traceback


def test_close_on_error_closes_with_1011() -> None:
    app = make_app(ws_close_on_error=True)

    @app.ws("/ws")
    async def handler():
        raise ValueError("nope")

    with running(app) as server, open_ws(server) as ws:
        ws.send("{}")
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
        assert closed.value.rcvd.code == 1011


def test_conn_exception_still_runs_disconn_and_connection_is_usable() -> None:
    app = make_app()
    disconnected = threading.Event()

    async def on_conn():
        raise RuntimeError("conn failed")

    async def on_disconn():
        disconnected.set()

    @app.ws("/ws", conn=on_conn, disconn=on_disconn)
    async def handler(msg: str):
        return P(msg, id="p")

    with running(app) as server:
        with open_ws(server) as ws:
            ws.send('{"msg": "still here"}')
            assert recv_text(ws) == '<p id="p">still here</p>'
        assert disconnected.wait(5)
    assert [e.where for e in app.errors] == ["websocket /ws: conn on_conn"]


def test_disconn_exception_is_recorded() -> None:
    app = make_app()

    def on_disconn():
        raise RuntimeError("disconn failed")

    @app.ws("/ws", disconn=on_disconn)
    async def handler():
        return None

    with running(app) as server:
        with open_ws(server):
            pass
        deadline = time.monotonic() + 5
        while not list(app.errors) and time.monotonic() < deadline:
            time.sleep(0.02)
    assert [e.where for e in app.errors] == ["websocket /ws: disconn on_disconn"]


def test_open_connection_uses_a_re_registered_handler() -> None:
    app = make_app()
    events = []

    @app.ws("/ws", conn=lambda: events.append("conn v1"), disconn=lambda: events.append("disconn v1"))
    async def first(msg: str):
        return Div(f"v1 {msg}", id="r")

    with running(app) as server:
        with open_ws(server) as ws:
            ws.send('{"msg": "a"}')
            assert recv_text(ws) == '<div id="r">v1 a</div>'

            @app.ws("/ws", disconn=lambda: events.append("disconn v2"))
            async def second(msg: str):  # another name, same path: a re-run cell
                return Div(f"v2 {msg}", id="r")

            ws.send('{"msg": "b"}')
            assert recv_text(ws) == '<div id="r">v2 b</div>'
        deadline = time.monotonic() + 5
        while "disconn v2" not in events and time.monotonic() < deadline:
            time.sleep(0.02)
    assert events == ["conn v1", "disconn v2"]


def test_sync_handler_runs_in_a_thread_and_does_not_block_others() -> None:
    app = make_app()

    slow_started, fast_answered = threading.Event(), threading.Event()

    @app.ws("/slow")
    def slow():
        slow_started.set()
        assert fast_answered.wait(5), "the fast socket was not answered while this handler ran"
        return "<p id='s'>slow</p>"

    @app.ws("/fast")
    async def fast():
        return "<p id='f'>fast</p>"

    with running(app) as server, open_ws(server, "/slow") as slow_ws, open_ws(server, "/fast") as fast_ws:
        slow_ws.send("{}")
        assert slow_started.wait(5)
        fast_ws.send("{}")
        assert recv_text(fast_ws) == "<p id='f'>fast</p>"
        fast_answered.set()
        assert recv_text(slow_ws) == "<p id='s'>slow</p>"


def test_send_after_close_is_a_noop() -> None:
    app = make_app()
    sends = []
    gone = threading.Event()

    def on_conn(send):
        sends.append(send)

    def on_disconn():
        gone.set()

    @app.ws("/ws", conn=on_conn, disconn=on_disconn)
    async def handler():
        return None

    with running(app) as server:
        with open_ws(server):
            pass
        assert gone.wait(5)
        result = asyncio.run_coroutine_threadsafe(sends[0](Div("late", id="x")), server._loop).result(5)
    assert result is False


def test_origin_check() -> None:
    app = make_app(ws_origins=["http://allowed.example"])

    @app.ws("/ws")
    async def handler():
        return "<p id='ok'>ok</p>"

    with running(app) as server:
        same = f"http://127.0.0.1:{server.port}"
        for origin in (None, same, "http://allowed.example"):
            headers = {"Origin": origin} if origin else {}
            with open_ws(server, origin=origin) if origin else open_ws(server, additional_headers=headers) as ws:
                ws.send("{}")
                assert recv_text(ws) == "<p id='ok'>ok</p>"
        with pytest.raises(InvalidStatus) as refused:
            open_ws(server, origin="http://evil.example")
        assert refused.value.response.status_code == 403


def test_send_from_another_thread_and_loop_is_delivered() -> None:
    """A notebook cell may push to stored `send`s: its loop is not the server's."""
    app = make_app()
    sends = []

    @app.ws("/ws", conn=lambda send: sends.append(send))
    async def handler():
        return None

    with running(app) as server, open_ws(server) as ws:
        deadline = time.monotonic() + 5
        while not sends and time.monotonic() < deadline:
            time.sleep(0.01)
        assert asyncio.run(sends[0](Div("pushed", id="p"))) is True
        assert recv_text(ws) == '<div id="p">pushed</div>'
