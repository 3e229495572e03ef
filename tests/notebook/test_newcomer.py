"""What a newcomer does in a notebook, through a real kernel: assign `serve()`, re-create the app,
send htmx's null headers."""

from __future__ import annotations

import json

import pytest
from conftest import open_ws, output_spec, recv_text
from kernel import Kernel, served_port
from websockets.exceptions import ConnectionClosed

APP_CELL = """
from htmxws_nb import *
app = FastHTML(exts='ws')

@app.route('/')
def get():
    return Titled('Hello', Div(Div(id='notifications'), Form(Input(id='msg'), id='form', ws_send=True),
                  hx_ext='ws', ws_connect='/ws'))

@app.ws('/ws')
async def ws(msg: str):
    return Div('{greeting} ' + msg, id='notifications')
"""


def pages_shown(html: str) -> int:
    return html.count('class="htmxws-page"')


def ask(port: int, msg: str) -> str:
    with open_ws(port) as ws:
        ws.send(json.dumps({"msg": msg}))
        return recv_text(ws)


def test_serve_shows_the_page_once_assigned_or_not(kernel: Kernel) -> None:
    kernel.run(APP_CELL.format(greeting="Hi"))
    assigned = kernel.run("server = serve(port=0)")
    assert pages_shown(assigned.html()) == 1, "an assigned serve() shows the page too"
    port = served_port(kernel, "server")
    assert output_spec(assigned.html())["port"] == port
    both = kernel.run("server = serve(port=0)\nserver")
    assert pages_shown(both.html()) == 1, "serve() and the server as the cell's value: one page"
    bare = kernel.run("serve(port=0)")
    assert pages_shown(bare.html()) == 1, "a bare serve() as the last line: one page"
    later = kernel.run("server")
    assert pages_shown(later.html()) == 1, "evaluating the server later shows it again"


def test_a_page_output_carries_the_page_as_served(kernel: Kernel) -> None:
    kernel.run(APP_CELL.format(greeting="Hi"))
    html = kernel.run("serve(port=0)").html()
    snapshot = html.split('class="htmxws-snapshot"', 1)[1].split('class="htmxws-status"', 1)[0]
    assert "<h1>Hello</h1>" in snapshot, "the page's content, readable without scripts"
    assert "<script" not in snapshot and "ws-connect" not in snapshot and "hx-ext" not in snapshot
    assert "<input disabled>" in snapshot, "controls are inert"


def test_a_re_created_app_takes_over_the_running_server(kernel: Kernel) -> None:
    kernel.run(APP_CELL.format(greeting="Old") + "serve(port=0)")
    port = served_port(kernel)
    with open_ws(port) as old_socket:
        run = kernel.run(APP_CELL.format(greeting="New"))  # the app cell re-run, without serve()
        assert f"`app` is a new app: the server on port {port} serves it now" in run.text
        with pytest.raises(ConnectionClosed) as closed:
            old_socket.recv(timeout=5)
        assert closed.value.rcvd.code == 1012, "the htmx client reconnects, to the new app"
    assert ask(port, "Ann") == '<div id="notifications">New Ann</div>'
    handler = kernel.run("@app.ws('/ws')\nasync def ws(msg: str):\n    return Div('Newer ' + msg, id='notifications')")
    assert "new app" not in handler.text, "said once, when it happened"
    assert ask(port, "Bob") == '<div id="notifications">Newer Bob</div>', "later handler cells reach the server"
    count = kernel.run("print(len(running_servers()), running_servers()[0].app is app)")
    assert count.printed.strip() == "1 True"


def test_a_new_app_served_elsewhere_is_not_followed(kernel: Kernel) -> None:
    kernel.run(APP_CELL.format(greeting="One") + "one = serve(port=0)")
    first = served_port(kernel, "one")
    run = kernel.run(APP_CELL.format(greeting="Two") + f"two = serve(port={first + 1})")
    assert "new app" not in run.text
    assert ask(first, "a") == '<div id="notifications">One a</div>'


def test_a_null_htmx_header_counts_as_absent(kernel: Kernel) -> None:
    kernel.run(
        "from htmxws_nb import *\n"
        "app = FastHTML(exts='ws')\n"
        "@app.ws('/ws')\n"
        "async def ws(msg: str, hx_trigger_name: str = 'no name', htmx=None):\n"
        "    return Div(f'{msg} from {hx_trigger_name}, trigger {htmx.trigger_name!r}', id='n')\n"
        "server = serve(port=0)"
    )
    with open_ws(served_port(kernel, "server")) as ws:
        # what htmx-ext-ws sends for a form without a name
        ws.send(json.dumps({"msg": "hi", "HEADERS": {"HX-Request": "true", "HX-Trigger": "form",
                                                    "HX-Trigger-Name": None, "HX-Target": "form"}}))
        assert recv_text(ws) == '<div id="n">hi from no name, trigger None</div>'


FAILING = """
@app.ws('/ws')
async def ws(msg: str):
    raise ValueError('bad ' + msg)
"""


def test_errors_seen_from_python_point_to_their_tracebacks(kernel: Kernel) -> None:
    kernel.run(APP_CELL.format(greeting="Hi") + FAILING + "server = serve(port=0)\nclient = connect(app, '/ws')")
    trip = kernel.run("client.round_trip(msg='x')")
    assert "← error: the server failed to handle this message" in trip.text
    assert "ValueError: bad x (the traceback is under the served page, and in app.errors)" in trip.text
    kernel.run("client.round_trip(msg='y')")
    listing = kernel.run("app.errors").text
    assert listing.startswith("2 handler errors (newest last; app.errors[-1], app.errors.clear()):")
    assert "[0] websocket /ws: ws: ValueError: bad x" in listing
    assert "[1] websocket /ws: ws: ValueError: bad y" in listing
    assert "Traceback (most recent call last)" in listing
    cleared = kernel.run("app.errors.clear()\nprint(len(app.errors), len(server.errors))")
    assert cleared.printed.strip() == "0 0", "the server's copy, which the panel shows, clears too"


def test_the_panel_says_when_the_failing_handler_was_replaced(kernel: Kernel) -> None:
    run = kernel.run(APP_CELL.format(greeting="Hi") + FAILING + "server = serve(port=0)\nclient = connect(app, '/ws')")
    [panel] = [o for o in run.outputs if o["msg_type"] == "display_data" and "htmxws-live" in
               o["content"]["data"].get("text/html", "")]
    panel_id = panel["content"]["transient"]["display_id"]
    kernel.run("client.round_trip(msg='x')")
    kernel.run("@app.ws('/ws')\nasync def ws(msg: str):\n    return Div('fixed ' + msg, id='notifications')")
    updates = [u for u in kernel.updates(wait=2) if u["content"]["transient"]["display_id"] == panel_id]
    assert updates and "(replaced since)" in updates[-1]["content"]["data"]["text/plain"]
    assert "fixed z" in kernel.run("client.round_trip(msg='z')").text


def test_a_push_from_a_cell_is_its_own_row_in_the_transcript(kernel: Kernel) -> None:
    kernel.run(
        "from htmxws_nb import *\n"
        "app = FastHTML(exts='ws')\n"
        "users, msgs = {}, []\n"
        "@app.ws('/ws', conn=lambda ws, send: users.__setitem__(id(ws), send))\n"
        "async def ws(msg: str):\n"
        "    msgs.append(msg)\n"
        "    for u in users.values(): await u(Ul(*[Li(m) for m in msgs], id='msg-list'))\n"
        "server = serve(port=0)\n"
        "ann = connect(app, '/ws')\n"
        "ann.round_trip(msg='Bob here: a message long enough that the list gets cut in views')"
    )
    kernel.run("msgs.append('Tea break')\nfor u in users.values(): await u(Ul(*[Li(m) for m in msgs], id='msg-list'))")
    text = kernel.run("print(repr(transcript(app)))").printed
    lines = text.strip().splitlines()
    assert lines[-1] == "c1 ← (pushed) #msg-list: + Tea break", text
    assert "Tea break" not in "".join(lines[:-1]), "not filed under the earlier message"
    table = kernel.run("transcript(app)").html()
    assert table.count("<tr>") == 3 and "pushed from outside any handler" in table
