"""A ring of the most recent websocket events of one server, and who listens to it.

Appends happen on the server's thread, several per message; reads and
listeners may be anywhere (the notebook's thread, a live view's timer).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from collections.abc import Callable

from ..app import HandlerError
from ..app.hooks import Signal
from .records import Record

__all__ = ["Recorder"]

# Builds a Record from a full tuple of fields without its Python-level __new__: for the per-frame methods only,
# whose tuples must list every field in order (tests/recording/test_records.py checks they do).
_new = tuple.__new__


class Recorder:
    """The recent events of one server; `enabled=False` records nothing (scripts)."""

    def __init__(self, size: int = 5000, enabled: bool = True) -> None:
        self.enabled = enabled
        self._records: deque[Record] = deque(maxlen=size)
        self._seq = itertools.count(1)
        self._connections = itertools.count(1)
        self._lock = threading.Lock()
        self.added: Signal[Record | None] = Signal()  # each new record; None once recording is over

    def new_connection(self) -> str:
        return f"c{next(self._connections)}"

    def now(self) -> float:
        return time.perf_counter()

    def _append(self, record: Record) -> None:
        self._records.append(record)
        if self.added:
            self.added.emit(record)

    def add(self, connection: str, path: str, kind: str, text: str = "", *, size: int = 0, binary: bool = False,
            code: int | None = None, by: str | None = None, cause: int | None = None, handler: str | None = None,
            version: int | None = None, duration: float | None = None, queued: int | None = None,
            peer: str | None = None, client: str | None = None) -> int:
        """Record one event; returns its sequence number."""
        seq = next(self._seq)
        self._append(Record(seq, time.perf_counter(), connection, path, kind, text, size, binary, code, by, cause,
                            handler, version, duration, queued, peer, client))
        return seq

    def frame(self, connection: str, path: str, kind: str, text: str, cause: int | None = None) -> int:
        """A text frame in or out: the hot path."""
        seq = next(self._seq)
        self._append(_new(Record, (seq, time.perf_counter(), connection, path, kind, text, len(text), False, None,
                                   None, cause, None, None, None, None, None, None)))
        return seq

    def dispatched(self, connection: str, path: str, frame: int | None, handler: str, version: int,
                   started: float, outcome: str, queued: int) -> None:
        """Our websocket endpoint's report: a handler answered `frame` (None: the connect)."""
        now = time.perf_counter()
        self._append(_new(Record, (next(self._seq), now, connection, path, "dispatch", outcome, 0, False, None, None,
                                   frame, handler, version, now - started, queued, None, None)))

    def published(self, topic: str, size: int, receivers: int, origin: str, frame: int | None) -> int:
        """The app's pub/sub fans a publish out to `receivers` websockets here; returns its sequence number."""
        seq = next(self._seq)
        self._append(Record(seq, time.perf_counter(), "-", "", "publish", topic, size, by=origin, cause=frame,
                            queued=receivers))
        return seq

    def add_error(self, error: HandlerError) -> None:
        """A handler's exception, as a transcript event (hooked to the app's error log)."""
        if self.enabled:
            self.add(error.connection or "-", "", "error", error.traceback, handler=error.where)

    def records(self, connection: str | None = None) -> list[Record]:
        """The records, oldest first (of one connection, if given)."""
        with self._lock:
            records = list(self._records)
        return records if connection is None else [r for r in records if r.connection == connection]

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    def close(self) -> None:
        """Recording is over (the server stopped): listeners get `None` once."""
        self.added.emit(None)

    def subscribe(self, listener: Callable[[Record | None], None]) -> Callable[[], None]:
        """Call `listener(record)` for each new record (on the server's thread), `listener(None)`
        when recording ends; returns a function that unsubscribes."""
        return self.added.subscribe(listener)
