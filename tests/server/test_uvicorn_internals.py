"""What our server takes from uvicorn's private classes (`server/uvicorn_internals.py`).

When a uvicorn upgrade moves any of it, these fail and say what moved;
nothing else in the package depends on it.
"""

from __future__ import annotations

import socket

from conftest import msg_frame, open_ws, recv_text, running

from htmxws_nb import Div, FastHTML
from htmxws_nb.app.websocket import ABORT_EXTENSION
from htmxws_nb.server import uvicorn_internals


def test_this_uvicorn_has_what_the_subclasses_override() -> None:
    uvicorn_internals.check()


def test_our_server_offers_the_abort_extension() -> None:
    app = FastHTML(exts="ws")

    @app.ws("/ws")
    async def ws(msg: str, scope):
        abort = scope.get("extensions", {}).get(ABORT_EXTENSION, {}).get("abort")
        return Div(f"abort callable: {callable(abort)}", id="n")

    with running(app) as server, open_ws(server) as client:
        client.send(msg_frame("x"))
        assert recv_text(client) == '<div id="n">abort callable: True</div>'


def test_a_silent_tcp_connection_is_closed_by_the_idle_timer() -> None:
    with running(FastHTML()) as server, socket.create_connection(("127.0.0.1", server.port)) as tcp:
        tcp.settimeout(15)  # the idle timer closes it after 5 s; without it this recv times out
        assert tcp.recv(10) == b""
