"""Driving an app's ASGI lifespan by hand.

uvicorn runs one lifespan for the app it was given. A notebook server swaps
apps while it runs, so it runs each app's lifespan itself: startup when the
app starts being served, shutdown when it is replaced or the server stops.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.types import ASGIApp, Message

__all__ = ["Lifespan", "LifespanError"]


class LifespanError(RuntimeError):
    """The app's lifespan reported a failure (its message says why)."""


class Lifespan:
    """One app's lifespan, started and later stopped.

    An app that does not speak the lifespan protocol (it raises, or returns,
    before answering startup) simply has none, as with uvicorn's `auto` mode.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.state: dict[str, Any] = {}
        self._events: asyncio.Queue[Message] = asyncio.Queue()
        loop = asyncio.get_running_loop()
        self._started: asyncio.Future[None] = loop.create_future()
        self._stopped: asyncio.Future[None] = loop.create_future()
        self._task: asyncio.Task[None] | None = None

    @classmethod
    async def start(cls, app: ASGIApp) -> Lifespan:
        lifespan = cls(app)
        lifespan._task = asyncio.get_running_loop().create_task(lifespan._run())
        await lifespan._events.put({"type": "lifespan.startup"})
        await lifespan._started
        return lifespan

    async def stop(self, timeout: float = 5.0) -> None:
        if self._task is None or self._task.done():
            return
        await self._events.put({"type": "lifespan.shutdown"})
        try:
            await asyncio.wait_for(asyncio.shield(self._stopped), timeout)
        except asyncio.TimeoutError:
            self._task.cancel()

    async def _run(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": self.state}
        try:
            await self.app(scope, self._events.get, self._send)
        except BaseException as exc:  # an app without lifespan support, or a failing one
            if not self._started.done():
                self._started.set_result(None)
            if not isinstance(exc, Exception):
                raise
        finally:
            for future in (self._started, self._stopped):
                if not future.done():
                    future.set_result(None)

    async def _send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "lifespan.startup.complete":
            self._started.set_result(None)
        elif kind == "lifespan.startup.failed":
            self._started.set_exception(LifespanError(_last_line(message.get("message", ""))))
        elif kind in ("lifespan.shutdown.complete", "lifespan.shutdown.failed"):
            self._stopped.set_result(None)


def _last_line(message: str) -> str:
    """What failed: Starlette reports a failed startup with the whole traceback; its last line says it."""
    lines = [line for line in message.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "startup failed"
