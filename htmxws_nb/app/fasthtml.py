"""`FastHTML`: a Starlette app with FastHTML's registration API.

Routes are registered with `route`/`get`/`post`/.../`ws`. Registering a path
again replaces what was there: the Starlette route for a path is made once
and looks its handlers up per request or message, which is what lets a re-run
notebook cell take over a running server.

Hooks for higher layers: `route_replaced` (a path was registered again),
`errors` (a handler raised), `pages.extra_head` (items every page's head gets).

It takes FastHTML's constructor parameters; see the README's compatibility
table for the few it takes and ignores (`canonical`, `key_fname`, `nb_hdrs`,
`surreal`) and those it lacks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from .beforeware import BeforeChain
from .broadcast import Broadcast
from .errors import ErrorLog
from .handlers import Handler
from .hooks import Signal
from .http import HttpEndpoint
from .lifespans import AppLifespan
from .origins import origin_allowed
from .pages import Pages, extensions
from .paths import ASSETS_DIR, ASSETS_PATH
from .sessions import HttpSessions
from .static import StaticByExtension
from .websocket import ConnectionSet, SocketEndpoint, SocketHandlers, SocketLimits

__all__ = ["FastHTML", "RouteChange"]

F = TypeVar("F", bound=Callable[..., Any])

HTTP_VERBS = frozenset({"get", "post", "put", "delete", "patch", "head", "options", "trace"})


@dataclass(frozen=True)
class RouteChange:
    """A path registered again: `page` (its GET handler, so open pages are stale), `http` or `ws`."""

    kind: Literal["page", "http", "ws"]
    path: str


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
        on_startup: Iterable[Callable[[], Any]] | None = None,
        on_shutdown: Iterable[Callable[[], Any]] | None = None,
        exception_handlers: dict[Any, Callable[..., Any]] | None = None,
        before: Any = None,
        default_hdrs: bool = True,
        htmx: bool = True,
        htmx4: bool = False,
        body_wrap: Callable[[Any], Any] | None = None,
        live: bool = False,
        sess_path: str = "/",
        sess_domain: str | None = None,
        surreal: bool = True,
        canonical: bool = True,
        key_fname: str = ".sesskey",
        nb_hdrs: bool = False,
        **more_bodykw: Any,
    ) -> None:
        if "after" in more_bodykw:
            raise TypeError("FastHTML(after=...) is not supported by htmxws_nb; use middleware=[...] instead")
        if more_bodykw.pop("ws_hdr", False):  # FastHTML ≤ 0.6's switch for the ws extension
            exts = (*extensions(exts), "ws") if "ws" not in extensions(exts) else exts
        self.sessions = HttpSessions(secret_key, session_cookie, max_age, same_site, sess_https_only, sess_path,
                                     sess_domain)
        self.app_lifespan = AppLifespan(on_startup or (), on_shutdown or (), lifespan)
        super().__init__(debug=debug, routes=routes, middleware=[Middleware(self.sessions.around), *(middleware or [])],
                         exception_handlers=exception_handlers, lifespan=self.app_lifespan)
        self.pages = Pages(title, extensions(exts), list(hdrs), list(ftrs), htmlkw or {},
                           {**(bodykw or {}), **more_bodykw}, default_hdrs=default_hdrs, htmx=htmx,
                           body_wrap=body_wrap)
        self.before = BeforeChain(before)
        self.htmx4 = htmx4  # stored only: htmx 4 pages are another piece of work
        self.live = live  # read by serve(): a script reloads itself when its file changes
        self.ws_origins = frozenset(ws_origins)
        self.socket_limits = SocketLimits(ws_max_queue, ws_send_timeout, close_on_error=ws_close_on_error)
        self.explicit_prefix = url_prefix.rstrip("/") if url_prefix else None
        self.forwarded_prefix = ""  # the latest X-Forwarded-Prefix seen, for websocket frames
        self.errors = ErrorLog()
        self.connections = ConnectionSet(self.socket_limits.send_timeout)
        self.route_replaced: Signal[RouteChange] = Signal()
        self._http_endpoints: dict[str, HttpEndpoint] = {}
        self._socket_handlers: dict[str, SocketHandlers] = {}
        self.router.routes.insert(0, Mount(ASSETS_PATH, app=StaticFiles(directory=ASSETS_DIR), name="htmxws_assets"))

    @property
    def exts(self) -> tuple[str, ...]:
        return self.pages.exts

    @property
    def hdrs(self) -> list[Any]:
        return self.pages.hdrs

    @property
    def ftrs(self) -> list[Any]:
        return self.pages.ftrs

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
        if previous is not None:
            self.route_replaced.emit(RouteChange("page" if replaced_page else "http", path))

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
            if previous is None:
                self.router.routes.append(WebSocketRoute(path, SocketEndpoint(self, path), name=name))
            else:
                self.route_replaced.emit(RouteChange("ws", path))
            return fn

        return register

    def setup_ws(self, f: Callable[..., Any] | None = None, path: str = "/ws") -> Broadcast:
        """Register `f` (or nothing) for the socket at `path`; returns a `send` that reaches every page connected.

        The returned send (also `app._send`) is awaited like a connection's:
        `await send(Div('news', id='notice'))` from an HTTP handler or a task.
        """
        broadcast = Broadcast()
        self.ws(path, conn=broadcast.joined, disconn=broadcast.left)(Broadcast.handler(f))
        self._send = broadcast
        return broadcast

    def set_lifespan(self, lifespan: Callable[..., Any]) -> None:
        """Run `lifespan` (an async generator function or a context manager factory) while the app is served."""
        self.app_lifespan.set(lifespan)

    def on_event(self, event_type: str) -> Callable[[Callable[[], Any]], Callable[[], Any]]:  # type: ignore[override]
        """`@app.on_event('startup')`: a callback when the app starts (or `'shutdown'`: stops)."""
        return self.app_lifespan.on_event(event_type)

    def static_route_exts(self, prefix: str = "/", static_path: str = ".") -> None:
        """Serve files of `static_path` by extension under `prefix`, for requests no route answers (see `static`)."""
        self.router.default = StaticByExtension(static_path, self.router.default, prefix)

    def socket_handlers(self, path: str) -> SocketHandlers | None:
        """What is registered for a websocket path right now."""
        return self._socket_handlers.get(path)

    # -- what requests and sockets need -----------------------------------

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
        """May a page from the handshake's `Origin` open a socket here? See `origins.origin_allowed`."""
        return origin_allowed(headers, self.ws_origins)

    def read_session(self, scope: Scope) -> dict[str, Any]:
        """The session of a websocket's handshake (a snapshot)."""
        return self.sessions.read(scope)

    def render_page(self, content: Any, prefix: str = "") -> str:
        """A full HTML document of `content`, with this app's head items."""
        return self.pages.render(content, prefix)


def _path_from_name(fn: Callable[..., Any]) -> str:
    name = fn.__name__
    return "/" if name == "index" else "/" + name
