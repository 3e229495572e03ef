"""Frames on their way to one client: in order, and putting one never waits for the client.

A frame is written at once when the socket can take it: the ASGI `send` is
started right away and, when it finishes without waiting (the usual case,
the socket buffer has room), that is the whole cost. When it would wait (the
client is not reading), the started send is handed to a writer task, and
later frames queue behind it until the writer has written them. The writer
exists only while there is something to write.

This needs nothing from the server but a standard ASGI `send`, so it works
the same under any uvicorn (`uvicorn module:app`, gunicorn workers) as under
our own notebook server.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Generator
from typing import Any

import anyio
from starlette.types import Message, Send

from .host import SocketLimits

__all__ = ["Outbox"]

_WRITTEN = object()  # what `_start` returns when the send finished without waiting


def _start(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run `coro` up to its first wait: `_WRITTEN` if it finished, else what it waits on."""
    try:
        return coro.send(None)
    except StopIteration:
        return _WRITTEN


class _Resume:
    """Awaiting this finishes a coroutine that `_start` ran up to its first wait."""

    __slots__ = ("coro", "waiting")

    def __init__(self, coro: Coroutine[Any, Any, Any], waiting: Any) -> None:
        self.coro = coro
        self.waiting = waiting

    def __await__(self) -> Generator[Any, Any, Any]:
        try:
            yield self.waiting  # the awaiting task waits for what the send was waiting for
        except BaseException:
            self.coro.close()
            raise
        return (yield from self.coro.__await__())  # then the send goes on where it stopped


class _Close:
    __slots__ = ("code", "reason")

    def __init__(self, code: int, reason: str) -> None:
        self.code = code
        self.reason = reason


class Outbox:
    """The frames of one connection that the client has not been sent yet.

    `cut` ends the connection when not even a close frame gets through (the
    client stopped reading): the server's transport abort where there is one,
    else cancelling the connection's task.
    """

    __slots__ = ("_lagging", "_loop", "_pending", "_send", "_writer", "cut", "limits", "stalled_since", "unwritten")

    def __init__(self, send: Send, limits: SocketLimits, cut: Callable[[], None]) -> None:
        self._send = send
        self.limits = limits
        self.cut = cut
        self.unwritten = 0  # frames accepted but not yet written
        self.stalled_since: float | None = None  # loop time a write began waiting for the client
        self._loop = asyncio.get_running_loop()
        self._pending: list[Message | _Close] = []
        self._writer: asyncio.Task[None] | None = None
        self._lagging: asyncio.Future[None] | None = None  # the reader waits on it while the client lags

    @property
    def writing(self) -> bool:
        """A writer task is at work: frames put now queue behind it."""
        return self._writer is not None

    @property
    def overflowing(self) -> bool:
        """The queue is full *and* the client is not reading: the client is the bottleneck.

        (A burst from one handler run, written as soon as the handler yields, is not.)
        """
        return self.unwritten >= self.limits.max_queue and self.stalled_since is not None

    def put(self, message: Message) -> bool:
        """Write `message` now if the socket takes it, else queue it; False if the client is gone."""
        if self._writer is not None:
            self._pending.append(message)
            self.unwritten += 1
            return True
        coro = self._send(message)
        try:
            waiting = _start(coro)
        except (OSError, RuntimeError):
            return False  # the client is gone; the reader sees the disconnect
        if waiting is not _WRITTEN:
            self.unwritten += 1
            self._writer = self._loop.create_task(self._write(_Resume(coro, waiting)))
        return True

    def put_close(self, code: int, reason: str) -> None:
        """Close once the frames already queued have been written."""
        if self._writer is not None:
            self._pending.append(_Close(code, reason))
        else:
            self._writer = self._loop.create_task(self._write(None, _Close(code, reason)))

    def drop(self) -> None:
        """Forget what is queued and stop writing (the client is being cut, or is gone)."""
        self._pending = []
        if self._writer is not None:
            self._writer.cancel()
        self._release_reader()

    async def lagging(self) -> None:
        """Wait while the client lags far behind (it pipelines faster than it reads).

        Only this client's reader waits; its own replies cannot overflow its
        queue, only broadcasts from others can.
        """
        if self._writer is not None and self.unwritten >= max(1, self.limits.max_queue // 2):
            self._lagging = self._loop.create_future()
            await self._lagging

    async def goodbye(self, code: int, reason: str) -> None:
        """Send a close frame; if the client cannot take even that in time, cut the connection."""
        try:
            with anyio.fail_after(self.limits.close_timeout):
                await self._send({"type": "websocket.close", "code": code, "reason": reason})
            return
        except (TimeoutError, OSError, RuntimeError):
            pass
        self.cut()

    async def _write(self, first: Awaitable[Any] | None, close: _Close | None = None) -> None:
        """Finish the send that would have waited, then write what queued behind it, in order."""
        loop = self._loop
        try:
            if first is not None:
                self.stalled_since = loop.time()
                await first
                self.stalled_since = None
                self.unwritten -= 1
            if close is not None:
                await self.goodbye(close.code, close.reason)
                return
            while self._pending:
                batch, self._pending = self._pending, []
                for item in batch:
                    if type(item) is _Close:
                        await self.goodbye(item.code, item.reason)
                        return
                    coro = self._send(item)
                    waiting = _start(coro)
                    if waiting is not _WRITTEN:
                        self.stalled_since = loop.time()
                        await _Resume(coro, waiting)
                        self.stalled_since = None
                    self.unwritten -= 1
                    if self._lagging is not None and self.unwritten <= self.limits.max_queue // 4:
                        self._release_reader()
        except (OSError, RuntimeError):
            pass  # the client is gone; the reader sees the disconnect
        finally:
            self._writer = None
            self._release_reader()

    def _release_reader(self) -> None:
        lagging, self._lagging = self._lagging, None
        if lagging is not None and not lagging.done():
            lagging.set_result(None)
