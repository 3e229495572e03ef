"""The client side of the benchmark: one measurement per subprocess, its result as one JSON line.

    python clients.py echo PORT [--n N] [--warmup W] [--deflate]
    python clients.py pipelined PORT --server-pid PID [--n N]
    python clients.py held PORT --server-pid PID --sizes 1000,5000,10000 [--deflate]
    python clients.py fanout PORT --clients C [--broadcasts B]

Each runs in its own process (pinned to another core than the server by
the runner) with the `websockets` asyncio client, on uvloop when it is
installed so that the client is as cheap as it can be and the server's cost
shows. Every frame sent is exactly what the htmx ws extension sends for a
form submit. Failures are reported in the JSON (`{"error": ...}`), never by
hanging: the whole measurement runs under `--timeout`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

HOST = "127.0.0.1"
MESSAGE = "Hello from the benchmark"
OPEN_CONCURRENCY = 100  # handshakes in flight at once; far below the listen backlog (2048)


def htmx_frame(msg: str, port: int) -> str:
    """The text frame htmx-ext-ws 2.0.4 sends when a form with one input `msg` is submitted.

    `JSON.stringify` output, so compact separators.
    """
    headers = {"HX-Request": "true", "HX-Trigger": "form", "HX-Trigger-Name": "form", "HX-Target": "form",
               "HX-Current-URL": f"http://{HOST}:{port}/"}
    return json.dumps({"msg": msg, "HEADERS": headers}, separators=(",", ":"))


def open_client(port: int, deflate: bool) -> Any:
    """A connection to the server's /ws, awaitable or usable with `async with`.

    Client pings are off so that only the server's keepalive (the same on
    both sides) runs.
    """
    return connect(f"ws://{HOST}:{port}/ws", compression="deflate" if deflate else None,
                   ping_interval=None, open_timeout=10, close_timeout=2)


def percentile(sorted_values: list[int], pct: float) -> int:
    """Nearest-rank percentile of an already sorted list."""
    rank = max(0, min(len(sorted_values) - 1, round(pct / 100 * len(sorted_values)) - 1))
    return sorted_values[rank]


def server_cpu_ns(pid: int) -> int:
    """CPU time used so far by all threads of `pid` (from the scheduler, in ns)."""
    total = 0
    for stat in Path(f"/proc/{pid}/task").glob("*/schedstat"):
        total += int(stat.read_text().split()[0])
    return total


def rss_kib(pid: int) -> int:
    """Resident memory of `pid` in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def raise_fd_limit() -> int:
    """Allow as many open sockets as the hard limit does; returns the limit now in force."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


async def open_many(port: int, count: int, deflate: bool) -> tuple[list[ClientConnection], list[BaseException]]:
    """Open `count` connections, `OPEN_CONCURRENCY` handshakes at a time: (opened, failures)."""
    gate = asyncio.Semaphore(OPEN_CONCURRENCY)

    async def one() -> ClientConnection:
        async with gate:
            return await open_client(port, deflate)

    results = await asyncio.gather(*(one() for _ in range(count)), return_exceptions=True)
    opened = [r for r in results if isinstance(r, ClientConnection)]
    return opened, [r for r in results if isinstance(r, BaseException)]


def abort_all(connections: list[ClientConnection]) -> None:
    """Drop connections at once: a closing handshake each would only slow the teardown."""
    for ws in connections:
        ws.transport.abort()


# -- 1. echo round trip ------------------------------------------------------

async def echo(port: int, n: int, warmup: int, deflate: bool) -> dict[str, Any]:
    """Sequential round trips: send one frame, wait for the reply, repeat."""
    frame = htmx_frame(MESSAGE, port)
    samples: list[int] = []
    async with open_client(port, deflate) as ws:
        for _ in range(warmup):
            await ws.send(frame)
            await ws.recv()
        for _ in range(n):
            start = time.perf_counter_ns()
            await ws.send(frame)
            reply = await ws.recv()
            samples.append(time.perf_counter_ns() - start)
        extensions = ws.response.headers.get("Sec-WebSocket-Extensions", "") if ws.response else ""
    samples.sort()
    return {"p50_us": percentile(samples, 50) / 1e3, "p99_us": percentile(samples, 99) / 1e3,
            "reply": reply, "extensions": extensions}


# -- 2. pipelined throughput ----------------------------------------------------

async def pipelined(port: int, n: int, warmup: int, server_pid: int) -> dict[str, Any]:
    """`n` frames sent without waiting while the replies are read: messages per second end to end."""
    frame = htmx_frame(MESSAGE, port)
    async with open_client(port, False) as ws:
        for _ in range(warmup):
            await ws.send(frame)
            await ws.recv()

        async def send_all() -> None:
            for _ in range(n):
                await ws.send(frame)

        cpu_before, client_before = server_cpu_ns(server_pid), time.process_time_ns()
        start = time.perf_counter_ns()
        sender = asyncio.create_task(send_all())
        received = 0
        try:
            while received < n:
                await ws.recv()
                received += 1
        except ConnectionClosed as exc:
            sender.cancel()
            code = exc.rcvd.code if exc.rcvd else None
            reason = exc.rcvd.reason if exc.rcvd else ""
            return {"error": f"the server closed the connection ({code} {reason}) after {received} of {n} replies"}
        elapsed = time.perf_counter_ns() - start
        await sender
        cpu = server_cpu_ns(server_pid) - cpu_before
        client_cpu = time.process_time_ns() - client_before
    return {"msgs_per_s": n / (elapsed / 1e9), "server_cpu_us_per_msg": cpu / n / 1e3,
            "client_cpu_share": client_cpu / elapsed}


# -- 3. connections held --------------------------------------------------------

async def held(port: int, sizes: list[int], server_pid: int, deflate: bool, settle: float) -> dict[str, Any]:
    """Open idle connections in steps up to each size: time to open, server memory per connection.

    Memory is (RSS with N + 1 open - RSS with 1 open) / N; the first
    connection warms up whatever the server loads lazily. After each step the
    warm connection does one round trip, to show the server still answers.
    """
    limit = raise_fd_limit()
    results: list[dict[str, Any]] = []
    warm = await open_client(port, deflate)
    opened: list[ClientConnection] = []
    frame = htmx_frame(MESSAGE, port)
    try:
        await asyncio.sleep(settle)
        base = rss_kib(server_pid)
        open_ns = 0
        for size in sizes:
            if size + 64 > limit:
                results.append({"n": size, "error": f"the client's fd limit is {limit} (ulimit -Hn)"})
                break
            start = time.perf_counter_ns()
            new, failures = await open_many(port, size - len(opened), deflate)
            open_ns += time.perf_counter_ns() - start
            opened += new
            if failures:
                results.append({"n": size, "error": f"only {len(opened)} of {size} opened; "
                                                   f"first failure: {failures[0]!r}"})
                break
            await asyncio.sleep(settle)
            still_open = sum(1 for ws in opened if ws.state.name == "OPEN")
            start = time.perf_counter_ns()
            await warm.send(frame)
            await warm.recv()
            round_trip = time.perf_counter_ns() - start
            results.append({"n": size, "open_s": open_ns / 1e9, "kib_per_conn": (rss_kib(server_pid) - base) / size,
                            "still_open": still_open, "round_trip_ms": round_trip / 1e6})
    finally:
        abort_all([warm, *opened])
    return {"sizes": results}


# -- 4. chat fan-out ------------------------------------------------------------

class Broadcast:
    """One chat message on its way to every client: who has seen it, and when the last one did."""

    def __init__(self, msg: str, clients: int) -> None:
        self.tag = f"<li>{msg}</li>"  # frames of later messages hold the whole list, so match the item exactly
        self.clients = clients
        self.seen: set[int] = set()
        self.done = asyncio.Event()
        self.finished_ns = 0

    def saw(self, client: int, frame: str) -> None:
        if client not in self.seen and self.tag in frame:
            self.seen.add(client)
            if len(self.seen) == self.clients:
                self.finished_ns = time.perf_counter_ns()
                self.done.set()


async def fanout(port: int, clients: int, broadcasts: int, warmup: int, timeout: float) -> dict[str, Any]:
    """The tutorial chat with `clients` users: time from one user's send until every user has the list."""
    raise_fd_limit()
    connections, failures = await open_many(port, clients, False)
    current: list[Broadcast] = []  # the broadcast in flight, read by every reader

    async def read(client: int, ws: ClientConnection) -> None:
        async for frame in ws:
            if current:
                current[0].saw(client, str(frame))

    readers = [asyncio.create_task(read(i, ws)) for i, ws in enumerate(connections)]

    async def send(msg: str) -> int:
        broadcast = Broadcast(msg, clients)
        current[:] = [broadcast]
        start = time.perf_counter_ns()
        await connections[0].send(htmx_frame(msg, port))
        try:
            await asyncio.wait_for(broadcast.done.wait(), timeout)
        except asyncio.TimeoutError:
            raise RuntimeError(f"only {len(broadcast.seen)} of {clients} clients got {msg!r} "
                               f"within {timeout} s") from None
        return broadcast.finished_ns - start

    try:
        if failures:
            return {"error": f"only {len(connections)} of {clients} connected; first failure: {failures[0]!r}"}
        await asyncio.sleep(0.2)  # the server registers each user in `conn` after the handshake
        for k in range(warmup):
            await send(f"warm-{k}")
        samples = []
        for k in range(broadcasts):
            await asyncio.sleep(0.02)
            samples.append(await send(f"bcast-{k:04d}"))
    finally:
        for task in readers:
            task.cancel()
        abort_all(connections)
    samples.sort()
    return {"p50_ms": percentile(samples, 50) / 1e6, "max_ms": samples[-1] / 1e6}


# -- running one measurement ------------------------------------------------------

def run_async(main: Coroutine[Any, Any, dict[str, Any]]) -> dict[str, Any]:
    """Run on uvloop when installed (a cheaper client), else on asyncio's loop."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=("echo", "pipelined", "held", "fanout"))
    parser.add_argument("port", type=int)
    parser.add_argument("--n", type=int, default=5000, help="messages (echo, pipelined)")
    parser.add_argument("--warmup", type=int, default=200, help="untimed messages or broadcasts first")
    parser.add_argument("--deflate", action="store_true", help="offer permessage-deflate")
    parser.add_argument("--server-pid", type=int, default=0, help="read the server's CPU time and memory")
    parser.add_argument("--sizes", default="1000", help="connections held, in steps (comma-separated)")
    parser.add_argument("--settle", type=float, default=0.5, help="seconds to wait before reading memory")
    parser.add_argument("--clients", type=int, default=200, help="chat users (fanout)")
    parser.add_argument("--broadcasts", type=int, default=20, help="timed broadcasts (fanout)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds the whole measurement may take")
    return parser.parse_args(argv)


def measurement(args: argparse.Namespace) -> Callable[[], Coroutine[Any, Any, dict[str, Any]]]:
    """The coroutine function for the requested kind, with its arguments bound."""
    if args.kind == "echo":
        return lambda: echo(args.port, args.n, args.warmup, args.deflate)
    if args.kind == "pipelined":
        return lambda: pipelined(args.port, args.n, args.warmup, args.server_pid)
    if args.kind == "held":
        sizes = [int(s) for s in args.sizes.split(",")]
        return lambda: held(args.port, sizes, args.server_pid, args.deflate, args.settle)
    return lambda: fanout(args.port, args.clients, args.broadcasts, args.warmup, timeout=10.0)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    measure = measurement(args)
    try:
        result = run_async(asyncio.wait_for(measure(), args.timeout))
    except Exception as exc:  # reported to the runner, which shows it in the table
        result = {"error": f"{type(exc).__name__}: {exc}"}
    print(json.dumps(result), flush=True)
    return 1 if "error" in result else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
