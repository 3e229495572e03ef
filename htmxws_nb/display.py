"""Showing a served app in a notebook: the iframe, its URL, and the error panel.

Which URL the iframe loads is decided in the browser, because only the page
the notebook is open in knows where Jupyter lives:

- `direct`: `http://127.0.0.1:PORT/path`, for a Jupyter on this machine;
- `proxy`: `<Jupyter base URL>proxy/PORT/path` through jupyter-server-proxy,
  for JupyterHub or Binder (the base URL, e.g. `/user/NAME/`, is read from
  the notebook page's `jupyter-config-data`);
- `auto` (the default): `proxy` when the kernel runs under JupyterHub or the
  notebook page is not on a loopback address, else `direct`;
- a template such as `https://host/prefix/{port}/`, from the `url`
  argument of `serve()` or the `HTMXWS_NB_URL` environment variable, for
  anything else.
"""

from __future__ import annotations

import html
import itertools
import json
import os
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from .errors import HandlerError
from .feed import LiveView

if TYPE_CHECKING:
    from .server import Server
    from .transcript import Record, Transcript

__all__ = ["ErrorPanel", "LiveOutput", "LiveTranscript", "Throttle", "URL_ENV", "iframe_html", "live_html", "url_mode"]

URL_ENV = "HTMXWS_NB_URL"
_frame_ids = itertools.count(1)

# Decides, in the notebook page, where the server is: see the module docstring.
_URL_JS = """
function htmxwsUrl(spec, path, socket) {
  function jupyterBase() {
    var config = document.getElementById("jupyter-config-data");
    if (config) { try { return JSON.parse(config.textContent).baseUrl || "/"; } catch (e) {} }
    return (document.body && document.body.getAttribute("data-base-url")) || spec.hubPrefix || "/";
  }
  var loopback = /^(localhost|127\\.|\\[::1\\]$|::1$)/.test(location.hostname);
  var mode = spec.mode, url;
  if (mode === "auto") mode = (spec.hubPrefix || !loopback) ? "proxy" : "direct";
  if (mode === "proxy") {
    var base = jupyterBase();
    url = base + (base.slice(-1) === "/" ? "" : "/") + "proxy/" + spec.port + path;
  } else if (mode === "direct") {
    url = spec.direct + path;
  } else {
    url = mode.replace("{port}", spec.port).replace(/\\/$/, "") + path;
  }
  url = new URL(url, location.href).href;
  return socket ? url.replace(/^http/, "ws") : url;
}
"""

_IFRAME_SCRIPT = """
(function () {
  %(url_js)s
  var frame = document.getElementById(%(id)s);
  var spec = %(spec)s;
  frame.src = htmxwsUrl(spec, spec.path, false);
  if (!spec.height) {
    window.addEventListener("message", function (event) {
      var data = event.data;
      if (event.source === frame.contentWindow && data && data.htmxws === "resize") {
        frame.style.height = Math.max(60, Math.min(data.height + 4, 2000)) + "px";
      }
    });
  }
})();
"""

# Replaces the output's HTML with what the server pushes (see feed.py).
_FEED_SCRIPT = """
(function () {
  %(url_js)s
  var box = document.getElementById(%(id)s);
  var spec = %(spec)s;
  var url = htmxwsUrl(spec, spec.path, true);
  var delay = 500;
  function connect() {
    var socket = new WebSocket(url);
    socket.onmessage = function (event) {
      if (!document.contains(box)) { socket.close(); return; }
      box.innerHTML = event.data;
      delay = 500;
    };
    socket.onclose = function (event) {
      if (document.contains(box) && event.code !== 1000 && delay <= 8000) {
        setTimeout(connect, delay);
        delay *= 2;
      }
    };
  }
  connect();
})();
"""


def url_mode(explicit: str | None = None) -> str:
    """`direct`, `proxy`, `auto`, or a URL template with `{port}`: argument, then environment."""
    mode = explicit or os.environ.get(URL_ENV) or "auto"
    if mode not in ("auto", "direct", "proxy") and "{port}" not in mode:
        raise ValueError(f"url must be 'auto', 'direct', 'proxy' or a template with {{port}}, not {mode!r}")
    return mode


def _spec(port: int, path: str, direct: str, mode: str, **extra: object) -> dict[str, object]:
    return {
        "port": port,
        "path": path if path.startswith("/") else "/" + path,
        "direct": direct.rstrip("/"),
        "mode": mode,
        "hubPrefix": os.environ.get("JUPYTERHUB_SERVICE_PREFIX", ""),
        **extra,
    }


def _element_id(kind: str) -> str:
    return f"htmxws-{kind}-{os.getpid()}-{next(_frame_ids)}"


def iframe_html(port: int, path: str = "/", *, direct: str, mode: str = "auto",
                height: int | None = None) -> str:
    """An iframe of `path` on the server at `port`, with the script that picks its URL."""
    frame_id = _element_id("frame")
    spec = _spec(port, path, direct, mode, height=height)
    script = _IFRAME_SCRIPT % {"url_js": _URL_JS, "id": json.dumps(frame_id), "spec": json.dumps(spec)}
    style = f"width:100%;border:1px solid #ddd;border-radius:4px;height:{height or 150}px"
    return (f'<iframe id="{frame_id}" title="htmxws_nb page {html.escape(str(spec["path"]))}" '
            f'style="{style}"></iframe><script>{script}</script>')


def live_html(port: int, feed_path: str, initial: str, *, direct: str, mode: str = "auto") -> str:
    """`initial` HTML that the server keeps up to date in the browser through `feed_path`."""
    box_id = _element_id("live")
    spec = _spec(port, feed_path, direct, mode)
    script = _FEED_SCRIPT % {"url_js": _URL_JS, "id": json.dumps(box_id), "spec": json.dumps(spec)}
    return f'<div id="{box_id}" class="htmxws-live">{initial}</div><script>{script}</script>'


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

    def __init__(self, server: Server, interval: float) -> None:
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
                         mode=url_mode(server.display_mode))
        return {"text/plain": self.text(), "text/html": page}

    def _kernel_update(self) -> None:
        if not self.server.feeds.watched(self._view_id):
            self.updates += 1
            self._handle.update(self._bundle(), raw=True)

    def _ipython_display_(self) -> None:
        """Already on screen: showing it again would add a second copy."""


class ErrorPanel(LiveOutput):
    """Under a served page: the handler errors that happen from now on, with tracebacks."""

    def __init__(self, server: Server, limit: int = 3) -> None:
        self._since = time.time()
        self._limit = limit
        super().__init__(server, interval=0.25)

    def _errors(self) -> list[HandlerError]:
        return [e for e in self.server.errors if e.time >= self._since][-self._limit:]

    def text(self) -> str:
        return "\n".join(str(e) for e in self._errors())

    def html(self) -> str:
        return "".join(e._repr_html_() for e in self._errors())

    def subscribe(self, changed: Callable[[], None]) -> Callable[[], None]:
        return self.server.errors.subscribe(lambda error: changed())


class LiveTranscript(LiveOutput):
    """A transcript that updates in place as frames arrive; stops with `stop()` or the server."""

    def __init__(self, transcript: Transcript, server: Server, interval: float) -> None:
        self.transcript = transcript
        super().__init__(server, interval)

    def text(self) -> str:
        return repr(self.transcript)

    def html(self) -> str:
        stopped = "" if self.running else "<p><i>(stopped updating)</i></p>"
        return self.transcript._repr_html_() + stopped

    def subscribe(self, changed: Callable[[], None]) -> Callable[[], None]:
        def on_record(record: Record | None) -> None:
            if record is None:  # the server stopped
                self.stop()
            else:
                changed()

        return self.transcript.recorder.subscribe(on_record)

    def stop(self) -> None:
        if self.running:
            super().stop()
            self._handle.update(self._bundle(), raw=True)

    def __repr__(self) -> str:
        return f"<LiveTranscript {'running' if self.running else 'stopped'}, {self.updates} updates>"
