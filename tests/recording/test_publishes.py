"""Publishes in the transcript: a record each (topic, size, receivers here), tied to what caused them."""

from __future__ import annotations

import asyncio

from conftest import msg_frame, open_ws, recv_text, running, wait_for

from htmxws_nb import Div, FastHTML, Li, Ul
from htmxws_nb.notebook.transcript import Transcript

ITEM = '<ul id="msg-list" hx-swap-oob="beforeend"><li>hello</li></ul>'
CELL = '<div id="n">from a cell</div>'


def chat_on_a_topic() -> FastHTML:
    app = FastHTML(exts="ws")

    def on_conn(send):
        app.subscribe("chat", send)

    @app.ws("/ws", conn=on_conn)
    async def ws(msg: str):
        await app.publish("chat", Ul(Li(msg), id="msg-list", hx_swap_oob="beforeend"))

    return app


def test_publishes_are_recorded_with_what_they_delivered() -> None:
    app = chat_on_a_topic()
    with running(app) as server, open_ws(server) as ann, open_ws(server) as bob:
        wait_for(lambda: app.pubsub.topics.count("chat") == 2, what="two subscribers")
        ann.send(msg_frame("hello"))
        assert recv_text(ann) == recv_text(bob) == ITEM
        asyncio.run(app.publish("chat", Div("from a cell", id="n")))  # not from a handler
        assert recv_text(ann) == recv_text(bob) == CELL
        wait_for(lambda: sum(r.kind == "out" for r in server.recorder.records()) == 4, what="frames recorded")

        published = [r for r in server.recorder.records() if r.kind == "publish"]
        assert [(r.text, r.size, r.queued, r.by) for r in published] == [
            ("chat", len(ITEM), 2, "here"), ("chat", len(CELL), 2, "here")]
        lines = [line for line in server.transcript.lines() if "handled by" not in line]
        assert lines == [
            "c1 open /ws (script)",
            "c2 open /ws (script)",
            'c1 → {"msg": "hello"}',
            f"   published to 'chat': {len(ITEM)} characters, 2 receivers here",
            f"c1 ← {ITEM}",
            f"c2 ← {ITEM}",
            f"pub/sub: 'chat' published here: {len(CELL)} characters, 2 receivers here",
            f"c1 ← {CELL}",
            f"c2 ← {CELL}",
        ]
        message, cell = server.transcript.round_trips()
        assert message.publishes == [published[0]] and [r.connection for r in message.replies] == ["c1", "c2"]
        assert cell.message == published[1] and [r.text for r in cell.replies] == [CELL, CELL]
        assert server.transcript.filter(path="/ws").lines() == server.transcript.lines()

        table = Transcript(server.recorder)._repr_html_()
        assert "published to &#x27;chat&#x27;: 61 characters, 2 receivers here" in table
        assert "<td style=\"text-align:left;vertical-align:top\">pub/sub</td>" in table
        assert "publish &#x27;chat&#x27; (here) → 2 here" in Transcript(server.recorder).sequence().svg()
