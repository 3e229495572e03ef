"""Live outputs fed to the browser over the server's feed socket (not through the kernel)."""

from __future__ import annotations

import json

import pytest
from conftest import open_ws, output_spec, recv_text
from kernel import Kernel
from websockets.exceptions import ConnectionClosed, InvalidStatus

APP = (
    "from htmxws_nb import *\n"
    "app = FastHTML(exts='ws')\n"
    "@app.ws('/ws')\n"
    "async def ws(msg: str):\n"
    "    if msg == 'boom':\n"
    "        raise ValueError('it broke')\n"
    "    return Div('Hello ' + msg, id='n')\n"
    "server = serve(port=0)\n"
)


def feed_path(html: str) -> str:
    spec = output_spec(html)
    return spec["path"]




def test_live_transcript_is_pushed_to_the_browser_while_the_kernel_is_idle(kernel: Kernel) -> None:
    kernel.run(APP)
    port = int(kernel.run("print(server.port)").text)
    run = kernel.run("live = transcript(app).live(interval=0.1)")
    [shown] = [o for o in run.outputs if o["msg_type"] == "display_data"]
    display_id = shown["content"]["transient"]["display_id"]
    path = feed_path(shown["content"]["data"]["text/html"])
    assert path.startswith("/_htmxws/feed/")
    with open_ws(port, path) as feed, open_ws(port) as client:
        assert "no messages yet" in recv_text(feed)
        client.send(json.dumps({"msg": "Bob"}))
        assert recv_text(client) == '<div id="n">Hello Bob</div>'
        pushed = recv_text(feed)
        while "Hello Bob" not in pushed:
            pushed = recv_text(feed)
        assert "<table" in pushed and "ws v1" in pushed
        kernel_updates = [u for u in kernel.updates(wait=0.5) if u["content"]["transient"]["display_id"] == display_id]
        assert kernel_updates == [], "a browser is watching: the kernel sends nothing"
        kernel.run("live.stop()")
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                feed.recv(timeout=5)
        assert closed.value.rcvd.code == 1000, "a stopped view closes its feed (the page keeps what it shows)"


def test_error_panel_is_pushed_to_the_browser(kernel: Kernel) -> None:
    kernel.run(APP.replace("server = serve(port=0)\n", ""))
    run = kernel.run("server = serve(port=0); server")
    port = int(kernel.run("print(server.port)").text)
    panel = [o for o in run.outputs if "htmxws-live" in o["content"].get("data", {}).get("text/html", "")]
    path = feed_path(panel[0]["content"]["data"]["text/html"])
    with open_ws(port, path) as feed, open_ws(port) as client:
        assert recv_text(feed) == ""
        client.send(json.dumps({"msg": "boom"}))
        recv_text(client)
        pushed = recv_text(feed)
        assert "Error in websocket /ws: ws" in pushed and "ValueError: it broke" in pushed and "Traceback" in pushed


def test_feed_needs_the_token(kernel: Kernel) -> None:
    kernel.run(APP)
    port = int(kernel.run("print(server.port)").text)
    run = kernel.run("live = transcript(app).live()")
    path = feed_path(run.html())
    token, view = path.removeprefix("/_htmxws/feed/").split("/")
    for wrong in (f"/_htmxws/feed/{'x' * len(token)}/{view}", f"/_htmxws/feed/{token}/nope"):
        with pytest.raises(InvalidStatus) as refused:
            open_ws(port, wrong)
        assert refused.value.response.status_code == 403
