"""Topics across processes through a real redis-server: two script servers on different ports, and
`uvicorn --workers 2` with clients on both workers."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from conftest import msg_frame, open_ws, recv_text, script_server

CHAT = """\
import os
from htmxws_nb import *

app = FastHTML(exts='ws')  # the Redis URL comes from HTMXWS_NB_PUBSUB

async def on_conn(send):
    await app.subscribe('chat', send)  # returns once Redis confirmed it
    return Div(str(os.getpid()), id='pid')

@app.ws('/ws', conn=on_conn)
async def ws(msg: str):
    await app.publish('chat', Ul(Li(msg), id='msg-list', hx_swap_oob='beforeend'))

serve()
"""


def item(msg: str) -> str:
    return f'<ul id="msg-list" hx-swap-oob="beforeend"><li>{msg}</li></ul>'


def assert_clean(log: Path) -> None:
    text = log.read_text()
    assert "Traceback" not in text and "ERROR" not in text, text[-3000:]


def test_two_servers_on_different_ports_share_a_topic(tmp_path: Path, redis_server) -> None:
    env = {"HTMXWS_NB_PUBSUB": redis_server.url}
    with script_server(tmp_path, CHAT, "one.py", env) as one, script_server(tmp_path, CHAT, "two.py", env) as two, \
            contextlib.ExitStack() as stack:
        clients = [stack.enter_context(open_ws(port)) for port in (one, one, two, two)]
        pids = [recv_text(ws) for ws in clients]
        assert len(set(pids)) == 2  # two processes
        for n in range(20):
            clients[n % 4].send(msg_frame(f"m{n}"))
            for ws in clients:
                assert recv_text(ws) == item(f"m{n}")
        for n in range(20):  # one publisher, no waiting: order kept everywhere
            clients[2].send(msg_frame(f"burst {n}"))
        for ws in clients:
            assert [recv_text(ws) for _ in range(20)] == [item(f"burst {n}") for n in range(20)]
        clients[1].close()
        clients[3].close()
        clients[0].send(msg_frame("after two left"))
        assert recv_text(clients[0]) == recv_text(clients[2]) == item("after two left")
    assert_clean(tmp_path / "one.py.log")
    assert_clean(tmp_path / "two.py.log")


@contextlib.contextmanager
def uvicorn_workers(tmp_path: Path, url: str, workers: int) -> Iterator[int]:
    """`uvicorn chat_topics:app --workers N --port 0`; yields the port once every worker has started."""
    (tmp_path / "chat_topics.py").write_text(CHAT)
    log_path = tmp_path / "uvicorn.log"
    env = {**os.environ, "HTMXWS_NB_PUBSUB": url, "XDG_STATE_HOME": str(tmp_path / "state")}
    with log_path.open("w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "chat_topics:app", "--workers", str(workers),
                                 "--host", "127.0.0.1", "--port", "0"], cwd=tmp_path, env=env, stdout=log,
                                stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 30
            while (text := log_path.read_text()).count("Application startup complete") < workers or \
                    "Uvicorn running on" not in text:
                assert proc.poll() is None and time.monotonic() < deadline, text[-3000:]
                time.sleep(0.05)
            yield int(re.search(r"Uvicorn running on http://127\.0\.0\.1:(\d+)", text).group(1))
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_uvicorn_workers_share_a_topic(tmp_path: Path, redis_server) -> None:
    with uvicorn_workers(tmp_path, redis_server.url, 2) as port, contextlib.ExitStack() as stack:
        by_worker: dict[str, list] = {}
        for _ in range(100):  # the kernel hands each connection to one worker: connect until both have one
            ws = stack.enter_context(open_ws(port))
            by_worker.setdefault(recv_text(ws), []).append(ws)
            if len(by_worker) == 2:
                break
        assert len(by_worker) == 2, "every connection went to the same worker"
        clients = [ws for group in by_worker.values() for ws in group]
        first, last = next(iter(by_worker.values()))[0], clients[-1]  # on different workers
        for n, sender in enumerate((first, last, first)):
            sender.send(msg_frame(f"m{n}"))
            for ws in clients:
                assert recv_text(ws) == item(f"m{n}")
    assert_clean(tmp_path / "uvicorn.log")
