"""The app slot with apps that are not ours: retiring an old app's sockets through plain ASGI,
catching what any app raises, and answering reserved paths before the app."""

from __future__ import annotations

import asyncio
import threading

import pytest
from conftest import open_ws, recv_text, running, wait_for
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect
from websockets.exceptions import ConnectionClosed

from htmxws_nb.app.paths import RESERVED_PREFIX


def starlette_app(word: str, events: list[str], listens: bool = True) -> Starlette:
    """A plain Starlette app: an echo socket (or one that never reads), a page, and routes that raise."""

    async def echo(ws: WebSocket) -> None:
        await ws.accept()
        try:
            if not listens:
                await asyncio.sleep(3600)  # an app that never reads its socket
            while True:
                await ws.send_text(f"{word} {await ws.receive_text()}")
        except WebSocketDisconnect as gone:
            events.append(f"{word} saw close {gone.code}")
        finally:
            events.append(f"{word} done")

    async def boom(request):
        raise RuntimeError("http kaboom")

    async def boom_socket(ws: WebSocket) -> None:
        await ws.accept()
        raise RuntimeError("socket kaboom")

    return Starlette(routes=[WebSocketRoute("/ws", echo), WebSocketRoute("/boom", boom_socket),
                             Route("/", lambda request: PlainTextResponse(word)), Route("/boom", boom)])


def test_an_old_apps_sockets_are_retired_with_1012_through_asgi() -> None:
    events: list[str] = []
    with running(starlette_app("old", events)) as server:
        with open_ws(server) as ws:
            ws.send("a")
            assert recv_text(ws) == "old a"
            server.replace_app(starlette_app("new", events))
            with pytest.raises(ConnectionClosed) as closed:
                ws.recv(timeout=5)
            assert closed.value.rcvd.code == 1012 and closed.value.rcvd.reason == "app replaced"
        wait_for(lambda: "old done" in events, what="the old app let go of its socket")
        assert events == ["old saw close 1012", "old done"]
        closes = [r for r in server.recorder.records() if r.kind == "close"]
        assert [(r.code, r.by) for r in closes] == [(1012, "server")]
        with open_ws(server) as ws:
            ws.send("b")
            assert recv_text(ws) == "new b"


def test_an_old_app_that_never_reads_is_cancelled_after_the_grace() -> None:
    events: list[str] = []
    with running(starlette_app("deaf", events, listens=False)) as server, open_ws(server) as ws:
        wait_for(lambda: any(r.kind == "open" for r in server.recorder.records()))
        server.replace_app(starlette_app("new", events))
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
        assert closed.value.rcvd.code == 1012
        wait_for(lambda: events == ["deaf done"], timeout=10, what="the deaf app's task was cancelled")


def test_what_any_app_raises_reaches_the_servers_errors() -> None:
    import urllib.error
    import urllib.request

    events: list[str] = []
    with running(starlette_app("x", events)) as server:
        with pytest.raises(urllib.error.HTTPError) as failed:
            urllib.request.urlopen(f"{server.url}boom", timeout=5)
        assert failed.value.code == 500
        with open_ws(server, "/boom") as ws, pytest.raises(ConnectionClosed):
            ws.recv(timeout=5)
        wait_for(lambda: len(server.errors) == 2, what="both errors gathered")
        http, socket = list(server.errors)
        assert http.where == "http /boom" and "RuntimeError: http kaboom" in http.traceback
        assert socket.where == "websocket /boom" and "socket kaboom" in socket.traceback
        assert urllib.request.urlopen(server.url, timeout=5).read() == b"x", "and it keeps serving"


def test_reserved_paths_are_answered_before_the_app() -> None:
    seen = threading.Event()

    async def reserved(scope, receive, send) -> None:
        seen.set()
        await PlainTextResponse("ours")(scope, receive, send)

    import urllib.request

    with running(starlette_app("app", [])) as server:
        server.slot.reserved[RESERVED_PREFIX + "/probe"] = reserved
        assert urllib.request.urlopen(f"{server.url}_htmxws/probe", timeout=5).read() == b"ours"
        assert urllib.request.urlopen(server.url, timeout=5).read() == b"app"
        assert seen.is_set()
