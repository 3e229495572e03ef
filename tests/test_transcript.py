"""The recorder and the transcript views, fed by a real server and real clients."""

from __future__ import annotations

import contextlib
import json
import re
import time
from pathlib import Path

import pytest
from conftest import add_tutorial_chat, open_ws, recv_text, running
from kernel import Kernel
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket
from websockets.exceptions import ConnectionClosed

from htmxws_nb import Div, FastHTML
from htmxws_nb.notebook.transcript import Transcript
from htmxws_nb.recording import Recorder, causal_order


def chat_app() -> FastHTML:
    app = FastHTML(exts="ws")
    add_tutorial_chat(app)

    @app.ws("/echo")
    async def echo(msg: str):
        return Div("You said: " + msg, id="n")

    @app.ws("/two")
    async def two(msg: str, send):
        await send(Div("Hello " + msg, id="n"))
        await send(Div("Goodbye " + msg, id="n"))

    @app.ws("/boom")
    async def boom(msg: str):
        raise RuntimeError("kaboom " + msg)

    return app


def wait_for(predicate, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.01)


def frame(msg: str) -> str:
    return json.dumps({"msg": msg, "HEADERS": {"HX-Request": "true", "HX-Trigger": "form"}})


def test_frames_in_order_with_directions_and_close_codes() -> None:
    app = chat_app()
    with running(app) as server:
        with open_ws(server, "/echo") as ws:
            for msg in ("a", "b"):
                ws.send(frame(msg))
                recv_text(ws)
        wait_for(lambda: any(r.kind == "end" for r in server.recorder.records()))
        records = causal_order(server.transcript.records)
    kinds = [(r.kind, r.text if r.kind in ("in", "out") else r.code) for r in records]
    assert kinds == [
        ("open", None), ("dispatch", None),
        ("in", frame("a")), ("dispatch", None), ("out", '<div id="n">You said: a</div>'),
        ("in", frame("b")), ("dispatch", None), ("out", '<div id="n">You said: b</div>'),
        ("close", 1000), ("end", None),
    ]
    assert records[0].path == "/echo" and records[0].text == "script"
    assert records[-2].by == "client"
    connected, dispatch = records[1], records[3]
    assert (connected.cause, connected.handler, connected.queued) == (None, "-", 0)
    assert (dispatch.handler, dispatch.version, dispatch.cause, dispatch.queued) == ("echo", 1, records[2].seq, 1)


def test_round_trips_pair_echo_multi_send_and_return() -> None:
    app = chat_app()
    with running(app) as server:
        with open_ws(server, "/echo") as echo, open_ws(server, "/two") as two:
            echo.send(frame("x"))
            recv_text(echo)
            two.send(frame("y"))
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
    app = chat_app()
    with running(app) as server, contextlib.ExitStack() as stack:
        clients = [stack.enter_context(open_ws(server, "/chat")) for _ in range(3)]
        wait_for(lambda: sum(r.kind == "dispatch" and r.cause is None for r in server.recorder.records()) == 3)
        clients[1].send(frame("hello all"))
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
    app = chat_app()
    app.socket_limits = type(app.socket_limits)(close_on_error=True)
    with running(app) as server:
        with open_ws(server, "/boom") as ws:
            ws.send(frame("now"))
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
    app = chat_app()
    with running(app) as server:
        with pytest.raises(Exception):  # noqa: B017 - the handshake fails with 403
            open_ws(server, "/echo", origin="http://evil.example")
        wait_for(lambda: any(r.kind == "refused" for r in server.recorder.records()))
        [refused] = [r for r in server.transcript.records if r.kind == "refused"]
        assert (refused.code, refused.path, refused.by) == (403, "/echo", "server")


def test_ring_bound_holds_and_recording_can_be_switched_off() -> None:
    app = chat_app()
    with running(app, record_size=10) as server, open_ws(server, "/echo") as ws:
        for i in range(20):
            ws.send(frame(str(i)))
            recv_text(ws)
        records = server.recorder.records()
        assert len(records) == 10
        newest = [r.text for r in records if r.kind == "out"][-1]
        assert newest == '<div id="n">You said: 19</div>', "the newest are kept"
    with running(chat_app(), record=False) as server, open_ws(server, "/echo") as ws:
        ws.send(frame("off"))
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


def test_views_render_content() -> None:
    app = chat_app()
    with running(app) as server, contextlib.ExitStack() as stack:
        clients = [stack.enter_context(open_ws(server, "/chat")) for _ in range(3)]
        for i, ws in enumerate(clients):
            ws.send(frame(f"m{i}"))
            for other in clients:
                recv_text(other)
        stack.enter_context(open_ws(server, "/echo")).send(frame("<b>&"))
        wait_for(lambda: len(server.transcript.round_trips()) == 4 and server.transcript.round_trips()[-1].replies)
        t = Transcript(server.recorder)  # the notebook's view of the recorder
        html = t._repr_html_()
        assert html.count("<tr>") == 5, "a header row and one row per round trip"
        assert html.count("text-align:left") == 7 * 5, "every cell reads left to right"
        assert "chat v1" in html and "&lt;b&gt;&amp;" in html and "latency" in html
        assert re.search(r"<td[^>]*>\d+\.\d ms</td>", html)
        svg = t.sequence().svg()
        assert svg.startswith("<svg") and svg.endswith("</svg>")
        for name in ("c1", "c2", "c3", "c4", "server"):
            assert f">{name}</text>" in svg
        assert svg.count('marker-end="url(#arrow)"') == 4 + 3 * 3 + 1, "4 messages in, 9 broadcasts and 1 echo out"
        assert "{&quot;msg&quot;: &quot;m0&quot;}" in svg
        dicts = t.to_dicts()
        assert dicts[0]["kind"] == "open" and {"seq", "time", "connection", "text"} <= set(dicts[0])
        assert len(t.filter(connection="c4").round_trips()) == 1
        assert len(t.filter(last=2).round_trips()) == 2
        t.clear()
        assert repr(t) == "Transcript: no frames yet" and server.recorder.records() == []


def test_long_frames_are_shortened_in_views_but_whole_in_records() -> None:
    recorder = Recorder()
    long_text = "x" * 500
    recorder.frame("c1", "/ws", "out", long_text)
    assert recorder.records()[0].text == long_text
    line = repr(Transcript(recorder))
    assert len(line) < 100 and line.endswith("…")


def test_live_view_updates_in_place_through_a_kernel(tmp_path: Path) -> None:
    kernel = Kernel(tmp_path, env={"HTMXWS_NB_SECRET_KEY": "test"})
    try:
        kernel.run(
            "from htmxws_nb import *\n"
            "app = FastHTML(exts='ws')\n"
            "@app.ws('/ws')\n"
            "async def ws(msg: str):\n"
            "    return Div('Hello ' + msg, id='n')\n"
            "server = serve(port=0)"
        )
        run = kernel.run("live = transcript(app).live(interval=0.2)")
        [shown] = [o for o in run.outputs if o["msg_type"] == "display_data"]
        display_id = shown["content"]["transient"]["display_id"]
        assert shown["content"]["data"]["text/plain"] == "Transcript: no frames yet"
        port = int(kernel.run("print(server.port)").text)
        with open_ws(port) as ws:
            for i in range(30):  # a burst: the updates are throttled
                ws.send(frame(f"n{i}"))
                recv_text(ws)
            updates = [u for u in kernel.updates(wait=1.5) if u["content"]["transient"]["display_id"] == display_id]
            assert 1 <= len(updates) <= 10, f"{len(updates)} updates for a burst of 30 messages"
            last = updates[-1]["content"]["data"]
            assert 'c1 ← <div id="n">Hello n29</div>' in last["text/plain"]
            assert "Hello n29" in last["text/html"]
            stopped = kernel.run("live.stop(); print(live.running)")
            assert stopped.text.strip() == "False"
            kernel.updates(wait=0.3)
            ws.send(frame("after stop"))
            recv_text(ws)
            later = [u for u in kernel.updates(wait=0.8) if u["content"]["transient"]["display_id"] == display_id]
            assert later == [], "a stopped view no longer updates"
        run = kernel.run("live2 = transcript(app).live(interval=0.2)\nserver.stop()\nprint(live2.running)")
        assert run.text.strip().endswith("False"), "stopping the server stops live views"
    finally:
        kernel.shutdown(now=True)
