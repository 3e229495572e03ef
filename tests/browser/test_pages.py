"""The seed tutorial programs in a real Chromium that can reach nothing but 127.0.0.1, under htmx 2 and htmx 4.

A page that answers with the internet blocked proves that htmx, the ws
extension and everything else the page needs are served by the app itself.
Each program runs as written, but for the import line and, for htmx 4,
`htmx4=True` in its `FastHTML(...)` call; the page's `htmx.version` says
which htmx it loaded, and its console must stay free of warnings and errors
(htmx 4 warns once per element that uses the legacy `ws-connect`/`ws-send`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser_support import Browsing, send_message, wait_ws_open
from conftest import SEED_EXAMPLES, running, seed_script, seed_source
from playwright.sync_api import Page, expect

from htmxws_nb import Div, Form, Input, Titled
from htmxws_nb.app.htmx_client import HTMX4_VERSION, HTMX_VERSION

pytest_plugins = ["browser_fixtures"]

HTMX = [pytest.param(False, id="htmx2"), pytest.param(True, id="htmx4")]


def watch_console(page: Page) -> list[str]:
    """Every console warning or error and uncaught exception of `page`, as it happens."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"{m.type}: {m.text}") if m.type in ("warning", "error") else None)
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    return problems


def open_app(page: Page, url: str, htmx4: bool) -> None:
    """Load a page, check which htmx it runs, and wait until its socket is open, so nothing sent is lost."""
    page.goto(url)
    assert page.evaluate("htmx.version") == (HTMX4_VERSION if htmx4 else HTMX_VERSION)
    wait_ws_open(page)


@pytest.mark.parametrize("htmx4", HTMX)
def test_basic(tmp_path: Path, browsing: Browsing, htmx4: bool) -> None:
    with seed_script("basic_ws.py", tmp_path, htmx4) as port:
        page = browsing.new_page()
        problems = watch_console(page)
        open_app(page, f"http://127.0.0.1:{port}/", htmx4)
        send_message(page, "Bob")
        expect(page.locator("#notifications")).to_have_text("Hello Bob")
        expect(page.locator("#msg")).to_have_value("Bob")  # swapped by id: the form is still there
        expect(page.locator("#form")).to_have_count(1)
    assert browsing.blocked == [] and problems == []


@pytest.mark.parametrize("htmx4", HTMX)
def test_conn_disconn(tmp_path: Path, browsing: Browsing, htmx4: bool) -> None:
    """`conn` greets with a `Div` that has no id: htmx 2 ignores it, and so must an htmx 4 page."""
    with seed_script("conn_disconn_ws.py", tmp_path, htmx4) as port:
        page = browsing.new_page()
        problems = watch_console(page)
        open_app(page, f"http://127.0.0.1:{port}/", htmx4)
        send_message(page, "Ann")
        expect(page.locator("#notifications")).to_have_text("Goodbye Ann")  # the second send replaced the first
        expect(page.locator("#form")).to_have_count(1)
        assert "Hello, world!" not in page.locator("body").inner_text()
    assert browsing.blocked == []
    assert problems == [] or (not htmx4 and problems == [  # htmx 2 logs the id-less greeting as an oob miss
        "error: htmx:oobErrorNoTarget, #null"]), problems


@pytest.mark.parametrize("htmx4", HTMX)
def test_chat_in_two_pages(tmp_path: Path, browsing: Browsing, htmx4: bool) -> None:
    with seed_script("chat_ws.py", tmp_path, htmx4) as port:
        ann, bob = browsing.new_page(), browsing.new_page()
        problems = watch_console(ann) + watch_console(bob)
        for page in (ann, bob):
            open_app(page, f"http://127.0.0.1:{port}/", htmx4)
        send_message(ann, "hi from Ann")
        for page in (ann, bob):
            expect(page.locator("#msg-list li")).to_have_text(["hi from Ann"])
        send_message(bob, "hi from Bob")
        for page in (ann, bob):
            expect(page.locator("#msg-list li")).to_have_text(["hi from Ann", "hi from Bob"])
            expect(page.locator("#form")).to_have_count(1)
    assert browsing.blocked == [] and problems == []


def session_app(htmx4: bool) -> Any:
    """The seed's session_ws.py as it is, plus the page it lacks: a form that talks to its /ws."""
    namespace: dict[str, Any] = {"__name__": "session_ws"}  # not __main__: its serve() does nothing
    exec(seed_source("session_ws.py", htmx4), namespace)
    app = namespace["app"]

    @app.route("/")
    def get() -> Any:
        return Titled("Session", Div(Div(id="notifications"), Form(Input(id="msg"), id="form", ws_send=True),
                                     hx_ext="ws", ws_connect="/ws"))

    return app


@pytest.mark.parametrize("htmx4", HTMX)
def test_session(browsing: Browsing, htmx4: bool) -> None:
    """The session cookie /login sets in the browser is what the websocket handler reads."""
    assert (SEED_EXAMPLES / "session_ws.py").exists()
    with running(session_app(htmx4)) as server:
        page, stranger = browsing.new_page(), browsing.new_page()
        page.goto(f"{server.url}login")
        expect(page.locator("body")).to_have_text("ok")
        for p in (page, stranger):
            open_app(p, server.url, htmx4)
            send_message(p, "!")
        expect(page.locator("#notifications")).to_have_text("Hello Bob!")
        expect(stranger.locator("#notifications")).to_have_text("Hello None!")  # no login, no session
    assert browsing.blocked == []
