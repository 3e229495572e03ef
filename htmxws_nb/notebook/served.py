"""A server started from a notebook: the page in an iframe, live outputs, reloading pages."""

from __future__ import annotations

import socket
from html import escape
from typing import Any

from starlette.types import ASGIApp

from ..app.paths import FEED_PATH
from ..server import Server
from .display import iframe_html, url_mode
from .feed import Feeds
from .live_reload import LiveReload
from .outputs import ErrorPanel
from .transcript import Transcript

__all__ = ["NotebookServer"]


class NotebookServer(Server):
    """A `Server` that records its frames and shows itself in a notebook: evaluate it to see the page."""

    def __init__(self, app: ASGIApp, sock: socket.socket, **options: Any) -> None:
        super().__init__(app, sock, **{"record": True, **options})
        self.note = ""  # what the notebook should be told, e.g. that another port was chosen
        self.display_mode: str | None = None  # how outputs find the server (None: HTMXWS_NB_URL or auto)
        self.feeds = Feeds()
        self.slot.reserved[FEED_PATH] = self.feeds
        self.live = LiveReload(self)

    @property
    def transcript(self) -> Transcript:
        """What went over this server's websockets: a table, `.sequence()`, `.live()`."""
        return Transcript(self.recorder, server=self)

    def stop(self, timeout: float = 2.0) -> None:
        self.live.close()
        super().stop(timeout)

    def show(self, path: str = "/", height: int | None = None) -> None:
        """Display `path` of this server in an iframe, with the server's error panel under it."""
        from IPython.display import display

        html = iframe_html(self.port, path, direct=self.url, mode=url_mode(self.display_mode), height=height)
        text = f"{self!r} showing {path}"
        if self.note:
            html = f"<p><b>{escape(self.note)}</b></p>{html}"
            text = f"{self.note}\n{text}"
        display({"text/plain": text, "text/html": html}, raw=True)
        ErrorPanel(self).display()

    def _ipython_display_(self) -> None:
        self.show()
