"""The HTML of notebook outputs that show a served app: the page output and live outputs.

Which URL the page loads is decided in the browser (`js/locate.js`), because
only the page the notebook is open in knows where Jupyter lives:

- `direct`: `http://127.0.0.1:PORT/path`, for a Jupyter on this machine;
- `proxy`: `<Jupyter base URL>proxy/PORT/path` through jupyter-server-proxy,
  for JupyterHub or Binder (the base URL, e.g. `/user/NAME/`, is read from
  the notebook page's `jupyter-config-data`);
- `kernel`: no port at all: the page's traffic goes over the kernel's own
  channel (a widget's comm, see `kernel_channel.py`);
- `auto` (the default): the first of `direct` and `proxy` that answers (the
  proxy first when the kernel runs under JupyterHub or the notebook page is
  not on a loopback address), else `kernel`; in Google Colab, `kernel` (its
  port proxy carries no websockets, and each output is a document of its own);
- a template such as `https://host/prefix/{port}/`, from the `url`
  argument of `serve()` or the `HTMXWS_NB_URL` environment variable, for
  anything else.

Before loading anything from that address, an output asks the server for its
id: a saved notebook reopened later never loads, nor sends its feed token to,
another program listening on the same port. Until then, and in saved copies
without scripts, the page output shows the page as it was served (inert).
"""

from __future__ import annotations

import html
import itertools
import json
import os
import sys
from pathlib import Path

from ..app.paths import ID_PATH

__all__ = ["MODES", "URL_ENV", "in_colab", "live_html", "page_html", "url_mode"]

URL_ENV = "HTMXWS_NB_URL"
_element_ids = itertools.count(1)
_JS = Path(__file__).parent / "js"
_LOCATE = (_JS / "locate.js").read_text()
_PAGE = (_JS / "page.js").read_text()
_FEED = (_JS / "feed.js").read_text()


MODES = ("auto", "direct", "proxy", "kernel")


def in_colab() -> bool:
    """Is this kernel Google Colab's? (Its outputs are separate documents, and its port proxy has no websockets.)"""
    return "google.colab" in sys.modules


def url_mode(explicit: str | None = None) -> str:
    """`direct`, `proxy`, `kernel`, `auto`, or a URL template with `{port}`: argument, then environment,
    then `kernel` in Colab, else `auto`."""
    mode = explicit or os.environ.get(URL_ENV) or ("kernel" if in_colab() else "auto")
    if mode not in MODES and "{port}" not in mode:
        raise ValueError(f"url must be 'auto', 'direct', 'proxy', 'kernel' or a template with {{port}}, not {mode!r}")
    return mode


def _spec(port: int, path: str, direct: str, mode: str, server_id: str, **extra: object) -> dict[str, object]:
    return {
        "port": port,
        "path": path if path.startswith("/") else "/" + path,
        "direct": direct.rstrip("/"),
        "mode": mode,
        "hubPrefix": os.environ.get("JUPYTERHUB_SERVICE_PREFIX", ""),
        "serverId": server_id,
        "idPath": ID_PATH,
        **extra,
    }


def _element_id(kind: str) -> str:
    return f"htmxws-{kind}-{os.getpid()}-{next(_element_ids)}"


def _spec_attribute(spec: dict[str, object]) -> str:
    """The output's spec, where its script (and a test) reads it: `data-htmxws-spec` on the output's root."""
    return f'data-htmxws-spec="{html.escape(json.dumps(spec))}"'


def _script(function: str, element_id: str) -> str:
    element = f"document.getElementById({json.dumps(element_id)})"
    return f"<script>{_LOCATE}\n({function.strip()})({element}, JSON.parse({element}.dataset.htmxwsSpec));</script>"


def page_html(port: int, path: str = "/", *, direct: str, server_id: str, snapshot: str, mode: str = "auto",
              height: int | None = None, channel: str = "") -> str:
    """`path` of the server at `port` in an iframe, once the server proves it is `server_id`; else the snapshot.

    `channel`: the key of the kernel channel displayed with it, which shows the page where no address answers.
    """
    root_id = _element_id("page")
    spec = _spec(port, path, direct, mode, server_id, height=height, channel=channel)
    title = html.escape(str(spec["path"]))
    frame_style = f"display:none;width:100%;border:1px solid #8884;border-radius:4px;height:{height or 150}px"
    return (
        f'<div id="{root_id}" class="htmxws-page" {_spec_attribute(spec)}>'
        f'<iframe title="htmxws_nb page {title}" style="{frame_style}"></iframe>'
        f'<div class="htmxws-snapshot" style="border:1px dashed #8888;border-radius:4px;padding:0 0.75em">'
        f"{snapshot}</div>"
        f'<div class="htmxws-status" style="font-size:11px;opacity:0.65">The page {title} as it was served '
        f"(the live page needs the notebook's server).</div>"
        f"{_script(_PAGE, root_id)}</div>"
    )


def live_html(port: int, feed_path: str, initial: str, *, direct: str, server_id: str, mode: str = "auto") -> str:
    """`initial` HTML that the server keeps up to date in the browser through `feed_path`."""
    box_id = _element_id("live")
    spec = _spec(port, feed_path, direct, mode, server_id)
    return (f'<div id="{box_id}" class="htmxws-live" {_spec_attribute(spec)}>{initial}</div>'
            f"{_script(_FEED, box_id)}")
