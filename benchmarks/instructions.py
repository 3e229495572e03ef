"""CPU instructions per message, counted by valgrind's callgrind: figures that do not move with the
machine's load (a shared machine moves the timed benchmarks by ±15 % and more).

    .venv/bin/python benchmarks/instructions.py          # needs valgrind (Debian: apt-get install valgrind)

Each figure is (instructions of a run with N operations - instructions of a run with 1) / (N - 1), so
Python's start-up and imports cancel out; the garbage collector is off in both runs.

- echo, in process: one websocket message through the app's ASGI callable (uvicorn left out: the same
  for both), ours (`apps/ours_echo.py`) and the raw Starlette baseline (`apps/raw_echo.py`).
- the tutorial chat's list, `Ul(*[Li(m) for m in msgs], id='msg-list')` with 22 messages, built and
  rendered (what the chat does once per user per message), against a string join doing the same.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
FRAME = json.dumps({"msg": "hello", "HEADERS": {"HX-Request": "true", "HX-Trigger": "form", "HX-Trigger-Name": "form",
                                               "HX-Target": "form", "HX-Current-URL": "http://127.0.0.1:1/"}})
MESSAGES = [f"message number {i} from somebody" for i in range(22)]


async def _echo(app: object, n: int) -> None:
    queue: asyncio.Queue[dict] = asyncio.Queue()
    sent = 0
    done = asyncio.Event()

    async def send(message: dict) -> None:
        nonlocal sent
        if message["type"] == "websocket.send":
            sent += 1
            if sent == n:
                done.set()

    scope = {"type": "websocket", "path": "/ws", "raw_path": b"/ws", "query_string": b"", "headers": [(b"host", b"x")],
             "scheme": "ws", "server": ("127.0.0.1", 1), "client": ("127.0.0.1", 2), "subprotocols": [],
             "asgi": {"version": "3.0"}, "extensions": {}, "root_path": "", "state": {}}
    queue.put_nowait({"type": "websocket.connect"})
    task = asyncio.ensure_future(app(scope, queue.get, send))  # type: ignore[operator]
    for _ in range(n):
        queue.put_nowait({"type": "websocket.receive", "text": FRAME})
    await done.wait()
    queue.put_nowait({"type": "websocket.disconnect", "code": 1000})
    await task


def _workload(name: str, n: int) -> None:
    """What one counted run does (in a subprocess under callgrind)."""
    gc.disable()
    sys.path.insert(0, str(HERE))
    os.environ.setdefault("HTMXWS_NB_SECRET_KEY", "benchmark-only-secret")
    if name in ("echo-ours", "echo-raw"):
        import importlib

        app = importlib.import_module(f"apps.{name.split('-')[1]}_echo").app
        asyncio.run(_echo(app, n))
    elif name == "chat-list-ours":
        from htmxws_nb import Li, Ul
        from htmxws_nb.html import to_html

        for _ in range(n):
            to_html(Ul(*[Li(m) for m in MESSAGES], id="msg-list"))
    elif name == "chat-list-join":
        from html import escape

        for _ in range(n):
            '<ul id="msg-list">' + "".join("<li>" + escape(m, quote=False) + "</li>" for m in MESSAGES) + "</ul>"


def _instructions(name: str, n: int) -> int:
    done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
                           __file__, "--run", name, str(n)], capture_output=True, text=True, timeout=600)
    found = re.search(r"refs:\s+([\d,]+)", done.stderr)
    if not found:
        raise SystemExit(f"callgrind gave no count for {name}:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="operations per counted run (default 2000)")
    parser.add_argument("--run", nargs=2, metavar=("NAME", "N"), help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.run:
        _workload(opts.run[0], int(opts.run[1]))
        return 0
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    rows = []
    for label, ours, base in (("echo message, in process (ASGI app)", "echo-ours", "echo-raw"),
                              ("chat list of 22, built and rendered", "chat-list-ours", "chat-list-join")):
        counts = [(_instructions(name, opts.n) - _instructions(name, 1)) / (opts.n - 1) for name in (ours, base)]
        rows.append((label, *counts))
        print(f"{label}: {counts[0] / 1000:.1f}k vs {counts[1] / 1000:.1f}k", file=sys.stderr)
    print("| instructions per operation | ours | baseline | ours/baseline |")
    print("| --- | --- | --- | --- |")
    for label, ours_count, base_count in rows:
        print(f"| {label} | {ours_count / 1000:.1f}k | {base_count / 1000:.1f}k | {ours_count / base_count:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
