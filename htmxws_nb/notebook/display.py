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

__all__ = ["URL_ENV", "iframe_html", "live_html", "url_mode"]

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
