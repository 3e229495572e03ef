"""Publish/subscribe for an app's websockets: topics that span workers and hosts through Redis.

Modules: `topics` (which websockets of this process listen to what), `broker`
(what carries frames between processes; the in-process one), `redis_broker`
(Redis pub/sub, loaded only when a URL asks for it), `urls` (checking and
masking the URL), `hub` (the app's `PubSub`, tying them together).
"""

from __future__ import annotations

from collections.abc import Callable

from .broker import Broker, LocalBroker, PubSubError
from .hub import PubSub, Subscription
from .urls import PUBSUB_ENV, masked, pubsub_url

__all__ = ["PUBSUB_ENV", "Broker", "LocalBroker", "PubSub", "PubSubError", "Subscription", "broker_for",
           "pubsub_url"]


def broker_for(url: str | None) -> Callable[[], Broker]:
    """What makes the broker a (checked) URL names: Redis for a URL, in-process for None."""
    if url is None:
        return LocalBroker
    try:
        from .redis_broker import RedisBroker
    except ImportError as exc:
        raise ImportError(f"pubsub={masked(url)!r} needs redis-py: pip install 'htmxws_nb[pubsub]'") from exc
    return lambda: RedisBroker(url)
