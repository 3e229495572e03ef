"""Shared test helpers: real servers on free ports, real websocket clients."""

from __future__ import annotations

import contextlib
import json
import os
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

ROOT = Path(__file__).resolve().parents[1]
SEED_EXAMPLES = ROOT.parent / "shared" / "seed" / "examples"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running(app: Any, **options: Any) -> Iterator[Server]:
    """`app` served by a real uvicorn on a free 127.0.0.1 port, recording (as in a notebook) unless told not to."""
    server = Server(app, bind_socket("127.0.0.1", 0), **{"record": True, **options}).start()
    try:
        yield server
    finally:
        server.stop()


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


def recv_text(ws: ClientConnection, timeout: float = 5) -> str:
    message = ws.recv(timeout=timeout)
    assert isinstance(message, str)
    return message


class PageForms(HTMLParser):
    """What the htmx ws extension reads from a page: the ws-connect URL and ws-send forms."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.connect: str | None = None
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if "ws-connect" in a:
            self.connect = a["ws-connect"]
        if tag == "form" and "ws-send" in a:
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
        return htmx_frame(values, trigger=form["id"], trigger_name=form["name"], url=url)


def wait_for_port(port: int, proc: subprocess.Popen | None = None, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the server process exited with {proc.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port} after {timeout} s")


@contextlib.contextmanager
def script_server(tmp_path: Path, source: str, name: str) -> Iterator[int]:
    """Run `source` as the script `name` (it ends in `serve()`) on a free port; yields the port."""
    script = tmp_path / name
    script.write_text(source)
    port = free_port()
    env = {**os.environ, "PORT": str(port), "XDG_STATE_HOME": str(tmp_path / "state")}
    with (tmp_path / f"{name}.log").open("w") as log:  # a file: a pipe nobody reads would stall the server
        proc = subprocess.Popen([sys.executable, str(script)], cwd=tmp_path, env=env, stdout=log,
                                stderr=subprocess.STDOUT)
        try:
            wait_for_port(port, proc)
            yield port
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def seed_source(name: str) -> str:
    """A seed tutorial program with `from fasthtml.common import *` swapped for ours."""
    source = (SEED_EXAMPLES / name).read_text()
    assert "from fasthtml.common import *" in source
    return source.replace("from fasthtml.common import *", "from htmxws_nb import *")


def seed_script(name: str, tmp_path: Path) -> contextlib.AbstractContextManager[int]:
    """Run a seed tutorial program, import swapped, as a script on a free port."""
    return script_server(tmp_path, seed_source(name), name)


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


@pytest.fixture(autouse=True)
def _secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never write a key into the real home directory."""
    monkeypatch.setenv("HTMXWS_NB_SECRET_KEY", "test-secret-key")
