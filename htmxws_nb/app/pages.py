"""Turning what an HTTP handler returns into a response: full pages for browsers, fragments for htmx.

A full page gets a `<head>` with what every page of the app needs (charset,
viewport, the vendored htmx and its extensions, the app's `hdrs`, and what
higher layers add through `extra_head`, e.g. the notebook's page helper).
htmx asks for a fragment with `HX-Request`, except when it wants the whole
page: htmx 4 says `HX-Request-Type: full` (a swap into `body`, an `hx-select`)
and restores history with a request that has no `HX-Request` at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from ..html import FT, Body, Head, Link, Meta, Title, ft, to_html
from ..html.ft import DOCTYPE_TEXT
from .htmx_client import HTMX2, HtmxClient
from .paths import ASSETS_PATH
from .responses import split_headers

__all__ = ["Pages", "extensions", "wants_fragment"]

_HEAD_TAGS = frozenset({"title", "meta", "link", "style", "base"})


def extensions(exts: str | Sequence[str] | None) -> tuple[str, ...]:
    """The htmx extensions asked for, checked against the ones we have offline."""
    names = (exts,) if isinstance(exts, str) else tuple(exts or ())
    unknown = [n for n in names if n not in HTMX2.extensions]
    if unknown:
        raise ValueError(f"unknown htmx extension(s) {unknown}; available offline: {sorted(HTMX2.extensions)}")
    return names


def wants_fragment(headers: Mapping[str, str]) -> bool:
    """Does this request want a fragment (an htmx swap) rather than a whole page?"""
    return (bool(headers.get("hx-request")) and not headers.get("hx-history-restore-request")
            and headers.get("hx-request-type") != "full")


@dataclass
class Pages:
    """How one app renders pages; `extra_head` is the hook for head items of higher layers."""

    title: str = "FastHTML page"
    exts: tuple[str, ...] = ()
    hdrs: list[Any] = field(default_factory=list)
    ftrs: list[Any] = field(default_factory=list)
    htmlkw: dict[str, Any] = field(default_factory=dict)
    bodykw: dict[str, Any] = field(default_factory=dict)
    extra_head: list[Callable[[], Iterable[Any]]] = field(default_factory=list)
    htmx: HtmxClient = HTMX2
    default_hdrs: bool = True  # charset, viewport and htmx (False: the app's `hdrs` bring their own)
    load_htmx: bool = True  # FastHTML's `htmx=False`: no htmx script (extensions still load)
    body_wrap: Callable[[Any], Any] | None = None  # what goes in <body>, made from the content

    def head_items(self) -> list[Any]:
        """What every full page's head gets: charset, viewport, htmx, extensions, the app's and hooks' items."""
        items: list[Any] = []
        if self.default_hdrs:
            items += [Meta(charset="utf-8"), Meta(name="viewport", content="width=device-width, initial-scale=1")]
        items += self.htmx.head_items(self.exts, with_htmx=self.default_hdrs and self.load_htmx)
        items.append(Link(rel="stylesheet", href=f"{ASSETS_PATH}/htmxws.css"))
        for hook in self.extra_head:
            items += hook()
        return items + self.hdrs

    def render(self, content: Any, prefix: str = "") -> str:
        """A full HTML document: title and head-only tags lifted into `<head>`; an `Html(...)` is sent as it is."""
        items = list(content) if isinstance(content, (tuple, list)) else [content]
        dialect = self.htmx.dialect
        if any(isinstance(i, FT) and i.tag == "html" for i in items):
            html = to_html(items, prefix, dialect)
            return html if html[:9].lower() == "<!doctype" else DOCTYPE_TEXT + html
        head = [i for i in items if isinstance(i, FT) and i.tag in _HEAD_TAGS]
        body: Any = [i for i in items if not (isinstance(i, FT) and i.tag in _HEAD_TAGS)]
        if not any(i.tag == "title" for i in head):
            head.insert(0, Title(self.title))
        if self.body_wrap is not None:
            body = [self.body_wrap(body)]
        page = ft("html", Head(*self.head_items(), *head), Body(*body, *self.ftrs, **self.bodykw), **self.htmlkw)
        return DOCTYPE_TEXT + to_html(page, prefix, dialect)

    def respond(self, result: Any, request: Request, prefix: str) -> Response:
        """Turn what an HTTP handler returned into a response."""
        if isinstance(result, Response):
            return result
        if hasattr(result, "__response__"):  # `Redirect(...)`
            return result.__response__(request)
        if isinstance(result, tuple):
            parts, headers = split_headers(result)
            if headers:
                response = self.respond(tuple(parts), request, prefix)
                for header in headers:
                    response.headers.append(header.k, header.v)
                return response
        if result is None:
            return HTMLResponse("")
        if isinstance(result, bytes):
            return Response(result, media_type="application/octet-stream")
        if isinstance(result, dict) or (isinstance(result, list) and not any(isinstance(i, FT) for i in result)):
            return JSONResponse(result)
        if isinstance(result, str) and not isinstance(result, FT):
            return HTMLResponse(result)
        if wants_fragment(request.headers):
            return HTMLResponse(to_html(result, prefix, self.htmx.dialect))
        return HTMLResponse(self.render(result, prefix))
