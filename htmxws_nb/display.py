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

from .errors import ErrorLog, HandlerError

__all__ = ["ErrorPanel", "Throttle", "URL_ENV", "iframe_html", "url_mode"]

URL_ENV = "HTMXWS_NB_URL"
_frame_ids = itertools.count(1)

_IFRAME_SCRIPT = """
(function () {
  var frame = document.getElementById(%(id)s);
  var spec = %(spec)s;
  function jupyterBase() {
    var config = document.getElementById("jupyter-config-data");
    if (config) { try { return JSON.parse(config.textContent).baseUrl || "/"; } catch (e) {} }
    var body = document.body && document.body.getAttribute("data-base-url");
    return body || spec.hubPrefix || "/";
  }
  function loopback(host) { return /^(localhost|127\\.|\\[::1\\]$|::1$)/.test(host); }
  var mode = spec.mode;
  if (mode === "auto") mode = (spec.hubPrefix || !loopback(location.hostname)) ? "proxy" : "direct";
  var src;
  if (mode === "proxy") {
    var base = jupyterBase();
    src = base + (base.slice(-1) === "/" ? "" : "/") + "proxy/" + spec.port + spec.path;
  } else if (mode === "direct") {
    src = spec.direct + spec.path;
  } else {
    src = mode.replace("{port}", spec.port).replace(/\\/$/, "") + spec.path;
  }
  frame.src = src;
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


def url_mode(explicit: str | None = None) -> str:
    """`direct`, `proxy`, `auto`, or a URL template with `{port}`: argument, then environment."""
    mode = explicit or os.environ.get(URL_ENV) or "auto"
    if mode not in ("auto", "direct", "proxy") and "{port}" not in mode:
        raise ValueError(f"url must be 'auto', 'direct', 'proxy' or a template with {{port}}, not {mode!r}")
    return mode


def iframe_html(port: int, path: str = "/", *, direct: str, mode: str = "auto",
                height: int | None = None) -> str:
    """An iframe of `path` on the server at `port`, with the script that picks its URL."""
    frame_id = f"htmxws-frame-{os.getpid()}-{next(_frame_ids)}"
    spec = {
        "port": port,
        "path": path if path.startswith("/") else "/" + path,
        "direct": direct.rstrip("/"),
        "mode": mode,
        "height": height,
        "hubPrefix": os.environ.get("JUPYTERHUB_SERVICE_PREFIX", ""),
    }
    script = _IFRAME_SCRIPT % {"id": json.dumps(frame_id), "spec": json.dumps(spec)}
    style = f"width:100%;border:1px solid #ddd;border-radius:4px;height:{height or 150}px"
    return (f'<iframe id="{frame_id}" title="htmxws_nb page {html.escape(spec["path"])}" '
            f'style="{style}"></iframe><script>{script}</script>')


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


class ErrorPanel:
    """A notebook output under the iframe that lists the app's handler errors as they happen."""

    def __init__(self, errors: ErrorLog, limit: int = 3) -> None:
        from IPython.display import DisplayHandle

        self._limit = limit
        self._shown: list[HandlerError] = []
        self._handle = DisplayHandle()
        self._update = Throttle(self._refresh, 0.25)
        self._unsubscribe = errors.subscribe(self._on_error)

    def display(self) -> None:
        self._handle.display(self._bundle(), raw=True)

    def close(self) -> None:
        self._unsubscribe()
        self._update.cancel()

    def _on_error(self, error: HandlerError) -> None:
        self._shown = [*self._shown, error][-self._limit:]
        self._update()

    def _bundle(self) -> dict[str, str]:
        return {
            "text/plain": "\n".join(str(e) for e in self._shown),
            "text/html": "".join(e._repr_html_() for e in self._shown),
        }

    def _refresh(self) -> None:
        self._handle.update(self._bundle(), raw=True)
