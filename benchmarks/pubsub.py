"""Topics across processes: one publish fanned out to many clients, through Redis or in memory.

    make bench-pubsub                       # or: .venv/bin/python benchmarks/pubsub.py
    .venv/bin/python benchmarks/pubsub.py --clients 1000 --broadcasts 20 --workers 1,2,4 --quick

Each row starts `uvicorn apps.ours_topics:app --workers N` (real worker
processes sharing one listening socket) and a redis-server of its own
(`LocalRedis`, TCP on 127.0.0.1, nothing saved). This process then opens
`--clients` websockets (the kernel spreads them over the workers; each
client learns its worker's pid from the greeting), and one client sends a
message `--broadcasts` times; its handler publishes it to the topic every
client subscribed to. Measured in the client: from the send until the
**last** client has received the published frame (p50 and p90 over the
broadcasts, after two untimed ones). The first row is the same app with no
`HTMXWS_NB_PUBSUB`, one process, delivery in memory. The client (one
process, uvloop when installed) does not negotiate compression, as in
`run.py`'s fan-out row. Prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from websockets.asyncio.client import ClientConnection, connect

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from htmxws_nb.notebook.local_redis import LocalRedis  # noqa: E402

OPEN_CONCURRENCY = 100  # handshakes in flight at once
START_TIMEOUT = 60.0
WARMUP = 2


def frame(msg: str) -> str:
    """What htmx-ext-ws sends for a form with one input `msg`."""
    return json.dumps({"msg": msg, "HEADERS": {"HX-Request": "true", "HX-Trigger": "form"}}, separators=(",", ":"))


@contextlib.contextmanager
def uvicorn_workers(workers: int, pubsub: str | None) -> Iterator[int]:
    """`uvicorn apps.ours_topics:app --workers N --port 0`; yields the port once every worker serves."""
    env = {k: v for k, v in os.environ.items() if k != "HTMXWS_NB_PUBSUB"}
    env["HTMXWS_NB_SECRET_KEY"] = "benchmark-only-secret"
    if pubsub:
        env["HTMXWS_NB_PUBSUB"] = pubsub
    with tempfile.NamedTemporaryFile("w+", suffix=".log") as log:
        proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "apps.ours_topics:app", "--workers", str(workers),
                                 "--host", "127.0.0.1", "--port", "0", "--no-access-log"],
                                cwd=HERE, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while (text := Path(log.name).read_text()).count("Application startup complete") < workers or \
                    "Uvicorn running on" not in text:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"uvicorn --workers {workers} did not start:\n{text[-2000:]}")
                time.sleep(0.05)
            yield int(re.search(r"Uvicorn running on http://127\.0\.0\.1:(\d+)", text).group(1))
        finally:
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


class Audience:
    """The clients: each reads published frames and notes when each broadcast reached it."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.arrived: dict[str, list[float]] = {}
        self.complete: dict[str, asyncio.Event] = {}

    def expect(self, msg: str) -> asyncio.Event:
        self.arrived[msg] = []
        event = self.complete[msg] = asyncio.Event()
        return event

    async def listen(self, ws: ClientConnection) -> None:
        with contextlib.suppress(Exception):
            async for text in ws:
                msg = str(text)[len('<div id="msg">'):-len("</div>")]
                arrivals = self.arrived.get(msg)
                if arrivals is not None:
                    arrivals.append(time.perf_counter())
                    if len(arrivals) == self.n:
                        self.complete[msg].set()


async def open_clients(port: int, n: int) -> tuple[list[ClientConnection], Counter[str]]:
    """`n` connections, each subscribed (its greeting read): the connections and how many each worker got."""
    gate = asyncio.Semaphore(OPEN_CONCURRENCY)
    workers: Counter[str] = Counter()

    async def one() -> ClientConnection:
        async with gate:
            ws = await connect(f"ws://127.0.0.1:{port}/ws", open_timeout=30, ping_interval=None, close_timeout=2,
                               max_queue=None, compression=None)
            workers[str(await asyncio.wait_for(ws.recv(), 30))] += 1
            return ws

    return list(await asyncio.gather(*(one() for _ in range(n)))), workers


async def measure(port: int, clients: int, broadcasts: int) -> dict[str, object]:
    sockets, workers = await open_clients(port, clients)
    audience = Audience(clients)
    readers = [asyncio.ensure_future(audience.listen(ws)) for ws in sockets]
    sender = sockets[0]
    times = []
    try:
        for i in range(WARMUP + broadcasts):
            msg = f"b{i}"
            done = audience.expect(msg)
            started = time.perf_counter()
            await sender.send(frame(msg))
            await asyncio.wait_for(done.wait(), 60)
            if i >= WARMUP:
                times.append(max(audience.arrived[msg]) - started)
    finally:
        for ws in sockets:
            await ws.close()
        await asyncio.gather(*readers, return_exceptions=True)
    times.sort()
    return {"p50_ms": 1000 * statistics.median(times), "p90_ms": 1000 * times[max(0, round(0.9 * len(times)) - 1)],
            "per_worker": sorted(workers.values(), reverse=True)}


def run_row(workers: int, pubsub: str | None, clients: int, broadcasts: int) -> dict[str, object]:
    with uvicorn_workers(workers, pubsub) as port:
        try:  # a cheap client, so that the servers' cost shows
            import uvloop
        except ImportError:
            return asyncio.run(measure(port, clients, broadcasts))
        return uvloop.run(measure(port, clients, broadcasts))


def table(rows: list[tuple[str, dict[str, object]]], clients: int) -> str:
    lines = [("setup", f"clients per process ({clients:,} in all)", "publish → last delivery p50", "p90")]
    for label, result in rows:
        if "error" in result:
            lines.append((label, "error", str(result["error"])[:80], ""))
            continue
        lines.append((label, " / ".join(f"{n:,}" for n in result["per_worker"]), f"{result['p50_ms']:.1f} ms",
                      f"{result['p90_ms']:.1f} ms"))
    widths = [max(len(line[i]) for line in lines) for i in range(4)]
    out = ["| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)) + " |" for line in lines]
    out.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--broadcasts", type=int, default=20)
    parser.add_argument("--workers", default="1,2,4", help="worker counts for the Redis rows")
    parser.add_argument("--quick", action="store_true", help="20 clients, 3 broadcasts, 1 and 2 workers (a smoke run)")
    opts = parser.parse_args()
    if opts.quick:
        opts.clients, opts.broadcasts, opts.workers = 20, 3, "1,2"
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the workers inherit it too
    plan: list[tuple[str, int, bool]] = [("in memory, 1 process", 1, False)]
    plan += [(f"Redis, {n} worker{'s' if n > 1 else ''}", n, True) for n in map(int, opts.workers.split(","))]
    rows = []
    with LocalRedis(tcp=True) as redis:
        for label, workers, through_redis in plan:
            print(f"{label}: {opts.clients} clients, {opts.broadcasts} broadcasts", file=sys.stderr, flush=True)
            try:
                result = run_row(workers, redis.url if through_redis else None, opts.clients, opts.broadcasts)
            except (RuntimeError, OSError, asyncio.TimeoutError) as exc:
                result = {"error": f"{type(exc).__name__}: {exc}"}
            rows.append((label, result))
    print(f"{os.cpu_count()} cores; uvicorn worker processes; redis-server on 127.0.0.1 TCP; no compression; "
          f"{opts.broadcasts} timed broadcasts after {WARMUP} untimed")
    print(table(rows, opts.clients))
    if any("error" in result for _, result in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
