"""Topics through a real redis-server (started by the test, stopped by pid): apps on two servers in one
process share them; outages; a Redis that is not there at start."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time

import pytest
from conftest import msg_frame, open_ws, recv_text, running, wait_for

from htmxws_nb import FastHTML, Li, Ul
from htmxws_nb.app.pubsub import PubSubError
from htmxws_nb.app.pubsub.redis_broker import BACKOFF_MAX, PUBLISH_TIMEOUT
from htmxws_nb.server import ServerStartError


def topic_app(url: str) -> FastHTML:
    """`conn` waits until Redis confirmed the subscription, then says so; `msg` publishes; `count` asks Redis."""
    app = FastHTML(exts="ws", pubsub=url)

    async def on_conn(send):
        await app.subscribe("chat", send)
        return "subscribed"

    @app.ws("/ws", conn=on_conn)
    async def ws(msg: str = "", action: str = ""):
        if action == "listeners":
            return f"listeners: {await app.listeners('chat')}"
        await app.publish("chat", Ul(Li(msg), id="msg-list", hx_swap_oob="beforeend"))

    return app


def item(msg: str) -> str:
    return f'<ul id="msg-list" hx-swap-oob="beforeend"><li>{msg}</li></ul>'


@contextlib.contextmanager
def joined(server):
    """A client whose subscription Redis has confirmed."""
    with open_ws(server) as ws:
        assert recv_text(ws) == "subscribed"
        yield ws


@pytest.mark.parametrize("transport", ["tcp", "unix"])
def test_two_servers_share_a_topic(redis_server, transport: str) -> None:
    url = redis_server.url if transport == "tcp" else f"unix://{redis_server.socket_path}"
    one, two = topic_app(url), topic_app(url)
    with running(one) as a, running(two) as b, joined(a) as ann, joined(b) as bob, joined(b) as cat:
        ann.send(json.dumps({"action": "listeners"}))
        assert recv_text(ann) == "listeners: 2"  # one Redis subscription per process, not per socket
        for n in range(30):
            (ann if n % 2 else bob).send(msg_frame(f"m{n}"))
            for ws in (ann, bob, cat):  # each message reaches all three, in order
                assert recv_text(ws) == item(f"m{n}")
        for n in range(30):  # many from one publisher without waiting: order kept
            ann.send(msg_frame(f"burst {n}"))
        for ws in (ann, bob, cat):
            assert [recv_text(ws) for _ in range(30)] == [item(f"burst {n}") for n in range(30)]
        cat.close()
        wait_for(lambda: two.pubsub.topics.count("chat") == 1, what="Cat's subscription dropped")
        ann.send(msg_frame("after Cat"))
        assert recv_text(ann) == recv_text(bob) == item("after Cat")
        assert not list(a.errors) and not list(b.errors)
    assert one.pubsub.broker._listener is None and two.pubsub.broker._listener is None  # stopped with the app


def test_databases_are_separate_topics(redis_server) -> None:
    with running(topic_app(redis_server.url)) as a, running(topic_app(redis_server.url[:-1] + "1")) as b, \
            joined(a) as ann, joined(b) as bob:
        ann.send(msg_frame("db 0 only"))
        assert recv_text(ann) == item("db 0 only")
        with pytest.raises(TimeoutError):
            bob.recv(timeout=0.5)


def test_redis_stopped_and_restarted_mid_chat(redis_server) -> None:
    one, two = topic_app(redis_server.url), topic_app(redis_server.url)
    with running(one) as a, running(two) as b, joined(a) as ann, joined(b) as bob:
        ann.send(msg_frame("before"))
        assert recv_text(ann) == recv_text(bob) == item("before")

        redis_server.stop()
        started = time.monotonic()
        with pytest.raises(PubSubError, match=f"cannot publish to 'chat': Redis at {redis_server.url} is unreachable"):
            asyncio.run(one.publish("chat", "during the outage"))
        assert time.monotonic() - started < PUBLISH_TIMEOUT + 1
        ann.send(msg_frame("during"))  # from a handler: the error goes to the panel, the client gets a short text
        assert recv_text(ann) == "error: the server failed to handle this message"
        for _app, server in ((one, a), (two, b)):  # both lost their subscription connection, and said so
            wait_for(lambda s=server: any("lost the connection to Redis" in e.summary for e in s.errors), 5,
                     "the outage in the server's errors")
        assert any("is unreachable" in e.summary for e in a.errors)

        redis_server.start()
        restarted = time.monotonic()
        # subscriptions come back by themselves; the publisher's connection is made anew
        wait_for(lambda: asyncio.run(one.listeners("chat")) == 2, BACKOFF_MAX + 5, "both processes subscribed again")
        assert time.monotonic() - restarted < BACKOFF_MAX + 3
        ann.send(msg_frame("after"))
        assert recv_text(ann) == recv_text(bob) == item("after")
        bob.send(msg_frame("and back"))
        assert recv_text(ann) == recv_text(bob) == item("and back")


def test_a_redis_that_does_not_answer_fails_the_start(redis_server) -> None:
    url = redis_server.url
    redis_server.stop()
    refused = f"cannot reach Redis at {url}: Error 111 connecting"
    with pytest.raises(ServerStartError, match=refused), running(topic_app(url)):
        pass
    nowhere = "unix:///nonexistent/redis.sock"
    with pytest.raises(ServerStartError, match=re.escape(f"cannot reach Redis at {nowhere}")), \
            running(topic_app(nowhere)):
        pass


def test_a_password_never_shows(redis_server) -> None:
    url = redis_server.url.replace("redis://", "redis://:hunter2@")
    redis_server.stop()
    with pytest.raises(ServerStartError) as failed, running(topic_app(url)):
        pass
    assert "hunter2" not in str(failed.value) and ":***@" in str(failed.value)


def test_frames_from_another_redis_client_are_delivered_whole(redis_server) -> None:
    import redis

    with running(topic_app(redis_server.url)) as a, joined(a) as ann:
        client = redis.Redis.from_url(redis_server.url)
        try:
            assert client.publish("htmxws:0:chat", '<div id="n">from redis-cli</div>') == 1
        finally:
            client.close()
        assert recv_text(ann) == '<div id="n">from redis-cli</div>'
