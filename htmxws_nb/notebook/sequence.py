"""The sequence picture of a transcript: clients and the server as lifelines, frames as arrows (SVG)."""

from __future__ import annotations

from html import escape

from ..recording import Record
from ..recording.labels import PICTURE_TEXT, close_note, ms, resumes, show_payload, swap_label

__all__ = ["SequencePicture"]


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
        resumed = resumes(records)
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
                label = _event_label(record, resumed)
                color = "#555" if record.kind == "open" else "#a05a00"
                parts.append(f'<circle cx="{cx}" cy="{y}" r="4" fill="{color}"/>'
                             f'<text x="{cx + 8}" y="{y + 4}" fill="{color}">{escape(label)}</text>')
        parts.append("</svg>")
        return "".join(parts)


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


def _arrow(x1: float, x2: float, y: float, label: str, color: str) -> str:
    mid = (x1 + x2) / 2
    return (f'<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke="{color}" stroke-width="1.4" '
            f'marker-end="url(#arrow)"/>'
            f'<text x="{mid}" y="{y - 4}" text-anchor="middle" fill="{color}" stroke="white" stroke-width="3" '
            f'paint-order="stroke">{escape(label)}</text>')
