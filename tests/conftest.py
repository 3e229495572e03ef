"""Shared test helpers: real servers on free ports, real websocket clients."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import ClientConnection, connect

from htmxws_nb.server import Server, bind_socket

pytest_plugins = ["kernel"]  # the `kernel` fixture: a real IPython kernel

ROOT = Path(__file__).resolve().parents[1]
SEED_EXAMPLES = ROOT.parent / "shared" / "seed" / "examples"


def port_is_free(port: int) -> bool:
    """Could a server listen on `port` now (as servers do, with SO_REUSEADDR)?"""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            s.listen()
        except OSError:
            return False
        return True


@contextlib.contextmanager
def running(app: Any, **options: Any) -> Iterator[Server]:
    """`app` served by a real uvicorn on a free 127.0.0.1 port, recording (as in a notebook) unless told not to."""
    server = Server(app, bind_socket("127.0.0.1", 0), **{"record": True, **options}).start()
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def plain_uvicorn(app: Any) -> Iterator[int]:
    """`app` served as `uvicorn module:app` serves it: uvicorn's own `Server`, no protocol of ours. Yields the port."""
    import threading

    import uvicorn

    sock = bind_socket("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        wait_for(lambda: server.started, 10, "uvicorn started")
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def ws_url(server_or_port: Server | int, path: str = "/ws") -> str:
    port = server_or_port if isinstance(server_or_port, int) else server_or_port.port
    return f"ws://127.0.0.1:{port}{path}"


def open_ws(server_or_port: Server | int, path: str = "/ws", **kwargs: Any) -> ClientConnection:
    return connect(ws_url(server_or_port, path), open_timeout=5, close_timeout=2, **kwargs)


def htmx_frame(values: dict[str, Any], trigger: str | None = "form", trigger_name: str | None = "form",
               url: str = "http://127.0.0.1/") -> str:
    """A frame as the htmx ws extension sends it for a form submit."""
    headers = {"HX-Request": "true", "HX-Trigger": trigger, "HX-Trigger-Name": trigger_name,
               "HX-Target": trigger, "HX-Current-URL": url}
    return json.dumps({**values, "HEADERS": headers})


def output_spec(html: str) -> dict[str, Any]:
    """The spec a notebook output's script reads (its `data-htmxws-spec`): port, path, server id, ..."""
    import html as html_module

    found = re.search(r'data-htmxws-spec="([^"]*)"', html)
    assert found, "the output has no spec"
    return json.loads(html_module.unescape(found.group(1)))


def htmx4_frame(values: dict[str, Any], source: str = "form#form", target: str | None = None,
                url: str = "http://127.0.0.1/") -> str:
    """A frame as htmx 4's hx-ws sends it: values flat, then lowercase `headers` ("tag#id" names)."""
    headers = {"HX-Request": "true", "HX-Source": source, "HX-Current-URL": url, "HX-Target": target or source}
    return json.dumps({**values, "headers": headers})


def msg_frame(msg: str) -> str:
    """What the tutorial's form sends for `msg`."""
    return htmx_frame({"msg": msg})


def recv_text(ws: ClientConnection, timeout: float = 5) -> str:
    message = ws.recv(timeout=timeout)
    assert isinstance(message, str)
    return message


class PageForms(HTMLParser):
    """What the htmx ws extension reads from a page: the connect URL and the forms that send.

    htmx 2 pages spell them `ws-connect` / `ws-send`, htmx 4 pages (metaCharacter "-")
    `hx-ws-connect` / `hx-ws-send`; `htmx4` says which this page is.
    """

    def __init__(self, html: str) -> None:
        super().__init__()
        self.connect: str | None = None
        self.htmx4 = False
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if "ws-connect" in a or "hx-ws-connect" in a:
            self.htmx4 = "hx-ws-connect" in a
            self.connect = a.get("hx-ws-connect") or a["ws-connect"]
        if tag == "form" and ("ws-send" in a or "hx-ws-send" in a):
            self._form = {"id": a.get("id"), "name": a.get("name"), "inputs": []}
            self.forms.append(self._form)
        if tag in ("input", "textarea", "select") and self._form is not None:
            self._form["inputs"].append(a.get("name"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None

    def submit(self, value: str, url: str) -> str:
        """The frame the browser sends when the first ws-send form is submitted with `value`."""
        form = self.forms[0]
        values = {name: value for name in form["inputs"] if name}
        if self.htmx4:
            return htmx4_frame(values, "form#" + form["id"] if form["id"] else "form", url=url)
        return htmx_frame(values, trigger=form["id"], trigger_name=form["name"], url=url)


def announced_port(proc: subprocess.Popen, log: Path, timeout: float = 15) -> int:
    """The port a script started with `PORT=0` listens on, from the URL it prints when it is ready."""
    pattern = re.compile(r"Uvicorn running on http://[^:/]+:(\d+)/")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = pattern.search(log.read_text())
        if found:
            return int(found.group(1))
        if proc.poll() is not None:
            raise AssertionError(f"the script exited with {proc.returncode}:\n{log.read_text()[-2000:]}")
        time.sleep(0.05)
    raise AssertionError(f"the script announced no URL within {timeout} s:\n{log.read_text()[-2000:]}")


@contextlib.contextmanager
def script_server(tmp_path: Path, source: str, name: str, env: dict[str, str] | None = None) -> Iterator[int]:
    """Run `source` as the script `name` (it ends in `serve()`) on a port the OS picks; yields the port."""
    script = tmp_path / name
    script.write_text(source)
    env = {**os.environ, "PORT": "0", "XDG_STATE_HOME": str(tmp_path / "state"), **(env or {})}
    log_path = tmp_path / f"{name}.log"
    with log_path.open("w") as log:  # a file: a pipe nobody reads would stall the server
        proc = subprocess.Popen([sys.executable, str(script)], cwd=tmp_path, env=env, stdout=log,
                                stderr=subprocess.STDOUT)
        try:
            yield announced_port(proc, log_path)
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def seed_source(name: str, htmx4: bool = False) -> str:
    """A seed tutorial program with `from fasthtml.common import *` swapped for ours (and, if asked,
    its `FastHTML(...)` given `htmx4=True`: nothing else changes)."""
    source = (SEED_EXAMPLES / name).read_text()
    assert "from fasthtml.common import *" in source
    source = source.replace("from fasthtml.common import *", "from htmxws_nb import *")
    if htmx4:
        assert source.count("FastHTML(") == 1, f"{name} makes one app"
        source = source.replace("FastHTML(", "FastHTML(htmx4=True, ")
    return source


def seed_script(name: str, tmp_path: Path, htmx4: bool = False) -> contextlib.AbstractContextManager[int]:
    """Run a seed tutorial program, import swapped, as a script on a free port (under htmx 4 if asked)."""
    return script_server(tmp_path, seed_source(name, htmx4), name)


def seed_app(name: str, **app_options: Any) -> dict[str, Any]:
    """A seed program's namespace (import swapped), its `app` built with extra options."""
    source = seed_source(name)
    if app_options:
        options = ", ".join(f"{k}={v!r}" for k, v in app_options.items())
        source = source.replace("FastHTML(exts='ws')", f"FastHTML(exts='ws', {options})")
    namespace: dict[str, Any] = {"__name__": "seed_" + name.removesuffix(".py")}
    exec(compile(source, name, "exec"), namespace)  # serve() does nothing when not __main__
    return namespace


def handshake(port: int, path: str = "/ws", headers: dict[str, str] | None = None) -> tuple[socket.socket, bytes]:
    """A raw websocket handshake with exactly these headers: (socket, status line)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    lines = {"Host": f"127.0.0.1:{port}", "Upgrade": "websocket", "Connection": "Upgrade",
             "Sec-WebSocket-Key": key, "Sec-WebSocket-Version": "13", **(headers or {})}
    request = f"GET {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in lines.items()) + "\r\n"
    sock.sendall(request.encode())
    response = b""
    while b"\r\n\r\n" not in response:
        chunk = sock.recv(1)
        if not chunk:
            break
        response += chunk
    return sock, response.split(b"\r\n", 1)[0]


def stalled_client(port: int, path: str = "/ws") -> socket.socket:
    """A websocket client that completes the handshake and then never reads (a frozen tab)."""
    sock, status = handshake(port, path)
    assert status.startswith(b"HTTP/1.1 101"), status
    return sock


def add_tutorial_chat(app: Any, path: str = "/chat") -> None:
    """The tutorial's chat handlers, registered on `app` at `path`."""
    from htmxws_nb import Li, Ul

    users: dict[str, Any] = {}
    msgs: list[str] = []

    def on_conn(ws, send):
        users[str(id(ws))] = send

    def on_disconn(ws):
        users.pop(str(id(ws)), None)

    @app.ws(path, conn=on_conn, disconn=on_disconn)
    async def chat(msg: str):
        msgs.append(msg)
        for u in users.values():
            await u(Ul(*[Li(m) for m in msgs], id="msg-list"))


def demo_app() -> Any:
    """The tutorial's chat at /chat, an echo, two sends, and a handler that raises."""
    from htmxws_nb import Div, FastHTML

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


def wait_for(predicate: Any, timeout: float = 5.0, what: str = "condition") -> None:
    """Poll `predicate` until it is true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"{what}: not reached within {timeout} s"
        time.sleep(0.01)


@pytest.fixture
def redis_server() -> Iterator[Any]:
    """A redis-server of the test's own (Unix socket and a TCP port, nothing saved), stopped by pid after."""
    from htmxws_nb.notebook.local_redis import LocalRedis

    with LocalRedis(tcp=True) as redis:
        yield redis


@pytest.fixture(autouse=True)
def _secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never write a key into the real home directory."""
    monkeypatch.setenv("HTMXWS_NB_SECRET_KEY", "test-secret-key")
