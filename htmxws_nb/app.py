"""`FastHTML`: a Starlette app with FastHTML's registration API.

Routes are registered with `route`/`get`/`post`/.../`ws`. Registering a path
again replaces what was there: the Starlette route for a path is created
once and looks up its handlers when a request or message arrives, which is
what lets a re-run notebook cell take over a running server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from .components import FT, Body, Head, Html, Link, Meta, Script, Title, to_html
from .errors import ErrorLog, HandlerError
from .handlers import Handler
from .live import LiveReload
from .params import HtmxHeaders, ParamError, Sources
from .paths import ASSETS_PATH, LIVE_PATH
from .sessions import HttpSessions
from .websocket import ConnectionSet, SocketEndpoint, SocketHandlers, SocketLimits

__all__ = ["FastHTML", "ASSETS_PATH"]

F = TypeVar("F", bound=Callable[..., Any])

ASSETS_DIR = Path(__file__).parent / "assets"

EXTENSION_SCRIPTS = {"ws": ("ws.js",)}
HTTP_VERBS = frozenset({"get", "post", "put", "delete", "patch", "head", "options", "trace"})
_HEAD_TAGS = frozenset({"title", "meta", "link", "style", "base"})
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class FastHTML(Starlette):
    """A FastHTML-compatible app: `FastHTML(exts='ws')`, then `@rt('/')` and `@app.ws('/ws')`."""

    def __init__(
        self,
        *,
        exts: str | Sequence[str] | None = None,
        hdrs: Iterable[Any] = (),
        ftrs: Iterable[Any] = (),
        title: str = "FastHTML page",
        secret_key: str | None = None,
        session_cookie: str = "session_",
        max_age: int = 365 * 24 * 3600,
        same_site: str = "lax",
        sess_https_only: bool = False,
        ws_origins: Iterable[str] = (),
        ws_max_queue: int = SocketLimits.max_queue,
        ws_send_timeout: float = SocketLimits.send_timeout,
        ws_close_on_error: bool = False,
        url_prefix: str | None = None,
        htmlkw: dict[str, Any] | None = None,
        bodykw: dict[str, Any] | None = None,
        debug: bool = False,
        routes: Sequence[Any] | None = None,
        middleware: Sequence[Middleware] | None = None,
        lifespan: Any = None,
    ) -> None:
        self.sessions = HttpSessions(secret_key, session_cookie, max_age, same_site, sess_https_only)
        super().__init__(debug=debug, routes=routes, middleware=[Middleware(self.sessions.around), *(middleware or [])],
                         lifespan=lifespan)
        self.exts = _extensions(exts)
        self.hdrs = list(hdrs)
        self.ftrs = list(ftrs)
        self.title = title
        self.htmlkw = htmlkw or {}
        self.bodykw = bodykw or {}
        self.ws_origins = frozenset(ws_origins)
        self.socket_limits = SocketLimits(ws_max_queue, ws_send_timeout, close_on_error=ws_close_on_error)
        self.explicit_prefix = url_prefix.rstrip("/") if url_prefix else None
        self.forwarded_prefix = ""  # the latest X-Forwarded-Prefix seen, for websocket frames
        self.errors = ErrorLog()
        self.connections = ConnectionSet()
        self.live = LiveReload(self)
        self._http_endpoints: dict[str, HttpEndpoint] = {}
        self._socket_handlers: dict[str, SocketHandlers] = {}
        self.router.routes.insert(0, Mount(ASSETS_PATH, app=StaticFiles(directory=ASSETS_DIR), name="htmxws_assets"))
        self.router.routes.insert(1, WebSocketRoute(LIVE_PATH, self.live.endpoint))

    # -- registration -----------------------------------------------------

    def route(self, path: str | Callable[..., Any] | None = None, methods: Iterable[str] | None = None,
              name: str | None = None) -> Any:
        """Register an HTTP handler: `@rt('/')`, or bare `@rt` (path from the function's name).

        A function named after an HTTP verb handles that verb; any other name
        handles GET and POST, unless `methods` says otherwise.
        """
        if callable(path):
            return self.route()(path)

        def register(fn: F) -> F:
            self.add_http(path or _path_from_name(fn), fn, methods, name)
            return fn

        return register

    def get(self, path: str, name: str | None = None) -> Callable[[F], F]:
        return self.route(path, methods=["GET"], name=name)

    def post(self, path: str, name: str | None = None) -> Callable[[F], F]:
        return self.route(path, methods=["POST"], name=name)

    def put(self, path: str, name: str | None = None) -> Callable[[F], F]:
        return self.route(path, methods=["PUT"], name=name)

    def delete(self, path: str, name: str | None = None) -> Callable[[F], F]:
        return self.route(path, methods=["DELETE"], name=name)

    def patch(self, path: str, name: str | None = None) -> Callable[[F], F]:
        return self.route(path, methods=["PATCH"], name=name)

    def add_http(self, path: str, fn: Callable[..., Any], methods: Iterable[str] | None = None,
                 name: str | None = None) -> None:
        """Register `fn` for `path`, replacing what was registered for the same methods."""
        fn_name = getattr(fn, "__name__", "")
        if methods is None:
            methods = [fn_name.upper()] if fn_name.lower() in HTTP_VERBS else ["GET", "POST"]
        methods = [m.upper() for m in methods]
        endpoint = self._http_endpoints.get(path)
        if endpoint is None:
            endpoint = self._http_endpoints[path] = HttpEndpoint(self)
            self.router.routes.append(Route(path, endpoint, name=name or fn_name))
        previous = next((endpoint.handlers[m] for m in methods if m in endpoint.handlers), None)
        handler = Handler.of(fn, "http", previous.version + 1 if previous else 1)
        replaced_page = "GET" in methods and "GET" in endpoint.handlers
        for method in methods:
            endpoint.handlers[method] = handler
        if replaced_page:
            self.live.reload_pages()

    def ws(self, path: str, conn: Callable[..., Any] | None = None, disconn: Callable[..., Any] | None = None,
           name: str | None = None) -> Callable[[F], F]:
        """Register a websocket handler; `conn`/`disconn` run when a client connects/leaves.

        Open connections use a re-registered handler from their next message on.
        """
        def register(fn: F) -> F:
            previous = self._socket_handlers.get(path)
            version = previous.on_message.version + 1 if previous else 1
            self._socket_handlers[path] = SocketHandlers(
                Handler.of(fn, "ws", version),
                Handler.of(conn, "ws") if conn else None,
                Handler.of(disconn, "ws") if disconn else None,
            )
            if not any(isinstance(r, WebSocketRoute) and r.path == path for r in self.router.routes):
                self.router.routes.append(WebSocketRoute(path, SocketEndpoint(self, path), name=name))
            return fn

        return register

    def socket_handlers(self, path: str) -> SocketHandlers | None:
        """What is registered for a websocket path right now."""
        return self._socket_handlers.get(path)

    # -- pages ------------------------------------------------------------

    @property
    def url_prefix(self) -> str:
        """The path prefix put before root-relative URLs in what this app renders."""
        return self.explicit_prefix if self.explicit_prefix is not None else self.forwarded_prefix

    def request_prefix(self, headers: Headers) -> str:
        """The prefix for one HTTP request: explicit, else the proxy's `X-Forwarded-Prefix`."""
        if self.explicit_prefix is not None:
            return self.explicit_prefix
        prefix = headers.get("x-forwarded-prefix", "").rstrip("/")
        if prefix.startswith("/"):
            self.forwarded_prefix = prefix
            return prefix
        return ""

    def origin_allowed(self, headers: Headers) -> bool:
        """May a page from the handshake's `Origin` open a socket here?

        Same origin (the `Origin` names the `Host` the request came to, which
        also holds through jupyter-server-proxy) or listed in `ws_origins`.
        Clients that send no `Origin` are not browsers and are let in.
        """
        origin = headers.get("origin")
        if origin is None or "*" in self.ws_origins or origin in self.ws_origins:
            return True
        return urlsplit(origin).netloc == headers.get("host")

    def head_items(self) -> list[FT]:
        """What every full page's head gets: charset, viewport, htmx, extensions, our helpers."""
        items = [
            Meta(charset="utf-8"),
            Meta(name="viewport", content="width=device-width, initial-scale=1"),
            Script(src=f"{ASSETS_PATH}/htmx.min.js"),
        ]
        for ext in self.exts:
            items += [Script(src=f"{ASSETS_PATH}/{name}") for name in EXTENSION_SCRIPTS[ext]]
        items.append(Link(rel="stylesheet", href=f"{ASSETS_PATH}/htmxws.css"))
        items += self.live.head_items()
        return items + self.hdrs

    def render_page(self, content: Any, prefix: str = "") -> str:
        """A full HTML document: title and head-only tags lifted into `<head>`."""
        items = list(content) if isinstance(content, (tuple, list)) else [content]
        if len(items) == 1 and isinstance(items[0], FT) and items[0].tag == "html":
            return "<!doctype html>" + to_html(items[0], prefix)
        head = [i for i in items if isinstance(i, FT) and i.tag in _HEAD_TAGS]
        body = [i for i in items if not (isinstance(i, FT) and i.tag in _HEAD_TAGS)]
        if not any(i.tag == "title" for i in head):
            head.insert(0, Title(self.title))
        page = Html(Head(*self.head_items(), *head), Body(*body, *self.ftrs, **self.bodykw), **self.htmlkw)
        return "<!doctype html>" + to_html(page, prefix)

    def respond(self, result: Any, request: Request, prefix: str) -> Response:
        """Turn what an HTTP handler returned into a response."""
        if isinstance(result, Response):
            return result
        if result is None:
            return HTMLResponse("")
        if isinstance(result, bytes):
            return Response(result, media_type="application/octet-stream")
        if isinstance(result, dict) or (isinstance(result, list) and not any(isinstance(i, FT) for i in result)):
            return JSONResponse(result)
        if isinstance(result, str) and not isinstance(result, FT):
            return HTMLResponse(result)
        headers = request.headers
        if headers.get("hx-request") and not headers.get("hx-history-restore-request"):
            return HTMLResponse(to_html(result, prefix))
        return HTMLResponse(self.render_page(result, prefix))


class HttpEndpoint:
    """The ASGI app behind one HTTP path: its handlers by method, looked up per request."""

    def __init__(self, app: FastHTML) -> None:
        self.app = app
        self.handlers: dict[str, Handler] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)
        method = request.method
        handler = self.handlers.get(method) or (self.handlers.get("GET") if method == "HEAD" else None)
        if handler is None:
            raise HTTPException(405, headers={"Allow": ", ".join(sorted(self.handlers))})
        app = self.app
        prefix = app.request_prefix(request.headers)
        form = await _form_fields(request) if method in _BODY_METHODS else {}
        try:
            result = await handler.call(RequestSources(app, request, form))
        except HTTPException:
            raise
        except ParamError as exc:
            response: Response = PlainTextResponse(f"Bad request: {exc}", status_code=400)
        except Exception as exc:
            app.errors.add(HandlerError.capture(f"{method} {request.url.path}: {handler.name}", exc))
            response = PlainTextResponse("Internal Server Error", status_code=500)
        else:
            response = app.respond(result, request, prefix)
        await response(scope, receive, send)


class RequestSources(Sources):
    """The values one HTTP request offers a handler's parameters."""

    __slots__ = ("app", "form", "request")

    def __init__(self, app: FastHTML, request: Request, form: dict[str, Any]) -> None:
        self.app = app
        self.request = request
        self.form = form
        self.lookups = (request.path_params, _flatten(request.query_params.multi_items()), form,
                        request.cookies, request.headers)

    def specials(self, name: str) -> Any:
        if name == "request":
            return self.request
        if name == "session":
            return self.request.scope.get("session", {})
        if name == "htmx":
            return HtmxHeaders.from_headers(self.request.headers)
        if name == "data":
            return {**_flatten(self.request.query_params.multi_items()), **self.form}
        if name == "scope":
            return self.request.scope
        if name == "app":
            return self.app
        if name == "state":
            return self.app.state
        return None


async def _form_fields(request: Request) -> dict[str, Any]:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        try:
            body = await request.json()
        except ValueError:
            raise HTTPException(400, "Bad request: body is not JSON") from None
        return body if isinstance(body, dict) else {}
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        return _flatten(form.multi_items())
    return {}


def _flatten(items: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """Multi-valued fields become lists; single ones stay plain values."""
    out: dict[str, Any] = {}
    for key, value in items:
        if key in out:
            previous = out[key]
            out[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            out[key] = value
    return out


def _path_from_name(fn: Callable[..., Any]) -> str:
    name = fn.__name__
    return "/" if name == "index" else "/" + name


def _extensions(exts: str | Sequence[str] | None) -> tuple[str, ...]:
    names = (exts,) if isinstance(exts, str) else tuple(exts or ())
    unknown = [n for n in names if n not in EXTENSION_SCRIPTS]
    if unknown:
        raise ValueError(f"unknown htmx extension(s) {unknown}; available offline: {sorted(EXTENSION_SCRIPTS)}")
    return names

