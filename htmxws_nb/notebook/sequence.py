"""The sequence picture of a transcript: clients and the server as lifelines, frames as arrows (SVG)."""

from __future__ import annotations

from html import escape

from ..app.websocket.tracing import PUSHED
from ..recording import Record
from ..recording.labels import close_note, ms, resumes, shorten, show_payload, swap_label
from .colors import CLOSE_COLOR, ERROR_COLOR, IN_COLOR, OUT_COLOR, PUBLISH_COLOR

__all__ = ["SequencePicture"]


class SequencePicture:
    """An SVG sequence diagram of websocket records, shown inline so it takes the notebook's colours.

    It fits a notebook output: columns narrow (and labels shorten) as clients
    are added, and the picture scales down to the output's width, so the
    server's lifeline and the latencies stay on screen. Text and lifelines use
    the output's own text colour; arrows use colours that read on light and
    dark themes.
    """

    WIDTH = 860  # what the columns are fitted into: a notebook output's usual width
    ROW = 26
    TOP = 56
    LEFT = 60
    RIGHT = 170  # the server's lifeline and the latencies
    CHAR = 6.2  # px per character at the picture's font size

    def __init__(self, records: list[Record]) -> None:
        self.records = [r for r in records if r.kind in ("open", "in", "out", "close", "refused", "error", "publish")]

    def _repr_html_(self) -> str:
        return f'<div class="htmxws-sequence" style="max-width:100%;overflow-x:auto">{self.svg()}</div>'

    def __repr__(self) -> str:
        clients = sorted({r.connection for r in self.records}, key=_connection_order)
        return f"<sequence picture: {len(clients)} client(s), {len(self.records)} events>"

    def clients(self) -> dict[str, str]:
        """Each client's name and what it is (`iframe /`, `tab /`, `python`, `browser`, `script`)."""
        kinds = {r.connection: r.text for r in self.records if r.kind == "open"}
        names = sorted({r.connection for r in self.records if r.connection != "-"}, key=_connection_order)
        return {name: kinds.get(name, "") for name in names}

    def svg(self) -> str:
        records = self.records
        clients = self.clients()
        column = max(90, min(190, (self.WIDTH - self.LEFT - self.RIGHT) // max(1, len(clients))))
        x = {c: self.LEFT + i * column for i, c in enumerate(clients)}
        server_x = self.LEFT + len(clients) * column + 40
        height = self.TOP + self.ROW * (len(records) + 1)
        width = server_x + self.RIGHT - 40 + (140 if any(r.kind == "publish" for r in records) else 0)
        marker = f"htmxws-arrow-{records[0].seq}-{records[-1].seq}" if records else "htmxws-arrow"
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="100%" viewBox="0 0 {width} {height}" '
            f'style="max-width:{width}px;height:auto;color:inherit" font-family="sans-serif" font-size="11">',
            "<defs>", *(f'<marker id="{marker}-{kind}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
                        f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{color}"/>'
                        f"</marker>" for kind, color in (("in", IN_COLOR), ("out", OUT_COLOR))), "</defs>",
        ]
        chars = int(column / self.CHAR)
        for name, cx in [*x.items(), ("server", server_x)]:
            kind = clients.get(name, "")
            parts.append(f'<text x="{cx}" y="16" text-anchor="middle" font-weight="bold" fill="currentColor">'
                         f"{escape(name)}</text>")
            if kind:
                parts.append(f'<text x="{cx}" y="30" text-anchor="middle" fill="currentColor" opacity="0.7">'
                             f"{escape(shorten(kind, chars))}</text>")
            parts.append(f'<line x1="{cx}" y1="38" x2="{cx}" y2="{height - 6}" stroke="currentColor" '
                         f'stroke-opacity="0.35" stroke-dasharray="4 3"/>')
        resumed = resumes(records)
        sent_at: dict[int, float] = {}
        for row, record in enumerate(records):
            y = self.TOP + row * self.ROW
            cx = x.get(record.connection, 20)
            room = int((server_x - cx - 12) / self.CHAR)
            if record.kind == "in":
                sent_at[record.seq] = record.time
                parts.append(_arrow(cx, server_x, y, show_payload(record, room), IN_COLOR, f"{marker}-in"))
            elif record.kind == "out":
                pushed = record.cause == PUSHED
                label = ("pushed " if pushed else "") + swap_label(record.text, room - (7 if pushed else 0))
                parts.append(_arrow(server_x, cx, y, label, OUT_COLOR, f"{marker}-out"))
                if record.cause in sent_at:
                    took = ms(record.time - sent_at[record.cause])
                    parts.append(f'<text x="{server_x + 8}" y="{y + 4}" fill="currentColor" opacity="0.6">'
                                 f"{took}</text>")
            elif record.kind == "error":
                parts.append(f'<text x="{server_x + 8}" y="{y + 4}" fill="{ERROR_COLOR}">error in handler</text>')
            elif record.kind == "publish":
                label = f"publish {record.text!r} ({record.by}) → {record.queued} here"
                parts.append(f'<rect x="{server_x - 5}" y="{y - 5}" width="10" height="10" fill="{PUBLISH_COLOR}"/>'
                             f'<text x="{server_x + 8}" y="{y + 4}" fill="{PUBLISH_COLOR}">{escape(label)}</text>')
            else:
                label = _event_label(record, resumed)
                color = "currentColor" if record.kind == "open" else CLOSE_COLOR
                parts.append(f'<circle cx="{cx}" cy="{y}" r="4" fill="{color}"/>'
                             f'<text x="{cx + 8}" y="{y + 4}" fill="{color}">{escape(label)}</text>')
        parts.append("</svg>")
        return "".join(parts)


# Behind arrow labels, so lifelines do not run through them: the output's background colour.
_HALO = "var(--jp-layout-color0, var(--vscode-editor-background, Canvas))"


def _event_label(record: Record, resumed: dict[str, str]) -> str:
    """`open`, `close 1000`, and what htmx 4's pause looks like: `resumes c1`, `close 1005: paused (tab hidden)`."""
    if record.kind == "open":
        return f"open, resumes {resumed[record.connection]}" if record.connection in resumed else "open"
    note = close_note(record, record.connection in resumed.values()) if record.kind == "close" else ""
    note = note.split(":", 1)[0] if note.startswith("no close code") else note  # the lifeline is narrow
    return f"{record.kind} {record.code}" + (f": {note}" if note else "")


def _connection_order(name: str) -> tuple[int, str]:
    digits = "".join(ch for ch in name if ch.isdigit())
    return (int(digits) if digits else 0, name)


def _arrow(x1: float, x2: float, y: float, label: str, color: str, marker: str) -> str:
    mid = (x1 + x2) / 2
    return (f'<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke="{color}" stroke-width="1.4" '
            f'marker-end="url(#{marker})"/>'
            f'<text x="{mid}" y="{y - 4}" text-anchor="middle" fill="{color}" stroke-width="3" '
            f'style="stroke:{_HALO}" paint-order="stroke">{escape(label)}</text>')
