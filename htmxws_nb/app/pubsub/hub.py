"""An app's publish/subscribe: topics of this process's websockets, and a broker to the other processes.

`publish` renders once (in `FastHTML.publish`), hands the frame to the
broker (Redis, when configured), then to the outbox of every websocket of
this process subscribed to the topic; frames other processes publish arrive
from the broker and are fanned out the same way. Outboxes never wait for
their client, so a slow client is cut by its own limits and never slows a
topic.

Everything runs on one event loop, the server's: the app's lifespan binds
it (else the first subscribe or publish does). Calls from another thread or
loop (a sync handler, a notebook cell) hop onto it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Generator
from typing import Any

from ..errors import ErrorLog, HandlerError, logger
from ..websocket import Connection
from ..websocket.tracing import Tracer, current_frame
from .broker import Broker, PubSubError
from .topics import Topics

__all__ = ["PubSub", "Subscription"]

Lifespan = Callable[[Any], contextlib.AbstractAsyncContextManager[Any]]


class Subscription:
    """What `app.subscribe(...)` returns: the subscription is made; `await` it to wait until it is in place.

    With Redis, "in place" means Redis confirmed it, so that a publish from
    any process from then on reaches this websocket.
    """

    __slots__ = ("_loop", "_pubsub", "topic")

    def __init__(self, pubsub: PubSub, topic: str, loop: asyncio.AbstractEventLoop) -> None:
        self._pubsub = pubsub
        self._loop = loop
        self.topic = topic

    def __await__(self) -> Generator[Any, None, None]:
        return self._pubsub._on_loop(self._loop, lambda: self._pubsub.broker.ready(self.topic)).__await__()

    def __repr__(self) -> str:
        return f"<Subscription to {self.topic!r}>"


class PubSub:
    """Topics across the websockets of this process and, through the broker, of every other one."""

    def __init__(self, make_broker: Callable[[], Broker], errors: ErrorLog) -> None:
        self._make_broker = make_broker
        self.broker = make_broker()
        self.errors = errors
        self.topics: Topics[Connection] = Topics()
        self.tracer: Tracer | None = None  # a recorder (the notebook's transcript) sets itself here
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def where(self) -> str:
        return self.broker.where

    # -- life -------------------------------------------------------------------

    def around(self, inner: Lifespan) -> Lifespan:
        """The app's lifespan with pub/sub started first (a Redis that does not answer fails the start) and
        stopped last."""
        @contextlib.asynccontextmanager
        async def lifespan(app: Any) -> AsyncIterator[Any]:
            try:
                await self.start()
                async with inner(app) as state:
                    yield state
            finally:
                await self.close()

        return lifespan

    async def start(self) -> None:
        """Bind to the running loop and check that the broker answers."""
        running = asyncio.get_running_loop()
        if self._loop is not None and self._loop is not running:  # used before, from another loop
            old, old_loop = self.broker, self._loop
            self.broker, self._loop = self._make_broker(), None
            if old_loop.is_running():
                asyncio.run_coroutine_threadsafe(old.close(), old_loop)
        self._bind(running)
        await self.broker.check()

    def _bind(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._loop is None:
            self._loop = loop
            self.broker.attach(self._arrived, self._report)

    async def close(self) -> None:
        """Disconnect from the broker and end its tasks (the app's lifespan ends)."""
        if self._loop is not None:
            self._loop = None
            await self.broker.close()

    # -- subscribing ------------------------------------------------------------

    def subscribe(self, topic: str, send: Callable[..., Any]) -> Subscription:
        connection = _connection(send)
        _check_topic(topic)
        connection.call_on_loop(self._add, topic, connection)
        return Subscription(self, topic, connection.loop)

    def unsubscribe(self, topic: str, send: Callable[..., Any]) -> None:
        connection = _connection(send)
        connection.call_on_loop(self._remove, topic, connection)

    def _add(self, topic: str, connection: Connection) -> None:
        if connection.closed:
            return
        self._bind(connection.loop)
        if self._drop not in connection.leaving:
            connection.leaving.append(self._drop)
        if self.topics.add(topic, connection):
            self.broker.subscribe(topic)

    def _remove(self, topic: str, connection: Connection) -> None:
        _, emptied = self.topics.remove(topic, connection)
        if emptied:
            self.broker.unsubscribe(topic)

    def _drop(self, connection: Connection) -> None:
        """The websocket closed: its subscriptions end."""
        for topic in self.topics.drop(connection):
            self.broker.unsubscribe(topic)

    # -- publishing -------------------------------------------------------------

    async def publish(self, topic: str, text: str) -> int:
        """Send `text` to every subscriber of `topic`; returns how many websockets of this process got it."""
        _check_topic(topic)
        if self._loop is None:
            self._bind(asyncio.get_running_loop())
        return await self._on_loop(self._loop, lambda: self._publish(topic, text))

    async def _publish(self, topic: str, text: str) -> int:
        await self.broker.publish(topic, text)
        return self._fan_out(topic, text, "here", current_frame.get())

    def _arrived(self, topic: str, text: str) -> None:
        self._fan_out(topic, text, "elsewhere", None)

    def _fan_out(self, topic: str, text: str, origin: str, frame: int | None) -> int:
        members = self.topics.members(topic)
        cause = frame
        tracer = self.tracer
        if tracer is not None:
            seq = tracer.published(topic, len(text), len(members), origin, frame)
            if cause is None:
                cause = seq
        for connection in members:
            connection.deliver(text, cause)
        return len(members)

    async def listeners(self, topic: str) -> int:
        """How many processes are subscribed to `topic` (this one included)."""
        if self._loop is None:
            self._bind(asyncio.get_running_loop())
        return await self._on_loop(self._loop, lambda: self.broker.listeners(topic))

    # -- helpers ----------------------------------------------------------------

    async def _on_loop(self, loop: asyncio.AbstractEventLoop | None, work: Callable[[], Any]) -> Any:
        """Await `work()` on `loop`, from whatever loop this runs on."""
        if loop is None or loop is asyncio.get_running_loop():
            return await work()
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work(), loop))

    def _report(self, problem: PubSubError | None) -> None:
        if problem is not None:
            self.errors.add(HandlerError.capture(f"pub/sub {self.where}", problem))
        else:
            logger.warning("pub/sub: Redis at %s answers again; %d topic(s) subscribed again", self.where,
                           len(self.topics))


def _connection(send: Callable[..., Any]) -> Connection:
    connection = getattr(send, "__self__", None)
    if not isinstance(connection, Connection):
        raise TypeError(f"subscribe() needs the `send` a websocket handler or `conn` is given, not {send!r}")
    return connection


def _check_topic(topic: str) -> None:
    if not isinstance(topic, str) or not topic:
        raise TypeError(f"a topic is a non-empty string, not {topic!r}")
