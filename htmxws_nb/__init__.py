"""htmxws_nb: FastHTML-style websocket apps, served from a notebook.

`from htmxws_nb import *` gives what `from fasthtml.common import *` gives a
page (the app, `fast_app`, the components, the Starlette names, `serve`; also
the Pico helpers FastHTML 0.14 moved out of `fasthtml.common`), plus the
notebook helpers. `htmxws_nb.common`, `.components`, `.svg`, `.xtend`, `.js`,
`.pico` and `.fastapp` stand for the `fasthtml` modules of the same names.

Layers, each importing only those before it: `html` (components) → `app`
(FastHTML, handlers, the websocket endpoint) → `recording` (the frame
recorder) → `server` (uvicorn, the app slot) → `notebook` (serve, the iframe,
transcript views, the client).
"""

import math
import os
import re
import sys
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from . import html
from .app import Beforeware, EventStream, FastHTML, HandlerError, HtmxHeaders, PubSubError, Redirect, cookie, fast_app
from .app import starlette_names as _starlette
from .app.starlette_names import *  # noqa: F403
from .html import *  # noqa: F403
from .html import js as _js
from .html import pico as _pico
from .html.js import *  # noqa: F403
from .html.pico import *  # noqa: F403
from .notebook import (
    AsyncClient,
    Client,
    Transcript,
    aconnect,
    connect,
    fetch,
    running_servers,
    serve,
    show,
    transcript,
)
from .server import Server, ServerStartError

Search = html.tags.Search  # the <search> tag, as in fasthtml.common (pico's Search form: htmxws_nb.pico)

__version__ = "0.1.0"

__all__ = [
    *html.__all__, *(n for n in _pico.__all__ if n != "Search"), *_js.__all__, *_starlette.__all__,
    "FastHTML", "fast_app", "Beforeware", "EventStream", "Redirect", "cookie", "serve", "show", "running_servers",
    "Server", "ServerStartError", "HandlerError", "PubSubError", "connect", "aconnect", "fetch", "Client",
    "AsyncClient", "transcript", "Transcript", "HtmxHeaders",
    # what programs use from `fasthtml.common` without importing it (it star-imports fastcore.utils)
    "Any", "Path", "dataclass", "partial", "math", "os", "re", "sys",
]
