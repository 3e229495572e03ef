"""What the transcript says about htmx 4 clients: the element that sent, the pause of a hidden tab, its resume."""

from __future__ import annotations

import re

from conftest import htmx4_frame, open_ws, recv_text, running, wait_for

from htmxws_nb import Div, FastHTML
from htmxws_nb.recording.labels import close_note, resumes, sent_from
from htmxws_nb.recording.records import Record

BROWSER = {"origin": "http://127.0.0.1", "user_agent_header": "Chromium (test)"}  # as one page's sockets look


def echo_app() -> FastHTML:
    app = FastHTML(exts="ws", htmx4=True)

    @app.ws("/ws")
    async def ws(msg: str):
        return Div("Hello " + msg, id="notifications")

    return app


def ended(server, count: int) -> None:
    wait_for(lambda: sum(r.kind == "end" for r in server.recorder.records()) >= count, what=f"{count} sockets ended")


def test_pause_and_resume_as_htmx4_does_them() -> None:
    """A hidden tab: htmx 4 closes its socket without a code (1005), then opens a new one when shown again."""
    with running(echo_app()) as server:
        origin = {**BROWSER, "origin": f"http://127.0.0.1:{server.port}"}
        with open_ws(server, **origin) as ws:
            ws.send(htmx4_frame({"msg": "Bob"}))
            recv_text(ws)
            ws.close(None)  # a close frame with no code: what `socket.close()` sends
        ended(server, 1)
        with open_ws(server, **origin) as ws:  # the tab is shown again: a new socket, `conn` runs again
            ws.send(htmx4_frame({"msg": "back"}))
            recv_text(ws)
        with open_ws(server, **{**origin, "user_agent_header": "another browser"}) as ws:
            ws.close(None)  # no socket of this client follows: a hidden tab, or a removed element
        ended(server, 3)
        with open_ws(server, **origin) as ws:
            ws.close(1001)  # what a browser sends when its page goes away
        ended(server, 4)
        lines = [re.sub(r"\d+\.\d ms", "T ms", line) for line in server.transcript.lines()]
    assert lines == [
        "c1 open /ws (browser)",
        'c1 → {"msg": "Bob"} via form#form',
        "   handled by ws v1 T ms",
        'c1 ← <div id="notifications" hx-swap-oob="true">Hello Bob</div>',
        "c1 close 1005 by client: paused (tab hidden)",
        "c2 open /ws (browser) resumes c1",
        'c2 → {"msg": "back"} via form#form',
        "   handled by ws v1 T ms",
        'c2 ← <div id="notifications" hx-swap-oob="true">Hello back</div>',
        "c2 close 1000 by client",
        "c3 open /ws (browser)",
        "c3 close 1005 by client: no close code: tab hidden (htmx 4 pauses) or element removed",
        "c4 open /ws (browser)",
        "c4 close 1001 by client: page left",
    ]


def record(seq: int, connection: str, kind: str, **fields) -> Record:
    return Record(seq, float(seq), connection, fields.pop("path", "/ws"), kind, **fields)


def test_resume_needs_the_same_client_and_path_and_takes_the_latest_pause() -> None:
    records = [
        record(1, "c1", "open", client="a"), record(2, "c2", "open", client="a"),
        record(3, "c1", "close", code=1005, by="client"), record(4, "c2", "close", code=1005, by="client"),
        record(5, "c3", "open", client="b"),                  # another client
        record(6, "c4", "open", client="a", path="/other"),   # another path
        record(7, "c5", "open", client="a"), record(8, "c6", "open", client="a"),
        record(9, "c6", "close", code=1000, by="client"), record(10, "c7", "open", client="a"),
    ]
    assert resumes(records) == {"c5": "c2", "c6": "c1"}
    server_close = record(11, "c7", "close", code=1005, by="server")
    assert close_note(server_close, False) == "" and close_note(records[8], False) == ""


def test_sent_from_reads_htmx4_sources_only() -> None:
    def incoming(text: str) -> Record:
        return record(1, "c1", "in", text=text)

    assert sent_from(incoming(htmx4_frame({"msg": "x"}, "button#b"))) == "button#b"
    assert sent_from(incoming('{"msg": "x", "HEADERS": {"HX-Trigger": "form"}}')) is None
    assert sent_from(incoming('{"headers": "a field of that name"}')) is None
    assert sent_from(incoming("not json, with \"headers\"")) is None
