"""An app's open websockets, and the watchdog that cuts clients whose writes stall.

One timer per app, not one per frame: a connection notes when a write began
waiting for its client (`stalled_since`), and the watchdog looks once a second.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

from .state import CLOSE_TRY_AGAIN_LATER

__all__ = ["ConnectionSet"]


class Watched(Protocol):
    @property
    def stalled_since(self) -> float | None: ...

    def abandon(self, code: int, reason: str) -> None: ...


class ConnectionSet:
    """The open connections of one app, watched while there are any."""

    def __init__(self, send_timeout: float) -> None:
        self.send_timeout = send_timeout
        self._connections: set[Watched] = set()
        self._watchdog: asyncio.Task[None] | None = None

    def add(self, connection: Watched) -> None:
        self._connections.add(connection)
        loop = asyncio.get_running_loop()
        watchdog = self._watchdog
        if watchdog is None or watchdog.done() or watchdog.get_loop() is not loop:
            self._watchdog = loop.create_task(self._watch())

    def discard(self, connection: Watched) -> None:
        self._connections.discard(connection)

    def __len__(self) -> int:
        return len(self._connections)

    async def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        while self._connections:
            await asyncio.sleep(min(1.0, self.send_timeout / 2))
            deadline = loop.time() - self.send_timeout
            for connection in list(self._connections):
                since = connection.stalled_since
                if since is not None and since < deadline:
                    connection.abandon(CLOSE_TRY_AGAIN_LATER, "client stopped reading")
