"""Hooks: how an app tells higher layers what happened without knowing them.

The app layer emits ("a route was replaced", "an error happened"); the
notebook layer subscribes (reload the iframes, show the error). A listener
may run on any thread: the server's loop emits, the notebook's thread
subscribes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["Signal"]

T = TypeVar("T")


class Signal(Generic[T]):
    """Listeners called with each emitted value, in the order they subscribed."""

    def __init__(self) -> None:
        self._listeners: tuple[Callable[[T], None], ...] = ()
        self._lock = threading.Lock()

    def subscribe(self, listener: Callable[[T], None]) -> Callable[[], None]:
        """Call `listener(value)` on each `emit`; returns a function that unsubscribes."""
        with self._lock:
            self._listeners = (*self._listeners, listener)

        def unsubscribe() -> None:
            with self._lock:
                self._listeners = tuple(item for item in self._listeners if item is not listener)

        return unsubscribe

    def emit(self, value: T) -> None:
        for listener in self._listeners:  # a snapshot: listeners may unsubscribe meanwhile
            listener(value)

    def __bool__(self) -> bool:
        return bool(self._listeners)
