"""htmxws_nb: FastHTML-style websocket apps, served from a notebook.

`from htmxws_nb import *` gives what the FastHTML websocket tutorial uses
from `fasthtml.common` (the app, the HTML components, `serve`), plus the
notebook helpers.

Layers, each importing only those before it: `html` (components) → `app`
(FastHTML, handlers, the websocket endpoint) → `recording` (the frame
recorder) → `server` (uvicorn, the app slot) → `notebook` (serve, the iframe,
transcript views, the client).
"""

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.websockets import WebSocket, WebSocketDisconnect

from . import html
from .app import FastHTML, HandlerError, HtmxHeaders, PubSubError
from .html import *  # noqa: F403
from .notebook import (
    AsyncClient,
    Client,
    Transcript,
    aconnect,
    connect,
    fetch,
    running_servers,
    serve,
    show,
    transcript,
)
from .server import Server, ServerStartError

__version__ = "0.1.0"

__all__ = [
    *html.__all__,
    "FastHTML", "serve", "show", "running_servers", "Server", "ServerStartError", "HandlerError", "PubSubError",
    "connect", "aconnect", "fetch", "Client", "AsyncClient", "transcript", "Transcript",
    "HtmxHeaders", "Request", "Response", "HTMLResponse", "JSONResponse", "PlainTextResponse",
    "RedirectResponse", "FileResponse", "HTTPException", "WebSocket", "WebSocketDisconnect",
]
