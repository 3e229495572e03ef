"""`FastHTML`: a Starlette app with FastHTML's registration API.

Routes are registered with `route`/`get`/`post`/.../`ws`. Registering a path
again replaces what was there: the Starlette route for a path is made once
and looks its handlers up per request or message, which is what lets a re-run
notebook cell take over a running server.

`FastHTML(htmx4=True)` serves pages with htmx 4 instead of htmx 2 (see
`htmx_client.py`); the rest of the app is the same. It takes FastHTML's
constructor parameters; see the README's compatibility table for the few it
takes and ignores (`canonical`, `key_fname`, `nb_hdrs`, `surreal`) and those
it lacks.

Hooks for higher layers: `route_replaced` (a page route was defined, or a path registered again),
`errors` (a handler raised), `pages.extra_head` (items every page's head gets),
`pubsub.tracer` (who hears of each publish).

Topics (`subscribe`, `publish`) span processes when `pubsub` names a Redis
server; see `pubsub/`.
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
from .htmx_client import HtmxClient, htmx_client
from .http import HttpEndpoint
from .lifespans import AppLifespan
from .origins import origin_allowed
from .pages import Pages, extensions
from .paths import ASSETS_DIR, ASSETS_PATH
from .pubsub import PubSub, Subscription, broker_for, pubsub_url
from .sessions import HttpSessions
from .static import StaticByExtension
from .websocket import ConnectionSet, SocketEndpoint, SocketHandlers, SocketLimits, render_frame

__all__ = ["FastHTML", "RouteChange"]

F = TypeVar("F", bound=Callable[..., Any])

HTTP_VERBS = frozenset({"get", "post", "put", "delete", "patch", "head", "options", "trace"})


@dataclass(frozen=True)
class RouteChange:
    """A path (re)registered: `page` (a GET handler, so open pages may be stale), `http` or `ws` (replaced)."""

    kind: Literal["page", "http", "ws"]
    path: str


class FastHTML(Starlette):
    """A FastHTML-compatible app: `FastHTML(exts='ws')`, then `@rt('/')` and `@app.ws('/ws')`.

    `htmx4=True`: pages load the vendored htmx 4 (and its hx-ws) instead of htmx 2.
    """

    def __init__(
        self,
        *,
        exts: str | Sequence[str] | None = None,
        htmx4: bool = False,
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
        pubsub: str | None = None,
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
                           {**(bodykw or {}), **more_bodykw}, htmx=htmx_client(htmx4), default_hdrs=default_hdrs,
                           load_htmx=htmx, body_wrap=body_wrap)
        self.before = BeforeChain(before)
        self.live = live  # read by serve(): a script reloads itself when its file changes
        self.ws_origins = frozenset(ws_origins)
        self.socket_limits = SocketLimits(ws_max_queue, ws_send_timeout, close_on_error=ws_close_on_error)
        self.explicit_prefix = url_prefix.rstrip("/") if url_prefix else None
        self.forwarded_prefix = ""  # the latest X-Forwarded-Prefix seen, for websocket frames
        self.errors = ErrorLog()
        self.connections = ConnectionSet(self.socket_limits.send_timeout)
        self.pubsub = PubSub(broker_for(pubsub_url(pubsub)), self.errors)
        self.router.lifespan_context = self.pubsub.around(self.router.lifespan_context)
        self.route_replaced: Signal[RouteChange] = Signal()
        self._http_endpoints: dict[str, HttpEndpoint] = {}
        self._socket_handlers: dict[str, SocketHandlers] = {}
        self.router.routes.insert(0, Mount(ASSETS_PATH, app=StaticFiles(directory=ASSETS_DIR), name="htmxws_assets"))

    @property
    def exts(self) -> tuple[str, ...]:
        return self.pages.exts

    @property
    def htmx4(self) -> bool:
        """Do this app's pages load htmx 4 (else htmx 2)? Settable; pages rendered from then on follow."""
        return self.pages.htmx.major >= 4

    @htmx4.setter
    def htmx4(self, value: bool) -> None:
        self.pages.htmx = htmx_client(value)

    @property
    def htmx_client(self) -> HtmxClient:
        """The htmx this app's pages load: its scripts, attribute names, and how frames are written for it."""
        return self.pages.htmx

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
        for method in methods:
            endpoint.handlers[method] = handler
        if "GET" in methods or previous is not None:
            self.route_replaced.emit(RouteChange("page" if "GET" in methods else "http", path))

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

    def is_current(self, handler: Handler) -> bool:
        """Is `handler` still registered (not replaced by a re-run cell)?"""
        for handlers in self._socket_handlers.values():
            if handler in (handlers.on_message, handlers.on_connect, handlers.on_disconnect):
                return True
        return any(handler in endpoint.handlers.values() for endpoint in self._http_endpoints.values())

    # -- topics -------------------------------------------------------------

    def subscribe(self, topic: str, send: Callable[..., Any]) -> Subscription:
        """Subscribe the websocket whose `send` this is to `topic`, until it closes (or `unsubscribe`).

        A plain call works from `conn` or any handler; `await` the result to
        wait until the subscription is in place (Redis confirmed it).
        """
        return self.pubsub.subscribe(topic, send)

    def unsubscribe(self, topic: str, send: Callable[..., Any]) -> None:
        """End the subscription of the websocket whose `send` this is to `topic`."""
        self.pubsub.unsubscribe(topic, send)

    async def publish(self, topic: str, *content: Any) -> int:
        """Send `content` to every websocket subscribed to `topic`, in every process sharing the broker.

        Rendered once, exactly as `send(*content)` renders it. Returns how many
        websockets of this process got it; raises `PubSubError` (naming the
        URL) if Redis does not take it within a few seconds.
        """
        text = render_frame(content, self.url_prefix, self.htmx_client)
        if text is None:
            return 0
        return await self.pubsub.publish(topic, text)

    async def listeners(self, topic: str) -> int:
        """How many processes are subscribed to `topic`, this one included (with Redis: `PUBSUB NUMSUB`)."""
        return await self.pubsub.listeners(topic)

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
