"""What carries a publish to the other processes: the broker interface, and the in-process one.

The app's `PubSub` delivers to this process's websockets itself; a broker
only carries rendered frames between processes and keeps this process
subscribed to the topics it wants. `LocalBroker` carries nothing (one
process); `redis_broker.RedisBroker` carries them through Redis pub/sub.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

__all__ = ["Broker", "Deliver", "LocalBroker", "PubSubError", "Report"]


class PubSubError(RuntimeError):
    """Publishing or subscribing failed: the broker is unreachable, too slow, or misconfigured."""


# What a broker calls with a frame another process published: (topic, text).
Deliver = Callable[[str, str], None]
# What a broker calls when it loses its connection (with the error) and when it is back (with None).
Report = Callable[[PubSubError | None], None]


class Broker(Protocol):
    """Carries frames between processes. Every method runs on the app's event loop."""

    where: str  # for errors and logs: the URL (password masked), or "in-process"

    def attach(self, deliver: Deliver, report: Report) -> None:
        """Get ready to work on the running loop (no I/O yet)."""

    async def check(self) -> None:
        """Raise `PubSubError` if the broker cannot be reached (at the app's start)."""

    def subscribe(self, topic: str) -> None:
        """This process wants `topic` (its first local subscriber came); never waits."""

    def unsubscribe(self, topic: str) -> None:
        """This process no longer wants `topic` (its last local subscriber left); never waits."""

    async def ready(self, topic: str) -> None:
        """Until this process's subscription to `topic` is in place; `PubSubError` after a bounded wait."""

    async def publish(self, topic: str, text: str) -> None:
        """Send `text` to the subscribers in other processes; `PubSubError` after a bounded wait."""

    async def listeners(self, topic: str) -> int:
        """How many processes are subscribed to `topic`, this one included."""

    async def close(self) -> None:
        """Disconnect and end every task the broker started."""


class LocalBroker:
    """No other processes: delivery happens in this process only."""

    where = "in-process"

    def __init__(self) -> None:
        self._wanted: set[str] = set()

    def attach(self, deliver: Deliver, report: Report) -> None:
        pass

    async def check(self) -> None:
        pass

    def subscribe(self, topic: str) -> None:
        self._wanted.add(topic)

    def unsubscribe(self, topic: str) -> None:
        self._wanted.discard(topic)

    async def ready(self, topic: str) -> None:
        pass

    async def publish(self, topic: str, text: str) -> None:
        pass

    async def listeners(self, topic: str) -> int:
        return 1 if topic in self._wanted else 0

    async def close(self) -> None:
        pass
