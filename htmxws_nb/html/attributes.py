"""How Python keyword arguments become HTML attributes, the way FastHTML maps them.

`cls` → `class`, `_for`/`fr` → `for`, `_` → `-`, `_at_x` → `@x`, `_` alone
stays `_` (hyperscript); `True` is a bare attribute, `False`/`None` leave it
out, a list or tuple is a space-separated list (`cls=['a', 'b']`, an empty one
leaves the attribute out). A dict is JSON for htmx's attributes (`hx_vals`,
`hx_headers`: htmx reads JSON there) and `k:v; k:v` for any other (`style`), as
FastHTML renders it.

A `Dialect` rewrites some names when rendering, not when building: the same
component renders `ws-connect` for an htmx 2 page and `hx-ws-connect` for an
htmx 4 one, and which one is only known when an app renders it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["URL_ATTRIBUTES", "Dialect", "attribute_name", "attribute_value", "name_cache"]

# Attributes that hold a URL. Under a path prefix (a proxy), root-relative
# values of these are rendered with the prefix in front.
URL_ATTRIBUTES = frozenset({
    "href", "src", "action", "formaction", "poster", "ws-connect", "sse-connect", "hx-ws-connect", "hx-ws:connect",
    "hx-get", "hx-post", "hx-put", "hx-patch", "hx-delete", "data-live",
})
_ALIASES = {"cls": "class", "klass": "class", "_class": "class", "fr": "for", "_for": "for"}
name_cache: dict[str, str] = {}  # keyword → attribute name; pages use a few dozen keywords, over and over


def _map_name(key: str) -> str:
    if key in _ALIASES:
        return _ALIASES[key]
    if key == "_":
        return key
    if key.startswith("_at_"):
        return "@" + key[4:].replace("_", "-")
    return key.lstrip("_").replace("_", "-")


def attribute_name(key: str) -> str:
    """Map a Python keyword to an HTML attribute name."""
    name = name_cache.get(key)
    if name is None:
        name = name_cache[key] = _map_name(key)
    return name


def attribute_value(value: Any, name: str = "") -> str | bool | None:
    """Map a Python value to the value of attribute `name`: `True` is bare, `False`/`None` omitted."""
    if type(value) is str:
        return value
    if value is None or value is False:
        return None
    if value is True:
        return True
    if isinstance(value, Mapping):
        if name.startswith(("hx-", "data-hx-")):
            return json.dumps(value)
        return "; ".join(f"{k}:{v}" for k, v in value.items()) or None
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value if v) if value else None
    return str(value)


@dataclass(frozen=True)
class Dialect:
    """Attribute names rewritten at render time, and attributes added beside some names.

    `renames` maps a name to the one written instead (`ws-connect` →
    `hx-ws-connect`); `companions` maps a name (as written) to attributes the
    element also gets, unless it has them already. Elements with none of
    these names render as they are, so a dialect costs one set check per
    element with attributes.
    """

    renames: Mapping[str, str] = field(default_factory=dict)
    companions: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    watched: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "watched", frozenset(self.renames) | frozenset(self.companions))

    def apply(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """`attrs` as this dialect writes them (the same dict when nothing changes)."""
        if self.watched.isdisjoint(attrs):
            return attrs
        renames = self.renames
        out = {renames.get(name, name): value for name, value in attrs.items()}
        for name, extra in self.companions.items():
            if name in out:
                for key, value in extra.items():
                    out.setdefault(key, value)
        return out
