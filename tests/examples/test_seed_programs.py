"""Each seed tutorial program runs unchanged (import swapped) as a script, and answers like the tutorial says.

Under htmx 4 too (`htmx4=True` in its `FastHTML(...)` call, nothing else changed): the page then
spells the ws attributes as htmx 4 reads them, the frames a browser sends are htmx 4's, and replies
carry the mark that makes htmx 4 swap them by id, as htmx 2 does.
"""

from __future__ import annotations

import contextlib
import json
import urllib.request
from pathlib import Path

import pytest
from conftest import PageForms, open_ws, recv_text, seed_script
from websockets.exceptions import ConnectionClosed


def get(port: int, path: str, cookie: str | None = None) -> tuple[str, dict[str, str]]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    if cookie:
        request.add_header("Cookie", cookie)
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.read().decode(), dict(response.headers)


HTMX = [pytest.param(False, id="htmx2"), pytest.param(True, id="htmx4")]


def browser_frame(port: int, value: str, htmx4: bool) -> tuple[str, str]:
    """The page's connect path and the frame its form sends for `value`, as the ws extension builds them."""
    page = PageForms(get(port, "/")[0])
    assert page.connect and page.forms, "the page has a connect element and a form that sends"
    assert page.htmx4 is htmx4, "the page spells the ws attributes for its htmx"
    return page.connect, page.submit(value, f"http://127.0.0.1:{port}/")


def swapped(html: str, htmx4: bool) -> str:
    """A reply as it goes to the page: under htmx 4 its top-level element with an id is marked out of band."""
    return html.replace('">', '" hx-swap-oob="true">', 1) if htmx4 else html


@pytest.mark.parametrize("htmx4", HTMX)
def test_basic(tmp_path: Path, htmx4: bool) -> None:
    with seed_script("basic_ws.py", tmp_path, htmx4) as port:
        path, frame = browser_frame(port, "Bob", htmx4)
        assert json.loads(frame)["msg"] == "Bob"
        with open_ws(port, path) as ws:
            ws.send(frame)
            assert recv_text(ws) == swapped('<div id="notifications">Hello Bob</div>', htmx4)


@pytest.mark.parametrize("htmx4", HTMX)
def test_conn_disconn_two_sends_and_return(tmp_path: Path, htmx4: bool) -> None:
    with seed_script("conn_disconn_ws.py", tmp_path, htmx4) as port:
        path, frame = browser_frame(port, "Ann", htmx4)
        with open_ws(port, path) as ws:
            assert recv_text(ws) == "<div>Hello, world!</div>", "no id: nothing to mark"
            ws.send(frame)
            assert recv_text(ws) == swapped('<div id="notifications">Hello Ann</div>', htmx4)
            assert recv_text(ws) == swapped('<div id="notifications">Goodbye Ann</div>', htmx4)
        with open_ws(port, "/echo") as ws:
            ws.send(frame)
            assert recv_text(ws) == swapped('<div id="notifications">You said: Ann</div>', htmx4)


@pytest.mark.parametrize("htmx4", HTMX)
def test_session(tmp_path: Path, htmx4: bool) -> None:
    with seed_script("session_ws.py", tmp_path, htmx4) as port:
        body, headers = get(port, "/login")
        assert body == "ok"
        cookie = headers["set-cookie"].split(";")[0]
        assert "httponly" in headers["set-cookie"].lower()
        with open_ws(port, "/ws", additional_headers={"Cookie": cookie}) as ws:
            ws.send(json.dumps({"msg": "!", "HEADERS" if not htmx4 else "headers": {"HX-Request": "true"}}))
            assert recv_text(ws) == swapped('<div id="notifications">Hello Bob!</div>', htmx4)
        with open_ws(port, "/ws") as ws:  # no cookie, no session
            ws.send(json.dumps({"msg": "!"}))
            assert recv_text(ws) == swapped('<div id="notifications">Hello None!</div>', htmx4)


@pytest.mark.parametrize("htmx4", HTMX)
def test_chat(tmp_path: Path, htmx4: bool) -> None:
    with seed_script("chat_ws.py", tmp_path, htmx4) as port:
        path, _ = browser_frame(port, "", htmx4)
        page = PageForms(get(port, "/")[0])
        with contextlib.ExitStack() as stack:
            clients = [stack.enter_context(open_ws(port, path)) for _ in range(3)]
            clients[0].send(page.submit("hi from 0", f"http://127.0.0.1:{port}/"))
            for ws in clients:
                assert recv_text(ws) == swapped('<ul id="msg-list"><li>hi from 0</li></ul>', htmx4)
            clients[2].close()
            clients[1].send(page.submit("hi from 1", f"http://127.0.0.1:{port}/"))
            for ws in clients[:2]:
                assert recv_text(ws) == swapped('<ul id="msg-list"><li>hi from 0</li><li>hi from 1</li></ul>', htmx4)
            with pytest.raises(ConnectionClosed):
                clients[2].recv(timeout=1)
        assert "<li>hi from 1</li>" in get(port, "/")[0], "the page shows the history to a new visitor"
