"""Which websockets of this process listen to which topic: the local half of pub/sub.

A publish is rendered once and handed to each member's outbox, so a member
that does not read is cut by its own limits and never holds up the others.
Members are kept in the order they subscribed, so delivery order is stable.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Generic, TypeVar

__all__ = ["Topics"]

M = TypeVar("M", bound=Hashable)


class Topics(Generic[M]):
    """Topic → members, and member → topics (to drop a member that leaves)."""

    def __init__(self) -> None:
        self._members: dict[str, dict[M, None]] = {}
        self._topics: dict[M, set[str]] = {}

    def add(self, topic: str, member: M) -> bool:
        """Add `member` to `topic`; True if the topic had no member before."""
        members = self._members.get(topic)
        first = members is None
        if members is None:
            members = self._members[topic] = {}
        members[member] = None
        self._topics.setdefault(member, set()).add(topic)
        return first

    def remove(self, topic: str, member: M) -> tuple[bool, bool]:
        """Take `member` off `topic`: (it was a member, the topic has no members left)."""
        members = self._members.get(topic)
        if members is None or member not in members:
            return False, False
        del members[member]
        topics = self._topics[member]
        topics.discard(topic)
        if not topics:
            del self._topics[member]
        if members:
            return True, False
        del self._members[topic]
        return True, True

    def drop(self, member: M) -> list[str]:
        """Take `member` off every topic; returns the topics left without members."""
        emptied = []
        for topic in self._topics.pop(member, ()):
            members = self._members[topic]
            del members[member]
            if not members:
                del self._members[topic]
                emptied.append(topic)
        return emptied

    def members(self, topic: str) -> tuple[M, ...]:
        """A snapshot of `topic`'s members, in the order they subscribed."""
        members = self._members.get(topic)
        return tuple(members) if members else ()

    def count(self, topic: str) -> int:
        return len(self._members.get(topic, ()))

    def __len__(self) -> int:
        """How many topics have members."""
        return len(self._members)
