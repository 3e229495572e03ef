"""One recorded websocket event, as a named, immutable record."""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["KINDS", "Record"]

# What a record can be about: see `Record`.
KINDS = ("open", "in", "out", "close", "refused", "dispatch", "error", "end")


class Record(NamedTuple):
    """One event on one websocket.

    kinds: `open`, `in` (client → server frame), `out` (server → client
    frame), `close` (with `code`, and `by` client or server), `refused`
    (handshake answered 403), `dispatch` (a handler answered frame `cause`;
    with no cause: `conn` ran), `error` (a handler raised; `text` is the
    traceback), `end` (the app finished with the socket).

    A named tuple: several are made per message on the server's thread, and a
    tuple is the cheapest object that still has names.
    """

    seq: int
    time: float  # seconds, time.perf_counter()
    connection: str
    path: str
    kind: str
    text: str = ""
    size: int = 0
    binary: bool = False
    code: int | None = None
    by: str | None = None
    cause: int | None = None
    handler: str | None = None
    version: int | None = None
    duration: float | None = None
    queued: int | None = None  # dispatch: frames the handler queued for the sender
    peer: str | None = None  # open: the client's address, host:port
    client: str | None = None  # open: who the client is (address, Origin, User-Agent), hashed: see `labels.resumes`
