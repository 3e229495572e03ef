"""Turning what an HTTP handler returns into a response: full pages for browsers, fragments for htmx.

A full page gets a `<head>` with what every page of the app needs (charset,
viewport, the vendored htmx and its extensions, the app's `hdrs`, and what
higher layers add through `extra_head`, e.g. the notebook's page helper).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from ..html import FT, Body, Head, Link, Meta, Script, Title, ft, to_html
from ..html.ft import DOCTYPE_TEXT
from .paths import ASSETS_PATH
from .responses import split_headers

__all__ = ["EXTENSION_SCRIPTS", "Pages", "extensions"]

EXTENSION_SCRIPTS = {"ws": ("ws.js",)}  # htmx extension → the vendored scripts that provide it
_HEAD_TAGS = frozenset({"title", "meta", "link", "style", "base"})


def extensions(exts: str | Sequence[str] | None) -> tuple[str, ...]:
    """The htmx extensions asked for, checked against the ones we have offline."""
    names = (exts,) if isinstance(exts, str) else tuple(exts or ())
    unknown = [n for n in names if n not in EXTENSION_SCRIPTS]
    if unknown:
        raise ValueError(f"unknown htmx extension(s) {unknown}; available offline: {sorted(EXTENSION_SCRIPTS)}")
    return names


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
    default_hdrs: bool = True  # charset, viewport and htmx (False: the app's `hdrs` bring their own)
    htmx: bool = True
    body_wrap: Callable[[Any], Any] | None = None  # what goes in <body>, made from the content

    def head_items(self) -> list[Any]:
        """What every full page's head gets: charset, viewport, htmx, extensions, the app's and hooks' items."""
        items: list[Any] = []
        if self.default_hdrs:
            items += [Meta(charset="utf-8"), Meta(name="viewport", content="width=device-width, initial-scale=1")]
            if self.htmx:
                items.append(Script(src=f"{ASSETS_PATH}/htmx.min.js"))
        for ext in self.exts:
            items += [Script(src=f"{ASSETS_PATH}/{name}") for name in EXTENSION_SCRIPTS[ext]]
        items.append(Link(rel="stylesheet", href=f"{ASSETS_PATH}/htmxws.css"))
        for hook in self.extra_head:
            items += hook()
        return items + self.hdrs

    def render(self, content: Any, prefix: str = "") -> str:
        """A full HTML document: title and head-only tags lifted into `<head>`; an `Html(...)` is sent as it is."""
        items = list(content) if isinstance(content, (tuple, list)) else [content]
        if any(isinstance(i, FT) and i.tag == "html" for i in items):
            html = to_html(items, prefix)
            return html if html[:9].lower() == "<!doctype" else DOCTYPE_TEXT + html
        head = [i for i in items if isinstance(i, FT) and i.tag in _HEAD_TAGS]
        body: Any = [i for i in items if not (isinstance(i, FT) and i.tag in _HEAD_TAGS)]
        if not any(i.tag == "title" for i in head):
            head.insert(0, Title(self.title))
        if self.body_wrap is not None:
            body = [self.body_wrap(body)]
        page = ft("html", Head(*self.head_items(), *head), Body(*body, *self.ftrs, **self.bodykw), **self.htmlkw)
        return DOCTYPE_TEXT + to_html(page, prefix)

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
        headers = request.headers
        if headers.get("hx-request") and not headers.get("hx-history-restore-request"):
            return HTMLResponse(to_html(result, prefix))
        return HTMLResponse(self.render(result, prefix))
