"""A transcript: a filtered view of a recorder's events, as round trips and as text.

The text (one line per event, messages followed by what they caused) is
stable enough for nbval once times are masked. The notebook layer adds the
HTML table, the sequence picture and the live view.
"""

from __future__ import annotations

from typing import Any

from ..app.websocket.tracing import PUSHED
from .labels import VIEW_TEXT, PreviousFrames, close_note, ms, publish_label, resumes, sent_from, show_payload
from .recorder import Recorder
from .records import Record
from .round_trips import RoundTrip, causal_order, round_trips

__all__ = ["Transcript"]


class Transcript:
    """A view of a server's recorded frames, optionally limited to a path, a connection, the last N messages."""

    def __init__(self, recorder: Recorder, path: str | None = None, connection: str | None = None,
                 last: int | None = None) -> None:
        self.recorder = recorder
        self.path = path
        self.connection = connection
        self.last = last

    def filter(self, path: str | None = None, connection: str | None = None, last: int | None = None) -> Transcript:
        """A view of the same recorder limited to a path, a connection, or the last N messages."""
        return self._derived(path or self.path, connection or self.connection, last or self.last)

    def _derived(self, path: str | None, connection: str | None, last: int | None) -> Transcript:
        return type(self)(self.recorder, path, connection, last)

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
            records = [r for r in records if r.path == self.path
                       or (not r.path and (r.connection in connections or r.kind == "publish"))]
        return records

    def round_trips(self) -> list[RoundTrip]:
        return round_trips(self.records)

    def to_dicts(self) -> list[dict[str, Any]]:
        """The records as plain dicts, e.g. for `pandas.DataFrame(t.to_dicts())`."""
        return [r._asdict() for r in self.records]

    def clear(self) -> None:
        """Forget everything recorded so far (on every view of this recorder)."""
        self.recorder.clear()

    def __len__(self) -> int:
        return len(self.round_trips())

    def lines(self) -> list[str]:
        """One line per event, each message followed by what it caused."""
        lines = []
        previous = PreviousFrames()
        records = self.records
        resumed = resumes(self.recorder.records()) if any(r.kind == "close" for r in records) else {}
        for record in causal_order(records):
            if record.kind == "open":
                again = f" resumes {resumed[record.connection]}" if record.connection in resumed else ""
                lines.append(f"{record.connection} open {record.path} ({record.text}){again}")
            elif record.kind in ("close", "refused"):
                reason = f" {record.text}" if record.text else ""
                note = close_note(record, record.connection in resumed.values())
                lines.append(f"{record.connection} {record.kind} {record.code} by {record.by}{reason}"
                             + (f": {note}" if note else ""))
            elif record.kind == "in":
                source = sent_from(record)
                via = f" via {source}" if source else ""
                lines.append(f"{record.connection} → {show_payload(record, VIEW_TEXT)}{via}")
            elif record.kind == "out":
                pushed = "(pushed) " if record.cause == PUSHED else ""
                lines.append(f"{record.connection} ← {pushed}{previous.reply_text(record, VIEW_TEXT)}")
            elif record.kind == "dispatch" and record.cause is not None and record.handler != "-":
                took = f" {ms(record.duration)}" if record.duration is not None else ""
                lines.append(f"   handled by {record.handler} v{record.version}{took}")
            elif record.kind == "error":
                last = record.text.strip().splitlines()[-1] if record.text.strip() else ""
                lines.append(f"   error in {record.handler}: {last}")
            elif record.kind == "publish":
                lines.append(publish_label(record))
        return lines

    def __repr__(self) -> str:
        if not self.records:
            return "Transcript: no frames yet"
        return "\n".join(self.lines())
