"""The recorder and round trips, fed by a real server and real clients."""

from __future__ import annotations

import contextlib
import json

import pytest
from conftest import demo_app, msg_frame, open_ws, recv_text, running, wait_for
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket
from websockets.exceptions import ConnectionClosed

from htmxws_nb import Div
from htmxws_nb.recording import causal_order


def test_frames_in_order_with_directions_and_close_codes() -> None:
    app = demo_app()
    with running(app) as server:
        with open_ws(server, "/echo") as ws:
            for msg in ("a", "b"):
                ws.send(msg_frame(msg))
                recv_text(ws)
        wait_for(lambda: any(r.kind == "end" for r in server.recorder.records()))
        records = causal_order(server.transcript.records)
    kinds = [(r.kind, r.text if r.kind in ("in", "out") else r.code) for r in records]
    assert kinds == [
        ("open", None), ("dispatch", None),
        ("in", msg_frame("a")), ("dispatch", None), ("out", '<div id="n">You said: a</div>'),
        ("in", msg_frame("b")), ("dispatch", None), ("out", '<div id="n">You said: b</div>'),
        ("close", 1000), ("end", None),
    ]
    assert records[0].path == "/echo" and records[0].text == "script"
    assert records[-2].by == "client"
    connected, dispatch = records[1], records[3]
    assert (connected.cause, connected.handler, connected.queued) == (None, "-", 0)
    assert (dispatch.handler, dispatch.version, dispatch.cause, dispatch.queued) == ("echo", 1, records[2].seq, 1)


def test_round_trips_pair_echo_multi_send_and_return() -> None:
    app = demo_app()
    with running(app) as server:
        with open_ws(server, "/echo") as echo, open_ws(server, "/two") as two:
            echo.send(msg_frame("x"))
            recv_text(echo)
            two.send(msg_frame("y"))
            recv_text(two), recv_text(two)
        trips = server.transcript.round_trips()
        assert [(json.loads(t.message.text)["msg"], [r.text for r in t.replies], t.handler) for t in trips] == [
            ("x", ['<div id="n">You said: x</div>'], "echo v1"),
            ("y", ['<div id="n">Hello y</div>', '<div id="n">Goodbye y</div>'], "two v1"),
        ]
        assert all(t.latency is not None and 0 < t.latency < 1 for t in trips)
        assert trips[1].duration >= trips[1].latency
        assert len(server.transcript.filter(path="/two")) == 1


def test_chat_broadcast_is_one_round_trip_reaching_every_client() -> None:
    app = demo_app()
    with running(app) as server, contextlib.ExitStack() as stack:
        clients = [stack.enter_context(open_ws(server, "/chat")) for _ in range(3)]
        wait_for(lambda: sum(r.kind == "dispatch" and r.cause is None for r in server.recorder.records()) == 3)
        clients[1].send(msg_frame("hello all"))
        for ws in clients:
            recv_text(ws)
        [trip] = server.transcript.round_trips()
        sender = trip.message.connection
        assert sorted(r.connection for r in trip.replies) == ["c1", "c2", "c3"] and sender == "c2"
        assert trip.handler == "chat v1"
        text = repr(server.transcript)
        assert "c2 → {\"msg\": \"hello all\"}" in text
        assert text.count('← <ul id="msg-list"><li>hello all</li></ul>') == 3


def test_handler_error_and_server_close_code_appear() -> None:
    app = demo_app()
    app.socket_limits = type(app.socket_limits)(close_on_error=True)
    with running(app) as server:
        with open_ws(server, "/boom") as ws:
            ws.send(msg_frame("now"))
            with pytest.raises(ConnectionClosed):
                ws.recv(timeout=5)
        wait_for(lambda: any(r.kind == "close" for r in server.recorder.records()))
        [trip] = server.transcript.round_trips()
        assert trip.problem == "RuntimeError: kaboom now"
        records = server.transcript.records
        close = next(r for r in records if r.kind == "close")
        assert (close.code, close.by) == (1011, "server")
        text = repr(server.transcript)
        assert "error in websocket /boom: boom: RuntimeError: kaboom now" in text
        assert "close 1011 by server" in text


def test_refused_origin_is_recorded() -> None:
    app = demo_app()
    with running(app) as server:
        with pytest.raises(Exception):  # noqa: B017 - the handshake fails with 403
            open_ws(server, "/echo", origin="http://evil.example")
        wait_for(lambda: any(r.kind == "refused" for r in server.recorder.records()))
        [refused] = [r for r in server.transcript.records if r.kind == "refused"]
        assert (refused.code, refused.path, refused.by) == (403, "/echo", "server")


def test_ring_bound_holds_and_recording_can_be_switched_off() -> None:
    app = demo_app()
    with running(app, record_size=10) as server, open_ws(server, "/echo") as ws:
        for i in range(20):
            ws.send(msg_frame(str(i)))
            recv_text(ws)
        records = server.recorder.records()
        assert len(records) == 10
        newest = [r.text for r in records if r.kind == "out"][-1]
        assert newest == '<div id="n">You said: 19</div>', "the newest are kept"
    with running(demo_app(), record=False) as server, open_ws(server, "/echo") as ws:
        ws.send(msg_frame("off"))
        assert recv_text(ws) == '<div id="n">You said: off</div>'
        assert server.recorder.records() == []


def test_any_asgi_app_is_recorded() -> None:
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        async for text in websocket.iter_text():
            await websocket.send_text("echo " + text)
            await websocket.send_text("again " + text)

    plain = Starlette(routes=[WebSocketRoute("/ws", echo)])
    with running(plain) as server, open_ws(server) as ws:
        ws.send("one")
        recv_text(ws), recv_text(ws)
        ws.send("two")
        recv_text(ws), recv_text(ws)
        trips = server.transcript.round_trips()
        assert [[r.text for r in t.replies] for t in trips] == [["echo one", "again one"], ["echo two", "again two"]]
        assert trips[0].handler == "", "only our endpoint knows handler names"




def test_a_frame_pushed_from_outside_a_handler_is_its_own_round_trip() -> None:
    import asyncio

    from htmxws_nb.recording.round_trips import round_trips

    app = demo_app()
    sends = []

    @app.ws("/keep", conn=lambda send: sends.append(send))
    async def keep(msg: str):
        return Div("got " + msg, id="n")

    with running(app) as server, open_ws(server, "/keep") as ws:
        ws.send(msg_frame("first"))
        assert recv_text(ws) == '<div id="n">got first</div>'
        assert asyncio.run(sends[0](Div("from a cell", id="n"))) is True  # another thread, another loop
        assert recv_text(ws) == '<div id="n">from a cell</div>'
        wait_for(lambda: len(round_trips(server.recorder.records())) == 2)
        first, pushed = round_trips(server.recorder.records())
        assert [r.text for r in first.replies] == ['<div id="n">got first</div>'], "not filed under the message"
        assert pushed.pushed and [r.text for r in pushed.replies] == ['<div id="n">from a cell</div>']
        assert any(line.endswith('← (pushed) <div id="n">from a cell</div>') for line in server.transcript.lines())


def test_a_long_reply_shows_what_it_adds_to_the_previous_one() -> None:
    app = demo_app()
    with running(app) as server, open_ws(server, "/chat") as ws:
        for text in ("the first message, long enough to matter", "a second one, longer still to be cut",
                     "Tea break"):
            ws.send(msg_frame(text))
            recv_text(ws)
        wait_for(lambda: len(server.transcript.round_trips()) == 3)
        replies = [line for line in server.transcript.lines() if "←" in line]
        assert replies[0] == 'c1 ← <ul id="msg-list"><li>the first message, long enough to matter</li></ul>'
        assert replies[1] == "c1 ← #msg-list: + a second one, longer still to be cut"
        assert replies[2] == "c1 ← #msg-list: + Tea break", "the new message, not the same start each time"
