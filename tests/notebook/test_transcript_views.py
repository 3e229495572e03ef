"""The transcript as the notebook shows it: the table, the sequence picture, the live view."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

from conftest import demo_app, htmx4_frame, msg_frame, open_ws, recv_text, running, wait_for
from kernel import Kernel

from htmxws_nb.notebook.transcript import Transcript
from htmxws_nb.recording import Recorder


def test_views_render_content() -> None:
    app = demo_app()
    with running(app) as server, contextlib.ExitStack() as stack:
        clients = [stack.enter_context(open_ws(server, "/chat")) for _ in range(3)]
        for i, ws in enumerate(clients):
            ws.send(msg_frame(f"m{i}"))
            for other in clients:
                recv_text(other)
        stack.enter_context(open_ws(server, "/echo")).send(msg_frame("<b>&"))
        wait_for(lambda: len(server.transcript.round_trips()) == 4 and server.transcript.round_trips()[-1].replies)
        t = Transcript(server.recorder)  # the notebook's view of the recorder
        html = t._repr_html_()
        assert html.count("<tr>") == 5, "a header row and one row per round trip"
        assert html.count("text-align:left") == 7 * 5, "every cell reads left to right"
        assert "chat v1" in html and "&lt;b&gt;&amp;" in html and "latency" in html
        assert re.search(r"<td[^>]*>\d+\.\d ms</td>", html)
        svg = t.sequence().svg()
        assert svg.startswith("<svg") and svg.endswith("</svg>")
        for name in ("c1", "c2", "c3", "c4", "server"):
            assert f">{name}</text>" in svg
        assert svg.count("marker-end=") == 4 + 3 * 3 + 1, "4 messages in, 9 broadcasts and 1 echo out"
        assert svg.count('-in)"') == 4 and svg.count('-out)"') == 3 * 3 + 1
        assert "{&quot;msg&quot;: &quot;m0&quot;}" in svg
        dicts = t.to_dicts()
        assert dicts[0]["kind"] == "open" and {"seq", "time", "connection", "text"} <= set(dicts[0])
        assert len(t.filter(connection="c4").round_trips()) == 1
        assert len(t.filter(last=2).round_trips()) == 2
        t.clear()
        assert repr(t) == "Transcript: no frames yet" and server.recorder.records() == []


def test_views_show_the_htmx4_source_and_the_hidden_tab_pause() -> None:
    recorder = Recorder()
    recorder.add("c1", "/ws", "open", "browser", client="same page")
    sent = recorder.frame("c1", "/ws", "in", htmx4_frame({"msg": "Bob"}, "form#form"))
    recorder.frame("c1", "/ws", "out", '<div id="n" hx-swap-oob="true">Hello Bob</div>', cause=sent)
    recorder.add("c1", "/ws", "close", code=1005, by="client")
    recorder.add("c2", "/ws", "open", "browser", client="same page")
    t = Transcript(recorder)
    assert "<code>{&quot;msg&quot;: &quot;Bob&quot;}</code><br><small>via <code>form#form</code></small>" in \
        t._repr_html_()
    svg = t.sequence().svg()
    assert ">close 1005: paused (tab hidden)</text>" in svg and ">open, resumes c1</text>" in svg
    recorder.add("c2", "/ws", "close", code=1005, by="client")
    assert ">close 1005: no close code</text>" in t.sequence().svg(), "no resume (yet): the short note"


def test_long_frames_are_shortened_in_views_but_whole_in_records() -> None:
    recorder = Recorder()
    long_text = "x" * 500
    recorder.frame("c1", "/ws", "out", long_text)
    assert recorder.records()[0].text == long_text
    line = repr(Transcript(recorder))
    assert len(line) < 100 and line.endswith("…")


def test_live_view_updates_in_place_through_a_kernel(tmp_path: Path) -> None:
    kernel = Kernel(tmp_path, env={"HTMXWS_NB_SECRET_KEY": "test"})
    try:
        kernel.run(
            "from htmxws_nb import *\n"
            "app = FastHTML(exts='ws')\n"
            "@app.ws('/ws')\n"
            "async def ws(msg: str):\n"
            "    return Div('Hello ' + msg, id='n')\n"
            "server = serve(port=0)"
        )
        run = kernel.run("live = transcript(app).live(interval=0.2)")
        [shown] = [o for o in run.outputs if o["msg_type"] == "display_data"]
        display_id = shown["content"]["transient"]["display_id"]
        assert shown["content"]["data"]["text/plain"] == "Transcript: no frames yet"
        port = int(kernel.run("print(server.port)").text)
        with open_ws(port) as ws:
            for i in range(30):  # a burst: the updates are throttled
                ws.send(msg_frame(f"n{i}"))
                recv_text(ws)
            updates = [u for u in kernel.updates(wait=1.5) if u["content"]["transient"]["display_id"] == display_id]
            assert 1 <= len(updates) <= 10, f"{len(updates)} updates for a burst of 30 messages"
            last = updates[-1]["content"]["data"]
            assert 'c1 ← <div id="n">Hello n29</div>' in last["text/plain"]
            assert "Hello n29" in last["text/html"]
            stopped = kernel.run("live.stop(); print(live.running)")
            assert stopped.text.strip() == "False"
            kernel.updates(wait=0.3)
            ws.send(msg_frame("after stop"))
            recv_text(ws)
            later = [u for u in kernel.updates(wait=0.8) if u["content"]["transient"]["display_id"] == display_id]
            assert later == [], "a stopped view no longer updates"
        run = kernel.run("live2 = transcript(app).live(interval=0.2)\nserver.stop()\nprint(live2.running)")
        assert run.text.strip().endswith("False"), "stopping the server stops live views"
    finally:
        kernel.shutdown(now=True)
