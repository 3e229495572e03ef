"""One recorded websocket event, as a named, immutable record."""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["KINDS", "Record"]

# What a record can be about: see `Record`.
KINDS = ("open", "in", "out", "close", "refused", "dispatch", "error", "end", "publish")


class Record(NamedTuple):
    """One event on one websocket.

    kinds: `open`, `in` (client → server frame), `out` (server → client
    frame; `cause` says why: the incoming frame it answers, `conn`, or
    `pushed` from outside any handler), `close` (with `code`, and `by` client or server), `refused`
    (handshake answered 403), `dispatch` (a handler answered frame `cause`;
    with no cause: `conn` ran), `error` (a handler raised; `text` is the
    traceback), `end` (the app finished with the socket), `publish` (the
    app's pub/sub handed a publish to topic `text`, `size` characters, to
    `queued` websockets of this process; `by` is "here" or "elsewhere", the
    process it was published in; `cause` the frame whose handler published
    it; its connection is "-"). Frames a publish delivers carry the
    publishing handler's frame as `cause`, else the publish's `seq`.

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
    cause: int | str | None = None  # out: the frame's seq that caused it, CONNECT, PUSHED, or None (unknown)
    handler: str | None = None
    version: int | None = None
    duration: float | None = None
    queued: int | None = None  # dispatch: frames the handler queued for the sender; publish: receivers here
    peer: str | None = None  # open: the client's address, host:port
    client: str | None = None  # open: who the client is (address, Origin, User-Agent), hashed: see `labels.resumes`
