"""Slow consumers, bad input, faults, cross-site sockets, load: nothing lost, nobody blocked.

These fail on the behaviour measured with FastHTML and raw Starlette (one
stalled client blocks the chat's broadcast for good; a client that leaves
mid-broadcast aborts the loop; a JSON array drops the connection; any origin
may connect) and pass on ours.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
import socket
import struct
import textwrap
import time
from pathlib import Path

import pytest
from conftest import (
    handshake,
    open_ws,
    recv_text,
    running,
    script_server,
    seed_app,
    seed_source,
    stalled_client,
)
from websockets.asyncio.client import connect as async_connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from htmxws_nb import Div, FastHTML


def masked_text_frame(text: str) -> bytes:
    """A client → server text frame, masked as RFC 6455 requires."""
    payload = text.encode()
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    n = len(payload)
    header = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack("!H", n))
    return header + mask + masked


def chat_frame(msg: str) -> str:
    return json.dumps({"msg": msg, "HEADERS": {"HX-Request": "true", "HX-Trigger": "form"}})


def wait_until(predicate, timeout: float, what: str) -> float:
    started = time.monotonic()
    while not predicate():
        assert time.monotonic() - started < timeout, f"{what}: not within {timeout} s"
        time.sleep(0.01)
    return time.monotonic() - started


# -- slow consumers -----------------------------------------------------------

def test_a_stalled_client_does_not_block_the_chat_broadcast() -> None:
    chat = seed_app("chat_ws.py", ws_send_timeout=1.0)
    with running(chat["app"]) as server:
        frozen = stalled_client(server.port)  # first in `users`: the worst place to be
        try:
            with contextlib.ExitStack() as stack:
                live = [stack.enter_context(open_ws(server)) for _ in range(3)]
                wait_until(lambda: len(chat["users"]) == 4, 5, "all four joined")
                big = "x" * 20_000  # the chat resends the whole list: frames grow to ~800 KB
                slowest = 0.0
                for i in range(40):
                    started = time.monotonic()
                    live[i % 3].send(chat_frame(f"{i} {big}"))
                    for ws in live:
                        frame = recv_text(ws, timeout=10)
                        assert frame.count("<li>") == i + 1
                    slowest = max(slowest, time.monotonic() - started)
                assert slowest < 2.0, f"a broadcast took {slowest:.2f} s"
                # The frozen client is cut once a write has waited for the send timeout; disconn runs.
                cut = wait_until(lambda: len(chat["users"]) == 3, 10, "the frozen client was removed")
                live[0].send(chat_frame("after"))
                for ws in live:
                    assert "<li>after</li>" in recv_text(ws)
        finally:
            frozen.close()
    print(f"\n40 broadcasts with a frozen client: slowest {slowest * 1000:.0f} ms; frozen client removed "
          f"{cut:.1f} s after the last broadcast")


def test_queue_overflow_behind_a_stalled_client_closes_it_and_runs_disconn() -> None:
    chat = seed_app("chat_ws.py", ws_max_queue=5, ws_send_timeout=60)  # the queue bound acts first
    with running(chat["app"]) as server, open_ws(server, max_size=None) as talker:
        frozen = stalled_client(server.port)
        try:
            wait_until(lambda: len(chat["users"]) == 2, 5, "joined")
            frozen_connection = list(chat["users"].values())[1].__self__
            for i in range(30):
                talker.send(chat_frame(f"{i} " + "q" * 50_000))
                recv_text(talker)
                if frozen_connection.closed:
                    break
            assert frozen_connection.closed and frozen_connection.close_code == 1013
            assert i < 29, "dropped once its queue overflowed, long before the send timeout"
            wait_until(lambda: len(chat["users"]) == 1, 5, "disconn ran for the frozen client")
        finally:
            frozen.close()
        talker.send(chat_frame("still here"))
        assert "<li>still here</li>" in recv_text(talker)


def test_a_burst_from_one_handler_is_not_an_overflow() -> None:
    app = FastHTML(exts="ws", ws_max_queue=5)

    @app.ws("/ws")
    async def burst(send):
        for i in range(50):
            await send(Div("x" * 10_000, id=f"d{i}"))

    with running(app) as server, open_ws(server) as ws:
        ws.send("{}")
        assert [recv_text(ws)[:12] for _ in range(50)] == [f'<div id="d{i}"'[:12] for i in range(50)]


def test_a_client_leaving_mid_broadcast_does_not_abort_the_loop() -> None:
    chat = seed_app("chat_ws.py")
    with running(chat["app"]) as server, contextlib.ExitStack() as stack:
        a, b, c = (stack.enter_context(open_ws(server)) for _ in range(3))
        wait_until(lambda: len(chat["users"]) == 3, 5, "joined")
        b_send = list(chat["users"].values())[1]
        b.close()  # b's `send` is still in `users` for a moment: sending to it must be harmless
        a.send(chat_frame("hello"))
        assert recv_text(a) == recv_text(c)
        a.send(chat_frame("still connected"))
        assert "<li>still connected</li>" in recv_text(a)
        result = asyncio.run_coroutine_threadsafe(b_send(Div("late", id="x")), server._loop).result(5)
        assert result is False, "sending to a closed connection is a no-op that says so"


# -- bad input ----------------------------------------------------------------

def test_frame_over_the_size_limit_closes_with_1009_and_others_are_served() -> None:
    chat = seed_app("chat_ws.py")
    with running(chat["app"], ws_max_size=1024) as server, open_ws(server) as other, open_ws(server) as big:
        big.send(chat_frame("y" * 2000))
        with pytest.raises(ConnectionClosed) as closed:
            big.recv(timeout=5)
        assert closed.value.rcvd.code == 1009
        other.send(chat_frame("fine"))
        assert recv_text(other) == '<ul id="msg-list"><li>fine</li></ul>'


@pytest.mark.parametrize("max_queue", [1000, 10])
def test_a_flood_of_frames_is_answered_in_order_without_starving_others(max_queue: int) -> None:
    """A client that pipelines faster than it reads is slowed down (its reads pause), not dropped."""
    app = FastHTML(exts="ws", ws_max_queue=max_queue)

    padding = "p" * 2000  # 6 MB of replies in all: more than the socket buffers hold, so writes must wait

    @app.ws("/ws")
    async def echo(n: int):
        return Div(n, padding, id="n")

    with running(app) as server, open_ws(server) as flood, open_ws(server) as polite:
        for n in range(3000):
            flood.send(json.dumps({"n": n}))
        polite.send('{"n": -1}')  # answered while the flood's replies are still queued
        assert recv_text(polite) == f'<div id="n">-1{padding}</div>'
        replies = [recv_text(flood) for _ in range(3000)]
        assert replies == [f'<div id="n">{n}{padding}</div>' for n in range(3000)]


def test_a_websocket_that_never_answers_pings_is_closed() -> None:
    """(A silent TCP connection: see tests/server/test_uvicorn_internals.py.)"""
    app = FastHTML(exts="ws")
    left = []

    @app.ws("/ws", disconn=lambda: left.append("gone"))
    async def ws():
        return None

    with running(app, ws_ping_interval=0.5, ws_ping_timeout=0.5) as server:
        silent = stalled_client(server.port)  # a websocket that never answers pings
        try:
            wait_until(lambda: left == ["gone"], 5, "the unanswering socket was closed")
        finally:
            silent.close()


def test_abrupt_disconnect_mid_send() -> None:
    chat = seed_app("chat_ws.py")
    with running(chat["app"]) as server, open_ws(server) as watcher:
        for _ in range(20):
            sock = stalled_client(server.port)
            sock.sendall(masked_text_frame(chat_frame("bye")))
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()  # RST while the server answers
        wait_until(lambda: len(chat["users"]) == 1, 5, "the leavers were removed")
        watcher.send(chat_frame("ok"))
        for _ in range(30):
            frame = recv_text(watcher)
            if "<li>ok</li>" in frame:
                break
        assert frame.count("<li>bye</li>") == 20, "every message was handled"
    assert not list(chat["app"].errors)


# -- handler exceptions ---------------------------------------------------------

@pytest.mark.parametrize("where", ["conn", "handler", "disconn"])
@pytest.mark.parametrize("is_async", [True, False])
def test_exceptions_anywhere_keep_the_server_serving(where: str, is_async: bool) -> None:
    app = FastHTML(exts="ws")
    ran = []

    def fail(name: str):
        def sync_version():
            ran.append(name)
            if name == where:
                raise RuntimeError(f"{name} failed")
            return Div(name, id=name) if name == "handler" else None

        async def async_version():
            return sync_version()

        return async_version if is_async else sync_version

    app.ws("/ws", conn=fail("conn"), disconn=fail("disconn"))(fail("handler"))
    with running(app) as server:
        with open_ws(server) as ws:
            ws.send("{}")
            expected = "error: the server failed to handle this message" if where == "handler" else \
                '<div id="handler">handler</div>'
            assert recv_text(ws) == expected
            ws.send("{}")
            recv_text(ws)  # still usable
        wait_until(lambda: "disconn" in ran, 5, "disconn ran")
        with open_ws(server) as ws:
            ws.send("{}")
            recv_text(ws)
    errors = list(app.errors)
    assert errors and all(f"{where} failed" in e.traceback for e in errors)


# -- origins ----------------------------------------------------------------------

def test_cross_site_pages_cannot_open_sockets() -> None:
    session = seed_app("session_ws.py")
    with running(session["app"]) as server:
        for origin in ("http://evil.example", "http://127.0.0.1.evil.example", "null"):
            with pytest.raises(InvalidStatus) as refused:
                open_ws(server, origin=origin)
            assert refused.value.response.status_code == 403
        # Through jupyter-server-proxy the browser's Origin and the forwarded Host both name Jupyter.
        sock, status = handshake(server.port, headers={"Host": "127.0.0.1:8888", "Origin": "http://127.0.0.1:8888"})
        sock.close()
        assert status.startswith(b"HTTP/1.1 101")
        sock, status = handshake(server.port, headers={"Host": "127.0.0.1:8888", "Origin": "http://127.0.0.1:9999"})
        sock.close()
        assert status.startswith(b"HTTP/1.1 403")


def test_secret_key_is_kept_outside_the_working_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HTMXWS_NB_SECRET_KEY")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    first, second = FastHTML(), FastHTML()
    key_file = tmp_path / "state" / "htmxws_nb" / "secret_key"
    assert key_file.exists() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert list(work.iterdir()) == [], "nothing written next to the notebook"
    assert first.sessions.signer.secret_keys == second.sessions.signer.secret_keys


# -- load -------------------------------------------------------------------------

LOAD_SERVER = textwrap.dedent("""
    from collections import defaultdict
    from htmxws_nb import *

    app = FastHTML(exts='ws')
    seen = defaultdict(list)

    @app.ws('/ws')
    async def ws(c: str, n: int):
        seen[c].append(n)
        return Div(f'{c}:{n}', id='r')

    @app.route('/stats')
    def get():
        return {c: ns for c, ns in seen.items()}

    serve()
""")


def raise_fd_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(needed, hard), hard))


async def _load_client(port: int, name: str, count: int, opening: asyncio.Semaphore) -> list[str]:
    async with opening:  # clients arrive a hundred at a time, not all in the same millisecond
        ws = await async_connect(f"ws://127.0.0.1:{port}/ws", open_timeout=60, max_queue=None, compression=None,
                                 ping_interval=None)
    async with ws:
        for n in range(count):
            await ws.send(json.dumps({"c": name, "n": n}))
        return [await asyncio.wait_for(ws.recv(), 60) for _ in range(count)]


@pytest.mark.slow
def test_load_1000_clients_100_messages_each_exactly_once_in_order(tmp_path: Path) -> None:
    raise_fd_limit(4096)
    clients, messages = 1000, 100
    with script_server(tmp_path, LOAD_SERVER, "load_server.py") as port:
        async def run_all() -> list[list[str]]:
            opening = asyncio.Semaphore(100)
            return await asyncio.gather(*(_load_client(port, f"c{i}", messages, opening) for i in range(clients)))

        started = time.monotonic()
        replies = asyncio.run(asyncio.wait_for(run_all(), 120))
        took = time.monotonic() - started
        for i, got in enumerate(replies):
            assert got == [f'<div id="r">c{i}:{n}</div>' for n in range(messages)]
        import urllib.request

        stats = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/stats", timeout=30).read())
    assert len(stats) == clients
    assert all(ns == list(range(messages)) for ns in stats.values()), "each message handled once, in order"
    print(f"\nload: {clients} clients x {messages} messages = {clients * messages} round trips in {took:.1f} s "
          f"({clients * messages / took:.0f} msg/s)")


def users_joined(port: int) -> int:
    import urllib.request

    return int(urllib.request.urlopen(f"http://127.0.0.1:{port}/users", timeout=10).read())


async def _chat_member(port: int, expected: int, received: list[float], ready: asyncio.Event) -> list[str]:
    async with async_connect(f"ws://127.0.0.1:{port}/ws", open_timeout=60, max_queue=None,
                             max_size=None, compression=None, ping_interval=None) as ws:
        await ready.wait()
        frames = []
        while len(frames) < expected:
            frames.append(await asyncio.wait_for(ws.recv(), 30))
            received.append(time.monotonic())
        return frames


@pytest.mark.slow
def test_chat_broadcast_to_500_with_5_stalled(tmp_path: Path) -> None:
    raise_fd_limit(4096)
    source = seed_source("chat_ws.py")
    # The chat code unchanged, plus a route to see how many users have joined.
    source = source.replace("\nserve()", "\n@rt('/users')\ndef get_users(): return str(len(users))\n\nserve()")
    live_count, stalled_count, rounds, bound = 495, 5, 20, 5.0
    with script_server(tmp_path, source, "chat_ws.py") as port:
        stalled = [stalled_client(port) for _ in range(stalled_count)]
        try:
            async def scenario() -> tuple[list[float], list[list[str]]]:
                ready = asyncio.Event()
                arrivals: list[float] = []  # one entry per frame a member received
                per_round: list[float] = []
                members = [asyncio.create_task(_chat_member(port, rounds, arrivals, ready))
                           for _ in range(live_count - 1)]
                async with async_connect(f"ws://127.0.0.1:{port}/ws", max_size=None) as sender:
                    deadline = time.monotonic() + 60
                    while await asyncio.to_thread(users_joined, port) < live_count + stalled_count:
                        assert time.monotonic() < deadline, "not everybody joined the chat"
                        await asyncio.sleep(0.05)
                    ready.set()
                    for i in range(rounds):
                        started = time.monotonic()
                        expected_total = (i + 1) * (live_count - 1)
                        await sender.send(chat_frame(f"message {i} " + "z" * 2000))
                        await asyncio.wait_for(sender.recv(), bound)
                        while len(arrivals) < expected_total:
                            assert time.monotonic() - started < bound, f"broadcast {i} not delivered in {bound} s"
                            await asyncio.sleep(0.005)
                        per_round.append(time.monotonic() - started)
                results = await asyncio.wait_for(asyncio.gather(*members), 60)
                return per_round, results

            per_round, results = asyncio.run(scenario())
        finally:
            for sock in stalled:
                sock.close()
    for frames in results:
        assert [f.count("<li>") for f in frames] == list(range(1, rounds + 1)), "every live client got every message"
    per_round.sort()
    p50, worst = per_round[len(per_round) // 2] * 1000, per_round[-1] * 1000
    print(f"\nchat to {live_count} live + {stalled_count} stalled clients, {rounds} broadcasts of ~2 KB messages: "
          f"p50 {p50:.0f} ms, max {worst:.0f} ms (bound {bound:.0f} s)")


# -- lifecycle faults -------------------------------------------------------------

def test_server_restarted_on_the_same_port_serves_a_reconnecting_client() -> None:
    from htmxws_nb.server import Server, bind_socket

    chat = seed_app("chat_ws.py")
    server = Server(chat["app"], bind_socket("127.0.0.1", 0)).start()
    port = server.port
    with open_ws(server) as ws:
        server.stop()
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
        assert closed.value.rcvd.code == 1012, "the htmx client reconnects after 1012"
    again = Server(chat["app"], bind_socket("127.0.0.1", port)).start()
    try:
        with open_ws(port) as ws:  # what the browser does after 1012
            ws.send(chat_frame("back"))
            assert "<li>back</li>" in recv_text(ws)
    finally:
        again.stop()
