"""Benchmark htmxws_nb's websocket path against a raw Starlette `WebSocketRoute` doing the same work.

    make bench                       # or: .venv/bin/python benchmarks/run.py
    .venv/bin/python benchmarks/run.py --quick --only echo,fanout --json results.json

Every measurement starts a fresh server subprocess (`servers.py`, pinned to
CPU 0 with `taskset` when available) and a client subprocess (`clients.py`,
pinned to CPU 1). Ours and raw alternate within each round, and their order
flips every round, so drifting machine noise lands on both. The table shows
the median over rounds for each side and the ratio ours/raw; see
benchmarks/README.md for what each row measures.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import select
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
HOST = "127.0.0.1"
IMPLS = ("ours", "raw")
BENCHMARKS = ("echo", "pipelined", "held", "fanout", "plain", "notebook", "recorder")
SERVER_CORE, CLIENT_CORE = 0, 1
READY_TIMEOUT = 30.0  # seconds for a server to start accepting
DEFAULTS = {"rounds": 3, "echo": 5000, "warmup": 200, "pipelined": 20000, "held": "1000,5000,10000",
            "fanout": "200,1000", "broadcasts": 20, "reruns": 3}
QUICK = {"rounds": 1, "echo": 300, "warmup": 50, "pipelined": 500, "held": "20", "fanout": "5",
         "broadcasts": 5, "reruns": 1}


class BenchError(RuntimeError):
    """One measurement failed; the message goes under the table."""


# -- results --------------------------------------------------------------------

@dataclass
class Row:
    """One line of the table: the samples of each side over the rounds, and the goal if any."""

    label: str
    unit: str
    higher_is_better: bool = False
    goal: float | None = None  # the ours/raw ratio to stay within
    note: str = ""  # shown instead of values when nothing can be measured
    values: dict[str, list[float]] = field(default_factory=lambda: {impl: [] for impl in IMPLS})
    errors: list[str] = field(default_factory=list)

    def median(self, impl: str) -> float | None:
        samples = self.values[impl]
        return statistics.median(samples) if samples else None

    def ratio(self) -> float | None:
        ours, raw = self.median("ours"), self.median("raw")
        return ours / raw if ours is not None and raw else None

    def goal_text(self) -> str:
        if self.goal is None:
            return ""
        return f"{'≥' if self.higher_is_better else '≤'} {self.goal:.2f}x"

    def verdict(self) -> str:
        """'met', 'MISSED', or '' when there is no goal; a goal whose side failed is missed."""
        if self.goal is None:
            return ""
        ratio = self.ratio()
        if ratio is None or self.errors:
            return "MISSED"
        met = ratio >= self.goal if self.higher_is_better else ratio <= self.goal
        return "met" if met else "MISSED"

    def as_json(self) -> dict[str, Any]:
        return {"label": self.label, "unit": self.unit, "values": self.values, "median_ours": self.median("ours"),
                "median_raw": self.median("raw"), "ratio": self.ratio(), "goal": self.goal_text() or None,
                "verdict": self.verdict() or None, "errors": self.errors, "note": self.note or None}


class Table:
    """The rows in display order, filled as measurements come in."""

    def __init__(self) -> None:
        self.rows: dict[str, Row] = {}

    def row(self, key: str, label: str, unit: str, **kwargs: Any) -> None:
        self.rows[key] = Row(label, unit, **kwargs)

    def add(self, key: str, impl: str, value: float) -> None:
        self.rows[key].values[impl].append(value)

    def fail(self, keys: list[str], impl: str, message: str) -> None:
        for key in keys:
            self.rows[key].errors.append(f"{impl}: {message}")

    def render(self) -> str:
        header = ("metric", "ours", "raw", "ours/raw", "goal", "")
        lines = [header]
        footnotes: list[str] = []
        for row in self.rows.values():
            if row.note:
                lines.append((row.label, row.note, "", "", row.goal_text(), ""))
                continue
            cells = []
            for impl in IMPLS:
                median = row.median(impl)
                cell = fmt(median, row.unit) if median is not None else ("error" if row.errors else "—")
                failed = [e for e in row.errors if e.startswith(impl + ":")]
                if failed:
                    note = f"{len(failed)} run(s) failed; the first: {failed[0]}"
                    if note not in footnotes:
                        footnotes.append(note)
                    cell += f" [{footnotes.index(note) + 1}]"
                cells.append(cell)
            ratio = row.ratio()
            lines.append((row.label, *cells, f"{ratio:.2f}x" if ratio else "", row.goal_text(), row.verdict()))
        widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
        out = ["| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)) + " |" for line in lines]
        out.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
        out += [f"[{i}] {text}" for i, text in enumerate(footnotes, 1)]
        return "\n".join(out)


def fmt(value: float, unit: str) -> str:
    """Three significant digits or so, with thousands separators, and the unit."""
    if abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    return f"{text} {unit}"


# -- processes ------------------------------------------------------------------

def pinning_available() -> bool:
    """`taskset` exists and may pin to both cores (it can be refused in some containers)."""
    if shutil.which("taskset") is None or (os.cpu_count() or 1) < 2:
        return False
    probe = subprocess.run(["taskset", "-c", f"{SERVER_CORE},{CLIENT_CORE}", "true"], capture_output=True)
    return probe.returncode == 0


def pinned(core: int, pin: bool) -> list[str]:
    return ["taskset", "-c", str(core)] if pin else []


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass
class RunningServer:
    port: int
    pid: int
    info: dict[str, Any]


@contextlib.contextmanager
def server_process(impl: str, app: str, *, deflate: bool, pin: bool, record: bool = False) -> Iterator[RunningServer]:
    """A `servers.py` subprocess, ready to accept; terminated (then killed) on the way out."""
    port = free_port()
    cmd = [*pinned(SERVER_CORE, pin), sys.executable, str(HERE / "servers.py"), impl, app, str(port)]
    if deflate:
        cmd.append("--deflate")
    if record:
        cmd.append("--record")
    with tempfile.TemporaryFile("w+") as stderr:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=stderr, text=True, cwd=HERE)
        try:
            info = wait_ready(proc, stderr)
            yield RunningServer(port, proc.pid, info)
        finally:
            stop(proc)


def wait_ready(proc: subprocess.Popen[str], stderr: Any) -> dict[str, Any]:
    """The server's READY line, or a BenchError with its stderr if it exits or stays silent."""
    assert proc.stdout is not None
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        readable, _, _ = select.select([proc.stdout], [], [], 0.1)
        if readable:
            line = proc.stdout.readline()
            if line.startswith("READY "):
                return json.loads(line[len("READY "):])
        if proc.poll() is not None:
            break
    stderr.seek(0)
    tail = stderr.read()[-2000:]
    raise BenchError(f"the server did not start (exit code {proc.poll()}): {tail.strip() or 'no output'}")


def stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run_client(script: str, args: list[Any], timeout: float, pin: bool) -> dict[str, Any]:
    """Run `clients.py` (or `kernel_timing.py`) with a time limit; its JSON result, or a BenchError."""
    cmd = [*pinned(CLIENT_CORE, pin), sys.executable, str(HERE / script), *map(str, args)]
    if script == "clients.py":
        cmd += ["--timeout", str(timeout)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout + 30, cwd=HERE)
    except subprocess.TimeoutExpired:
        raise BenchError(f"{script} {args[0]} did not finish within {timeout + 30:.0f} s") from None
    lines = done.stdout.strip().splitlines()
    try:
        result = json.loads(lines[-1])
    except (IndexError, ValueError):
        stderr = done.stderr.strip()[-2000:]
        raise BenchError(f"{script} printed no result (exit {done.returncode}): {stderr}") from None
    if "error" in result:
        raise BenchError(result["error"])
    return result


# -- the measurements ---------------------------------------------------------------

@dataclass
class Context:
    """What every measurement needs: the options, the table, and what was seen of the servers."""

    opts: argparse.Namespace
    table: Table
    pin: bool
    server_info: dict[str, dict[str, Any]] = field(default_factory=dict)
    replies: dict[str, set[str]] = field(default_factory=lambda: {impl: set() for impl in IMPLS})

    def sizes(self, name: str) -> list[int]:
        return [int(s) for s in str(getattr(self.opts, name)).split(",") if s]

    @contextlib.contextmanager
    def server(self, impl: str, app: str, deflate: bool = False, record: bool = False) -> Iterator[RunningServer]:
        with server_process(impl, app, deflate=deflate, pin=self.pin, record=record) as server:
            self.server_info.setdefault(impl, {k: v for k, v in server.info.items() if k != "pid"})
            yield server


def define_rows(ctx: Context) -> None:
    """All rows, in display order, before anything runs (so a failed measurement still shows)."""
    t, o = ctx.table, ctx.opts
    if "echo" in o.only:
        for variant, label in (("off", "no compression"), ("deflate", "permessage-deflate")):
            t.row(f"echo_p50_{variant}", f"echo p50, {o.echo:,} sequential, {label}", "µs", goal=1.15)
            t.row(f"echo_p99_{variant}", f"echo p99, {o.echo:,} sequential, {label}", "µs")
    if "pipelined" in o.only:
        t.row("pipe_rate", f"pipelined {o.pipelined:,}: throughput", "msg/s", higher_is_better=True, goal=0.8)
        t.row("pipe_cpu", f"pipelined {o.pipelined:,}: server CPU per message", "µs")
        t.row("pipe_capacity", f"pipelined {o.pipelined:,}: server-bound rate (1 s / CPU per message)", "msg/s",
              higher_is_better=True, goal=0.8)
        t.row("pipe_client", f"pipelined {o.pipelined:,}: client CPU busy", "%")
    if "held" in o.only:
        for n in ctx.sizes("held"):
            t.row(f"held_open_{n}", f"{n:,} idle connections: time to open", "s")
            t.row(f"held_mem_{n}", f"{n:,} idle connections: server memory per connection", "KiB", goal=1.1)
    if "fanout" in o.only:
        for n in ctx.sizes("fanout"):
            t.row(f"fanout_{n}", f"chat fan-out to {n:,} clients: p50 of {o.broadcasts} broadcasts", "ms", goal=1.5)
    if "plain" in o.only:
        # ours served as `uvicorn module:app` serves it: uvicorn.Server, none of htmxws_nb's server code
        n = ctx.sizes("fanout")[0]
        t.row("plain_echo_p50", f"plain uvicorn: echo p50, {o.echo:,} sequential, no compression", "µs", goal=1.15)
        t.row("plain_pipe_rate", f"plain uvicorn: pipelined {o.pipelined:,}: throughput", "msg/s",
              higher_is_better=True, goal=0.8)
        t.row("plain_pipe_capacity", f"plain uvicorn: pipelined {o.pipelined:,}: server-bound rate", "msg/s",
              higher_is_better=True, goal=0.8)
        t.row(f"plain_fanout_{n}", f"plain uvicorn: chat fan-out to {n:,} clients, p50", "ms", goal=1.5)
    if "notebook" in o.only:
        t.row("nb_first_reply", "notebook: cell start → execute_reply (first run)", "ms")
        t.row("nb_first_ready", "notebook: cell start → server answers (first run)", "ms")
        t.row("nb_rerun_reply", "notebook: re-run → execute_reply", "ms")
        t.row("nb_rerun_ready", "notebook: re-run → new app answers", "ms")
    if "recorder" in o.only:
        # Ours both times: the recorder on in the first column, off in the second.
        t.row("recorder", f"recorder on (1st column) vs off (2nd): ours' echo p50, {o.echo:,} sequential", "µs",
              goal=1.10)


def measure(ctx: Context, keys: list[str], impl: str, action: Callable[[], None]) -> None:
    """Run one measurement; a failure is written against its rows instead of stopping the run."""
    started = time.monotonic()
    try:
        action()
        status = "ok"
    except BenchError as exc:
        ctx.table.fail(keys, impl, str(exc))
        status = f"FAILED: {exc}"
    progress(f"    {impl:<4} {time.monotonic() - started:6.1f} s  {status[:160]}")


def served_by(impl: str, plain: bool) -> str:
    """The server program of a column: ours through htmxws_nb's `Server`, or (plain) through uvicorn's own."""
    return "ours-uvicorn" if plain and impl == "ours" else impl


def echo(ctx: Context, impl: str, deflate: bool, plain: bool = False) -> None:
    variant = "deflate" if deflate else "off"
    o = ctx.opts
    with ctx.server(served_by(impl, plain), "echo", deflate) as server:
        result = run_client("clients.py", ["echo", server.port, "--n", o.echo, "--warmup", o.warmup,
                                           *(["--deflate"] if deflate else [])], 30 + o.echo / 200, ctx.pin)
    if deflate and "permessage-deflate" not in result["extensions"]:
        raise BenchError(f"permessage-deflate was not negotiated (extensions: {result['extensions']!r})")
    ctx.replies[impl].add(result["reply"])
    if plain:
        ctx.table.add("plain_echo_p50", impl, result["p50_us"])
        return
    ctx.table.add(f"echo_p50_{variant}", impl, result["p50_us"])
    ctx.table.add(f"echo_p99_{variant}", impl, result["p99_us"])


def recorder(ctx: Context, column: str) -> None:
    """Our echo with the recorder on ("ours" column) or off ("raw" column)."""
    o = ctx.opts
    with ctx.server("ours", "echo", record=column == "ours") as server:
        result = run_client("clients.py", ["echo", server.port, "--n", o.echo, "--warmup", o.warmup],
                            30 + o.echo / 200, ctx.pin)
    ctx.table.add("recorder", column, result["p50_us"])


def pipelined(ctx: Context, impl: str, plain: bool = False) -> None:
    o = ctx.opts
    with ctx.server(served_by(impl, plain), "echo") as server:
        result = run_client("clients.py", ["pipelined", server.port, "--n", o.pipelined, "--warmup", o.warmup,
                                           "--server-pid", server.pid], 30 + o.pipelined / 500, ctx.pin)
    if plain:
        ctx.table.add("plain_pipe_rate", impl, result["msgs_per_s"])
        ctx.table.add("plain_pipe_capacity", impl, 1e6 / result["server_cpu_us_per_msg"])
        return
    ctx.table.add("pipe_rate", impl, result["msgs_per_s"])
    ctx.table.add("pipe_cpu", impl, result["server_cpu_us_per_msg"])
    ctx.table.add("pipe_capacity", impl, 1e6 / result["server_cpu_us_per_msg"])
    ctx.table.add("pipe_client", impl, 100 * result["client_cpu_share"])


def held(ctx: Context, impl: str) -> None:
    sizes = ctx.sizes("held")
    with ctx.server(impl, "echo") as server:
        result = run_client("clients.py", ["held", server.port, "--server-pid", server.pid,
                                           "--sizes", ",".join(map(str, sizes))], 60 + max(sizes) / 20, ctx.pin)
    for step in result["sizes"]:
        n = step["n"]
        if "error" in step:
            ctx.table.fail([f"held_open_{n}", f"held_mem_{n}"], impl, step["error"])
            continue
        if step["still_open"] < n:
            ctx.table.fail([f"held_mem_{n}"], impl, f"only {step['still_open']} of {n} still open after settling")
        ctx.table.add(f"held_open_{n}", impl, step["open_s"])
        ctx.table.add(f"held_mem_{n}", impl, step["kib_per_conn"])


def fanout(ctx: Context, impl: str, clients: int, plain: bool = False) -> None:
    o = ctx.opts
    with ctx.server(served_by(impl, plain), "chat") as server:
        result = run_client("clients.py", ["fanout", server.port, "--clients", clients, "--broadcasts", o.broadcasts,
                                           "--warmup", 2], 60 + clients * o.broadcasts / 100, ctx.pin)
    ctx.table.add(f"{'plain_' if plain else ''}fanout_{clients}", impl, result["p50_ms"])


def notebook(ctx: Context) -> None:
    """Item 5, ours only: a real kernel per round (first run), `--reruns` re-runs in each."""
    o = ctx.opts
    keys = ["nb_first_reply", "nb_first_ready", "nb_rerun_reply", "nb_rerun_ready"]

    def run() -> None:
        # not pinned: the kernel (and with it the server) would inherit the client's core
        result = run_client("kernel_timing.py", [free_port(), "--kernels", o.rounds, "--reruns", o.reruns],
                            60 + 30 * o.rounds * (1 + o.reruns), pin=False)
        for kernel in result["kernels"]:
            for kind, runs in (("first", [kernel["first"]]), ("rerun", kernel["reruns"])):
                for one in runs:
                    if "error" in one:
                        ctx.table.fail([f"nb_{kind}_reply", f"nb_{kind}_ready"], "ours", one["error"])
                    else:
                        ctx.table.add(f"nb_{kind}_reply", "ours", one["reply_ms"])
                        ctx.table.add(f"nb_{kind}_ready", "ours", one["ready_ms"])

    progress("notebook (real ipykernel)")
    measure(ctx, keys, "ours", run)


def run_rounds(ctx: Context) -> None:
    """The A/B rounds: every server-side benchmark for both sides, the order flipping each round."""
    o = ctx.opts
    for r in range(o.rounds):
        order = IMPLS if r % 2 == 0 else IMPLS[::-1]
        steps: list[tuple[str, list[str], Callable[[str], None]]] = []
        if "echo" in o.only:
            for deflate, variant in ((False, "off"), (True, "deflate")):
                keys = [f"echo_p50_{variant}", f"echo_p99_{variant}"]
                steps.append((f"echo ({variant})", keys, lambda impl, d=deflate: echo(ctx, impl, d)))
        if "pipelined" in o.only:
            steps.append(("pipelined", ["pipe_rate", "pipe_cpu", "pipe_capacity", "pipe_client"],
                          lambda impl: pipelined(ctx, impl)))
        if "held" in o.only:
            keys = [k for n in ctx.sizes("held") for k in (f"held_open_{n}", f"held_mem_{n}")]
            steps.append(("idle connections held", keys, lambda impl: held(ctx, impl)))
        if "fanout" in o.only:
            for n in ctx.sizes("fanout"):
                steps.append((f"chat fan-out, {n} clients", [f"fanout_{n}"],
                              lambda impl, n=n: fanout(ctx, impl, n)))
        if "plain" in o.only:
            n = ctx.sizes("fanout")[0]
            steps.append(("plain uvicorn: echo", ["plain_echo_p50"], lambda impl: echo(ctx, impl, False, plain=True)))
            steps.append(("plain uvicorn: pipelined", ["plain_pipe_rate", "plain_pipe_capacity"],
                          lambda impl: pipelined(ctx, impl, plain=True)))
            steps.append((f"plain uvicorn: chat fan-out, {n} clients", [f"plain_fanout_{n}"],
                          lambda impl, n=n: fanout(ctx, impl, n, plain=True)))
        if "recorder" in o.only:
            steps.append(("recorder on/off (ours both times)", ["recorder"], lambda column: recorder(ctx, column)))
        for name, keys, action in steps:
            progress(f"round {r + 1}/{o.rounds}: {name}")
            for impl in order:
                measure(ctx, keys, impl, lambda impl=impl, action=action: action(impl))


# -- reporting ------------------------------------------------------------------

def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def git_state() -> str:
    try:
        done = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True,
                              cwd=HERE, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return done.stdout.strip() or "unknown"


def environment(ctx: Context) -> dict[str, Any]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), cpu)
    return {
        "python": platform.python_version(), "cpu": cpu, "cores": os.cpu_count(), "git": git_state(),
        "pinning": f"server on CPU {SERVER_CORE}, client on CPU {CLIENT_CORE} (taskset)" if ctx.pin else "none",
        **{name: package_version(name) for name in ("htmxws_nb", "uvicorn", "starlette", "websockets", "uvloop")},
    }


def server_config_summary(ctx: Context) -> list[str]:
    """One line on the uvicorn settings both servers ran, or the differences (a broken comparison)."""
    info = ctx.server_info
    if not all(impl in info for impl in IMPLS):
        return []
    own = ("http_class", "ws_class", "per_message_deflate")  # our subclasses; deflate varies by row
    ours, raw = ({k: v for k, v in info[i].items() if k not in own} for i in IMPLS)
    if ours != raw:
        diff = {k: (ours.get(k), raw.get(k)) for k in ours.keys() | raw.keys() if ours.get(k) != raw.get(k)}
        return [f"WARNING: the servers ran different uvicorn settings (ours, raw): {diff}"]
    subclasses = ", ".join(info["ours"][k] for k in ("http_class", "ws_class")
                           if info["ours"][k] != info["ours"][k.replace("_class", "")])
    return [f"uvicorn settings (both): loop {ours['loop']}, http {ours['http']}, ws {ours['ws']}"
            f"{f' (ours subclasses them: {subclasses})' if subclasses else ''}, lifespan {ours['lifespan']}, "
            f"ping {ours['ws_ping_interval']}/{ours['ws_ping_timeout']} s, logging off"]


def reply_check(ctx: Context) -> list[str]:
    """Both echo servers must have sent the very same text, or they are not doing the same work."""
    ours, raw = ctx.replies["ours"], ctx.replies["raw"]
    if ours and raw and ours != raw:
        return [f"WARNING: the echo replies differ: ours {sorted(ours)}, raw {sorted(raw)}"]
    return []


def report(ctx: Context, seconds: float) -> str:
    env = environment(ctx)
    o = ctx.opts
    lines = [
        f"htmxws_nb {env['htmxws_nb']} ({env['git']}) vs raw Starlette {env['starlette']}; uvicorn {env['uvicorn']}, "
        f"websockets {env['websockets']}, uvloop {env['uvloop']}, Python {env['python']}",
        f"{env['cpu']}, {env['cores']} cores; pinning: {env['pinning']}",
        *server_config_summary(ctx),
        *reply_check(ctx),
        f"{o.rounds} A/B round(s), order flipped each round; medians over rounds; took {seconds:.0f} s",
        "",
        ctx.table.render(),
    ]
    return "\n".join(lines)


# -- command line ---------------------------------------------------------------

def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one round (the smoke test's)")
    parser.add_argument("--rounds", type=int, help=f"A/B rounds (default {DEFAULTS['rounds']})")
    parser.add_argument("--echo", type=int, help=f"sequential echo messages (default {DEFAULTS['echo']})")
    parser.add_argument("--warmup", type=int, help=f"untimed messages first (default {DEFAULTS['warmup']})")
    parser.add_argument("--pipelined", type=int, help=f"pipelined messages (default {DEFAULTS['pipelined']})")
    parser.add_argument("--held", help=f"idle connections, in steps (default {DEFAULTS['held']})")
    parser.add_argument("--fanout", help=f"chat clients per fan-out run (default {DEFAULTS['fanout']})")
    parser.add_argument("--broadcasts", type=int, help=f"timed broadcasts (default {DEFAULTS['broadcasts']})")
    parser.add_argument("--reruns", type=int, help=f"notebook re-runs per kernel (default {DEFAULTS['reruns']})")
    parser.add_argument("--only", default=",".join(BENCHMARKS),
                        help=f"comma-separated subset of {','.join(BENCHMARKS)}")
    parser.add_argument("--no-pin", action="store_true", help="do not pin server and client to CPUs")
    parser.add_argument("--json", type=Path, help="also save all samples and medians to this file")
    opts = parser.parse_args(argv)
    preset = QUICK if opts.quick else DEFAULTS
    for name, value in preset.items():
        if getattr(opts, name) is None:
            setattr(opts, name, value)
    opts.only = [name.strip() for name in opts.only.split(",") if name.strip()]
    unknown = set(opts.only) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s) {sorted(unknown)}; choose from {','.join(BENCHMARKS)}")
    return opts


def main(argv: list[str]) -> int:
    opts = parse_args(argv)
    ctx = Context(opts, Table(), pin=not opts.no_pin and pinning_available())
    define_rows(ctx)
    started = time.monotonic()
    run_rounds(ctx)
    if "notebook" in opts.only:
        notebook(ctx)
    text = report(ctx, time.monotonic() - started)
    print(text, flush=True)
    if opts.json:
        opts.json.write_text(json.dumps({
            "environment": environment(ctx), "options": {k: v for k, v in vars(opts).items() if k != "json"},
            "servers": ctx.server_info, "rows": {key: row.as_json() for key, row in ctx.table.rows.items()},
            "table": text,
        }, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
