"""Item 5: how long a notebook cell takes to serve an app, first run and re-run, in a real ipykernel.

    python kernel_timing.py PORT [--kernels K] [--reruns R]

For each of K fresh kernels (started with `jupyter_client`, as Jupyter
does), `CELL` is executed once (imports included: a notebook's first cell
pays them) and then R more times unchanged (a re-run: a new app object
takes over the same port). For every execution two times are taken from
the moment the execute_request is sent:

- reply: the kernel's execute_reply arrives (the cell has finished);
- ready: the app this execution created answers a websocket. Like the
  htmx client, the probe holds the page's socket open during a re-run,
  waits for the server to close it (1012), then reconnects until the reply
  carries this execution's run number.

Prints one JSON line, like `clients.py`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import threading
import time
from queue import Empty
from typing import Any

from jupyter_client.manager import KernelManager
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

HOST = "127.0.0.1"
STEP_TIMEOUT = 60.0  # seconds for one kernel start or one cell

# A notebook cell as a user writes it. `runs` counts executions so the probe
# can tell the app of this execution from the one it replaces.
CELL = """\
from htmxws_nb import *

runs = globals().get('runs', 0) + 1
app = FastHTML(exts='ws')
app.state.run = runs

@app.ws('/ws')
async def ws(msg: str, send, state):
    await send(Div(f'You said {{msg}} (run {{state.run}})', id='notifications'))

serve(port={port})
"""


def ask(ws: ClientConnection) -> str:
    """One round trip: send a frame, return the reply text."""
    ws.send(json.dumps({"msg": "probe", "HEADERS": {"HX-Request": "true"}}, separators=(",", ":")))
    return str(ws.recv(timeout=1))


def open_page_socket(port: int, run: int) -> ClientConnection:
    """The socket a page served by run `run` holds open while the user edits the cell."""
    ws = connect(f"ws://{HOST}:{port}/ws", open_timeout=5, close_timeout=1)
    if f"(run {run})" not in ask(ws):
        ws.close()
        raise RuntimeError(f"port {port} is not served by run {run}")
    return ws


def probe(port: int, run: int, page: ClientConnection | None, deadline: float, found: list[int]) -> None:
    """Do what the htmx client does: wait for the page's socket to be closed (1012), then reconnect
    until the app of run `run` answers; note when it does."""
    if page is not None:
        with contextlib.suppress(ConnectionClosed, TimeoutError):
            while True:
                page.recv(timeout=max(0.0, deadline - time.monotonic()))
    expected = f"(run {run})"
    while time.monotonic() < deadline:
        try:
            with connect(f"ws://{HOST}:{port}/ws", open_timeout=1, close_timeout=0.2) as ws:
                if expected in ask(ws):
                    found.append(time.perf_counter_ns())
                    return
        except Exception:  # not listening yet
            pass
        time.sleep(0.001)


def execute(client: Any, port: int, run: int) -> dict[str, Any]:
    """Run the cell once; the times from the execute_request to its reply and to the new app answering."""
    found: list[int] = []
    page = open_page_socket(port, run - 1) if run > 1 else None
    prober = threading.Thread(target=probe, args=(port, run, page, time.monotonic() + STEP_TIMEOUT, found),
                              daemon=True)
    start = time.perf_counter_ns()
    msg_id = client.execute(CELL.format(port=port), store_history=True)
    prober.start()
    try:
        reply = wait_reply(client, msg_id)
        reply_ns = time.perf_counter_ns()
        prober.join(STEP_TIMEOUT)
    finally:
        if page is not None:
            page.close()
    if reply is None:
        return {"error": f"no execute_reply within {STEP_TIMEOUT} s"}
    content = reply["content"]
    if content["status"] != "ok":
        return {"error": f"the cell ended with status {content['status']}: "
                         f"{content.get('ename')}: {content.get('evalue')}"}
    if not found:
        return {"error": f"the served app (run {run}) never answered on port {port}"}
    return {"reply_ms": (reply_ns - start) / 1e6, "ready_ms": (found[0] - start) / 1e6}


def wait_reply(client: Any, msg_id: str) -> dict[str, Any] | None:
    """The execute_reply to `msg_id`, or None after `STEP_TIMEOUT`."""
    deadline = time.monotonic() + STEP_TIMEOUT
    while time.monotonic() < deadline:
        try:
            message = client.get_shell_msg(timeout=1)
        except Empty:
            continue
        if message["parent_header"].get("msg_id") == msg_id:
            return message
    return None


def one_kernel(port: int, reruns: int) -> dict[str, Any]:
    """A fresh kernel: the first run of the cell, then `reruns` re-runs."""
    km = KernelManager(kernel_name="python3")
    start = time.perf_counter_ns()
    km.start_kernel()
    client = km.client()
    try:
        client.start_channels()
        client.wait_for_ready(timeout=STEP_TIMEOUT)
        result: dict[str, Any] = {"kernel_start_ms": (time.perf_counter_ns() - start) / 1e6}
        result["first"] = execute(client, port, 1)
        result["reruns"] = [execute(client, port, run) for run in range(2, reruns + 2)]
        return result
    finally:
        client.stop_channels()
        km.shutdown_kernel(now=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("port", type=int)
    parser.add_argument("--kernels", type=int, default=3, help="fresh kernels (first-run samples)")
    parser.add_argument("--reruns", type=int, default=3, help="re-runs of the cell in each kernel")
    args = parser.parse_args(argv)
    try:
        result: dict[str, Any] = {"kernels": [one_kernel(args.port, args.reruns) for _ in range(args.kernels)]}
    except Exception as exc:  # reported to the runner, which shows it in the table
        result = {"error": f"{type(exc).__name__}: {exc}"}
    print(json.dumps(result), flush=True)
    return 1 if "error" in result else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
