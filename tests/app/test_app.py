"""The app layer over real HTTP: routing, replacement, pages, sessions, assets, errors."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

import pytest
from conftest import ROOT, running

from htmxws_nb import Div, FastHTML, Input, Title, Titled
from htmxws_nb.app.paths import ASSETS_PATH

ASSETS = ROOT / "htmxws_nb" / "assets"


def http(server, path: str, method: str = "GET", headers: dict[str, str] | None = None,
         form: dict[str, str] | None = None) -> tuple[int, str, dict[str, str]]:
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{server.port}{path}", data=data, method=method,
                                     headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def test_function_name_picks_the_verb() -> None:
    app = FastHTML()
    rt = app.route

    @rt("/")
    def get():
        return "got"

    @rt("/")
    def post():
        return "posted"

    @rt("/both")
    def anything():
        return "either"

    with running(app) as server:
        assert http(server, "/")[1] == "got"
        assert http(server, "/", "POST", form={})[1] == "posted"
        assert http(server, "/both")[1] == "either"
        assert http(server, "/both", "POST", form={})[1] == "either"
        status, _, headers = http(server, "/", "DELETE")
        assert status == 405 and headers["allow"] == "GET, POST"


def test_bare_route_and_verb_decorators() -> None:
    app = FastHTML()

    @app.route
    def hello():
        return "hi"

    @app.get("/g")
    def g():
        return "g"

    @app.put("/p")
    def p():
        return "p"

    with running(app) as server:
        assert http(server, "/hello")[1] == "hi"
        assert http(server, "/g")[1] == "g"
        assert http(server, "/p", "PUT")[1] == "p"
        assert http(server, "/g", "POST", form={})[0] == 405


def test_registering_a_path_again_replaces_it_while_serving() -> None:
    app = FastHTML()

    @app.route("/")
    def get():
        return "first"

    with running(app) as server:
        assert http(server, "/")[1] == "first"

        @app.route("/")
        def get():
            return "second"

        assert http(server, "/")[1] == "second"
        assert sum(1 for r in app.routes if getattr(r, "path", None) == "/") == 1


def test_full_page_for_browsers_fragment_for_htmx() -> None:
    app = FastHTML(exts="ws", hdrs=[Title("ignored? no: hdrs go to head")])

    @app.route("/")
    def get():
        return Titled("Hi", Div("body", id="b"))

    with running(app) as server:
        page = http(server, "/")[1]
        assert page.startswith("<!doctype html><html><head>")
        head, body = page.split("</head>")
        assert "<title>Hi</title>" in head
        assert f'<script src="{ASSETS_PATH}/htmx.min.js"></script><script src="{ASSETS_PATH}/ws.js"></script>' in head
        assert '<main class="container"><h1>Hi</h1><div id="b">body</div></main>' in body
        assert "http" not in page.replace("http-equiv", ""), "no page references another host"
        fragment = http(server, "/", headers={"HX-Request": "true"})[1]
        assert fragment == '<title>Hi</title><main class="container"><h1>Hi</h1><div id="b">body</div></main>'


def test_default_title_and_no_ws_script_without_the_extension() -> None:
    app = FastHTML()

    @app.route("/")
    def get():
        return Div("x")

    with running(app) as server:
        page = http(server, "/")[1]
        assert "<title>FastHTML page</title>" in page and "ws.js" not in page and "htmx.min.js" in page


def test_unknown_extension_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown htmx extension"):
        FastHTML(exts=["ws", "sse"])


def test_return_values() -> None:
    app = FastHTML()

    @app.route("/json")
    def get_json():
        return {"a": 1}

    @app.route("/none")
    def get_none():
        return None

    @app.route("/bytes")
    def get_bytes():
        return b"\x00\x01"

    with running(app) as server:
        status, body, headers = http(server, "/json")
        assert (status, body, headers["content-type"]) == (200, '{"a":1}', "application/json")
        assert http(server, "/none")[:2] == (200, "")
        assert http(server, "/bytes")[2]["content-type"] == "application/octet-stream"


def test_http_parameters_from_path_query_form_cookie_header() -> None:
    app = FastHTML()

    @app.route("/items/{item_id}")
    def post(item_id: int, q: str, name: str, flavour: str = "plain", user_agent: str = "", n: list[int] = ()):
        return f"{item_id}|{q}|{name}|{flavour}|{user_agent}|{n}"

    with running(app) as server:
        status, body, _ = http(server, "/items/7?q=query&n=1&n=2", "POST", form={"name": "form"},
                               headers={"Cookie": "flavour=mint", "User-Agent": "tester"})
        assert (status, body) == (200, "7|query|form|mint|tester|[1, 2]")
        status, body, _ = http(server, "/items/x", "POST", form={"name": "f"})
        assert status == 400 and "item_id" in body
        status, body, _ = http(server, "/items/7", "POST", form={"name": "f"})
        assert (status, body) == (400, "Bad request: missing required field 'q'")


def test_sessions_signed_httponly_lax() -> None:
    app = FastHTML(secret_key="k" * 32)

    @app.route("/set")
    def get(session, value: str):
        session["v"] = value
        return "set"

    @app.route("/read")
    def get_read(session):
        return session.get("v", "empty")

    with running(app) as server:
        _, _, headers = http(server, "/set?value=secret")
        cookie_header = headers["set-cookie"]
        assert "httponly" in cookie_header and "samesite=lax" in cookie_header
        cookie = cookie_header.split(";")[0]
        assert "secret" not in cookie, "the session is signed and encoded, not plain"
        assert http(server, "/read", headers={"Cookie": cookie})[1] == "secret"
        tampered = cookie[:-3] + "AAA"
        assert http(server, "/read", headers={"Cookie": tampered})[1] == "empty"


def test_assets_served_with_licences() -> None:
    app = FastHTML(exts="ws")
    with running(app) as server:
        for name in ("htmx.min.js", "ws.js", "htmx.LICENSE", "ws.LICENSE", "live.js", "htmxws.css"):
            status, body, _ = http(server, f"{ASSETS_PATH}/{name}")
            assert status == 200 and body == (ASSETS / name).read_text(), name
        assert "Zero-Clause BSD" in (ASSETS / "htmx.LICENSE").read_text()
        assert "BSD Zero Clause" in (ASSETS / "ws.LICENSE").read_text()
        assert http(server, f"{ASSETS_PATH}/nope.js")[0] == 404


def test_handler_exception_gives_500_without_details_and_is_logged() -> None:
    app = FastHTML()

    @app.route("/boom")
    def get():
        raise KeyError("secret detail")

    with running(app) as server:
        status, body, _ = http(server, "/boom")
        assert (status, body) == (500, "Internal Server Error")
        assert http(server, f"{ASSETS_PATH}/ws.js")[0] == 200, "the server keeps serving"
    [error] = list(app.errors)
    assert error.where == "GET /boom: get" and "secret detail" in error.traceback


def test_forwarded_prefix_renders_root_relative_urls_under_it() -> None:
    app = FastHTML(exts="ws")

    @app.route("/")
    def get():
        return Div(Input(id="msg"), hx_ext="ws", ws_connect="/ws", hx_get="/more")

    with running(app) as server:
        page = http(server, "/", headers={"X-Forwarded-Prefix": "/user/test/proxy/5001"})[1]
        assert 'ws-connect="/user/test/proxy/5001/ws"' in page
        assert 'hx-get="/user/test/proxy/5001/more"' in page
        assert f'src="/user/test/proxy/5001{ASSETS_PATH}/htmx.min.js"' in page
        assert app.url_prefix == "/user/test/proxy/5001", "remembered for websocket frames"
        plain = http(server, "/")[1]
        assert 'ws-connect="/ws"' in plain


def test_explicit_url_prefix_wins() -> None:
    app = FastHTML(url_prefix="/fixed/")

    @app.route("/")
    def get():
        return Div(hx_get="/x")

    with running(app) as server:
        page = http(server, "/", headers={"X-Forwarded-Prefix": "/other"})[1]
        assert 'hx-get="/fixed/x"' in page
