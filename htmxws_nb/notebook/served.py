"""A server started from a notebook: the page in an iframe, live outputs, reloading pages."""

from __future__ import annotations

import socket
from html import escape
from typing import Any

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from ..app.paths import FEED_PATH, ID_PATH
from ..server import Server
from .cells import after_this_cell
from .display import in_colab, page_html, url_mode
from .feed import Feeds
from .live_reload import LiveReload
from .outputs import ErrorPanel
from .snapshot import inert_body
from .transcript import Transcript

__all__ = ["NotebookServer", "kernel_channel"]


class NotebookServer(Server):
    """A `Server` that records its frames and shows itself in a notebook: evaluate it to see the page."""

    def __init__(self, app: ASGIApp, sock: socket.socket, **options: Any) -> None:
        super().__init__(app, sock, **{"record": True, **options})
        self.note = ""  # what the notebook should be told, e.g. that another port was chosen
        self.display_mode: str | None = None  # how outputs find the server (None: HTMXWS_NB_URL or auto)
        self.feeds = Feeds()
        self.slot.reserved[FEED_PATH] = self.feeds
        self.slot.reserved[ID_PATH] = self._identify
        self.live = LiveReload(self)
        # The notebook variable that holds the app (namespace, name): a new app in it gets this server.
        self.followed: tuple[dict[str, Any], str] | None = None
        self.channels: list[Any] = []  # the kernel channels shown with its pages: told when it stops
        self._shown_in_this_cell = False

    @property
    def transcript(self) -> Transcript:
        """What went over this server's websockets: a table, `.sequence()`, `.live()`."""
        return Transcript(self.recorder, server=self)

    def stop(self, timeout: float = 2.0) -> None:
        self.live.close()
        super().stop(timeout)
        for channel in self.channels:
            channel.running = False
        self.channels.clear()

    def show(self, path: str = "/", height: int | None = None) -> None:
        """Display `path` of this server in an iframe, with the server's error panel under it.

        With it goes a kernel channel (dormant unless no address of the server answers the browser),
        or, in Colab, only the kernel channel, which shows the page itself.
        """
        from IPython.display import display

        mode = url_mode(self.display_mode)
        snapshot = self.snapshot(path)
        channel = kernel_channel(self, path, height, mode, snapshot)
        html, text = "", f"{self!r} showing {path}"
        if channel is None or not channel.standalone:
            html = page_html(self.port, path, direct=self.url, server_id=self.id, snapshot=snapshot, mode=mode,
                             height=height, channel=channel.key if channel is not None else "")
        if self.note:
            html = f"<p><b>{escape(self.note)}</b></p>{html}"
            text = f"{self.note}\n{text}"
        if html:
            display({"text/plain": text, "text/html": html}, raw=True)
        if channel is not None:
            self.channels.append(channel)
            display(channel)
        ErrorPanel(self).display()

    def snapshot(self, path: str = "/") -> str:
        """The page at `path` as served now, made inert (for saved notebooks and a server that is gone)."""
        try:
            response = self.request("GET", path)
        except Exception as exc:  # a snapshot is a courtesy: never fail the serve cell for it
            return f"<p><i>(no copy of the page: {escape(type(exc).__name__)})</i></p>"
        if response.status != 200 or not (response.header("content-type") or "").startswith("text/html"):
            return f"<p><i>(no copy of the page: {path} answered {response.status})</i></p>"
        return inert_body(response.text)

    async def _identify(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer outputs that ask whether this is their server (from any origin: the id is no secret)."""
        headers = {"Access-Control-Allow-Origin": "*", "Cache-Control": "no-store"}
        await PlainTextResponse(self.id, headers=headers)(scope, receive, send)

    def announce(self) -> None:
        """Show the page as `serve()` does: once in the running cell, however often it is served or evaluated."""
        if self._shown_in_this_cell:
            return
        self.show()
        self._shown_in_this_cell = True
        after_this_cell(self._cell_finished)

    def _cell_finished(self) -> None:
        self._shown_in_this_cell = False

    def _ipython_display_(self) -> None:
        if not self._shown_in_this_cell:
            self.show()


def kernel_channel(server: Server, path: str, height: int | None, mode: str, snapshot: str) -> Any:
    """The `KernelChannel` to display with a page output, or None (a mode without it, a stopped server, no
    anywidget)."""
    if mode not in ("auto", "kernel") or not server.running:
        return None
    try:
        from .kernel_channel import KernelChannel
    except ImportError as exc:
        if mode == "kernel":
            raise ImportError("the kernel channel needs anywidget: pip install 'htmxws_nb[notebook]'") from exc
        return None
    return KernelChannel(server, path, height=height, standalone=mode == "kernel" and in_colab(),
                         snapshot=snapshot)
