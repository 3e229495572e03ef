"""The kernel channel: a served page over the widget's comm, wherever the browser cannot reach the port.

`KernelChannel` is an anywidget displayed with each page output. Its view
stays dormant (it shows nothing) while the page output reaches its server
directly or through jupyter-server-proxy; when neither answers, the page
output hands itself over (see js/locate.js `htmxwsHandOver`) and the view
shows the page in that output's iframe, every request of the page (HTTP,
websockets, assets, cookies) going over the comm to the same app, called
in-process on the server's loop by the server layer's message `Bridge`.
Live outputs of the server (the error panel, `transcript(app).live()`) are
fed over the same comm when their server does not answer either.

Threads: the comm handler runs in whichever kernel thread handles comm
messages (the main shell thread, or a subshell thread where the frontend
sends comms over subshells): it only hands the batch to the server's loop.
The bridge sends its batches from the server's loop with `widget.send`,
which ipykernel hands to its IOPub thread.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from ..server import Server
from ..server.messages import Bridge

__all__ = ["KernelChannel"]

_JS = Path(__file__).parent / "js"
# One ES module from three files: the comm protocol, what runs in the page's frame, the view.
ESM = "\n".join((_JS / name).read_text() for name in ("channel.js", "frame.js", "transport.js"))


class KernelChannel(anywidget.AnyWidget):
    """The kernel channel of one page output of a running server (dormant until that output needs it)."""

    _esm = ESM
    server_id = traitlets.Unicode("").tag(sync=True)  # the live outputs of this server may use this view too
    key = traitlets.Unicode("").tag(sync=True)  # the page output that may hand itself to this view
    base = traitlets.Unicode("http://127.0.0.1/").tag(sync=True)  # the app's URL: the page's URLs resolve against it
    path = traitlets.Unicode("/").tag(sync=True)
    height = traitlets.Int(0).tag(sync=True)  # 0: fit the page (live.js reports its height)
    standalone = traitlets.Bool(False).tag(sync=True)  # show the page in this output at once (Colab)
    running = traitlets.Bool(True).tag(sync=True)  # False once its server stopped: the view takes no output

    def __init__(self, server: Server, path: str = "/", *, height: int | None = None, standalone: bool = False,
                 snapshot: str = "") -> None:
        super().__init__(server_id=server.id, key=secrets.token_hex(8), base=server.url, path=path,
                         height=height or 0, standalone=standalone)
        self.bridge = Bridge.of(server, self._send_batch)
        self._snapshot = snapshot
        self.on_msg(self._on_msg)

    def __repr__(self) -> str:
        return f"kernel channel for {self.path} (used when the browser cannot reach port {self.bridge.server[1]})"

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """The widget, plus the page as it was served for frontends that cannot show it (a saved copy)."""
        bundle = super()._repr_mimebundle_(**kwargs)
        if not (self.standalone and self._snapshot and bundle):
            return bundle
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        return {**data, "text/html": self._snapshot}, metadata

    def _on_msg(self, _widget: Any, content: dict[str, Any], buffers: list[Any]) -> None:
        self.bridge.receive(content, buffers)

    def _send_batch(self, content: dict[str, Any], buffers: list[bytes]) -> None:
        self.send(content, buffers)
