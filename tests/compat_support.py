"""Running FastHTML programs as scripts, under FastHTML itself and under htmxws_nb, and comparing what they do.

- FastHTML runs from its own virtual environment, `.venv-fasthtml` (made
  once with uv from PyPI and kept: see `fasthtml_python`). It is not a test
  extra because python-fasthtml needs starlette ≥ 1.0, which would take the
  lowest-versions run (starlette 0.40) away.
- Under FastHTML a program runs as `python prog.py` does (its `serve()`,
  uvicorn's reloader and all), with `uvicorn.run` told to bind 127.0.0.1 and
  port 0 (`fasthtml_serve.py`); under htmxws_nb as the same file with its
  `from fasthtml... import` lines pointing at `htmxws_nb...`.
- A `Scenario` plays clients as the htmx ws extension speaks and reads the
  frames each step must cause (counts known up front: no quiet-period guessing);
  pages and frames are compared as DOM tokens (`dom`), so FastHTML's
  pretty-printing whitespace and attribute order do not count.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from websockets.sync.client import ClientConnection, connect

FASTHTML_VERSION = "0.14.14"
FASTHTML_VENV = ROOT / ".venv-fasthtml"
REQUIRE_FASTHTML_ENV = "HTMXWS_NB_REQUIRE_FASTHTML"  # set in CI: no FastHTML is a failure, not a skip
PROGRAMS = ROOT / "tests" / "compat" / "programs"
SERVE_WRAPPER = ROOT / "tests" / "compat" / "fasthtml_serve.py"
FRAME_TIMEOUT = 10.0  # seconds any one expected frame may take
QUIET_WINDOW = 0.5  # seconds of listening, after the last step, for frames nobody expected


# -- the two environments -----------------------------------------------------


def fasthtml_python() -> Path:
    """The Python of `.venv-fasthtml`, made on first use with uv (python-fasthtml pinned), then reused."""
    python = FASTHTML_VENV / "bin" / "python"
    stamp = FASTHTML_VENV / f".installed-python-fasthtml-{FASTHTML_VERSION}"
    FASTHTML_VENV.parent.mkdir(exist_ok=True)
    with open(ROOT / ".venv-fasthtml.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two test runs at once make it once
        if not stamp.exists():
            _make_fasthtml_venv(python, stamp)
    return python


def _make_fasthtml_venv(python: Path, stamp: Path) -> None:
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    shutil.rmtree(FASTHTML_VENV, ignore_errors=True)
    steps = [[uv, "venv", "-q", "-p", sys.executable, str(FASTHTML_VENV)],
             [uv, "pip", "install", "-q", "--python", str(python), f"python-fasthtml=={FASTHTML_VERSION}"]]
    for step in steps:
        result = subprocess.run(step, capture_output=True, text=True, timeout=600) if uv else None
        if result is None or result.returncode != 0:
            message = (f"cannot make {FASTHTML_VENV.name} with python-fasthtml=={FASTHTML_VERSION} "
                       f"({'no uv' if result is None else result.stderr.strip()[-500:]})")
            if os.environ.get(REQUIRE_FASTHTML_ENV) == "1":
                pytest.fail(message)
            pytest.skip(message)
    stamp.touch()


def as_ours(source: str) -> str:
    """The program with its `from fasthtml.X import ...` lines importing `htmxws_nb.X` instead."""
    swapped = re.sub(r"^from fasthtml(\.\w+)? import", r"from htmxws_nb\1 import", source, flags=re.M)
    assert "fasthtml" not in re.sub(r"^(?!from |import ).*$", "", swapped, flags=re.M), "an import left unswapped"
    return swapped


@dataclass
class Running:
    """A program being served: its port and its output so far."""

    port: int
    log: Path

    @property
    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextlib.contextmanager
def run_program(name: str, tmp_path: Path, under: str) -> Iterator[Running]:
    """Run `programs/NAME.py` as a script under 'fasthtml' or 'ours', in a copy of the programs folder."""
    folder = tmp_path / under
    shutil.copytree(PROGRAMS, folder, ignore=shutil.ignore_patterns("__pycache__"))
    script = folder / f"{name}.py"
    env = {**os.environ, "PORT": "0", "XDG_STATE_HOME": str(tmp_path / "state"), "PYTHONDONTWRITEBYTECODE": "1"}
    if under == "ours":
        script.write_text(as_ours(script.read_text()))
        command = [sys.executable, str(script)]
    else:
        env.pop("VIRTUAL_ENV", None)
        command = [str(fasthtml_python()), str(SERVE_WRAPPER), str(script)]
    log = tmp_path / f"{name}-{under}.log"
    with log.open("w") as out:
        # its own process group: FastHTML's serve() starts a reloader process and a server process
        proc = subprocess.Popen(command, cwd=folder, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        yield Running(_announced_port(proc, log), log)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, 15)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()


def _announced_port(proc: subprocess.Popen[bytes], log: Path, timeout: float = 30) -> int:
    """The port uvicorn says it listens on (FastHTML's or ours), once it accepts connections."""
    pattern = re.compile(r"Uvicorn running on http://[^:/\s]+:(\d+)")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = pattern.search(log.read_text(errors="replace"))
        if found:
            port = int(found.group(1))
            with contextlib.suppress(OSError):
                http(port, "GET", "/_no_such_page_")  # answers (404) once the app is loaded
                return port
        if proc.poll() is not None:
            raise AssertionError(f"the program exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        time.sleep(0.05)
    raise AssertionError(f"the program was not serving within {timeout} s:\n{log.read_text()[-3000:]}")


# -- comparing HTML -------------------------------------------------------------


class _Tokens(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[tuple[Any, ...]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tokens.append(("<", tag, tuple(sorted((k, v or "") for k, v in attrs))))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        self.tokens.append(("/", tag))

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text:
            self.tokens.append(("text", text))


def dom(html: str) -> list[tuple[Any, ...]]:
    """HTML as tokens: attributes sorted, text with its whitespace collapsed (what a browser would show)."""
    if not html.lstrip().startswith("<"):
        return [("text frame",)]  # an error text (htmx ignores it; FastHTML's and our wording differ)
    parser = _Tokens()
    parser.feed(html)
    parser.close()
    return parser.tokens


def body_of(page: str) -> str:
    found = re.search(r"<body[^>]*>(.*)</body>", page, re.S)
    assert found, page[:500]
    return found.group(1)


def title_of(page: str) -> str:
    found = re.search(r"<title>(.*?)</title>", page, re.S)
    return found.group(1) if found else ""


# -- playing clients ------------------------------------------------------------


def http(port: int, method: str, path: str, fields: dict[str, str] | None = None, encoding: str = "multipart",
         headers: dict[str, str] | None = None) -> tuple[int, str]:
    """An HTTP request as htmx sends a form (multipart for FastHTML's `Form`, else urlencoded)."""
    data = None
    headers = {"HX-Request": "true", **(headers or {})} if fields is not None else dict(headers or {})
    if fields is not None and encoding == "multipart":
        boundary = uuid.uuid4().hex
        parts = "".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
                        for k, v in fields.items())
        data = (parts + f"--{boundary}--\r\n").encode()
        headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
    elif fields is not None:
        data = urllib.parse.urlencode(fields).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def htmx_frame(values: dict[str, Any], trigger: str | None, url: str) -> str:
    """What htmx-ext-ws 2.0.4 sends: the values, then HEADERS (null where the element has no id)."""
    headers = {"HX-Request": "true", "HX-Trigger": trigger, "HX-Trigger-Name": trigger, "HX-Target": trigger,
               "HX-Current-URL": url}
    return json.dumps({**values, "HEADERS": headers}, separators=(",", ":"))


@dataclass
class Play:
    """What one run of a scenario saw: per client the frames, and the HTTP answers, in order."""

    frames: dict[str, list[str]] = field(default_factory=dict)
    ticks: dict[str, list[str]] = field(default_factory=dict)
    http: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Scenario:
    """Steps, each with the frames it causes per client (`{'ann': 1}`), played against a running program.

    Steps: `('connect', client, path, {frames})`, `('send', client, values, trigger_id, {frames})`,
    `('http', method, path, fields, encoding, {frames})`, `('close', client)`, `('tick', client)` (waits
    for one frame matching `tick`: a timer's, counted apart since how many arrive depends on time).
    """

    steps: list[tuple[Any, ...]]
    tick: str | None = None  # a regex for timer frames

    def play(self, port: int) -> Play:
        seen = Play()
        clients: dict[str, ClientConnection] = {}
        url = f"http://127.0.0.1:{port}/"
        with contextlib.ExitStack() as sockets:
            for step in self.steps:
                kind, expect = step[0], step[-1] if isinstance(step[-1], dict) else {}
                if kind == "connect":
                    clients[step[1]] = sockets.enter_context(
                        connect(f"ws://127.0.0.1:{port}{step[2]}", open_timeout=10, close_timeout=2))
                elif kind == "send":
                    clients[step[1]].send(htmx_frame(step[2], step[3], url))
                elif kind == "http":
                    seen.http.append(http(port, step[1], step[2], step[3], step[4]))
                elif kind == "close":
                    clients.pop(step[1]).close()
                elif kind == "tick":
                    self._frames(clients[step[1]], step[1], 1, seen, want_tick=True)
                for client, count in expect.items():
                    self._frames(clients[client], client, count, seen)
            for client, ws in clients.items():  # nothing more than expected (timer frames aside)
                quiet_until = time.monotonic() + QUIET_WINDOW
                with contextlib.suppress(TimeoutError):
                    while (left := quiet_until - time.monotonic()) > 0:  # a timer never falls silent
                        extra = ws.recv(timeout=left)
                        assert self._is_tick(extra), f"{client} got an unexpected frame: {extra!r}"
        return seen

    def _is_tick(self, frame: Any) -> bool:
        return self.tick is not None and isinstance(frame, str) and re.search(self.tick, frame) is not None

    def _frames(self, ws: ClientConnection, client: str, count: int, seen: Play, want_tick: bool = False) -> None:
        deadline = time.monotonic() + FRAME_TIMEOUT
        got = 0
        while got < count:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"{client}: {got} of {count} frames within {FRAME_TIMEOUT} s"
            frame = ws.recv(timeout=remaining)
            assert isinstance(frame, str), frame
            if self._is_tick(frame):
                seen.ticks.setdefault(client, []).append(frame)
                got += want_tick
            elif want_tick:
                raise AssertionError(f"{client} got {frame!r} while waiting for a timer frame")
            else:
                seen.frames.setdefault(client, []).append(frame)
                got += 1
