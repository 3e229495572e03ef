"""Carrying frames between processes through Redis pub/sub, with redis-py's asyncio client.

Each process holds one Redis connection for its subscriptions, with one
SUBSCRIBE per topic however many of its websockets listen, and publishes
through another. A frame goes out as `<origin> <html>`; the origin (random
per app) lets a process skip its own frames when they come back, since it
delivered them locally already. Frames without that prefix (another Redis
client's `PUBLISH`) are delivered whole.

When Redis goes away, `publish` raises `PubSubError` naming the URL within
`PUBLISH_TIMEOUT`; the subscription connection is retried with a bounded
backoff and every wanted topic is subscribed again once Redis answers.
Redis pub/sub ignores the database number, so channels carry it:
`htmxws:<db>:<topic>`; apps on different databases do not hear each other.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import Coroutine
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError, RedisError

from .broker import Deliver, PubSubError, Report
from .urls import database, masked

__all__ = ["RedisBroker"]

CONNECT_TIMEOUT = 2.0  # seconds to open a connection to Redis
PUBLISH_TIMEOUT = 3.0  # seconds a publish (or a query) may take before it fails
READY_TIMEOUT = 5.0  # seconds `await app.subscribe(...)` waits for Redis to confirm
POLL = 1.0  # the listener wakes at least this often (so a health check can run)
BACKOFF_FIRST, BACKOFF_MAX = 0.05, 2.0  # seconds between reconnection attempts: doubling, bounded
_ORIGIN_LENGTH = 16  # hex characters


class RedisBroker:
    """Topics shared with every process connected to the same Redis (and database)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.where = masked(url)
        self.prefix = f"htmxws:{database(url)}:"
        self._origin = secrets.token_hex(_ORIGIN_LENGTH // 2).encode() + b" "
        self._wanted: set[str] = set()
        self._confirmed: dict[str, asyncio.Event] = {}
        self._publisher: Redis | None = None
        self._subscriber: Redis | None = None
        self._pubsub: PubSub | None = None  # set while the listener's connection is up
        self._listener: asyncio.Task[None] | None = None
        self._commands: set[asyncio.Task[Any]] = set()
        self._deliver: Deliver | None = None
        self._report: Report | None = None
        self._down = False

    def _client(self, retries: int, **options: Any) -> Redis:
        # `retry_on_error` too: redis-py 5 retries only the errors listed there.
        if retries:
            options["retry_on_error"] = [ConnectionError]
        return Redis.from_url(self.url, socket_connect_timeout=CONNECT_TIMEOUT, retry=Retry(NoBackoff(), retries),
                              **options)

    def attach(self, deliver: Deliver, report: Report) -> None:
        self._deliver, self._report = deliver, report
        # One retry: a pooled connection that Redis closed (a restart) is replaced once, at once.
        self._publisher = self._client(1)
        # No retries: the listener reconnects itself, with backoff, and says so.
        self._subscriber = self._client(0, health_check_interval=10)

    async def check(self) -> None:
        assert self._publisher is not None
        try:
            await asyncio.wait_for(self._publisher.ping(), PUBLISH_TIMEOUT)
        except (RedisError, OSError, asyncio.TimeoutError) as exc:
            raise PubSubError(f"cannot reach Redis at {self.where}: {_reason(exc)}") from None

    # -- subscriptions --------------------------------------------------------

    def subscribe(self, topic: str) -> None:
        self._wanted.add(topic)
        if self._listener is None:
            self._listener = asyncio.get_running_loop().create_task(self._listen())
        elif self._pubsub is not None:
            self._command(self._pubsub.subscribe(self.prefix + topic))

    def unsubscribe(self, topic: str) -> None:
        self._wanted.discard(topic)
        self._event(topic).clear()
        if self._pubsub is not None:
            self._command(self._pubsub.unsubscribe(self.prefix + topic))

    async def ready(self, topic: str) -> None:
        if topic not in self._wanted:
            return
        try:
            await asyncio.wait_for(self._event(topic).wait(), READY_TIMEOUT)
        except asyncio.TimeoutError:
            raise PubSubError(f"Redis at {self.where} did not confirm the subscription to {topic!r} "
                              f"within {READY_TIMEOUT:g} s") from None

    def _event(self, topic: str) -> asyncio.Event:
        event = self._confirmed.get(topic)
        if event is None:
            event = self._confirmed[topic] = asyncio.Event()
        return event

    def _command(self, command: Coroutine[Any, Any, Any]) -> None:
        """Send a (un)subscribe without waiting; if it fails, the listener reconnects and resubscribes."""
        task = asyncio.get_running_loop().create_task(command)
        self._commands.add(task)
        task.add_done_callback(_forget(self._commands))

    async def _listen(self) -> None:
        """Hold the subscriptions: connect, subscribe to every wanted topic, hand frames over; again after a loss."""
        assert self._subscriber is not None
        delay = BACKOFF_FIRST
        while True:
            pubsub = self._subscriber.pubsub()
            try:
                await self._subscribe_wanted(pubsub)
                self._pubsub = pubsub
                if self._down:
                    self._down = False
                    self._tell(None)
                delay = BACKOFF_FIRST
                while True:
                    message = await pubsub.get_message(timeout=POLL)
                    if message is not None:
                        self._handle(message)
            except (RedisError, OSError) as exc:
                if not self._down:
                    self._down = True
                    self._tell(PubSubError(f"lost the connection to Redis at {self.where} ({_reason(exc)}); "
                                           "subscriptions come back by themselves when it answers again"))
            finally:
                self._pubsub = None
                for event in self._confirmed.values():
                    event.clear()
                with contextlib.suppress(RedisError, OSError, asyncio.TimeoutError):
                    await asyncio.wait_for(pubsub.aclose(), CONNECT_TIMEOUT)
            await asyncio.sleep(delay)
            delay = min(delay * 2, BACKOFF_MAX)

    async def _subscribe_wanted(self, pubsub: PubSub) -> None:
        """Subscribe to every wanted topic, including those wanted while this was under way."""
        sent: set[str] = set()
        await pubsub.connect()
        while missing := self._wanted - sent:
            await pubsub.subscribe(*(self.prefix + topic for topic in missing))
            sent |= missing

    def _handle(self, message: dict[str, Any]) -> None:
        topic = message["channel"][len(self.prefix):].decode(errors="replace")
        kind = message["type"]
        if kind == "message":
            data: bytes = message["data"]
            if data.startswith(self._origin):
                return  # ours: delivered locally when it was published
            assert self._deliver is not None
            self._deliver(topic, _unwrap(data))
        elif kind == "subscribe" and topic in self._wanted:
            self._event(topic).set()

    def _tell(self, problem: PubSubError | None) -> None:
        if self._report is not None:
            self._report(problem)

    # -- publishing -------------------------------------------------------------

    async def publish(self, topic: str, text: str) -> None:
        assert self._publisher is not None
        try:
            await asyncio.wait_for(self._publisher.publish(self.prefix + topic, self._origin + text.encode()),
                                   PUBLISH_TIMEOUT)
        except asyncio.TimeoutError:
            raise PubSubError(f"cannot publish to {topic!r}: Redis at {self.where} did not answer within "
                              f"{PUBLISH_TIMEOUT:g} s") from None
        except (RedisError, OSError) as exc:
            raise PubSubError(f"cannot publish to {topic!r}: Redis at {self.where} is unreachable "
                              f"({_reason(exc)})") from None

    async def listeners(self, topic: str) -> int:
        assert self._publisher is not None
        try:
            counts = await asyncio.wait_for(self._publisher.pubsub_numsub(self.prefix + topic), PUBLISH_TIMEOUT)
        except (RedisError, OSError, asyncio.TimeoutError) as exc:
            raise PubSubError(f"cannot ask Redis at {self.where} about {topic!r}: {_reason(exc)}") from None
        return int(counts[0][1]) if counts else 0

    async def close(self) -> None:
        tasks = [t for t in (self._listener, *self._commands) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._listener = None
        for client in (self._publisher, self._subscriber):
            if client is not None:
                with contextlib.suppress(RedisError, OSError, asyncio.TimeoutError):
                    await asyncio.wait_for(client.aclose(), CONNECT_TIMEOUT)
        self._publisher = self._subscriber = None


def _unwrap(data: bytes) -> str:
    """The HTML of a frame: without its origin prefix, if it has one."""
    head = data[:_ORIGIN_LENGTH]
    if data[_ORIGIN_LENGTH:_ORIGIN_LENGTH + 1] == b" " and len(head) == _ORIGIN_LENGTH and \
            all(c in b"0123456789abcdef" for c in head):
        data = data[_ORIGIN_LENGTH + 1:]
    return data.decode(errors="replace")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, asyncio.TimeoutError):
        return "timed out"
    return str(exc) or type(exc).__name__


def _forget(tasks: set[asyncio.Task[Any]]) -> Any:
    def done(task: asyncio.Task[Any]) -> None:
        tasks.discard(task)
        if not task.cancelled():
            task.exception()  # retrieved: a failed (un)subscribe is retried by the listener

    return done
