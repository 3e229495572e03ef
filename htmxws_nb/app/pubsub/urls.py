"""Which broker a pub/sub URL names, checked when the app is made so that a typo fails at once.

`redis://HOST:PORT/DB` (and `rediss://`, `unix:///path/to/redis.sock?db=N`)
go to a Redis server; nothing means in-process delivery. URLs are shown
with their password masked, since they end up in logs and error panels.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs, urlsplit

__all__ = ["PUBSUB_ENV", "REDIS_SCHEMES", "database", "masked", "pubsub_url"]

PUBSUB_ENV = "HTMXWS_NB_PUBSUB"
REDIS_SCHEMES = ("redis", "rediss", "unix")


def pubsub_url(explicit: str | None) -> str | None:
    """The pub/sub URL: the argument, else `HTMXWS_NB_PUBSUB`, else None (in-process). Raises ValueError."""
    url = explicit if explicit is not None else os.environ.get(PUBSUB_ENV)
    if not url:
        return None
    database(url)  # checks the whole URL
    return url


def database(url: str) -> int:
    """The Redis database number a URL names (0 by default); ValueError says what is wrong with the URL."""
    where = masked(url)
    parts = urlsplit(url)
    if parts.scheme not in REDIS_SCHEMES:
        raise ValueError(f"pubsub URL {where!r}: expected redis://HOST:PORT/DB, rediss://... or "
                         f"unix:///path/to/redis.sock, not scheme {parts.scheme!r}")
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise ValueError(f"pubsub URL {where!r}: the port is not a number") from None
    if parts.scheme == "unix":
        if not parts.path:
            raise ValueError(f"pubsub URL {where!r}: no socket path")
        db = parse_qs(parts.query).get("db", ["0"])[-1]
    else:
        if not parts.hostname:
            raise ValueError(f"pubsub URL {where!r}: no host")
        db = parts.path.strip("/") or "0"
    if not db.isdigit():
        raise ValueError(f"pubsub URL {where!r}: the database must be a number, not {db!r}")
    return int(db)


def masked(url: str) -> str:
    """`url` with its password replaced by `***`."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=f"{user}:***@{host}").geturl()
