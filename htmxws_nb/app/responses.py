"""What an HTTP handler may return besides components: `Redirect`, and headers such as `cookie(...)`.

A handler returns e.g. `(Title('x'), P('y'), cookie('seen', '1'))`: the
headers among the parts go to the response, the rest is the page.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from email.utils import format_datetime
from http.cookies import SimpleCookie
from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse

from ..html import HttpHeader

__all__ = ["EventStream", "Redirect", "cookie", "split_headers"]


class Redirect:
    """Go to `loc`: a 303 redirect for a browser, an `HX-Redirect` header for an htmx request."""

    def __init__(self, loc: str) -> None:
        self.loc = loc

    def __response__(self, request: Request) -> Response:
        if request.headers.get("hx-request"):
            return Response(headers={"HX-Redirect": self.loc})
        return RedirectResponse(self.loc, status_code=303)


def EventStream(messages: Any) -> StreamingResponse:
    """A server-sent events response from an (async) iterator of `sse_message(...)` strings."""
    return StreamingResponse(messages, media_type="text/event-stream")


def cookie(key: str, value: Any = "", max_age: int | None = None, expires: datetime | str | int | None = None,
           path: str = "/", domain: str | None = None, secure: bool = False, httponly: bool = False,
           samesite: Literal["lax", "strict", "none"] | None = "lax") -> HttpHeader:
    """A `Set-Cookie` header to return with the page."""
    jar: SimpleCookie = SimpleCookie()
    jar[key] = str(value)
    morsel = jar[key]
    if max_age is not None:
        morsel["max-age"] = max_age
    if expires is not None:
        morsel["expires"] = format_datetime(expires, usegmt=True) if isinstance(expires, datetime) else expires
    morsel["path"] = path
    if domain is not None:
        morsel["domain"] = domain
    if secure:
        morsel["secure"] = True
    if httponly:
        morsel["httponly"] = True
    if samesite is not None:
        morsel["samesite"] = samesite
    return HttpHeader("set-cookie", morsel.OutputString())


def split_headers(parts: Iterable[Any]) -> tuple[list[Any], list[HttpHeader]]:
    """The content and the headers among what a handler returned (header tuples too)."""
    content: list[Any] = []
    headers: list[HttpHeader] = []
    for part in parts:
        if isinstance(part, HttpHeader):
            headers.append(part)
        elif isinstance(part, tuple) and part and all(isinstance(p, HttpHeader) for p in part):
            headers.extend(part)
        else:
            content.append(part)
    return content, headers
