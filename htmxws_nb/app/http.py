"""The ASGI app behind one HTTP path: its handlers by method, looked up per request.

Looking handlers up per request is what lets a re-run notebook cell replace
a route of a running server.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

from .beforeware import BeforeChain
from .errors import ErrorLog, HandlerError
from .handlers import Handler
from .pages import Pages
from .params import HtmxHeaders, ParamError, Sources, trigger_from_source

__all__ = ["HttpEndpoint", "HttpHost", "RequestSources", "flatten"]

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class HttpHost(Protocol):
    """What the HTTP endpoint needs from its app."""

    errors: ErrorLog
    pages: Pages
    state: Any
    before: BeforeChain

    def request_prefix(self, headers: Headers) -> str: ...


class HttpEndpoint:
    """One HTTP path of an app."""

    def __init__(self, app: HttpHost) -> None:
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
        sources = RequestSources(app, request, form)
        try:
            result = await app.before.run(request.url.path, sources) if app.before else None
            if not result:
                result = await handler.call(sources)
        except HTTPException:
            raise
        except ParamError as exc:
            response: Response = PlainTextResponse(f"Bad request: {exc}", status_code=400)
        except Exception as exc:
            app.errors.add(HandlerError.capture(f"{method} {request.url.path}: {handler.name}", exc,
                                                handler=handler))
            response = PlainTextResponse("Internal Server Error", status_code=500)
        else:
            response = app.pages.respond(result, request, prefix)
        await response(scope, receive, send)


class RequestSources(Sources):
    """The values one HTTP request offers a handler's parameters."""

    __slots__ = ("app", "form", "request")

    def __init__(self, app: HttpHost, request: Request, form: dict[str, Any]) -> None:
        self.app = app
        self.request = request
        self.form = form
        self.lookups = (request.path_params, flatten(request.query_params.multi_items()), form,
                        request.cookies, _with_trigger(request.headers))

    def specials(self, name: str) -> Any:
        if name == "request":
            return self.request
        if name == "session":
            return self.request.scope.get("session", {})
        if name == "htmx":
            return HtmxHeaders.from_headers(self.request.headers)
        if name == "data":
            return {**flatten(self.request.query_params.multi_items()), **self.form}
        if name == "scope":
            return self.request.scope
        if name == "app":
            return self.app
        if name == "state":
            return self.app.state
        return None


def _with_trigger(headers: Headers) -> Mapping[str, str]:
    """The request's headers; for htmx 4 also `hx-trigger`, the id from its `HX-Source`."""
    trigger = trigger_from_source(headers)
    if trigger is None:
        return headers
    headers = headers.mutablecopy()
    headers["hx-trigger"] = trigger
    return headers


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
        return flatten(form.multi_items())
    return {}


def flatten(items: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """Multi-valued fields become lists; single ones stay plain values."""
    out: dict[str, Any] = {}
    for key, value in items:
        if key in out:
            previous = out[key]
            out[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            out[key] = value
    return out
