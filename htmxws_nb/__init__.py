"""htmxws_nb: FastHTML-style websocket apps, served from a notebook.

`from htmxws_nb import *` gives what the FastHTML websocket tutorial uses
from `fasthtml.common` (the app, the HTML components, `serve`), plus the
notebook helpers.
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

from . import components
from .app import FastHTML
from .client import AsyncClient, Client, aconnect, connect, fetch
from .components import *  # noqa: F403
from .errors import HandlerError
from .params import HtmxHeaders
from .serve import running_servers, serve, show, transcript
from .server import Server, ServerStartError
from .transcript import Transcript

__version__ = "0.1.0"

__all__ = [
    *components.__all__,
    "FastHTML", "serve", "show", "running_servers", "Server", "ServerStartError", "HandlerError",
    "connect", "aconnect", "fetch", "Client", "AsyncClient", "transcript", "Transcript",
    "HtmxHeaders", "Request", "Response", "HTMLResponse", "JSONResponse", "PlainTextResponse",
    "RedirectResponse", "FileResponse", "HTTPException", "WebSocket", "WebSocketDisconnect",
]
