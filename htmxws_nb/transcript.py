"""The frame recorder and the transcript: what went in, what came out, how long it took.

`Recorder` keeps the most recent websocket events of a server in a ring.
`RecordingMiddleware` feeds it from any ASGI app (ours, plain Starlette,
FastHTML): connects, every frame in and out, closes with their codes.
Our own endpoint adds what only it knows, through the scope's
`htmxws.tracer`: which handler (and which version of it, after live swaps)
answered a frame, and which incoming frame caused each outgoing one, even
when the handler sends to other connections (the chat's broadcast).

`Transcript` is the notebook's view of a recorder: round trips as an HTML
table, as plain text (stable enough for nbval once times are masked), as a
sequence picture (SVG), and live in one output that updates in place.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from html import escape
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import HandlerError
from .paths import RESERVED_PREFIX

if TYPE_CHECKING:
    from .display import LiveTranscript
    from .server import Server

__all__ = ["Record", "Recorder", "RecordingMiddleware", "RoundTrip", "Transcript"]

VIEW_TEXT = 80  # characters of a frame shown in the table and text views
PICTURE_TEXT = 34  # characters of a frame shown on an arrow of the sequence picture
# Notebook frontends right-align table cells; a transcript reads left to right.
CELL_STYLE = ' style="text-align:left;vertical-align:top"'


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ is several times slower, per frame
class Record:
    """One event on one websocket.

    kinds: `open`, `in` (client → server frame), `out` (server → client
    frame), `close` (with `code`, and `by` client or server), `refused`
    (handshake answered 403), `dispatch` (a handler answered frame `cause`;
    with no cause: `conn` ran), `error` (a handler raised; `text` is the
    traceback), `end` (the app finished with the socket).
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


class Recorder:
    """A ring of the most recent websocket events of one server, and who listens to it.

    Appends happen on the server's thread, several per message, so the ring
    holds plain tuples in `Record`'s field order; `Record` objects are made
    when someone reads. Reads and listeners may be anywhere (the notebook's
    thread, a live view's timer).
    """

    def __init__(self, size: int = 5000, enabled: bool = True) -> None:
        self.enabled = enabled
        self._rows: deque[tuple[Any, ...]] = deque(maxlen=size)
        self._seq = itertools.count(1)
        self._connections = itertools.count(1)
        self._listeners: list[Callable[[Record | None], None]] = []
        self._lock = threading.Lock()

    def new_connection(self) -> str:
        return f"c{next(self._connections)}"

    def now(self) -> float:
        return time.perf_counter()

    def _append(self, row: tuple[Any, ...]) -> None:
        self._rows.append(row)
        if self._listeners:
            record = Record(*row)
            for listener in self._listeners:
                listener(record)

    def add(self, connection: str, path: str, kind: str, text: str = "", *, size: int = 0, binary: bool = False,
            code: int | None = None, by: str | None = None, cause: int | None = None, handler: str | None = None,
            version: int | None = None, duration: float | None = None, queued: int | None = None,
            peer: str | None = None) -> int:
        """Record one event; returns its sequence number."""
        seq = next(self._seq)
        self._append((seq, time.perf_counter(), connection, path, kind, text, size, binary, code, by, cause, handler,
                      version, duration, queued, peer))
        return seq

    def frame(self, connection: str, path: str, kind: str, text: str, cause: int | None = None) -> int:
        """A text frame in or out: the hot path, so positional and short."""
        seq = next(self._seq)
        self._append((seq, time.perf_counter(), connection, path, kind, text, len(text), False, None, None, cause,
                      None, None, None, None, None))
        return seq

    def dispatched(self, connection: str, path: str, frame: int | None, handler: str, version: int,
                   started: float, outcome: str, queued: int) -> None:
        """Called by our websocket endpoint once a handler has answered `frame` (None: the connect)."""
        now = time.perf_counter()
        self._append((next(self._seq), now, connection, path, "dispatch", outcome, 0, False, None, None, frame,
                      handler, version, now - started, queued, None))

    def add_error(self, error: HandlerError) -> None:
        """A handler's exception, as a transcript event (hooked to the app's error log)."""
        if self.enabled:
            self.add(error.connection or "-", "", "error", error.traceback, handler=error.where)

    def records(self, connection: str | None = None) -> list[Record]:
        """The records, oldest first (of one connection, if given)."""
        with self._lock:
            rows = list(self._rows)
        return [Record(*row) for row in rows if connection is None or row[2] == connection]

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()

    def close(self) -> None:
        """Recording is over (the server stopped): listeners get `None` once."""
        for listener in self._listeners:
            listener(None)

    def subscribe(self, listener: Callable[[Record | None], None]) -> Callable[[], None]:
        """Call `listener(record)` for each new record (on the server's thread), `listener(None)`
        when recording ends; returns a function that unsubscribes."""
        with self._lock:
            self._listeners = [*self._listeners, listener]

        def unsubscribe() -> None:
            with self._lock:
                self._listeners = [item for item in self._listeners if item is not listener]

        return unsubscribe


class RecordingMiddleware:
    """ASGI middleware that feeds a `Recorder` with every websocket event of `app`."""

    def __init__(self, app: ASGIApp, recorder: Recorder) -> None:
        self.app = app
        self.recorder = recorder

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        recorder = self.recorder
        if scope["type"] != "websocket" or not recorder.enabled or scope["path"].startswith(RESERVED_PREFIX):
            await self.app(scope, receive, send)
            return
        connection = recorder.new_connection()
        path = scope["path"]
        scope["htmxws.connection_id"] = connection
        scope["htmxws.tracer"] = recorder
        add, frame = recorder.add, recorder.frame
        accepted = closed = False

        async def recording_receive() -> Message:
            nonlocal closed
            message = await receive()
            kind = message["type"]
            if kind == "websocket.receive":
                text = message.get("text")
                if text is not None:
                    message["htmxws.frame"] = frame(connection, path, "in", text)
                else:
                    data = message.get("bytes") or b""
                    message["htmxws.frame"] = add(connection, path, "in", _binary(data), size=len(data), binary=True)
            elif kind == "websocket.disconnect" and not closed:
                closed = True
                add(connection, path, "close", message.get("reason") or "", code=message.get("code", 1005),
                    by="client")
            return message

        async def recording_send(message: Message) -> None:
            nonlocal accepted, closed
            await send(message)
            kind = message["type"]
            if kind == "websocket.send":
                text = message.get("text")
                if text is not None:
                    frame(connection, path, "out", text, message.get("htmxws.cause"))
                else:
                    data = message.get("bytes") or b""
                    add(connection, path, "out", _binary(data), size=len(data), binary=True,
                        cause=message.get("htmxws.cause"))
            elif kind == "websocket.accept":
                accepted = True
                add(connection, path, "open", _client_kind(scope), peer=_peer(scope))
            elif kind == "websocket.close" and not closed:
                closed = True
                add(connection, path, "close" if accepted else "refused", message.get("reason") or "",
                    code=message.get("code", 1000) if accepted else 403, by="server")

        try:
            await self.app(scope, recording_receive, recording_send)
        finally:
            add(connection, path, "end")  # the app is done with this socket (its `disconn` has run)


def _binary(data: bytes) -> str:
    return f"<{len(data)} bytes>"


def _client_kind(scope: Scope) -> str:
    """`browser` for pages (they send an Origin), `script` for other clients."""
    return "browser" if any(k == b"origin" for k, _ in scope.get("headers", [])) else "script"


def _peer(scope: Scope) -> str | None:
    client = scope.get("client")
    return f"{client[0]}:{client[1]}" if client else None


# -- round trips --------------------------------------------------------------

@dataclass
class RoundTrip:
    """A message in, and everything it caused: replies to the sender, broadcasts, errors."""

    message: Record
    replies: list[Record] = field(default_factory=list)
    dispatch: Record | None = None
    errors: list[Record] = field(default_factory=list)

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
    that caused them, on whatever connection they went out. Untagged frames
    (another ASGI app) go to the last message received on their connection.
    """
    trips: dict[int, RoundTrip] = {}
    last_in: dict[str, RoundTrip] = {}
    for record in records:
        if record.kind == "in":
            trip = trips[record.seq] = RoundTrip(record)
            last_in[record.connection] = trip
        elif record.kind == "out":
            trip = trips.get(record.cause) if record.cause is not None else last_in.get(record.connection)
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
    the order no longer depends on timing.
    """
    incoming = {r.seq for r in records if r.kind == "in"}
    caused: dict[int, list[Record]] = {}
    for record in records:
        if record.kind in ("out", "dispatch") and record.cause in incoming:
            group = caused.setdefault(record.cause, [])
            if record.kind == "dispatch":  # who answered comes first, whether its replies went out before or after
                group.insert(0, record)
            else:
                group.append(record)
    ordered = []
    for record in records:
        if record.kind in ("out", "dispatch") and record.cause in incoming:
            continue
        ordered.append(record)
        if record.kind == "in":
            ordered.extend(caused.get(record.seq, ()))
    return ordered


# -- views --------------------------------------------------------------------

def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def show_payload(record: Record, limit: int) -> str:
    """An incoming frame as a person reads it: the values, without the htmx headers."""
    if record.binary:
        return record.text
    try:
        payload = json.loads(record.text)
    except ValueError:
        return shorten(record.text, limit)
    if isinstance(payload, dict):
        payload = {k: v for k, v in payload.items() if k not in ("HEADERS", "headers")}
    return shorten(json.dumps(payload, ensure_ascii=False), limit)


def ms(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds * 1000:.1f} ms"


class Transcript:
    """A view of a server's recorded frames, optionally filtered by path or connection."""

    def __init__(self, recorder: Recorder, path: str | None = None, connection: str | None = None,
                 last: int | None = None, server: Server | None = None) -> None:
        self.recorder = recorder
        self.path = path
        self.connection = connection
        self.last = last
        self.server = server  # the server recording, for live views

    def filter(self, path: str | None = None, connection: str | None = None, last: int | None = None) -> Transcript:
        """A view of the same recorder limited to a path, a connection, or the last N messages."""
        return Transcript(self.recorder, path or self.path, connection or self.connection, last or self.last,
                          self.server)

    @property
    def records(self) -> list[Record]:
        """The raw records (filtered), oldest first."""
        records = self.recorder.records()
        if self.last:
            incoming = [r.seq for r in records if r.kind == "in"]
            if len(incoming) > self.last:
                first = incoming[-self.last]
                records = [r for r in records if r.seq >= first]
        if self.connection:
            records = [r for r in records if r.connection == self.connection]
        if self.path:
            connections = {r.connection for r in records if r.path == self.path}
            records = [r for r in records if r.path == self.path or (not r.path and r.connection in connections)]
        return records

    def round_trips(self) -> list[RoundTrip]:
        return round_trips(self.records)

    def to_dicts(self) -> list[dict[str, Any]]:
        """The records as plain dicts, e.g. for `pandas.DataFrame(t.to_dicts())`."""
        return [asdict(r) for r in self.records]

    def clear(self) -> None:
        """Forget everything recorded so far (on every view of this recorder)."""
        self.recorder.clear()

    def __len__(self) -> int:
        return len(self.round_trips())

    # -- text ---------------------------------------------------------------

    def lines(self) -> list[str]:
        lines = []
        for record in causal_order(self.records):
            if record.kind == "open":
                lines.append(f"{record.connection} open {record.path} ({record.text})")
            elif record.kind in ("close", "refused"):
                reason = f" {record.text}" if record.text else ""
                lines.append(f"{record.connection} {record.kind} {record.code} by {record.by}{reason}")
            elif record.kind == "in":
                lines.append(f"{record.connection} → {show_payload(record, VIEW_TEXT)}")
            elif record.kind == "out":
                lines.append(f"{record.connection} ← {shorten(record.text, VIEW_TEXT)}")
            elif record.kind == "dispatch" and record.cause is not None and record.handler != "-":
                took = f" {ms(record.duration)}" if record.duration is not None else ""
                lines.append(f"   handled by {record.handler} v{record.version}{took}")
            elif record.kind == "error":
                last = record.text.strip().splitlines()[-1] if record.text.strip() else ""
                lines.append(f"   error in {record.handler}: {last}")
        return lines

    def __repr__(self) -> str:
        if not self.records:
            return "Transcript: no frames yet"
        return "\n".join(self.lines())

    # -- HTML ---------------------------------------------------------------

    def _repr_html_(self) -> str:
        trips = self.round_trips()
        if not trips:
            return "<p><i>Transcript: no messages yet.</i></p>"
        rows = []
        for i, trip in enumerate(trips, 1):
            replies = "<br>".join(
                f"<code>{escape(r.connection)} ← {escape(shorten(r.text, VIEW_TEXT))}</code>" for r in trip.replies
            ) or "<i>no reply</i>"
            if trip.errors:  # an error frame is already among the replies; an exception is not
                replies += f'<div style="color:#a00">{escape(trip.problem)}</div>'
            cells = (str(i), escape(trip.message.connection), escape(trip.message.path),
                     f"<code>{escape(show_payload(trip.message, VIEW_TEXT))}</code>", escape(trip.handler),
                     replies, ms(trip.latency))
            rows.append("<tr>" + "".join(f"<td{CELL_STYLE}>{cell}</td>" for cell in cells) + "</tr>")
        head = "".join(f"<th{CELL_STYLE}>{h}</th>" for h in ("#", "from", "path", "sent", "handler", "replies",
                                                            "latency"))
        return (f'<table class="htmxws-transcript"><thead><tr>{head}</tr></thead>'
                f'<tbody>{"".join(rows)}</tbody></table>')

    # -- picture ------------------------------------------------------------

    def sequence(self) -> SequencePicture:
        """The records as a sequence picture: clients and the server as lifelines, frames as arrows."""
        return SequencePicture(causal_order(self.records))

    def live(self, interval: float = 0.25, last: int = 20) -> LiveTranscript:
        """Display this transcript in an output that updates in place as frames arrive.

        At most one update per `interval` seconds; `stop()` on the result (or
        the server stopping) ends them. Needs the transcript of a running server.
        """
        from .display import LiveTranscript

        if self.server is None:
            raise ValueError("a live transcript needs a server: use transcript(app).live()")
        view = LiveTranscript(self.filter(last=last), self.server, interval)
        view.display()
        return view


class SequencePicture:
    """An SVG sequence diagram of websocket records."""

    COLUMN = 190
    ROW = 26
    TOP = 48

    def __init__(self, records: list[Record]) -> None:
        self.records = [r for r in records if r.kind in ("open", "in", "out", "close", "refused", "error")]

    def _repr_svg_(self) -> str:
        return self.svg()

    def __repr__(self) -> str:
        clients = sorted({r.connection for r in self.records}, key=_connection_order)
        return f"<sequence picture: {len(clients)} client(s), {len(self.records)} events>"

    def svg(self) -> str:
        records = self.records
        clients = sorted({r.connection for r in records if r.connection != "-"}, key=_connection_order)
        x = {c: 70 + i * self.COLUMN for i, c in enumerate(clients)}
        server_x = 70 + len(clients) * self.COLUMN + 60
        height = self.TOP + self.ROW * (len(records) + 1)
        width = server_x + 90
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
            'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>',
        ]
        for name, cx in [*x.items(), ("server", server_x)]:
            parts.append(f'<text x="{cx}" y="18" text-anchor="middle" font-weight="bold">{escape(name)}</text>')
            parts.append(f'<line x1="{cx}" y1="26" x2="{cx}" y2="{height - 6}" stroke="#bbb" stroke-dasharray="4 3"/>')
        sent_at: dict[int, float] = {}
        for row, record in enumerate(records):
            y = self.TOP + row * self.ROW
            cx = x.get(record.connection, 20)
            if record.kind == "in":
                sent_at[record.seq] = record.time
                label = show_payload(record, PICTURE_TEXT)
                parts.append(_arrow(cx, server_x, y, label, "#1f5fbf"))
            elif record.kind == "out":
                parts.append(_arrow(server_x, cx, y, swap_label(record.text, PICTURE_TEXT), "#2a7d2a"))
                if record.cause in sent_at:
                    took = ms(record.time - sent_at[record.cause])
                    parts.append(f'<text x="{server_x + 8}" y="{y + 4}" fill="#777">{took}</text>')
            elif record.kind == "error":
                parts.append(f'<text x="{server_x + 8}" y="{y + 4}" fill="#a00">error in handler</text>')
            else:
                label = "open" if record.kind == "open" else f"{record.kind} {record.code}"
                color = "#555" if record.kind == "open" else "#a05a00"
                parts.append(f'<circle cx="{cx}" cy="{y}" r="4" fill="{color}"/>'
                             f'<text x="{cx + 8}" y="{y + 4}" fill="{color}">{escape(label)}</text>')
        parts.append("</svg>")
        return "".join(parts)


class _SwapReader(HTMLParser):
    """Reads what a person sees of an HTML frame: the target id and the text."""

    def __init__(self) -> None:
        super().__init__()
        self.target: str | None = None
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.target is None:
            self.target = dict(attrs).get("id") or ""

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.texts.append(" ".join(data.split()))


def swap_label(html: str, limit: int) -> str:
    """`#target: text · text`, keeping the end when too long (new content is usually last)."""
    reader = _SwapReader()
    reader.feed(html)
    if reader.target is None:
        return shorten(html, limit)
    text = " · ".join(reader.texts)
    label = f"#{reader.target}: {text}" if reader.target else text
    if len(label) <= limit:
        return label
    head = f"#{reader.target}: …" if reader.target else "…"
    return head + text[-(limit - len(head)):]


def _connection_order(name: str) -> tuple[int, str]:
    digits = "".join(ch for ch in name if ch.isdigit())
    return (int(digits) if digits else 0, name)


def _arrow(x1: float, x2: float, y: float, label: str, color: str) -> str:
    mid = (x1 + x2) / 2
    return (f'<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke="{color}" stroke-width="1.4" '
            f'marker-end="url(#arrow)"/>'
            f'<text x="{mid}" y="{y - 4}" text-anchor="middle" fill="{color}" stroke="white" stroke-width="3" '
            f'paint-order="stroke">{escape(label)}</text>')
