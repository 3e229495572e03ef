"""How a recorded frame reads to a person: shortened text, the values sent, where a reply swaps, why a socket closed.

htmx 4 closes its socket while the page's tab is hidden (without a close
code: the server sees 1005) and opens a new one when the tab is shown again.
On the server that is a close and a new connection, `disconn` then `conn`;
the views call it what it is: "paused (tab hidden)" and "resumes c1". A new
socket resumes a paused one when it comes from the same client (see
`Record.client`) on the same path; a 1005 close with no such successor may
also be a connect element htmx removed from the page.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from html.parser import HTMLParser

from .records import Record

__all__ = ["VIEW_TEXT", "PreviousFrames", "close_note", "ms", "publish_label", "reply_text", "resumes", "sent_from",
           "shorten", "show_payload", "swap_label"]

NO_STATUS = 1005  # a close frame without a code: htmx 4's pause, or its removed connect element
GOING_AWAY = 1001  # what a browser closes with when its page goes (htmx 4 says 1000 "page navigating away")

VIEW_TEXT = 80  # characters of a frame shown in the table and text views


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
    if isinstance(payload, dict):  # the values, as `frames.decode` reads them
        key = "HEADERS" if "HEADERS" in payload else "headers" if isinstance(payload.get("headers"), dict) else None
        payload = {k: v for k, v in payload.items() if k != key}
    return shorten(json.dumps(payload, ensure_ascii=False), limit)


def publish_label(record: Record) -> str:
    """A publish record as a line: indented under the message whose handler published it, else on its own."""
    receivers = f"{record.queued} receiver{'' if record.queued == 1 else 's'} here"
    if record.cause is not None:
        return f"   published to {record.text!r}: {record.size} characters, {receivers}"
    return f"pub/sub: {record.text!r} published {record.by}: {record.size} characters, {receivers}"


def sent_from(record: Record) -> str | None:
    """The element that sent an incoming frame, as htmx 4 names it (`HX-Source: "form#form"`)."""
    if record.binary or '"headers"' not in record.text:
        return None
    try:
        payload = json.loads(record.text)
    except ValueError:
        return None
    headers = payload.get("headers") if isinstance(payload, dict) else None
    source = headers.get("HX-Source") if isinstance(headers, dict) and "HEADERS" not in payload else None
    return source if isinstance(source, str) and source else None


def resumes(records: Iterable[Record]) -> dict[str, str]:
    """Connections that resume a paused one: {new connection: the one closed with 1005 before it}.

    Of several paused sockets of the same client and path, the latest is resumed first.
    """
    opened: dict[str, Record] = {}
    paused: dict[tuple[str, str | None], list[str]] = {}
    links: dict[str, str] = {}
    for record in records:
        if record.kind == "open":
            opened[record.connection] = record
            waiting = paused.get((record.path, record.client))
            if waiting and record.client is not None:
                links[record.connection] = waiting.pop()
        elif record.kind == "close" and record.code == NO_STATUS and record.by == "client":
            start = opened.get(record.connection)
            if start is not None:
                paused.setdefault((start.path, start.client), []).append(record.connection)
    return links


def close_note(record: Record, resumed: bool) -> str:
    """What a close means, when its code says more than a number; `resumed`: a later socket resumes it."""
    if record.by != "client":
        return ""
    if record.code == NO_STATUS:
        return "paused (tab hidden)" if resumed else "no close code: tab hidden (htmx 4 pauses) or element removed"
    if record.code == GOING_AWAY:
        return "page left"
    return ""


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


@lru_cache(maxsize=1024)  # views are redrawn often, and broadcasts repeat the same frame
def _read(html: str) -> tuple[str | None, tuple[str, ...]]:
    """The id an HTML frame swaps into (None: not HTML, "": no id) and the texts it shows."""
    reader = _SwapReader()
    reader.feed(html)
    reader.close()
    return reader.target, tuple(reader.texts)


def _label(target: str, texts: tuple[str, ...], limit: int, lead: str = "") -> str:
    """`#target: text · text`, keeping the end when too long (new content is usually last)."""
    text = " · ".join(texts)
    head = (f"#{target}: " if target else "") + lead
    if len(head) + len(text) <= limit:
        return head + text
    head += "…"
    return head + text[-max(1, limit - len(head)):]


def swap_label(html: str, limit: int) -> str:
    """`#target: text · text`, keeping the end when too long (new content is usually last)."""
    target, texts = _read(html)
    if target is None:
        return shorten(html, limit)
    return _label(target, texts, limit)


def reply_text(html: str, previous: str | None, limit: int) -> str:
    """A frame sent to a client as a transcript shows it: whole when it fits, else the part that matters.

    The part that matters, for a frame that repeats the previous frame to the same element and
    adds to it (the chat's growing list), is what it adds; otherwise the end of its text.
    """
    flat = " ".join(html.split())
    if len(flat) <= limit:
        return flat
    target, texts = _read(html)
    if target is None:
        return shorten(flat, limit)
    if previous is not None:
        before_target, before = _read(previous)
        if before_target == target and 0 < len(before) < len(texts) and texts[:len(before)] == before:
            return _label(target, texts[len(before):], limit, lead="+ ")
    return _label(target, texts, limit)


class PreviousFrames:
    """Remembers the last frame each connection got for each element, to show what a frame adds to it."""

    def __init__(self) -> None:
        self._last: dict[tuple[str, str | None], str] = {}

    def reply_text(self, record: Record, limit: int) -> str:
        if record.binary:
            return record.text
        key = (record.connection, _read(record.text)[0])
        previous, self._last[key] = self._last.get(key), record.text
        return reply_text(record.text, previous, limit)
