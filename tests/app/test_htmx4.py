"""`FastHTML(htmx4=True)` over real HTTP and websockets: the vendored htmx 4, pages, fragments, frames, parameters."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from conftest import ROOT, htmx4_frame, htmx_frame, open_ws, recv_text, running
from test_app import http

from htmxws_nb import Div, FastHTML, Form, Input, P, Safe, Titled
from htmxws_nb.app.htmx_client import HTMX4_VERSION
from htmxws_nb.app.paths import ASSETS_PATH

HTMX4_DIR = ROOT / "htmxws_nb" / "assets" / "htmx4"


def tutorial_app(**options) -> FastHTML:
    app = FastHTML(exts="ws", **options)

    @app.route("/")
    def get():
        return Titled("Websocket Test", Div(Div(id="notifications"), Form(Input(id="msg"), id="form", ws_send=True),
                                            hx_ext="ws", ws_connect="/ws"))

    @app.ws("/ws")
    async def ws(msg: str, send):
        await send(Div("Hello " + msg, id="notifications"))

    return app


def test_vendored_files_are_the_pinned_release() -> None:
    """The hashes recorded beside the files are the files' (and the recorded version is htmx's own)."""
    table = (HTMX4_DIR / "README.md").read_text()
    pinned = dict(re.findall(r"^\| `([^`]+)` \|[^|]*\|[^|]*\| `([0-9a-f]{64})` \|$", table, re.MULTILINE))
    assert set(pinned) == {"htmx.min.js", "hx-ws.min.js", "LICENSE"}
    for name, digest in pinned.items():
        assert hashlib.sha256((HTMX4_DIR / name).read_bytes()).hexdigest() == digest, name
    assert f'this.version="{HTMX4_VERSION}"' in (HTMX4_DIR / "htmx.min.js").read_text()
    assert f"htmx.org@{HTMX4_VERSION}" in table
    assert "Zero-Clause BSD" in (HTMX4_DIR / "LICENSE").read_text()


def test_page_head_config_first_then_htmx_then_hx_ws() -> None:
    app = tutorial_app(htmx4=True)
    with running(app) as server:
        page = http(server, "/")[1]
        for name in ("htmx.min.js", "hx-ws.min.js", "LICENSE"):
            status, body, _ = http(server, f"{ASSETS_PATH}/htmx4/{name}")
            assert status == 200 and body == (HTMX4_DIR / name).read_text(), name
    head = page.split("</head>")[0]
    config = head.index('<meta name="htmx-config" content="{&quot;metaCharacter&quot;:&quot;-&quot;}">')
    htmx = head.index(f'<script src="{ASSETS_PATH}/htmx4/htmx.min.js"></script>')
    ws = head.index(f'<script src="{ASSETS_PATH}/htmx4/hx-ws.min.js"></script>')
    assert config < htmx < ws, "htmx reads its config once, and hx-ws needs htmx"
    assert "/static/htmx.min.js" not in page and "ws.js" not in page, "no htmx 2 on an htmx 4 page"
    assert '<div hx-ext="ws" hx-ws-connect="/ws" hx-swap="none">' in page
    assert '<form enctype="multipart/form-data" id="form" hx-ws-send name="form">' in page
    assert "http" not in page.replace("http-equiv", ""), "no page references another host"


def test_without_the_ws_extension_no_hx_ws_script() -> None:
    app = FastHTML(htmx4=True)
    assert app.htmx4 and app.exts == ()
    head = app.render_page(P("x")).split("</head>")[0]
    assert "htmx4/htmx.min.js" in head and "hx-ws" not in head


def test_htmx4_can_be_switched_after_the_app_is_made() -> None:
    app = tutorial_app()
    assert app.htmx4 is False and app.htmx_client.version.startswith("2.")
    app.htmx4 = True
    assert app.htmx_client.version == HTMX4_VERSION and "hx-ws-connect" in app.render_page(Div(ws_connect="/ws"))
    app.htmx4 = False
    assert 'ws-connect="/ws"' in app.render_page(Div(ws_connect="/ws"))


HX4 = {"HX-Request": "true", "HX-Source": "button#go", "HX-Target": "div#out", "HX-Current-URL": "http://x/"}


@pytest.mark.parametrize(("headers", "whole_page"), [
    ({}, True),                                                                 # a browser
    ({"HX-Request": "true"}, False),                                            # htmx 2
    ({"HX-Request": "true", "HX-History-Restore-Request": "true"}, True),       # htmx 2 history miss
    ({**HX4, "HX-Request-Type": "partial"}, False),                             # htmx 4 swap into an element
    ({**HX4, "HX-Request-Type": "full", "HX-Target": "body"}, True),            # htmx 4 swap into body, hx-select
    ({"HX-History-Restore-Request": "true", "HX-Request-Type": "full"}, True),  # htmx 4 history restore
])
@pytest.mark.parametrize("htmx4", [False, True])
def test_full_page_or_fragment(headers: dict[str, str], whole_page: bool, htmx4: bool) -> None:
    app = tutorial_app(htmx4=htmx4)
    with running(app) as server:
        body = http(server, "/", headers=headers)[1]
    assert body.startswith("<!doctype html>") is whole_page
    assert ('hx-ws-connect="/ws"' in body) is htmx4, "fragments are written for the app's htmx too"


def test_frames_swap_by_id_under_htmx4() -> None:
    app = tutorial_app(htmx4=True)
    users = {}

    @app.ws("/more", conn=lambda ws, send: users.update(send=send))
    async def more(kind: str):
        return {"tuple": (Div("a", id="a"), P("no id"), "text <b>"),
                "str": "<b id='s'>raw</b> and text",
                "safe": Safe('<i id="i">safe</i>'),
                "own": Div("x", id="n", hx_swap_oob="beforeend"),
                "json": '{"content": "<b id=\\"j\\">j</b>", "swap": "innerHTML"}'}[kind]

    with running(app) as server:
        with open_ws(server) as ws:
            ws.send(htmx4_frame({"msg": "Bob"}))
            assert recv_text(ws) == '<div id="notifications" hx-swap-oob="true">Hello Bob</div>'
            ws.send(htmx4_frame({"name": "Bob"}))
            assert recv_text(ws) == "error: missing required field 'msg'", "our own text frames go as they are"
        with open_ws(server, "/more") as ws:
            replies = {}
            for kind in ("tuple", "str", "safe", "own", "json"):
                ws.send(json.dumps({"kind": kind}))
                replies[kind] = recv_text(ws)
    assert replies == {
        "tuple": '<div id="a" hx-swap-oob="true">a</div><p>no id</p>text &lt;b&gt;',
        "str": "<b id='s' hx-swap-oob=\"true\">raw</b> and text",
        "safe": '<i id="i" hx-swap-oob="true">safe</i>',
        "own": '<div id="n" hx-swap-oob="beforeend">x</div>',
        "json": '{"content": "<b id=\\"j\\">j</b>", "swap": "innerHTML"}',
    }


def test_frames_to_htmx2_pages_are_as_rendered() -> None:
    app = tutorial_app()
    with running(app) as server, open_ws(server) as ws:
        ws.send(htmx_frame({"msg": "Bob"}))
        assert recv_text(ws) == '<div id="notifications">Hello Bob</div>'


def test_frames_rendered_under_a_prefix_and_the_dialect() -> None:
    app = tutorial_app(htmx4=True, url_prefix="/user/x/proxy/5001")

    @app.ws("/form")
    async def new_form():
        return Form(Input(id="msg"), id="form", ws_send=True, hx_post="/save")

    with running(app) as server:
        assert 'hx-ws-connect="/user/x/proxy/5001/ws"' in http(server, "/")[1]
        with open_ws(server, "/form") as ws:
            ws.send("{}")
            assert recv_text(ws) == ('<form enctype="multipart/form-data" id="form" hx-ws-send '
                                     'hx-post="/user/x/proxy/5001/save" name="form" '
                                     'hx-swap-oob="true"><input id="msg" name="msg"></form>')


def test_websocket_parameters_from_an_htmx4_payload() -> None:
    app = FastHTML(exts="ws", htmx4=True)
    seen = {}

    @app.ws("/ws")
    async def handler(msg: str, hx_trigger: str, hx_source: str, hx_target: str, data, htmx,
                      hx_trigger_name: str = "none"):
        seen.update(msg=msg, hx_trigger=hx_trigger, hx_source=hx_source, hx_target=hx_target, data=data,
                    trigger=htmx.trigger, source=htmx.source, target=htmx.target, url=htmx.current_url,
                    request=htmx.request, trigger_name=hx_trigger_name)
        return Div("ok", id="o")

    with running(app) as server, open_ws(server) as ws:
        ws.send(htmx4_frame({"msg": "Bob"}, "form#my%20form", "div#c", url="http://127.0.0.1/page"))
        recv_text(ws)
    assert seen == {"msg": "Bob", "hx_trigger": "my form", "hx_source": "form#my%20form", "hx_target": "div#c",
                    "data": {"msg": "Bob"}, "trigger": "my form", "source": "form#my%20form", "target": "div#c",
                    "url": "http://127.0.0.1/page", "request": "true", "trigger_name": "none"}


def test_http_parameters_from_htmx4_headers() -> None:
    app = FastHTML(htmx4=True)

    @app.route("/who")
    def get(htmx, hx_trigger: str | None = None):
        return f"{hx_trigger}|{htmx.trigger}|{htmx.source}|{htmx.target}|{htmx.request_type}"

    with running(app) as server:
        headers = {**HX4, "HX-Request-Type": "partial"}
        assert http(server, "/who", headers=headers)[1] == "go|go|button#go|div#out|partial"
        assert http(server, "/who", headers={**headers, "HX-Source": "span"})[1] == "None|None|span|div#out|partial"
        assert http(server, "/who", headers={"HX-Request": "true", "HX-Trigger": "b2"})[1] == "b2|b2|None|None|None"
