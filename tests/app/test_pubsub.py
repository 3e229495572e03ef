"""Topics within one process: subscribe, unsubscribe, publish, slow subscribers, the transcript; no Redis."""

from __future__ import annotations

import asyncio
import contextlib
import json

import pytest
from conftest import msg_frame, open_ws, recv_text, running, stalled_client, wait_for
from websockets.exceptions import ConnectionClosed

from htmxws_nb import Div, FastHTML, Li, Ul
from htmxws_nb.app.pubsub import PUBSUB_ENV


def topic_app(**options) -> FastHTML:
    """Clients subscribe to 'chat' on connect; `msg` publishes; `leave`/`join` change the subscription."""
    app = FastHTML(exts="ws", **options)

    def on_conn(send):
        app.subscribe("chat", send)

    @app.ws("/ws", conn=on_conn)
    async def ws(send, msg: str = "", action: str = ""):
        if action == "leave":
            app.unsubscribe("chat", send)
            return Div("left", id="status")
        if action == "join":
            await app.subscribe("chat", send)
            return Div("joined", id="status")
        receivers = await app.publish("chat", Ul(Li(msg), id="msg-list", hx_swap_oob="beforeend"))
        return Div(f"{receivers} here", id="status") if action == "count" else None

    @app.ws("/sync")
    def sync_handler(send, msg: str):  # runs in a worker thread
        app.subscribe("sync", send)
        return Div("subscribed", id="status")

    return app


def item(msg: str) -> str:
    return f'<ul id="msg-list" hx-swap-oob="beforeend"><li>{msg}</li></ul>'


def test_a_publish_reaches_every_subscriber_rendered_like_send() -> None:
    app = topic_app()
    assert app.pubsub.where == "in-process"
    with running(app) as server, contextlib.ExitStack() as stack:
        clients = [stack.enter_context(open_ws(server)) for _ in range(3)]
        wait_for(lambda: app.pubsub.topics.count("chat") == 3, what="three subscribers")
        clients[0].send(json.dumps({"msg": "hi", "action": "count"}))
        for ws in clients:
            assert recv_text(ws) == item("hi")
        assert recv_text(clients[0]) == '<div id="status">3 here</div>'
        for n in range(50):  # order from one publisher is kept
            clients[1].send(msg_frame(f"m{n}"))
        for ws in clients:
            assert [recv_text(ws) for _ in range(50)] == [item(f"m{n}") for n in range(50)]


def test_subscriptions_end_with_unsubscribe_and_with_the_socket() -> None:
    app = topic_app()
    with running(app) as server, open_ws(server) as ann, open_ws(server) as bob:
        wait_for(lambda: app.pubsub.topics.count("chat") == 2, what="two subscribers")
        bob.send(json.dumps({"action": "leave"}))
        assert recv_text(bob) == '<div id="status">left</div>'
        ann.send(msg_frame("only Ann"))
        assert recv_text(ann) == item("only Ann")
        bob.send(json.dumps({"action": "join"}))  # awaits the subscription, then answers
        assert recv_text(bob) == '<div id="status">joined</div>'
        ann.send(msg_frame("both"))
        assert recv_text(ann) == item("both") == recv_text(bob)
        with open_ws(server):
            wait_for(lambda: app.pubsub.topics.count("chat") == 3, what="Cat subscribed")
        wait_for(lambda: app.pubsub.topics.count("chat") == 2, what="Cat's subscription ended with her socket")
        ann.send(json.dumps({"msg": "after Cat", "action": "count"}))
        assert recv_text(ann) == item("after Cat")
        assert recv_text(ann) == '<div id="status">2 here</div>'
    assert len(app.pubsub.topics) == 0


def test_subscribe_from_a_sync_handler_and_publish_from_another_loop() -> None:
    app = topic_app()
    with running(app) as server, open_ws(server, "/sync") as ws:
        ws.send(msg_frame("x"))
        assert recv_text(ws) == '<div id="status">subscribed</div>'
        # a notebook cell: another thread, another loop; hops onto the server's loop
        assert asyncio.run(app.publish("sync", Div("from a cell", id="n"))) == 1
        assert recv_text(ws) == '<div id="n">from a cell</div>'
        assert asyncio.run(app.listeners("sync")) == 1
        assert asyncio.run(app.publish("sync")) == 0  # nothing to send, as send() sends nothing


def test_bad_arguments_are_refused_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    app = FastHTML()
    with pytest.raises(TypeError, match="needs the `send` a websocket handler"):
        app.subscribe("chat", print)
    with pytest.raises(ValueError, match="expected redis://HOST:PORT/DB"):
        FastHTML(pubsub="http://127.0.0.1:6379")
    with pytest.raises(ValueError, match=r"'redis://:\*\*\*@127.0.0.1:x/0': the port is not a number"):
        FastHTML(pubsub="redis://:secret@127.0.0.1:x/0")
    with pytest.raises(ValueError, match="the database must be a number"):
        FastHTML(pubsub="redis://127.0.0.1:6379/zero")
    monkeypatch.setenv(PUBSUB_ENV, "redis://127.0.0.1:6379/2")
    assert FastHTML().pubsub.where == "redis://127.0.0.1:6379/2"
    assert FastHTML(pubsub="").pubsub.where == "in-process"  # the argument wins over the environment


def test_a_slow_subscriber_is_cut_and_does_not_slow_the_topic(caplog: pytest.LogCaptureFixture) -> None:
    app = topic_app(ws_max_queue=20, ws_send_timeout=30)
    big = "x" * 20_000
    with running(app) as server, open_ws(server) as ann, open_ws(server) as bob:
        frozen = stalled_client(server.port)  # a tab that never reads
        try:
            wait_for(lambda: app.pubsub.topics.count("chat") == 3, what="three subscribers")
            for n in range(300):
                ann.send(msg_frame(f"{n} {big}"))
                assert recv_text(ann) == item(f"{n} {big}")  # each publish is delivered at once
            assert [recv_text(bob) for _ in range(300)] == [item(f"{n} {big}") for n in range(300)]
            wait_for(lambda: app.pubsub.topics.count("chat") == 2, what="the frozen client cut and dropped")
            assert "with 1013: client too slow" in caplog.text
        finally:
            frozen.close()


def test_delivery_to_a_closed_client_is_skipped() -> None:
    app = topic_app()
    with running(app) as server, open_ws(server) as ann:
        with open_ws(server) as bob:
            wait_for(lambda: app.pubsub.topics.count("chat") == 2, what="two subscribers")
        for n in range(5):
            ann.send(msg_frame(str(n)))
            assert recv_text(ann) == item(str(n))
        with pytest.raises(ConnectionClosed):
            bob.recv(timeout=1)
        assert not list(server.errors)
