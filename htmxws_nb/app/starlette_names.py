"""The Starlette names `fasthtml.common` exports, so programs using them (`Mount`, `StaticFiles`, ...) run unchanged."""

from starlette.applications import Starlette
from starlette.authentication import AuthCredentials, AuthenticationBackend, AuthenticationError, SimpleUser, requires
from starlette.background import BackgroundTask, BackgroundTasks
from starlette.concurrency import run_in_threadpool
from starlette.config import Config
from starlette.convertors import CONVERTOR_TYPES, Convertor, StringConvertor, register_url_convertor
from starlette.datastructures import CommaSeparatedStrings, Secret, State, UploadFile, URLPath
from starlette.endpoints import HTTPEndpoint, WebSocketEndpoint
from starlette.exceptions import HTTPException, WebSocketException
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.httpsredirect import HTTPSRedirectMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import FormData, Headers, HTTPConnection, Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Host, Match, Mount, Route, Router, WebSocketRoute, compile_path
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

__all__ = [
    "ASGIApp", "AuthCredentials", "AuthenticationBackend", "AuthenticationError", "AuthenticationMiddleware",
    "BackgroundTask", "BackgroundTasks", "CONVERTOR_TYPES", "CORSMiddleware", "CommaSeparatedStrings", "Config",
    "Convertor", "FileResponse", "FormData", "HTMLResponse", "HTTPConnection", "HTTPEndpoint", "HTTPException",
    "HTTPSRedirectMiddleware", "Headers", "Host", "JSONResponse", "Match", "Middleware", "Mount", "PlainTextResponse",
    "Receive", "RedirectResponse", "Request", "Response", "Route", "Router", "Scope", "Secret", "Send",
    "SessionMiddleware", "SimpleUser", "Starlette", "StaticFiles", "State", "StreamingResponse", "StringConvertor",
    "TrustedHostMiddleware", "URLPath", "UploadFile", "WebSocket", "WebSocketDisconnect", "WebSocketEndpoint",
    "WebSocketException", "WebSocketRoute", "compile_path", "register_url_convertor", "requires",
    "run_in_threadpool",
]
