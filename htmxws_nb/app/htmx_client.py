"""The htmx an app's pages load, and what follows from it: head scripts, attribute names, frames.

- htmx 2 (the default): htmx 2.0.11 and htmx-ext-ws 2.0.4; components render
  `ws-connect` / `ws-send`; frames go out as rendered.
- htmx 4 (`FastHTML(htmx4=True)`): htmx 4.0.1 and its own hx-ws extension,
  configured with `metaCharacter: "-"` (as FastHTML does), so every htmx 4
  attribute has a Python spelling (`hx_ws_connect`). Components render
  `hx-ws-connect` / `hx-ws-send` (the legacy names would work, with a console
  warning per element). Frames swap by id as under htmx 2: their top-level
  elements with an id are marked `hx-swap-oob="true"`, and connect elements
  get `hx-swap="none"` (unless they set their own), so what is left of a
  frame (text, elements without an id: our `error: ...` frames) is not put
  into the connect element, exactly what htmx 2 ignores.

Both are vendored under `assets/` (licences beside them), never from a CDN.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..html import FT, Meta, Script
from ..html.attributes import Dialect
from .paths import ASSETS_PATH

__all__ = ["HTMX2", "HTMX4", "HTMX4_VERSION", "HTMX_VERSION", "HtmxClient", "htmx_client"]

HTMX_VERSION = "2.0.11"  # assets/htmx.min.js; with it assets/ws.js, htmx-ext-ws 2.0.4
HTMX4_VERSION = "4.0.1"  # assets/htmx4/: htmx.org's htmx.min.js and dist/ext/hx-ws.min.js


@dataclass(frozen=True)
class HtmxClient:
    """One htmx version as pages load it: scripts in order, config, how HTML and frames are written."""

    version: str
    scripts: tuple[str, ...]  # under ASSETS_PATH, in load order
    extension_scripts: Mapping[str, tuple[str, ...]]  # htmx extension → its scripts (after htmx's)
    config: Mapping[str, Any] | None = None  # the `htmx-config` meta; htmx reads it once, so it goes first
    dialect: Dialect | None = None
    oob_frames: bool = False  # mark the top-level elements of frames `hx-swap-oob="true"` (see frames.py)
    extensions: tuple[str, ...] = field(init=False)
    _heads: dict[tuple[tuple[str, ...], bool], tuple[FT, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "extensions", tuple(self.extension_scripts))
        object.__setattr__(self, "_heads", {})

    @property
    def major(self) -> int:
        return int(self.version.split(".", 1)[0])

    def head_items(self, exts: Sequence[str], with_htmx: bool = True) -> tuple[FT, ...]:
        """The config meta, htmx (unless `with_htmx` is False), then the scripts of the extensions asked for.

        Made once per set of extensions.
        """
        key = (tuple(exts), with_htmx)
        items = self._heads.get(key)
        if items is None:
            made: list[FT] = []
            if with_htmx:
                if self.config:
                    made.append(Meta(name="htmx-config", content=json.dumps(self.config, separators=(",", ":"))))
                made += [Script(src=f"{ASSETS_PATH}/{name}") for name in self.scripts]
            for ext in key[0]:
                made += [Script(src=f"{ASSETS_PATH}/{name}") for name in self.extension_scripts[ext]]
            items = self._heads[key] = tuple(made)
        return items


HTMX2 = HtmxClient(HTMX_VERSION, ("htmx.min.js",), {"ws": ("ws.js",)})

HTMX4 = HtmxClient(
    HTMX4_VERSION,
    ("htmx4/htmx.min.js",),
    {"ws": ("htmx4/hx-ws.min.js",)},
    config={"metaCharacter": "-"},
    dialect=Dialect(
        renames={"ws-connect": "hx-ws-connect", "ws-send": "hx-ws-send",
                 "hx-ws:connect": "hx-ws-connect", "hx-ws:send": "hx-ws-send"},  # ':' names are off under '-'
        companions={"hx-ws-connect": {"hx-swap": "none"}},
    ),
    oob_frames=True,
)


def htmx_client(htmx4: bool) -> HtmxClient:
    return HTMX4 if htmx4 else HTMX2
