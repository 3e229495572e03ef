"""What goes over a websocket: incoming htmx JSON read into values and headers, outgoing content rendered.

An incoming text frame is the JSON the htmx ws extension sends: the form's
values plus the request headers under `HEADERS` (htmx 2) or `headers`
(htmx 4). Outgoing content is rendered to one HTML text frame, as FastHTML
does; strings go as they are. For htmx 4 clients the frame's top-level
elements with an id are marked `hx-swap-oob="true"` (see `html/oob.py`),
so that they swap by id as htmx 2 swaps them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from json.decoder import JSONDecoder
from typing import Any

from ...html import to_html
from ...html.oob import mark_oob, to_oob_html
from ..htmx_client import HTMX2, HtmxClient
from ..params import trigger_from_source

__all__ = ["NO_HEADERS", "FrameError", "Headers", "decode", "render_frame"]


class FrameError(ValueError):
    """A frame that cannot be read; its text is safe to show the client."""


class Headers(Mapping[str, Any]):
    """The htmx headers with lower-cased names, built only if a parameter asks.

    A header whose value is JSON `null` (htmx sends `"HX-Trigger-Name": null`
    for a form without a name) counts as absent, so the parameter's default
    applies, as in FastHTML. htmx 4's `HX-Source` also answers for the
    `HX-Trigger` it no longer sends (see `params.trigger_from_source`).
    """

    __slots__ = ("_lower", "_raw")

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self._raw = raw
        self._lower: dict[str, Any] | None = None

    def _map(self) -> dict[str, Any]:
        if self._lower is None:
            lower = {str(k).lower(): v for k, v in self._raw.items() if v is not None}
            trigger = trigger_from_source(lower)
            if trigger is not None:
                lower["hx-trigger"] = trigger
            self._lower = lower
        return self._lower

    def __getitem__(self, key: str) -> Any:
        return self._map()[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self._map().get(key, default) if self._raw else default

    def __iter__(self) -> Iterator[str]:
        return iter(self._map())

    def __len__(self) -> int:
        return len(self._map())


NO_HEADERS = Headers({})
_scan = JSONDecoder().scan_once  # json.loads without its wrapping: one C call for the usual frame


def _parse(text: str) -> Any:
    """`json.loads(text)`, taking the short way for text that is exactly one JSON value (what htmx sends)."""
    try:
        value, end = _scan(text, 0)
    except StopIteration:
        return json.loads(text)  # leading whitespace, or not JSON: let json say so
    return value if end == len(text) else json.loads(text)


def decode(text: str | None) -> tuple[dict[str, Any], Headers]:
    """The values and the headers of one incoming frame; `FrameError` says what is wrong with it."""
    if text is None:
        raise FrameError("binary frames are not supported; send JSON text")
    try:
        payload = _parse(text)
    except ValueError:
        raise FrameError("message is not JSON") from None
    if not isinstance(payload, dict):
        raise FrameError("message must be a JSON object")
    headers = payload.pop("HEADERS", None)
    if headers is None and isinstance(payload.get("headers"), dict):
        headers = payload.pop("headers")
    return payload, Headers(headers) if isinstance(headers, dict) else NO_HEADERS


def render_frame(content: tuple[Any, ...], prefix: str = "", client: HtmxClient = HTMX2) -> str | None:
    """What `send(*content)` puts on the wire: HTML text (a string as it is, but for the htmx 4 marks), or None
    to send nothing (FastHTML sends nothing for `None` or an empty string, tuple or list)."""
    if len(content) == 1:
        only = content[0]
        kind = type(only)
        if kind is str:
            if not only:
                return None
            return mark_oob(only) if client.oob_frames else only
        if only is None or (kind in (tuple, list) and not only):
            return None
    elif not content:
        return None
    if client.oob_frames:
        return to_oob_html(content, prefix, client.dialect)
    return to_html(content[0] if len(content) == 1 else content, prefix, client.dialect)
