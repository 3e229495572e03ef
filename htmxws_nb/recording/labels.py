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
from html.parser import HTMLParser

from .records import Record

__all__ = ["PICTURE_TEXT", "VIEW_TEXT", "close_note", "ms", "resumes", "sent_from", "shorten", "show_payload",
           "swap_label"]

NO_STATUS = 1005  # a close frame without a code: htmx 4's pause, or its removed connect element
GOING_AWAY = 1001  # what a browser closes with when its page goes (htmx 4 says 1000 "page navigating away")

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
    if isinstance(payload, dict):  # the values, as `frames.decode` reads them
        key = "HEADERS" if "HEADERS" in payload else "headers" if isinstance(payload.get("headers"), dict) else None
        payload = {k: v for k, v in payload.items() if k != key}
    return shorten(json.dumps(payload, ensure_ascii=False), limit)


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
