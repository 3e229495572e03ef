"""An app's lifespan: startup and shutdown callbacks around one lifespan context, as FastHTML takes them.

`FastHTML(lifespan=...)` and `app.set_lifespan(...)` take either an async
generator function (`async def ls(app): ...; yield`, FastHTML's way) or a
function returning an async context manager (Starlette's way, e.g. an
`@asynccontextmanager`). `on_startup`/`on_shutdown` callbacks (sync or async)
and `app.on_event(...)` run before and after it. What the context yields (a
dict) becomes the lifespan state handlers see as `request.state`.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

__all__ = ["AppLifespan"]


def _as_context(value: Callable[..., Any]) -> Callable[[Any], contextlib.AbstractAsyncContextManager[Any]]:
    """An async generator function as a context manager factory; anything else is taken to be one."""
    if inspect.isasyncgenfunction(value):
        return contextlib.asynccontextmanager(value)
    if not callable(value):
        raise TypeError(f"a lifespan must be an async generator function or return an async context manager, "
                        f"not {value!r}")
    return value


async def _call(fn: Callable[[], Any]) -> None:
    result = fn()
    if inspect.isawaitable(result):
        await result


class AppLifespan:
    """What runs when an app starts and stops; Starlette's router calls it as its `lifespan_context`."""

    def __init__(self, on_startup: Iterable[Callable[[], Any]] = (), on_shutdown: Iterable[Callable[[], Any]] = (),
                 lifespan: Callable[..., Any] | None = None) -> None:
        self.on_startup = list(on_startup)
        self.on_shutdown = list(on_shutdown)
        self.context = _as_context(lifespan) if lifespan is not None else None

    def set(self, lifespan: Callable[..., Any]) -> None:
        """Use `lifespan` as the context (the callbacks stay)."""
        self.context = _as_context(lifespan)

    def on_event(self, event: str) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
        """`@app.on_event('startup')` / `('shutdown')`."""
        callbacks = {"startup": self.on_startup, "shutdown": self.on_shutdown}.get(event)
        if callbacks is None:
            raise ValueError(f"unknown event {event!r}: use 'startup' or 'shutdown'")

        def register(fn: Callable[[], Any]) -> Callable[[], Any]:
            callbacks.append(fn)
            return fn

        return register

    @contextlib.asynccontextmanager
    async def __call__(self, app: Any) -> AsyncIterator[Any]:
        for fn in self.on_startup:
            await _call(fn)
        try:
            if self.context is None:
                yield None
            else:
                async with self.context(app) as state:
                    yield state
        finally:
            for fn in self.on_shutdown:
                await _call(fn)
