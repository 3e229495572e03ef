"""Response headers a handler can return among its components (`cookie(...)`, `HtmxResponseHeaders(...)`).

They are plain values here; the app layer turns them into headers of the response.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["HtmxResponseHeaders", "HttpHeader"]

_HTMX_RESPONSE = {"location", "push_url", "redirect", "refresh", "replace_url", "reswap", "retarget", "reselect",
                  "trigger", "trigger_after_settle", "trigger_after_swap"}


@dataclass(frozen=True)
class HttpHeader:
    """One header of the response: `HttpHeader('X-Thing', 'value')` returned with the page."""

    k: str
    v: str


def HtmxResponseHeaders(**kwargs: Any) -> HttpHeader | tuple[HttpHeader, ...]:
    """htmx's response headers by keyword: `HtmxResponseHeaders(retarget='#x', reswap='outerHTML')` (one: a header)."""
    unknown = set(kwargs) - _HTMX_RESPONSE
    if unknown:
        raise ValueError(f"unknown htmx response header(s) {sorted(unknown)}; known: {sorted(_HTMX_RESPONSE)}")
    headers = tuple(HttpHeader("HX-" + k.replace("_", "-").title(), str(v)) for k, v in kwargs.items())
    return headers[0] if len(headers) == 1 else headers
