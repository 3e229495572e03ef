"""The kernel channel in a real kernel: `serve()` displays it with the page, and its comm serves the page.

The test plays the frontend's part over Jupyter's own channels: it reads the
widget's `comm_open` from iopub, sends the page's requests as `comm_msg` on
the shell channel, and reads the answers from iopub, as the browser's
widget view does (the browser half is covered by tests/browser/test_kernel_channel_pages.py).
"""

from __future__ import annotations

import itertools
import time
from typing import Any

from conftest import msg_frame, output_spec
from kernel import Kernel, kernel  # noqa: F401 (the fixture)
from test_serve import APP_CELL, HANDLER_CELL


class Frontend:
    """What a widget view sends and receives over the comm of one KernelChannel."""

    def __init__(self, k: Kernel, comm_id: str) -> None:
        self.kernel = k
        self.comm_id = comm_id
        self.events: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self._seq = itertools.count(1)

    def send(self, *events: dict[str, Any]) -> None:
        client = self.kernel.client
        content = {"view": "t", "seq": next(self._seq), "events": list(events)}
        msg = client.session.msg("comm_msg", {"comm_id": self.comm_id, "data": {"method": "custom",
                                                                                 "content": content}})
        client.shell_channel.send(msg)

    def wait(self, sid: str, kind: str, timeout: float = 10) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            found = [e for e in self.events if e["id"] == sid and e["type"] == kind]
            if found:
                return found[0]
            assert time.monotonic() < deadline, f"no {kind} for {sid}: {self.events[-3:]}"
            msg = self.kernel.client.get_iopub_msg(timeout=deadline - time.monotonic())
            if msg["msg_type"] == "comm_msg" and msg["content"]["comm_id"] == self.comm_id:
                data = msg["content"]["data"]
                if data.get("method") == "custom":
                    for event in data["content"]["events"]:
                        if event.get("body") is not None:
                            event["bytes"] = bytes(msg["buffers"][event["body"]])
                        self.events.append(event)

    def http(self, method: str, url: str, headers: list[list[str]] | None = None) -> dict[str, Any]:
        sid = f"t.{next(self._ids)}"
        self.send({"type": "http", "id": sid, "method": method, "url": url, "headers": headers or []})
        return self.wait(sid, "http")

    def open(self, url: str, origin: str) -> str:
        sid = f"t.{next(self._ids)}"
        self.send({"type": "ws-open", "id": sid, "url": url, "headers": [["origin", origin]], "protocols": []})
        self.wait(sid, "ws-accept")
        return sid

    def say(self, sid: str, text: str) -> str:
        before = len([e for e in self.events if e["id"] == sid and e["type"] == "ws-send"])
        self.send({"type": "ws-send", "id": sid, "text": text})
        deadline = time.monotonic() + 10
        while True:
            replies = [e for e in self.events if e["id"] == sid and e["type"] == "ws-send"]
            if len(replies) > before:
                return replies[before]["text"]
            assert time.monotonic() < deadline, "no reply"
            try:
                self.wait(sid, "never", timeout=0.2)
            except (AssertionError, Exception):
                pass


def widget_outputs(run: Any) -> list[dict[str, Any]]:
    return [o["content"]["data"] for o in run.outputs
            if "application/vnd.jupyter.widget-view+json" in o["content"].get("data", {})]


def comm_of(k: Kernel, run_code: str) -> tuple[Any, dict[str, Any]]:
    """Run a cell; its outputs, and the state the KernelChannel widget opened its comm with."""
    msg_id = k.client.execute(run_code, allow_stdin=False)
    opened: dict[str, Any] = {}
    outputs = []
    while True:
        msg = k.client.get_iopub_msg(timeout=30)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind = msg["msg_type"]
        if kind == "comm_open" and msg["content"]["data"]["state"].get("_esm"):
            opened = {"comm_id": msg["content"]["comm_id"], **msg["content"]["data"]["state"]}
        elif kind in ("display_data", "execute_result", "error", "stream"):
            outputs.append(msg)
        elif kind == "status" and msg["content"]["execution_state"] == "idle":
            return outputs, opened


def test_serve_shows_a_dormant_channel_with_the_page_and_its_comm_serves_the_page(kernel: Kernel) -> None:  # noqa: F811
    outputs, state = comm_of(kernel, APP_CELL + HANDLER_CELL.format(greeting="Hi") + "server = serve(port=0)")
    pages = [o["content"]["data"] for o in outputs if "htmxws-page" in o["content"]["data"].get("text/html", "")]
    widgets = [o["content"]["data"] for o in outputs
               if "application/vnd.jupyter.widget-view+json" in o["content"]["data"]]
    assert len(pages) == 1 and len(widgets) == 1
    spec = output_spec(pages[0]["text/html"])
    assert spec["mode"] == "auto" and spec["channel"] == state["key"] and spec["serverId"] == state["server_id"]
    assert state["standalone"] is False
    assert widgets[0]["text/plain"].startswith("kernel channel for / (used when the browser cannot reach port ")
    port = spec["port"]
    origin = f"http://127.0.0.1:{port}"

    front = Frontend(kernel, state["comm_id"])
    page = front.http("GET", "/")
    assert page["status"] == 200 and b"Websocket Test" in page["bytes"]
    sid = front.open("/ws", origin)
    assert front.say(sid, msg_frame("Ann")) == '<div id="notifications">Hi Ann</div>'
    # A re-run handler cell answers the open socket's next message.
    kernel.run(HANDLER_CELL.format(greeting="Howdy"))
    assert front.say(sid, msg_frame("Bo")) == '<div id="notifications">Howdy Bo</div>'
    transcript = kernel.run("print('\\n'.join(transcript(app).lines()))").printed
    assert "Howdy Bo" in transcript


def test_url_kernel_forces_it_and_direct_leaves_it_out(kernel: Kernel) -> None:  # noqa: F811
    outputs, state = comm_of(kernel, APP_CELL + "server = serve(port=0, url='kernel')")
    [page] = [o["content"]["data"]["text/html"] for o in outputs
              if "htmxws-page" in o["content"]["data"].get("text/html", "")]
    assert output_spec(page)["mode"] == "kernel" and state["key"]
    outputs, state = comm_of(kernel, "show(app, '/', height=300)")
    assert state and state["height"] == 300
    direct = kernel.run("server.display_mode = None\nimport os; os.environ['HTMXWS_NB_URL'] = 'direct'; show(app)")
    assert not widget_outputs(direct)
    env = kernel.run("os.environ['HTMXWS_NB_URL'] = 'kernel'; show(app)")
    [page] = [o["content"]["data"]["text/html"] for o in env.outputs
              if "htmxws-page" in o["content"]["data"].get("text/html", "")]
    assert widget_outputs(env) and output_spec(page)["mode"] == "kernel"


def test_in_colab_the_channel_alone_shows_the_page_with_a_snapshot(kernel: Kernel) -> None:  # noqa: F811
    fake_colab = "import sys, types; sys.modules['google.colab'] = types.ModuleType('google.colab')\n"
    outputs, state = comm_of(kernel, fake_colab + APP_CELL + "server = serve(port=0)")
    assert state["standalone"] is True
    assert not [o for o in outputs if "htmxws-page" in o["content"]["data"].get("text/html", "")]
    [widget] = [o["content"]["data"] for o in outputs
                if "application/vnd.jupyter.widget-view+json" in o["content"]["data"]]
    assert "<h1>Websocket Test</h1>" in widget["text/html"], "a saved copy shows the page as it was served"


def test_a_stopped_server_tells_its_channels_and_shows_without_one(kernel: Kernel) -> None:  # noqa: F811
    """Its views then take no output (the page output keeps "Not running"); showing it again does not fail."""
    _, state = comm_of(kernel, APP_CELL + "server = serve(port=0)")
    msg_id = kernel.client.execute("server.stop()\nserver", allow_stdin=False)
    updates, outputs = [], []
    while True:
        msg = kernel.client.get_iopub_msg(timeout=30)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "comm_msg" and msg["content"]["comm_id"] == state["comm_id"]:
            updates.append(msg["content"]["data"])
        elif msg["msg_type"] in ("display_data", "execute_result", "error"):
            outputs.append(msg)
        elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    assert {"method": "update", "state": {"running": False}, "buffer_paths": []} in updates
    assert [o["msg_type"] for o in outputs] == ["display_data", "display_data"], "the page output and its panel"
    assert "Not running" in outputs[0]["content"]["data"]["text/html"]
    assert not [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o["content"]["data"]]
