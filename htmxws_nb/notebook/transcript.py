"""The transcript in a notebook: an HTML table of round trips, the sequence picture, a live view."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from ..recording import Record, Recorder, causal_order
from ..recording import Transcript as RecordedTranscript
from ..recording.labels import VIEW_TEXT, PreviousFrames, ms, publish_label, sent_from, show_payload
from .colors import ERROR_COLOR, PUBLISH_COLOR
from .outputs import LiveOutput, Shown
from .sequence import SequencePicture

__all__ = ["LiveTranscript", "Transcript"]

# Notebook frontends right-align table cells; a transcript reads left to right.
CELL_STYLE = ' style="text-align:left;vertical-align:top"'


class Transcript(RecordedTranscript):
    """What went in and out of a served app's websockets: `transcript(app)`.

    Shows as a table of round trips; `repr()` is one line per event;
    `.sequence()` draws it; `.live()` keeps it up to date in the output.
    """

    def __init__(self, recorder: Recorder, path: str | None = None, connection: str | None = None,
                 last: int | None = None, server: Shown | None = None) -> None:
        super().__init__(recorder, path, connection, last)
        self.server = server  # the server recording, for live views

    def _derived(self, path: str | None, connection: str | None, last: int | None) -> Transcript:
        return Transcript(self.recorder, path, connection, last, self.server)

    def _repr_html_(self) -> str:
        trips = self.round_trips()
        if not trips:
            return "<p><i>Transcript: no messages yet.</i></p>"
        previous = PreviousFrames()
        rows = []
        for i, trip in enumerate(trips, 1):
            replies = "<br>".join(
                f"<code>{escape(r.connection)} ← {escape(previous.reply_text(r, VIEW_TEXT))}</code>"
                for r in trip.replies
            ) or "<i>no reply</i>"
            published = "".join(f'<div style="color:{PUBLISH_COLOR}">{escape(publish_label(p).strip())}</div>'
                                for p in trip.publishes)
            if trip.errors:  # an error frame is already among the replies; an exception is not
                replies += f'<div style="color:{ERROR_COLOR}">{escape(trip.problem)}</div>'
            message = trip.message
            sender = escape(message.connection)
            if message.kind == "publish":
                sender = "pub/sub"
                label = publish_label(message).removeprefix("pub/sub: ")
                sent = f'<span style="color:{PUBLISH_COLOR}">{escape(label)}</span>'
            elif trip.pushed:
                sender, sent = "", "<i>pushed from outside any handler</i>"
            else:
                source = sent_from(message)
                via = f"<br><small>via <code>{escape(source)}</code></small>" if source else ""
                sent = f"<code>{escape(show_payload(message, VIEW_TEXT))}</code>{via}"
            cells = (str(i), sender, escape(message.path), sent, escape(trip.handler),
                     published + replies, ms(trip.latency))
            rows.append("<tr>" + "".join(f"<td{CELL_STYLE}>{cell}</td>" for cell in cells) + "</tr>")
        head = "".join(f"<th{CELL_STYLE}>{h}</th>" for h in ("#", "from", "path", "sent", "handler", "replies",
                                                            "latency"))
        return (f'<table class="htmxws-transcript"><thead><tr>{head}</tr></thead>'
                f'<tbody>{"".join(rows)}</tbody></table>')

    def sequence(self) -> SequencePicture:
        """The records as a sequence picture: clients and the server as lifelines, frames as arrows."""
        return SequencePicture(causal_order(self.records))

    def live(self, interval: float = 0.25, last: int = 20) -> LiveTranscript:
        """Display this transcript in an output that updates in place as frames arrive.

        At most one update per `interval` seconds; `stop()` on the result (or
        the server stopping) ends them. Needs the transcript of a running server.
        """
        if self.server is None:
            raise ValueError("a live transcript needs a server: use transcript(app).live()")
        view = LiveTranscript(self.filter(last=last), self.server, interval)
        view.display()
        return view


class LiveTranscript(LiveOutput):
    """A transcript that updates in place as frames arrive; stops with `stop()` or the server."""

    def __init__(self, transcript: Transcript, server: Shown, interval: float) -> None:
        self.transcript = transcript
        super().__init__(server, interval)

    def text(self) -> str:
        return repr(self.transcript)

    def html(self) -> str:
        stopped = "" if self.running else "<p><i>(stopped updating)</i></p>"
        return self.transcript._repr_html_() + stopped

    def subscribe(self, changed: Callable[[], None]) -> Callable[[], None]:
        def on_record(record: Record | None) -> None:
            if record is None:  # the server stopped
                self.stop()
            else:
                changed()

        return self.transcript.recorder.subscribe(on_record)

    def stop(self) -> None:
        if self.running:
            super().stop()
            self._handle.update(self._bundle(), raw=True)

    def __repr__(self) -> str:
        return f"<LiveTranscript {'running' if self.running else 'stopped'}, {self.updates} updates>"
