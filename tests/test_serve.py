"""`serve()` in a real IPython kernel: background start, idempotent re-runs, live swap, errors, shutdown."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import free_port, open_ws, recv_text, wait_for_port
from kernel import Kernel

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


@pytest.fixture
def kernel(tmp_path: Path) -> Iterator[Kernel]:
    k = Kernel(tmp_path, env={"HTMXWS_NB_SECRET_KEY": "test", "XDG_STATE_HOME": str(tmp_path)})
    try:
        yield k
    finally:
        k.shutdown(now=True)


def port_is_free(port: int) -> bool:
    """Could a server listen on `port` now (as servers do, with SO_REUSEADDR)?"""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            s.listen()
        except OSError:
            return False
        return True


def ask(port: int, msg: str) -> str:
    with open_ws(port) as ws:
        ws.send(json.dumps({"msg": msg, "HEADERS": {"HX-Request": "true"}}))
        return recv_text(ws)


def test_serve_returns_at_once_and_answers(kernel: Kernel) -> None:
    port = free_port()
    kernel.run(APP_CELL + HANDLER_CELL.format(greeting="Hello"))
    run = kernel.run(f"serve(port={port})")
    assert run.status == "ok"
    assert run.elapsed < 1.0, f"the serve cell took {run.elapsed:.2f} s"
    assert ask(port, "Bob") == '<div id="notifications">Hello Bob</div>'
    html = run.html()
    assert "<iframe" in html and f'"port": {port}' in html and f"http://127.0.0.1:{port}" in html
    assert run.streams() == [], "nothing printed into the cell"


def test_rerunning_serve_cell_keeps_one_server_on_one_port(kernel: Kernel) -> None:
    port = free_port()
    for _ in range(3):
        run = kernel.run(APP_CELL + HANDLER_CELL.format(greeting="Hi") + f"server = serve(port={port})")
        assert run.status == "ok" and run.elapsed < 2.0
        assert ask(port, "x") == '<div id="notifications">Hi x</div>'
    count = kernel.run("print(len(running_servers()), server.port, server.app is app)")
    assert count.text.strip() == f"1 {port} True"


def test_same_app_gets_the_running_server(kernel: Kernel) -> None:
    port = free_port()
    kernel.run(APP_CELL + HANDLER_CELL.format(greeting="Hi"))
    run = kernel.run(f"a = serve(port={port}); b = serve(port={port}); c = serve(); print(a is b is c)")
    assert run.text.strip() == "True"


def test_open_socket_gets_the_re_run_handler(kernel: Kernel) -> None:
    port = free_port()
    kernel.run(APP_CELL + HANDLER_CELL.format(greeting="Hello"))
    kernel.run(f"serve(port={port})")
    with open_ws(port) as ws:
        ws.send('{"msg": "one"}')
        assert recv_text(ws) == '<div id="notifications">Hello one</div>'
        kernel.run(HANDLER_CELL.format(greeting="Howdy"))
        ws.send('{"msg": "two"}')
        assert recv_text(ws) == '<div id="notifications">Howdy two</div>'


def test_new_app_on_same_port_closes_old_sockets_with_1012(kernel: Kernel) -> None:
    from websockets.exceptions import ConnectionClosed

    port = free_port()
    kernel.run(APP_CELL + HANDLER_CELL.format(greeting="Old"))
    kernel.run(f"serve(port={port})")
    with open_ws(port) as ws:
        kernel.run(APP_CELL + HANDLER_CELL.format(greeting="New") + f"serve(port={port})")
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
        assert closed.value.rcvd.code == 1012, "1012 makes the htmx client reconnect"
    assert ask(port, "z") == '<div id="notifications">New z</div>'


def test_stop_frees_the_port(kernel: Kernel) -> None:
    port = free_port()
    kernel.run(APP_CELL + HANDLER_CELL.format(greeting="Hi") + f"server = serve(port={port})")
    assert not port_is_free(port)
    run = kernel.run("server.stop(); print(server.running, len(running_servers()))")
    assert run.text.strip() == "False 0"
    assert port_is_free(port)


def test_kernel_shutdown_without_stop_is_fast_and_frees_the_port(tmp_path: Path) -> None:
    port = free_port()
    k = Kernel(tmp_path, env={"HTMXWS_NB_SECRET_KEY": "test"})
    try:
        k.run(APP_CELL + HANDLER_CELL.format(greeting="Hi") + f"serve(port={port})")
        with open_ws(port) as ws:  # an open socket must not hold the kernel either
            ws.send('{"msg": "a"}')
            recv_text(ws)
            started = time.monotonic()
            k.client.shutdown()
            k.manager.provisioner.process.wait(timeout=10)  # type: ignore[union-attr]
            took = time.monotonic() - started
    finally:
        k.shutdown(now=True)
    assert took < 1.0, f"the kernel took {took:.2f} s to exit"
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
        actual = int(kernel.run("print(server.port)").text.strip())
        assert actual != taken
        assert ask(actual, "moved") == '<div id="notifications">Hi moved</div>'
        again = kernel.run(f"print(serve(port={taken}).port)")
        assert int(again.text.strip()) == actual, "re-running finds the moved server"


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
    port = free_port()
    kernel.run(APP_CELL + "@app.ws('/ws')\nasync def ws(msg: str):\n    raise ValueError('bad ' + msg)\n")
    run = kernel.run(f"serve(port={port})")
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
    port = free_port()
    kernel.run(APP_CELL + "@app.ws('/ws')\nasync def ws(msg: str):\n    raise ValueError('x')\n")
    kernel.run(f"serve(port={port})")
    ask(port, "a")
    with socket.create_connection(("127.0.0.1", port)) as s:  # a request uvicorn finds malformed
        s.sendall(b"NONSENSE\r\n\r\n")
        s.recv(100)
    later = kernel.run("import time; time.sleep(0.5); print('done')")
    assert later.streams() == ["done\n"], "no uvicorn or htmxws_nb log line landed in a later cell"
    log = kernel.run("from htmxws_nb.notebook.logs import recent_log; print(len(recent_log.lines) > 0)")
    assert log.text.strip() == "True", "the lines are kept for whoever wants to read them"


def test_page_route_re_run_makes_open_pages_reload(kernel: Kernel) -> None:
    port = free_port()
    kernel.run(APP_CELL + HANDLER_CELL.format(greeting="Hi"))
    kernel.run(f"serve(port={port})")
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
    port = free_port()
    kernel.run(APP_CELL + HANDLER_CELL.format(greeting="Hi"))
    kernel.run(f"serve(port={port})")
    wait_for_port(port)
    import urllib.request

    request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"X-Forwarded-Prefix": "/user/t/proxy/9"})
    page = urllib.request.urlopen(request, timeout=5).read().decode()
    assert 'ws-connect="/user/t/proxy/9/ws"' in page
    assert 'data-live="/user/t/proxy/9/_htmxws/live"' in page


def test_many_servers_in_one_kernel(kernel: Kernel) -> None:
    first, second = free_port(), free_port()
    kernel.run(APP_CELL + HANDLER_CELL.format(greeting="One") + f"one = serve(port={first})")
    kernel.run(APP_CELL + HANDLER_CELL.format(greeting="Two") + f"two = serve(port={second})")
    assert ask(first, "a") == '<div id="notifications">One a</div>'
    assert ask(second, "b") == '<div id="notifications">Two b</div>'
    run = kernel.run("print(len(running_servers()), one.port != two.port)")
    assert run.text.strip() == "2 True"
