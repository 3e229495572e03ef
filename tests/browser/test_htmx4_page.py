"""What an htmx 4 page does with our frames, requests and close codes, in a real Chromium.

Frames swap by id as under htmx 2 (whatever a frame also holds, text or elements
without an id, leaves the page alone), handler parameters come from what htmx 4
really sends, HTTP gets a fragment or a whole page as htmx 4 asks, and a hidden
tab's pause and resume show in the transcript for what they are.
"""

from __future__ import annotations

import re
from typing import Any

from browser_support import Browsing, send_message, wait_ws_open, ws_opens
from conftest import running, wait_for
from playwright.sync_api import Page, Response, expect
from test_pages import open_app, watch_console

from htmxws_nb import A, Button, Div, FastHTML, Form, Input, P, Safe, Titled

pytest_plugins = ["browser_fixtures"]

# Headless Chromium keeps every tab visible; htmx 4 reads `document.hidden` on `visibilitychange`.
SET_HIDDEN = """hidden => {
    Object.defineProperty(document, 'hidden', {configurable: true, get: () => hidden});
    Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => hidden ? 'hidden' : 'visible'});
    document.dispatchEvent(new Event('visibilitychange'));
}"""


def page_app(**options: Any) -> FastHTML:
    """The tutorial's page, plus a button that sends no `msg` and a few handlers that send odd frames."""
    app = FastHTML(exts="ws", htmx4=True)
    connect = {"ws_connect": "/ws", **options}

    @app.route("/")
    def get():
        return Titled("Websocket Test", Div(
            Div(id="notifications"),
            Form(Input(id="msg"), id="form", ws_send=True),
            Button("no msg", id="nomsg", name="other", value="x", ws_send=True),
            hx_ext="ws", **connect))

    @app.ws("/ws")
    async def ws(msg: str, send, htmx, hx_trigger: str):
        if msg == "raw":
            return '<div id="notifications">raw string</div> and some text'
        if msg == "safe":
            return Div("from Safe", id="notifications"), Safe("<p>no id</p>")
        if msg == "json":
            return '{"content": "<p id=\\"j\\">json content</p>"}'
        if msg == "who":
            return Div(f"{hx_trigger}|{htmx.source}|{htmx.target}|{htmx.trigger_name}", id="notifications")
        await send(Div("Hello " + msg, id="notifications"))

    return app


def test_frames_swap_by_id_and_nothing_else_touches_the_page(browsing: Browsing) -> None:
    with running(page_app()) as server:
        page = browsing.new_page()
        problems = watch_console(page)
        open_app(page, server.url, htmx4=True)
        page.locator("#nomsg").click()  # the reply is the text "error: missing required field 'msg'"
        wait_for(lambda: any(r.kind == "out" and r.text.startswith("error:") for r in server.recorder.records()))
        for msg, shown in [("raw", "raw string"), ("safe", "from Safe"), ("who", "form|form#form|form#form|None")]:
            send_message(page, msg)
            expect(page.locator("#notifications")).to_have_text(shown)
        expect(page.locator("#form")).to_have_count(1)
        expect(page.locator("#nomsg")).to_have_count(1)
        body = page.locator("main").inner_text()
        assert "error" not in body and "some text" not in body and "no id" not in body
    assert problems == [] and browsing.blocked == []


def test_a_connect_element_with_its_own_swap_gets_htmx4s_own_behaviour(browsing: Browsing) -> None:
    """`hx_swap` on the connect element is the way out: a JSON frame's content is swapped into it."""
    with running(page_app(hx_swap="innerHTML")) as server:
        page = browsing.new_page()
        open_app(page, server.url, htmx4=True)
        send_message(page, "json")
        expect(page.locator("#j")).to_have_text("json content")
        expect(page.locator("#form")).to_have_count(0)


def test_hidden_tab_pauses_the_socket_and_the_transcript_says_so(browsing: Browsing) -> None:
    with running(page_app()) as server:
        page = browsing.new_page()
        open_app(page, server.url, htmx4=True)
        page.evaluate(SET_HIDDEN, True)
        wait_for(lambda: any(r.kind == "close" for r in server.recorder.records()), what="the pause")
        send_message(page, "while hidden")  # htmx 4 queues it until the socket is back
        page.evaluate(SET_HIDDEN, False)
        expect(page.locator("#notifications")).to_have_text("Hello while hidden")
        assert ws_opens(page) == 2
        lines = server.transcript.lines()
    assert lines[:2] == ["c1 open /ws (browser)", "c1 close 1005 by client: paused (tab hidden)"]
    assert lines[2] == "c2 open /ws (browser) resumes c1"
    assert lines[3] == 'c2 → {"msg": "while hidden"} via form#form'


def http_app() -> FastHTML:
    app = FastHTML(htmx4=True)

    @app.route("/")
    def get():
        return Titled("Home", Div(
            Button("fragment", id="frag", hx_get="/part", hx_target="#out"),
            Button("select", id="sel", hx_get="/part", hx_select="#inner", hx_target="#out"),
            A("next page", id="next", hx_get="/next", hx_target="body", hx_push_url="true"),
            Div(id="out")))

    @app.route("/part")
    def part(htmx, hx_trigger: str):
        return Div(P(f"{htmx.request_type} from {htmx.source} ({hx_trigger}) into {htmx.target}", id="inner"),
                   id="wrapped")

    @app.route("/next")
    def next_page():
        return Titled("Next", P("the next page", id="p2"))

    return app


def responses_of(page: Page) -> list[tuple[str, str, bool]]:
    """(path, what htmx asked for, whether a whole page came back) for each response but assets."""
    seen: list[tuple[str, str, bool]] = []

    def note(response: Response) -> None:
        if "/_htmxws/" not in response.url:
            headers = response.request.headers
            asked = "restore" if "hx-history-restore-request" in headers else headers.get("hx-request-type", "-")
            path = re.sub(r"^http://[^/]+", "", response.url).split("?")[0]
            seen.append((path, asked, response.text().startswith("<!doctype html>")))

    page.on("response", note)
    return seen


def test_fragments_for_partial_requests_whole_pages_for_full_ones_and_history(browsing: Browsing) -> None:
    with running(http_app()) as server:
        page = browsing.new_page()
        problems = watch_console(page)
        responses = responses_of(page)
        page.goto(server.url)
        page.locator("#frag").click()
        expect(page.locator("#out #inner")).to_have_text("partial from button#frag (frag) into div#out")
        expect(page.locator("#out #wrapped")).to_have_count(1)
        page.locator("#sel").click()  # hx-select: htmx 4 asks for the whole page, and picks #inner out of it
        expect(page.locator("#out #inner")).to_have_text("full from button#sel (sel) into div#out")
        expect(page.locator("#out #wrapped")).to_have_count(0)
        page.locator("#next").click()  # into body: the whole page, whose <body> htmx puts in place
        expect(page.locator("#p2")).to_have_text("the next page")
        expect(page).to_have_title("Next")
        page.go_back()  # htmx 4 restores history with a request that has no HX-Request: the whole page
        expect(page.locator("#frag")).to_have_count(1)
        expect(page).to_have_title("Home")
    assert responses == [("/", "-", True), ("/part", "partial", False), ("/part", "full", True),
                         ("/next", "full", True), ("/", "restore", True)]
    assert problems == [] and browsing.blocked == []


def test_legacy_names_written_by_hand_still_work_with_a_warning(browsing: Browsing) -> None:
    """Raw HTML is not rewritten: htmx 4 rewrites `ws-connect` itself, and says so in the console."""
    app = FastHTML(exts="ws", htmx4=True)
    app.route("/")(lambda: Titled("Legacy", Safe('<div id="c" ws-connect="/ws"><div id="n"></div>'
                                                 '<form id="form" ws-send><input id="msg" name="msg"></form></div>')))

    @app.ws("/ws")
    async def ws(msg: str):
        return Div("Hello " + msg, id="n")

    with running(app) as server:
        page = browsing.new_page()
        problems = watch_console(page)
        page.goto(server.url)
        wait_ws_open(page)
        send_message(page, "Bob")
        expect(page.locator("#n")).to_have_text("Hello Bob")
    assert problems and all("legacy attributes ws-connect and ws-send are deprecated" in p for p in problems)
