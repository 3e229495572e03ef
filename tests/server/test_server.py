"""`Server` in this process, and `serve()` as a script or an import."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from conftest import open_ws, recv_text, running, seed_source
from websockets.exceptions import ConnectionClosed

from htmxws_nb import Div, FastHTML
from htmxws_nb.server import Server, ServerStartError, bind_socket


def echo_app(word: str, events: list[str] | None = None) -> FastHTML:
    @asynccontextmanager
    async def lifespan(app):
        if events is not None:
            events.append(f"start {word}")
        yield {"word": word}
        if events is not None:
            events.append(f"stop {word}")

    app = FastHTML(exts="ws", lifespan=lifespan)

    @app.ws("/ws")
    async def ws(msg: str, scope):
        return Div(f"{scope['state']['word']} {msg}", id="n")

    return app


def test_start_returns_serving_and_stop_frees_the_port() -> None:
    sock = bind_socket("127.0.0.1", 0)
    port = sock.getsockname()[1]
    server = Server(echo_app("hi"), sock).start()
    assert server.running, "start() returns once the server accepts connections"
    with open_ws(server) as ws:
        ws.send('{"msg": "x"}')
        assert recv_text(ws) == '<div id="n">hi x</div>'
    server.stop()
    assert not server.running
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))


def test_stop_closes_open_sockets_with_1012() -> None:
    server = Server(echo_app("hi"), bind_socket("127.0.0.1", 0)).start()
    with open_ws(server) as ws:
        server.stop()
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
    assert closed.value.rcvd.code == 1012


def test_replace_app_swaps_lifespans_and_retires_old_sockets() -> None:
    events: list[str] = []
    with running(echo_app("old", events)) as server:
        with open_ws(server) as old_ws:
            old_ws.send('{"msg": "a"}')
            assert recv_text(old_ws) == '<div id="n">old a</div>'
            new_app = echo_app("new", events)
            server.replace_app(new_app)
            assert server.app is new_app
            with pytest.raises(ConnectionClosed) as closed:
                old_ws.recv(timeout=5)
            assert closed.value.rcvd.code == 1012
        with open_ws(server) as ws:
            ws.send('{"msg": "b"}')
            assert recv_text(ws) == '<div id="n">new b</div>'
    assert events == ["start old", "start new", "stop old", "stop new"]


def test_failing_startup_raises_quickly() -> None:
    @asynccontextmanager
    async def lifespan(app):
        raise RuntimeError("no database")
        yield

    started = time.monotonic()
    with pytest.raises(ServerStartError, match="no database"):
        Server(FastHTML(lifespan=lifespan), bind_socket("127.0.0.1", 0)).start()
    assert time.monotonic() - started < 5


def _script(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.write_text(seed_source(name))
    return path


def test_script_on_a_taken_port_exits_with_a_clear_message(tmp_path: Path) -> None:
    script = _script(tmp_path, "basic_ws.py")
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        result = subprocess.run([sys.executable, str(script)], env={**os.environ, "PORT": str(port)},
                                capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}: Address already in use" in result.stderr
    assert "PORT=" in result.stderr


def test_imported_module_does_not_serve(tmp_path: Path) -> None:
    _script(tmp_path, "chat_ws.py")
    code = "import time, chat_ws; print(type(chat_ws.app).__name__)"
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and result.stdout.strip() == "FastHTML"


def test_script_binds_loopback_and_prints_the_url(tmp_path: Path) -> None:
    from conftest import announced_port

    script = _script(tmp_path, "basic_ws.py")
    err_path = tmp_path / "err.log"
    with err_path.open("w") as err:
        proc = subprocess.Popen([sys.executable, str(script)], env={**os.environ, "PORT": "0"},
                                stdout=subprocess.DEVNULL, stderr=err)
    try:
        port = announced_port(proc, err_path)  # "Uvicorn running on http://127.0.0.1:PORT/"
        with open_ws(port) as ws:
            ws.send(json.dumps({"msg": "Bob"}))
            assert recv_text(ws) == '<div id="notifications">Hello Bob</div>'
        assert listening_addresses(port) == ["127.0.0.1"]
    finally:
        proc.terminate()
        proc.wait(10)
    assert f"Uvicorn running on http://127.0.0.1:{port}/" in err_path.read_text()


def listening_addresses(port: int) -> list[str]:
    """IPv4 addresses listening on `port`, read from /proc/net/tcp (state 0A is LISTEN)."""
    found = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, port_hex = local.split(":")
        if state == "0A" and int(port_hex, 16) == port:
            found.append(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return found


def test_sync_work_in_threads_does_not_keep_the_process_alive() -> None:
    """Worker threads started by the server's loop are daemons, like the loop's own thread."""
    seen = {}

    app = FastHTML()

    @app.route("/t")
    def get():
        seen["daemon"] = threading.current_thread().daemon
        return "ok"

    import urllib.request

    with running(app) as server:
        urllib.request.urlopen(f"http://127.0.0.1:{server.port}/t", timeout=5).read()
    assert seen["daemon"] is True
