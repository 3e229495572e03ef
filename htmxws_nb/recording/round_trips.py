"""Grouping records into round trips: a message in, and everything it caused."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..app.websocket.tracing import CONNECT, PUSHED
from .records import Record

__all__ = ["RoundTrip", "causal_order", "round_trips"]

CAUSED = ("out", "dispatch", "publish")  # the kinds of record a message (or a publish) causes


@dataclass
class RoundTrip:
    """A message in, and everything it caused: replies to the sender, broadcasts, publishes, errors.

    A frame pushed from outside any handler (a notebook cell, a background
    task) is a round trip of its own: `message` is that frame, and its only
    reply. So is a publish that no message here caused (from another process,
    or from a notebook cell): `message` is the publish record, `replies` the
    frames it delivered.
    """

    message: Record
    replies: list[Record] = field(default_factory=list)
    dispatch: Record | None = None
    errors: list[Record] = field(default_factory=list)
    publishes: list[Record] = field(default_factory=list)

    @property
    def pushed(self) -> bool:
        return self.message.kind == "out"

    @property
    def latency(self) -> float | None:
        """Seconds from the message until the sender's first reply (None without a reply)."""
        own = [r for r in self.replies if r.connection == self.message.connection]
        return own[0].time - self.message.time if own else None

    @property
    def duration(self) -> float | None:
        """Seconds from the message until its last frame went out, to anyone."""
        return self.replies[-1].time - self.message.time if self.replies else None

    @property
    def handler(self) -> str:
        d = self.dispatch
        return f"{d.handler} v{d.version}" if d and d.handler else ""

    @property
    def problem(self) -> str:
        """What went wrong, if anything: an error frame sent, or a handler exception."""
        if self.errors:
            return self.errors[0].text.strip().splitlines()[-1]
        for reply in self.replies:
            if reply.text.startswith("error: "):
                return reply.text
        return ""


def round_trips(records: Iterable[Record]) -> list[RoundTrip]:
    """Group records into round trips.

    Frames tagged with a cause (our endpoint tags them) go to the message
    (or publish) that caused them, on whatever connection they went out;
    pushed frames are round trips of their own. Untagged frames (another ASGI
    app) go to the last message received on their connection.
    """
    trips: dict[int, RoundTrip] = {}
    last_in: dict[str, RoundTrip] = {}
    for record in records:
        if record.kind == "in":
            trip = trips[record.seq] = RoundTrip(record)
            last_in[record.connection] = trip
        elif record.kind == "publish":
            if record.cause in trips:
                trips[record.cause].publishes.append(record)
            else:
                trips[record.seq] = RoundTrip(record)
        elif record.kind == "out":
            cause = record.cause
            if cause == PUSHED:
                trips[record.seq] = RoundTrip(record, [record])
                continue
            if cause == CONNECT:
                continue  # what `conn` sent belongs to the connection's opening, not to a message
            trip = trips.get(cause) if cause is not None else last_in.get(record.connection)
            if trip is not None:
                trip.replies.append(record)
        elif record.kind == "dispatch" and record.cause in trips and record.handler != "-":
            trips[record.cause].dispatch = record
        elif record.kind == "error":
            trip = last_in.get(record.connection)
            if trip is not None and trip.dispatch is None:
                trip.errors.append(record)
    return list(trips.values())


def causal_order(records: list[Record]) -> list[Record]:
    """Records in reading order: each message followed by what it caused, wherever that went.

    Frames a message caused are written by several connections, some while
    the handler runs, some after; in recorded order they may interleave with
    the next message. Grouped by cause (the handler first, then its frames),
    the order no longer depends on timing. A publish no message caused heads
    a group of its own, like a message.
    """
    incoming: set[int] = set()
    for record in records:
        if record.kind == "in" or (record.kind == "publish" and record.cause not in incoming):
            incoming.add(record.seq)
    caused: dict[int, list[Record]] = {}
    for record in records:
        if record.kind in CAUSED and record.cause in incoming:
            group = caused.setdefault(record.cause, [])
            if record.kind == "dispatch":  # who answered comes first, whether its replies went out before or after
                group.insert(0, record)
            else:
                group.append(record)
    ordered = []
    for record in records:
        if record.kind in CAUSED and record.cause in incoming:
            continue
        ordered.append(record)
        if record.seq in incoming:
            ordered.extend(caused.get(record.seq, ()))
    return ordered
