"""Answering one frame: the handler registered for the path *now*, its parameters, what it returns.

Handlers are looked up per message, so a re-run notebook cell takes over
connections that are already open. What a handler returns is sent like
`send(...)`; what goes wrong is answered with a short `error: ...` frame (or a
close, if the app asks for that) and the traceback goes to the app's errors.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.websockets import WebSocket

from ..errors import HandlerError
from ..handlers import Handler
from ..params import HtmxHeaders, ParamError, Sources
from .frames import NO_HEADERS, FrameError, Headers, decode
from .host import SocketHost
from .state import CLOSE_SERVER_ERROR

__all__ = ["MessageSources", "SocketContext", "answer", "run_callback"]

HANDLER_FAILED = "error: the server failed to handle this message"


@dataclass(frozen=True, slots=True)
class SocketContext:
    """What handlers of one connection can be given, made once per connection."""

    app: SocketHost
    ws: WebSocket
    path: str
    connection_id: str
    send: Callable[..., Awaitable[bool]]
    close: Callable[[int, str], None]
    path_params: Mapping[str, Any]
    query: Mapping[str, Any]


class MessageSources(Sources):
    """The values one websocket message offers a handler's parameters."""

    __slots__ = ("context", "headers", "payload")

    def __init__(self, context: SocketContext, payload: dict[str, Any], headers: Headers) -> None:
        self.context = context
        self.payload = payload
        self.headers = headers
        self.lookups = (context.path_params, payload, headers, context.query)

    def specials(self, name: str) -> Any:
        context = self.context
        if name == "send":
            return context.send
        if name == "ws":
            return context.ws
        if name == "data":
            return self.payload
        if name == "htmx":
            return HtmxHeaders.from_headers(self.headers)
        if name == "session":
            scope = context.ws.scope
            if "session" not in scope:
                scope["session"] = context.app.read_session(scope)
            return scope["session"]
        if name == "scope":
            return context.ws.scope
        if name == "app":
            return context.app
        if name == "state":
            return context.app.state
        return None


async def answer(context: SocketContext, text: str | None) -> tuple[Handler | None, str]:
    """Answer one incoming frame; returns the handler that ran (if any) and the outcome."""
    try:
        payload, headers = decode(text)
    except FrameError as exc:
        return None, await _refuse(context, str(exc))
    handlers = context.app.socket_handlers(context.path)
    if handlers is None:
        return None, await _refuse(context, "no handler for this path")
    handler = handlers.on_message
    try:
        if handler.is_async:  # the usual handler: called here, one coroutine less per message
            result = await handler.fn(**handler.plan.fill(MessageSources(context, payload, headers)))
        else:
            result = await handler.call(MessageSources(context, payload, headers))
    except ParamError as exc:
        return handler, await _refuse(context, str(exc))
    except Exception as exc:
        _report(context, f"websocket {context.path}: {handler.name}", exc, handler)
        if context.app.socket_limits.close_on_error:
            context.close(CLOSE_SERVER_ERROR, "server error")
        else:
            await context.send(HANDLER_FAILED)
        return handler, type(exc).__name__
    if result is not None:
        await context.send(result)
    return handler, "ok"


async def run_callback(context: SocketContext, which: str) -> tuple[Handler | None, str]:
    """Run `conn` (`on_connect`) or `disconn` (`on_disconnect`) if the path has one."""
    handlers = context.app.socket_handlers(context.path)
    handler = getattr(handlers, which, None) if handlers else None
    if handler is None:
        return None, "ok"
    try:
        await context.send(await handler.call(MessageSources(context, {}, NO_HEADERS), inline=True))
    except Exception as exc:
        label = "conn" if which == "on_connect" else "disconn"
        _report(context, f"websocket {context.path}: {label} {handler.name}", exc, handler)
        return handler, type(exc).__name__
    return handler, "ok"


async def _refuse(context: SocketContext, problem: str) -> str:
    await context.send(f"error: {problem}")
    return problem


def _report(context: SocketContext, where: str, exc: Exception, handler: Handler) -> None:
    context.app.errors.add(HandlerError.capture(where, exc, context.connection_id, handler))
