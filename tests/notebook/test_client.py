"""The htmx-speaking Python client against real servers."""

from __future__ import annotations

import asyncio
import contextlib
import json

from conftest import add_tutorial_chat, running
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from htmxws_nb import Div, FastHTML, P
from htmxws_nb.notebook.client import AsyncClient, Client, fetch


def tutorial_app() -> FastHTML:
    app = FastHTML(exts="ws")

    async def on_conn(send):
        await send(Div("Hello, world!"))

    @app.ws("/ws", conn=on_conn)
    async def on_message(msg: str, send):
        await send(Div("Hello " + msg, id="notifications"))
        await send(Div("Goodbye " + msg, id="notifications"))

    @app.ws("/echo")
    async def echo(msg: str, htmx, data):
        return Div(f"{msg}|{htmx.trigger}|{htmx.current_url.startswith('http://127.0.0.1:')}|{sorted(data)}",
                   id="notifications")

    add_tutorial_chat(app)

    @app.route("/login")
    def get(session):
        session["person"] = "Bob"
        return "ok"

    @app.ws("/whoami")
    async def whoami(session):
        return Div(f"Hello {session.get('person')}", id="n")

    return app


def client(server, path: str, **options) -> Client:
    return Client(f"ws://127.0.0.1:{server.port}{path}", server, **options)


def test_sends_what_the_ws_extension_sends() -> None:
    with running(tutorial_app()) as server, client(server, "/echo") as c:
        payload = json.loads(c.payload({"msg": "Bob"}))
        assert payload == {"msg": "Bob", "HEADERS": {
            "HX-Request": "true", "HX-Trigger": "form", "HX-Trigger-Name": "form", "HX-Target": "form",
            "HX-Current-URL": f"http://127.0.0.1:{server.port}/"}}
        trip = c.round_trip(msg="Bob")
        assert trip.replies == ['<div id="notifications">Bob|form|True|[\'msg\']</div>']


def test_speaks_htmx4_to_an_htmx4_app() -> None:
    app = tutorial_app()
    app.htmx4 = True
    app.route("/frag")(lambda: P("x"))
    with running(app) as server, client(server, "/echo") as c:
        payload = json.loads(c.payload({"msg": "Bob"}))
        assert payload == {"msg": "Bob", "headers": {
            "HX-Request": "true", "HX-Source": "form#form", "HX-Current-URL": f"http://127.0.0.1:{server.port}/",
            "HX-Target": "form#form"}}
        assert c.round_trip(msg="Bob").replies == [
            '<div id="notifications" hx-swap-oob="true">Bob|form|True|[\'msg\']</div>']
        with client(server, "/echo", htmx4=False) as old:
            assert "HEADERS" in json.loads(old.payload({})), "asked for, it speaks htmx 2"
        c.close(None)  # as htmx 4 pauses: no close code; returns once the server is done with it
        with client(server, "/echo") as again:
            again.round_trip(msg="back")
        lines = server.transcript.lines()
        assert "c1 close 1005 by client: paused (tab hidden)" in lines and "c3 open /echo (python) resumes c1" in lines
        assert fetch(server, "/frag", headers={"HX-Request": "true", "HX-Request-Type": "partial"}).text == "<p>x</p>"
        assert fetch(server, "/frag").text.startswith("<!doctype html>")


def test_greeting_is_read_at_connect_and_round_trips_are_exact() -> None:
    with running(tutorial_app()) as server, client(server, "/ws") as c:
        assert c.received == ["<div>Hello, world!</div>"]
        for name in ("Ann", "Bob"):
            trip = c.round_trip(msg=name)
            assert trip.replies == [f'<div id="notifications">Hello {name}</div>',
                                    f'<div id="notifications">Goodbye {name}</div>']
            assert trip.other == []
        bad = c.round_trip(nothing="here")
        assert bad.replies == ["error: missing required field 'msg'"]
        assert len(c.received) == 6 and len(c.round_trips) == 3
        assert "→ {\"msg\": \"Ann\"}" in repr(c.round_trips[0])
        assert "Hello Ann" in c.round_trips[0]._repr_html_()


def test_chat_clients_see_broadcasts_and_their_own_replies_apart() -> None:
    with running(tutorial_app()) as server, contextlib.ExitStack() as stack:
        a, b, c = (stack.enter_context(client(server, "/chat")) for _ in range(3))
        first = a.round_trip(msg="from a")
        assert first.replies == ['<ul id="msg-list"><li>from a</li></ul>']
        assert b.recv() == c.recv() == '<ul id="msg-list"><li>from a</li></ul>'
        second = b.round_trip(msg="from b")
        assert second.replies == ['<ul id="msg-list"><li>from a</li><li>from b</li></ul>']
        a.recv(), c.recv()
        third = c.round_trip(msg="from c")  # c has read everything: nothing else is pending
        assert third.other == []
        assert a.recv() == '<ul id="msg-list"><li>from a</li><li>from b</li><li>from c</li></ul>'
        # a leaves (close returns once the chat's disconn has removed it); the others keep chatting
        a.close()
        fourth = b.round_trip(msg="still here")
        assert fourth.reply.endswith("<li>still here</li></ul>")
        assert c.recv() == b.received[-1]


def test_unread_broadcast_is_kept_apart_from_the_reply() -> None:
    with running(tutorial_app()) as server, contextlib.ExitStack() as stack:
        a, b = (stack.enter_context(client(server, "/chat")) for _ in range(2))
        a.round_trip(msg="one")
        trip = b.round_trip(msg="two")  # b never read the broadcast of "one"
        assert trip.other == ['<ul id="msg-list"><li>one</li></ul>']
        assert trip.replies == ['<ul id="msg-list"><li>one</li><li>two</li></ul>']


def test_close_waits_for_disconn() -> None:
    app = FastHTML(exts="ws")
    events = []

    def on_disconn():
        import time

        time.sleep(0.3)
        events.append("disconn done")

    @app.ws("/ws", disconn=on_disconn)
    async def ws():
        return None

    with running(app) as server:
        c = client(server, "/ws")
        c.close()
        assert events == ["disconn done"]


def test_session_cookie_from_fetch() -> None:
    with running(tutorial_app()) as server:
        page = fetch(server, "/login")
        assert (page.status, page.text) == (200, "ok") and "session_" in page.cookies
        with Client(f"ws://127.0.0.1:{server.port}/whoami", server,
                    additional_headers={"Cookie": f"session_={page.cookies['session_']}"}) as c:
            assert c.round_trip(msg="x").replies == ['<div id="n">Hello Bob</div>']


def test_other_servers_fall_back_to_waiting_for_quiet() -> None:
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        async for text in websocket.iter_text():
            data = json.loads(text)
            await websocket.send_text(f"<p id='a'>{data['msg']}</p>")
            await websocket.send_text(f"<p id='b'>{data['msg']}</p>")

    plain = Starlette(routes=[WebSocketRoute("/ws", echo)])
    with running(plain) as server, client(server, "/ws", quiet=0.2) as c:
        assert c.round_trip(msg="x").replies == ["<p id='a'>x</p>", "<p id='b'>x</p>"]
    with running(tutorial_app(), record=False) as server, client(server, "/ws", quiet=0.2) as c:
        assert c.recv() == "<div>Hello, world!</div>"
        assert len(c.round_trip(msg="y").replies) == 2


def test_async_client() -> None:
    async def scenario(port: int, server) -> list[str]:
        c = await AsyncClient.open(f"ws://127.0.0.1:{port}/ws", server)
        try:
            trip = await c.round_trip(msg="async")
            return [*c.received[:1], *trip.replies]
        finally:
            await c.close()

    with running(tutorial_app()) as server:
        got = asyncio.run(scenario(server.port, server))
    assert got == ["<div>Hello, world!</div>", '<div id="notifications">Hello async</div>',
                   '<div id="notifications">Goodbye async</div>']
