"""The seed tutorial programs in a real Chromium that can reach nothing but 127.0.0.1.

A page that answers with the internet blocked proves that htmx, the ws
extension and everything else the page needs are served by the app itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from browser_support import Browsing, send_message, wait_ws_open
from conftest import SEED_EXAMPLES, running, seed_script
from playwright.sync_api import Page, expect

from htmxws_nb import Div, Form, Input, Titled

pytest_plugins = ["browser_fixtures"]


def open_app(page: Page, url: str) -> None:
    """Load a page and wait until its htmx websocket is open, so nothing sent is lost."""
    page.goto(url)
    wait_ws_open(page)


def test_basic(tmp_path: Path, browsing: Browsing) -> None:
    with seed_script("basic_ws.py", tmp_path) as port:
        page = browsing.new_page()
        open_app(page, f"http://127.0.0.1:{port}/")
        send_message(page, "Bob")
        expect(page.locator("#notifications")).to_have_text("Hello Bob")
        expect(page.locator("#msg")).to_have_value("Bob")  # an oob swap replaces only #notifications
    assert browsing.blocked == []


def test_chat_in_two_pages(tmp_path: Path, browsing: Browsing) -> None:
    with seed_script("chat_ws.py", tmp_path) as port:
        ann, bob = browsing.new_page(), browsing.new_page()
        for page in (ann, bob):
            open_app(page, f"http://127.0.0.1:{port}/")
        send_message(ann, "hi from Ann")
        for page in (ann, bob):
            expect(page.locator("#msg-list li")).to_have_text(["hi from Ann"])
        send_message(bob, "hi from Bob")
        for page in (ann, bob):
            expect(page.locator("#msg-list li")).to_have_text(["hi from Ann", "hi from Bob"])
    assert browsing.blocked == []


def session_app() -> Any:
    """The seed's session_ws.py as it is, plus the page it lacks: a form that talks to its /ws."""
    source = (SEED_EXAMPLES / "session_ws.py").read_text()
    namespace: dict[str, Any] = {"__name__": "session_ws"}  # not __main__: its serve() does nothing
    exec(source.replace("from fasthtml.common import *", "from htmxws_nb import *"), namespace)
    app = namespace["app"]

    @app.route("/")
    def get() -> Any:
        return Titled("Session", Div(Div(id="notifications"), Form(Input(id="msg"), id="form", ws_send=True),
                                     hx_ext="ws", ws_connect="/ws"))

    return app


def test_session(browsing: Browsing) -> None:
    """The session cookie /login sets in the browser is what the websocket handler reads."""
    with running(session_app()) as server:
        page, stranger = browsing.new_page(), browsing.new_page()
        page.goto(f"{server.url}login")
        expect(page.locator("body")).to_have_text("ok")
        for p in (page, stranger):
            open_app(p, server.url)
            send_message(p, "!")
        expect(page.locator("#notifications")).to_have_text("Hello Bob!")
        expect(stranger.locator("#notifications")).to_have_text("Hello None!")  # no login, no session
    assert browsing.blocked == []
