"""Our app served the way apps are deployed (`uvicorn module:app`): uvicorn's own server and
protocols, none of ours. The fast path and the limits must hold there too."""

from __future__ import annotations

from conftest import msg_frame, open_ws, plain_uvicorn, recv_text, seed_app, stalled_client, wait_for

from htmxws_nb import Div, FastHTML
from htmxws_nb.app.websocket import ABORT_EXTENSION


def test_replies_are_written_at_once_without_a_writer_task() -> None:
    app = FastHTML(exts="ws")

    @app.ws("/ws")
    async def ws(msg: str, send, scope):
        await send(Div("Hello " + msg, id="n"))
        outbox = send.__self__.outbox
        await send(Div(f"writer {outbox.writing}, abort {ABORT_EXTENSION in scope.get('extensions', {})}", id="m"))

    with plain_uvicorn(app) as port, open_ws(port) as client:
        client.send(msg_frame("Bob"))
        assert recv_text(client) == '<div id="n">Hello Bob</div>'
        assert recv_text(client) == '<div id="m">writer False, abort False</div>'


def test_a_client_that_stops_reading_is_cut_and_the_chat_goes_on() -> None:
    chat = seed_app("chat_ws.py", ws_max_queue=5, ws_send_timeout=60)
    with plain_uvicorn(chat["app"]) as port, open_ws(port, max_size=None) as talker:
        frozen = stalled_client(port)
        try:
            wait_for(lambda: len(chat["users"]) == 2, what="both joined")
            frozen_connection = list(chat["users"].values())[1].__self__
            for i in range(30):
                talker.send(msg_frame(f"{i} " + "q" * 50_000))
                recv_text(talker)
                if frozen_connection.closed:
                    break
            assert frozen_connection.close_code == 1013
            wait_for(lambda: len(chat["users"]) == 1, what="disconn ran for the frozen client")
        finally:
            frozen.close()
        talker.send(msg_frame("still here"))
        assert "<li>still here</li>" in recv_text(talker)
