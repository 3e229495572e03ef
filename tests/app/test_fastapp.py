"""`fast_app`, `setup_ws`, lifespans, static files, `before=`, `Redirect`, `cookie`: over real HTTP and websockets."""

from __future__ import annotations

import contextlib
import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from conftest import open_ws, recv_text, running, wait_for

from htmxws_nb import (
    Beforeware,
    Div,
    FastHTML,
    Html,
    Mount,
    P,
    Redirect,
    RedirectResponse,
    StaticFiles,
    Title,
    Titled,
    cookie,
    fast_app,
)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any) -> None:
        return None


def http(server: Any, path: str, method: str = "GET", headers: dict[str, str] | None = None,
         data: bytes | None = None) -> tuple[int, str, Any]:
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(f"http://127.0.0.1:{server.port}{path}", data=data, method=method,
                                     headers=headers or {})
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, response.read().decode(errors="replace"), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.headers


def test_fast_app_returns_app_and_route_with_pico_served_offline() -> None:
    app, rt = fast_app(exts="ws", static_path="/nonexistent")
    assert isinstance(app, FastHTML) and rt == app.route

    @rt("/")
    def get():
        return Titled("Hi", P("x"))

    with running(app) as server:
        _, page, _ = http(server, "/")
        assert '<link rel="stylesheet" href="/_htmxws/static/pico.min.css">' in page
        assert "<style>:root { --pico-font-size: 100%; }</style>" in page
        assert '<script src="/_htmxws/static/ws.js"></script>' in page
        status, css, headers = http(server, "/_htmxws/static/pico.min.css")
        assert status == 200 and css.startswith("/*!\n * Pico CSS") and headers["content-type"].startswith("text/css")
        assert http(server, "/_htmxws/static/pico.LICENSE")[1].startswith("MIT License")


def test_fast_app_options_shape_the_page() -> None:
    app, rt = fast_app(pico=False, default_hdrs=False, hdrs=(Title("ignored"),), htmlkw={"lang": "en"},
                       bodykw={"cls": "b"}, ftrs=(P("footer"),), htmx4=True, static_path="/nonexistent")
    assert app.htmx4 is True

    @rt("/")
    def get():
        return P("x")

    with running(app) as server:
        page = http(server, "/")[1]
    assert "pico" not in page and "htmx.min.js" not in page and 'charset' not in page
    assert '<html lang="en">' in page and '<body class="b"><p>x</p><p>footer</p></body>' in page


def test_fast_app_rejects_unknown_keywords_and_names_the_db_extra() -> None:
    with pytest.raises(TypeError, match="titel"):
        fast_app(titel="x")
    try:  # fastlite is an optional extra: without it the error says which
        import fastlite  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match=r"htmxws_nb\[db\]"):
            fast_app(db_file=":memory:", name=str)


def test_html_response_is_sent_as_it_is() -> None:
    app = FastHTML()

    @app.route("/")
    def get():
        return Html(P("own page"), lang="en")

    with running(app) as server:
        assert http(server, "/")[1] == '<!doctype html><html lang="en"><p>own page</p></html>'


def test_setup_ws_send_reaches_every_connection_and_runs_the_handler() -> None:
    app, rt = fast_app(static_path="/nonexistent")
    seen = []

    async def on_message(msg: str, send):
        seen.append(msg)
        await send(Div(f"only you: {msg}", id="private"))

    notify = app.setup_ws(on_message)
    assert app._send is notify

    @rt("/notice")
    async def post(text: str):
        reached = await notify(Div(text, id="notice"))
        return f"sent to {reached}"

    with running(app) as server, open_ws(server) as a, open_ws(server) as b:
        wait_for(lambda: len(notify.sends) == 2, what="two connections registered")
        a.send(json.dumps({"msg": "ping", "HEADERS": {}}))
        assert recv_text(a) == '<div id="private">only you: ping</div>'
        assert http(server, "/notice", "POST", {"Content-Type": "application/x-www-form-urlencoded"},
                    b"text=Lunch")[1] == "sent to 2"
        for ws in (a, b):
            assert recv_text(ws) == '<div id="notice">Lunch</div>'
        b.close()
        wait_for(lambda: len(notify.sends) == 1, what="the closed connection forgotten")
    assert seen == ["ping"]


def test_setup_ws_without_a_handler_reads_and_drops_messages() -> None:
    app = FastHTML()
    notify = app.setup_ws()
    with running(app) as server, open_ws(server) as ws:
        ws.send(json.dumps({"msg": "x"}))
        wait_for(lambda: len(notify.sends) == 1)
        with pytest.raises(TimeoutError):
            ws.recv(timeout=0.3)


@pytest.mark.parametrize("style", ["async generator", "context manager", "on_event"])
def test_lifespans_in_every_style(style: str) -> None:
    events: list[str] = []

    async def gen(app):
        events.append("start")
        yield {"greeting": "hello"}
        events.append("stop")

    app = FastHTML(on_startup=[lambda: events.append("on_startup")])
    if style == "async generator":
        app.set_lifespan(gen)
    elif style == "context manager":
        app.set_lifespan(contextlib.asynccontextmanager(gen))
    else:
        app.on_event("startup")(lambda: events.append("start"))
        app.on_event("shutdown")(lambda: events.append("stop"))

    @app.route("/")
    def get(request):
        return getattr(request.state, "greeting", "no state")

    with running(app) as server:
        body = http(server, "/")[1]
    assert body == ("no state" if style == "on_event" else "hello")
    assert events == ["on_startup", "start", "stop"]


def test_lifespan_in_the_constructor_takes_an_async_generator() -> None:
    events = []

    async def ls(app):
        events.append("up")
        yield
        events.append("down")

    with running(fast_app(lifespan=ls, static_path="/nonexistent")[0]):
        wait_for(lambda: events == ["up"])
    assert events == ["up", "down"]
    with pytest.raises(TypeError, match="lifespan"):
        FastHTML(lifespan="not callable")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "img").mkdir(parents=True)
    (root / "logo.svg").write_text("<svg></svg>")
    (root / "img" / "a.png").write_bytes(b"\x89PNG")
    (root / "report.csv").write_text("from the file")
    (root / ".env.txt").write_text("hidden")
    (root / "notes.md").write_text("not a static extension")
    (tmp_path / "secret.txt").write_text("outside")
    (root / "link.txt").symlink_to(tmp_path / "secret.txt")
    return root


def test_static_files_by_extension_are_safe_and_never_shadow_routes(site: Path) -> None:
    app, rt = fast_app(static_path=str(site), routes=[Mount("/assets", StaticFiles(directory=site), name="assets")])

    @rt("/report.csv")
    def get():
        return "from the route"

    with running(app) as server:
        status, body, headers = http(server, "/logo.svg")
        assert (status, body, headers["content-type"]) == (200, "<svg></svg>", "image/svg+xml")
        assert http(server, "/img/a.png")[0] == 200
        assert http(server, "/assets/notes.md")[1] == "not a static extension"  # the Mount serves anything
        assert http(server, "/report.csv")[1] == "from the route"
        for refused in ("/%2E%2E/secret.txt", "/..%2Fsecret.txt", "/img/..%2F..%2Fsecret.txt", "/link.txt",
                        "/.env.txt", "/notes.md", "/missing.png"):
            assert http(server, refused)[0] == 404, refused
        assert http(server, "/logo.svg", "POST", data=b"")[0] in (404, 405)


def test_beforeware_redirects_unless_skipped_and_sees_the_session() -> None:
    def check(req, sess):
        if not sess.get("user") and req.url.path != "/login":
            return RedirectResponse("/login", status_code=303)

    app, rt = fast_app(before=Beforeware(check, skip=[r"/public.*"]), static_path="/nonexistent")

    @rt("/login")
    def get(session):
        session["user"] = "ann"
        return "logged in"

    @rt("/")
    def index(session):
        return f"hello {session['user']}"

    @rt("/public")
    def public():
        return "open"

    with running(app) as server:
        status, _, headers = http(server, "/")
        assert (status, headers["location"]) == (303, "/login")
        assert http(server, "/public")[1] == "open"
        _, _, headers = http(server, "/login")
        jar = headers["set-cookie"].split(";")[0]
        assert http(server, "/", headers={"Cookie": jar})[1] == "hello ann"


def test_redirect_and_cookie_among_the_parts() -> None:
    app = FastHTML()

    @app.route("/go")
    def go():
        return Redirect("/there")

    @app.route("/")
    def get():
        return Title("T"), P("x"), cookie("seen", "yes", max_age=60)

    with running(app) as server:
        status, _, headers = http(server, "/go")
        assert (status, headers["location"]) == (303, "/there")
        status, body, headers = http(server, "/go", headers={"HX-Request": "true"})
        assert (status, headers["hx-redirect"]) == (200, "/there")
        status, body, headers = http(server, "/")
        assert "seen=yes" in headers["set-cookie"] and "Max-Age=60" in headers["set-cookie"]
        assert "<title>T</title>" in body and "<p>x</p>" in body


def test_routes_take_starlette_routes_and_old_keywords_still_work() -> None:
    from htmxws_nb import WebSocketEndpoint, WebSocketRoute

    class Echo(WebSocketEndpoint):
        encoding = "text"

        async def on_receive(self, websocket, data):
            await websocket.send_text(data.upper())

    app, _ = fast_app(routes=[WebSocketRoute("/raw", Echo)], static_path="/nonexistent")
    with running(app) as server, open_ws(server, "/raw") as ws:
        ws.send("hi")
        assert recv_text(ws) == "HI"
    assert "ws" in FastHTML(ws_hdr=True).exts  # FastHTML ≤ 0.6's switch for the ws extension
    with pytest.raises(TypeError, match="after="):
        FastHTML(after=[print])
    with pytest.raises(ValueError, match="unknown htmx extension"):
        fast_app(exts="morph")
