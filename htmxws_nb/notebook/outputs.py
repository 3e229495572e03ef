"""Notebook outputs that stay up to date while their server runs: the base, and the error panel.

In the browser the server pushes new HTML over its feed socket (see
`feed.py`); when no browser watches (nbclient, a frontend without that
socket) the kernel sends `update_display_data`, at most once per interval.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from ..app import ErrorLog, HandlerError
from .display import live_html, url_mode
from .feed import Feeds, LiveView

__all__ = ["ErrorPanel", "LiveOutput", "Shown", "Throttle"]


class Shown(Protocol):
    """What a live output needs from the server it shows."""

    id: str
    port: int
    display_mode: str | None
    feeds: Feeds
    errors: ErrorLog
    app: Any

    @property
    def url(self) -> str: ...


class Throttle:
    """Run `fn` at most once per `interval` seconds, always once more after the last request.

    Called from the server's thread on every frame or error; the notebook
    gets a bounded number of display updates however fast frames arrive.
    """

    def __init__(self, fn: Callable[[], None], interval: float) -> None:
        self._fn = fn
        self._interval = interval
        self._lock = threading.Lock()
        self._last = 0.0
        self._timer: threading.Timer | None = None

    def __call__(self) -> None:
        with self._lock:
            if self._timer is not None:
                return
            wait = self._last + self._interval - time.monotonic()
            if wait > 0:
                self._timer = threading.Timer(wait, self._fire)
                self._timer.daemon = True
                self._timer.start()
                return
            self._last = time.monotonic()
        self._fn()

    def _fire(self) -> None:
        with self._lock:
            self._timer = None
            self._last = time.monotonic()
        self._fn()

    def cancel(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None


class LiveOutput:
    """A notebook output kept up to date while its server runs.

    In the browser the server pushes new HTML over its feed (see feed.py);
    when no browser watches (nbclient, a frontend without that socket) the
    kernel sends `update_display_data`, at most once per `interval`.
    Subclasses say what to show and when it changed.
    """

    def __init__(self, server: Shown, interval: float) -> None:
        from IPython.display import DisplayHandle

        self.server = server
        self.updates = 0  # kernel-side updates sent
        self._handle = DisplayHandle()
        self._throttle = Throttle(self._kernel_update, interval)
        self._view_id = server.feeds.add(LiveView(self.html, self.subscribe, interval))
        self._unsubscribe: Callable[[], None] | None = self.subscribe(self._throttle)

    def text(self) -> str:
        raise NotImplementedError

    def html(self) -> str:
        raise NotImplementedError

    def subscribe(self, changed: Callable[[], None]) -> Callable[[], None]:
        """Call `changed()` whenever what this output shows may have changed; returns unsubscribe."""
        raise NotImplementedError

    @property
    def running(self) -> bool:
        return self._unsubscribe is not None

    def display(self) -> None:
        self._handle.display(self._bundle(), raw=True)

    def stop(self) -> None:
        """Stop updating; the output keeps its last state."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
            self._throttle.cancel()
            self.server.feeds.remove(self._view_id)

    def _bundle(self) -> dict[str, str]:
        server = self.server
        page = live_html(server.port, server.feeds.path(self._view_id), self.html(), direct=server.url,
                         server_id=server.id, mode=url_mode(server.display_mode))
        return {"text/plain": self.text(), "text/html": page}

    def _kernel_update(self) -> None:
        if not self.server.feeds.watched(self._view_id):
            self.updates += 1
            self._handle.update(self._bundle(), raw=True)

    def _ipython_display_(self) -> None:
        """Already on screen: showing it again would add a second copy."""


class ErrorPanel(LiveOutput):
    """Under a served page: the handler errors that happen from now on, with tracebacks.

    An error whose handler has since been replaced (a re-run cell) says so; `app.errors.clear()`
    empties the panel.
    """

    def __init__(self, server: Shown, limit: int = 3) -> None:
        self._since = time.time()
        self._limit = limit
        super().__init__(server, interval=0.25)

    def _errors(self) -> list[tuple[HandlerError, str]]:
        errors = [e for e in self.server.errors if e.time >= self._since][-self._limit:]
        is_current = getattr(self.server.app, "is_current", None)
        return [(e, "replaced since" if e.handler is not None and is_current and not is_current(e.handler)
                 else "") for e in errors]

    def text(self) -> str:
        return "\n".join(str(e) + (f"({note})\n" if note else "") for e, note in self._errors())

    def html(self) -> str:
        return "".join(e.html(note) for e, note in self._errors())

    def subscribe(self, changed: Callable[[], None]) -> Callable[[], None]:
        errors = self.server.errors
        stops = [errors.added.subscribe(lambda error: changed()), errors.cleared.subscribe(lambda _: changed())]
        route_replaced = getattr(self.server.app, "route_replaced", None)
        if route_replaced is not None:
            stops.append(route_replaced.subscribe(lambda change: changed()))

        def unsubscribe() -> None:
            for stop in stops:
                stop()

        return unsubscribe
