"""`serve()` in a real IPython kernel: background start, idempotent re-runs, live swap, errors, shutdown."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import open_ws, output_spec, port_is_free, recv_text
from kernel import Kernel, served_port

APP_CELL = """
from htmxws_nb import *
app = FastHTML(exts='ws')
rt = app.route

@rt('/')
def get():
    return Titled('Websocket Test', Div(Div(id='notifications'),
        Form(Input(id='msg'), id='form', ws_send=True), hx_ext='ws', ws_connect='/ws'))
"""

HANDLER_CELL = """
@app.ws('/ws')
async def ws(msg: str, send):
    await send(Div('{greeting} ' + msg, id='notifications'))
"""




def ask(port: int, msg: str) -> str:
    with open_ws(port) as ws:
        ws.send(json.dumps({"msg": msg, "HEADERS": {"HX-Request": "true"}}))
        return recv_text(ws)


def test_serve_returns_at_once_and_answers(kernel: Kernel) -> None:
    kernel.run(APP_CELL + HANDLER_CELL.format(greeting="Hello"))
    run = kernel.run("serve(port=0)", timeout=10)  # a serve() that blocked would time out here
    assert run.status == "ok"
    port = served_port(kernel)
    assert ask(port, "Bob") == '<div id="notifications">Hello Bob</div>'
    html = run.html()
    spec = output_spec(html)
    assert "<iframe" in html and spec["port"] == port and spec["direct"] == f"http://127.0.0.1:{port}"
    assert run.streams() == [], "nothing printed into the cell"


def test_rerunning_serve_cell_keeps_one_server_on_one_port(kernel: Kernel) -> None:
    ports = set()
    for _ in range(3):
        run = kernel.run(APP_CELL + HANDLER_CELL.format(greeting="Hi") + "server = serve(port=0)", timeout=10)
        assert run.status == "ok"
        port = served_port(kernel)
        ports.add(port)
        assert ask(port, "x") == '<div id="notifications">Hi x</div>'
    assert len(ports) == 1
    count = kernel.run("print(len(running_servers()), server.port, server.app is app)")
    assert count.text.strip() == f"1 {port} True"


def test_same_app_gets_the_running_server(kernel: Kernel) -> None:
    kernel.run(APP_CELL + HANDLER_CELL.format(greeting="Hi"))
    run = kernel.run("a = serve(port=0); b = serve(port=0); c = serve(); print(a is b is c)")
    assert run.streams() == ["True\n"]
    assert run.html().count("<iframe") == 1, "shown once in the cell"


def test_open_socket_gets_the_re_run_handler(kernel: Kernel) -> None:
    kernel.run(APP_CELL + HANDLER_CELL.format(greeting="Hello"))
    kernel.run("serve(port=0)")
    with open_ws(served_port(kernel)) as ws:
        ws.send('{"msg": "one"}')
        assert recv_text(ws) == '<div id="notifications">Hello one</div>'
        kernel.run(HANDLER_CELL.format(greeting="Howdy"))
        ws.send('{"msg": "two"}')
        assert recv_text(ws) == '<div id="notifications">Howdy two</div>'


def test_new_app_on_same_port_closes_old_sockets_with_1012(kernel: Kernel) -> None:
    from websockets.exceptions import ConnectionClosed

    kernel.run(APP_CELL + HANDLER_CELL.format(greeting="Old"))
    kernel.run("serve(port=0)")
    port = served_port(kernel)
    with open_ws(port) as ws:
        kernel.run(APP_CELL + HANDLER_CELL.format(greeting="New") + "serve(port=0)")
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
        assert closed.value.rcvd.code == 1012, "1012 makes the htmx client reconnect"
    assert ask(port, "z") == '<div id="notifications">New z</div>'


def test_stop_frees_the_port(kernel: Kernel) -> None:
    kernel.run(APP_CELL + HANDLER_CELL.format(greeting="Hi") + "server = serve(port=0)")
    port = served_port(kernel)
    assert not port_is_free(port)
    run = kernel.run("server.stop(); print(server.running, len(running_servers()))")
    assert run.text.strip() == "False 0"
    assert port_is_free(port)


def test_kernel_shutdown_without_stop_is_fast_and_frees_the_port(tmp_path: Path) -> None:
    k = Kernel(tmp_path, env={"HTMXWS_NB_SECRET_KEY": "test"})
    try:
        k.run(APP_CELL + HANDLER_CELL.format(greeting="Hi") + "serve(port=0)")
        port = served_port(k)
        with open_ws(port) as ws:  # an open socket must not hold the kernel either
            ws.send('{"msg": "a"}')
            recv_text(ws)
            k.client.shutdown()
            # A thread that kept the kernel alive would make this time out (Jupyter then kills it).
            returncode = k.manager.provisioner.process.wait(timeout=10)  # type: ignore[union-attr]
    finally:
        k.shutdown(now=True)
    assert returncode == 0, "the kernel exited by itself"
    assert port_is_free(port)


def test_taken_port_moves_to_another_and_says_so(kernel: Kernel) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        taken = blocker.getsockname()[1]
        kernel.run(APP_CELL + HANDLER_CELL.format(greeting="Hi"))
        started = time.monotonic()
        run = kernel.run(f"server = serve(port={taken}); server")
        assert time.monotonic() - started < 5
        assert run.status == "ok"
        assert f"Port {taken} is in use by another program; serving on port" in run.text
        actual = served_port(kernel, "server")
        assert actual != taken
        assert ask(actual, "moved") == '<div id="notifications">Hi moved</div>'
        again = kernel.run(f"print(serve(port={taken}).port)")
        assert int(again.printed) == actual, "re-running finds the moved server"


def test_server_that_cannot_start_fails_fast_with_a_clear_error(kernel: Kernel) -> None:
    kernel.run(APP_CELL + HANDLER_CELL.format(greeting="Hi"))
    started = time.monotonic()
    run = kernel.run("serve(port=5123, host='192.0.2.1')")  # an address this machine does not have
    assert time.monotonic() - started < 5
    assert run.status == "error"
    assert "ServerStartError: cannot listen on 192.0.2.1:5123: Cannot assign requested address" in run.text


def test_failing_lifespan_is_reported(kernel: Kernel) -> None:
    run = kernel.run(
        "from contextlib import asynccontextmanager\n"
        "from htmxws_nb import *\n"
        "@asynccontextmanager\n"
        "async def lifespan(app):\n"
        "    raise RuntimeError('database is down')\n"
        "    yield\n"
        "app = FastHTML(lifespan=lifespan)\n"
        "serve(port=0)"
    )
    assert run.status == "error"
    assert "failed to start" in run.text and "database is down" in run.text


def test_handler_error_appears_in_the_serve_cells_output(kernel: Kernel) -> None:
    kernel.run(APP_CELL + "@app.ws('/ws')\nasync def ws(msg: str):\n    raise ValueError('bad ' + msg)\n")
    run = kernel.run("serve(port=0)")
    port = served_port(kernel)
    panel = [o for o in run.outputs if o["msg_type"] == "display_data" and o["content"].get("transient")]
    assert panel, "the serve cell shows an (empty) error panel with a display id"
    display_id = panel[-1]["content"]["transient"]["display_id"]
    assert ask(port, "x") == "error: the server failed to handle this message"
    updates = [u for u in kernel.updates(wait=3) if u["content"]["transient"]["display_id"] == display_id]
    assert updates, "the panel is updated from the server thread"
    shown = updates[-1]["content"]["data"]
    assert "ValueError: bad x" in shown["text/plain"] and "Error in websocket /ws: ws" in shown["text/plain"]
    assert "Traceback" in shown["text/html"]


def test_server_logs_stay_out_of_cells(kernel: Kernel) -> None:
    kernel.run(APP_CELL + "@app.ws('/ws')\nasync def ws(msg: str):\n    raise ValueError('x')\n")
    kernel.run("serve(port=0); from htmxws_nb.notebook.logs import recent_log; before = len(recent_log.lines)")
    port = served_port(kernel)
    ask(port, "a")
    with socket.create_connection(("127.0.0.1", port)) as s:  # a request uvicorn finds malformed
        s.sendall(b"NONSENSE\r\n\r\n")
        s.recv(100)
    deadline = time.monotonic() + 10
    while True:  # until the server has logged both (the error, the bad request): they are kept, not printed
        later = kernel.run("print(len(recent_log.lines) - before)")
        if int(later.text) >= 2 or time.monotonic() > deadline:
            break
    assert int(later.text) >= 2, "the lines are kept for whoever wants to read them"
    assert later.streams() == [f"{later.text.strip()}\n"], "no uvicorn or htmxws_nb log line landed in a cell"


def test_page_route_re_run_makes_open_pages_reload(kernel: Kernel) -> None:
    kernel.run(APP_CELL + HANDLER_CELL.format(greeting="Hi"))
    kernel.run("serve(port=0)")
    port = served_port(kernel)
    page = subprocess.run([sys.executable, "-c", f"import urllib.request;print(urllib.request.urlopen("
                           f"'http://127.0.0.1:{port}/').read().decode())"], capture_output=True, text=True).stdout
    assert 'src="/_htmxws/static/live.js" data-live="/_htmxws/live"' in page
    with open_ws(port, "/_htmxws/live") as live:
        token = recv_text(live)
        assert re.fullmatch(r"[0-9a-f]{16}\.\d+", token), "the server id and which of its apps"
        kernel.run(HANDLER_CELL.format(greeting="Handler only"))
        with pytest.raises(TimeoutError):
            live.recv(timeout=0.5)  # a websocket handler re-run does not reload pages
        kernel.run("@rt('/')\ndef get():\n    return P('changed')")
        assert recv_text(live) == "reload"


def test_forwarded_prefix_through_a_kernel_served_app(kernel: Kernel) -> None:
    kernel.run(APP_CELL + HANDLER_CELL.format(greeting="Hi"))
    kernel.run("serve(port=0)")
    port = served_port(kernel)
    import urllib.request

    request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"X-Forwarded-Prefix": "/user/t/proxy/9"})
    page = urllib.request.urlopen(request, timeout=5).read().decode()
    assert 'ws-connect="/user/t/proxy/9/ws"' in page
    assert 'data-live="/user/t/proxy/9/_htmxws/live"' in page


def test_many_servers_in_one_kernel(kernel: Kernel) -> None:
    kernel.run(APP_CELL + HANDLER_CELL.format(greeting="One") + "one = serve(port=0)")
    first = served_port(kernel, "one")
    kernel.run(APP_CELL + HANDLER_CELL.format(greeting="Two") + f"two = serve(port={first + 1})")
    second = served_port(kernel, "two")
    assert ask(first, "a") == '<div id="notifications">One a</div>'
    assert ask(second, "b") == '<div id="notifications">Two b</div>'
    run = kernel.run("print(len(running_servers()), one.port != two.port)")
    assert run.printed.strip() == "2 True"


def test_kernel_restart_leaves_no_orphaned_port(tmp_path: Path) -> None:
    kernel = Kernel(tmp_path, env={"HTMXWS_NB_SECRET_KEY": "test"})
    try:
        run = kernel.run("from htmxws_nb import *\napp = FastHTML(exts='ws')\nprint(serve(port=0).port)")
        port = int(run.printed)
        assert not port_is_free(port)
        kernel.manager.restart_kernel(now=False)
        kernel.client.wait_for_ready(timeout=60)
        assert port_is_free(port)
        run = kernel.run(f"from htmxws_nb import *\napp = FastHTML(exts='ws')\nprint(serve(port={port}).port)")
        assert run.printed.strip() == str(port), "the restarted kernel gets the same port back"
    finally:
        kernel.shutdown(now=True)
