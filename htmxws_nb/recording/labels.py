"""How a recorded frame reads to a person: shortened text, the values sent, where a reply swaps."""

from __future__ import annotations

import json
from html.parser import HTMLParser

from .records import Record

__all__ = ["PICTURE_TEXT", "VIEW_TEXT", "ms", "publish_label", "shorten", "show_payload", "swap_label"]

VIEW_TEXT = 80  # characters of a frame shown in the table and text views
PICTURE_TEXT = 34  # characters of a frame shown on an arrow of the sequence picture


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


def publish_label(record: Record) -> str:
    """A publish record as a line: indented under the message whose handler published it, else on its own."""
    receivers = f"{record.queued} receiver{'' if record.queued == 1 else 's'} here"
    if record.cause is not None:
        return f"   published to {record.text!r}: {record.size} characters, {receivers}"
    return f"pub/sub: {record.text!r} published {record.by}: {record.size} characters, {receivers}"


def ms(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds * 1000:.1f} ms"


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
