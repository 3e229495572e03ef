"""A throwaway `redis-server` for trying topics out: tutorials, tests and benchmarks start their own.

It runs as a child process on a Unix socket in a fresh temporary directory
(and, if asked, on a TCP port of 127.0.0.1), keeps nothing on disk
(`--save "" --appendonly no`), and is stopped by its pid: never a system
Redis. It ends with the process that started it, even a killed kernel.
`stop()` and `start()` again keep the same address, which is how the
tests and the tutorial show an outage.
"""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

__all__ = ["LocalRedis"]

START_TIMEOUT = 10.0  # seconds for redis-server to answer PING
PORT_ATTEMPTS = 5  # a TCP port picked by the OS may be taken again before redis-server binds it


def _die_with_parent() -> Callable[[], None] | None:
    """On Linux, what makes a child get SIGTERM when its parent (a kernel that was killed) dies."""
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True).prctl  # looked up before any fork
    set_parent_death_signal = 1  # PR_SET_PDEATHSIG
    return lambda: prctl(set_parent_death_signal, signal.SIGTERM)


_IN_CHILD = _die_with_parent()


class LocalRedis:
    """`LocalRedis().start()`: a redis-server of our own; `.url` for `FastHTML(pubsub=...)`."""

    def __init__(self, tcp: bool = False, executable: str = "redis-server") -> None:
        found = shutil.which(executable)
        if found is None:
            raise RuntimeError(f"{executable} not found: install Debian's redis-server (apt-get install "
                               "redis-server), or point HTMXWS_NB_PUBSUB at a Redis you run")
        self.executable = found
        self.directory = Path(tempfile.mkdtemp(prefix="htmxws-redis-"))
        self.socket_path = self.directory / "redis.sock"
        self.port: int | None = _free_port() if tcp else None
        self.process: subprocess.Popen[bytes] | None = None
        atexit.register(self.close)

    @property
    def url(self) -> str:
        """`redis://127.0.0.1:PORT/0` with a TCP port, else `unix://…/redis.sock`."""
        return f"redis://127.0.0.1:{self.port}/0" if self.port else f"unix://{self.socket_path}"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.running else None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def __repr__(self) -> str:
        return f"<LocalRedis {self.url} {'running' if self.running else 'stopped'}>"

    def start(self) -> LocalRedis:
        """Start (again) on the same address; returns once it answers PING."""
        if self.running:
            return self
        for attempt in range(PORT_ATTEMPTS):
            self.process = subprocess.Popen(self._command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                            preexec_fn=_IN_CHILD)
            if self._answers():
                return self
            self.stop()
            if self.port is None or attempt == PORT_ATTEMPTS - 1:
                break
            self.port = _free_port()  # someone took the port meanwhile
        log = (self.directory / "redis.log").read_text(errors="replace")[-1000:]
        raise RuntimeError(f"redis-server did not start on {self.url}:\n{log}")

    def stop(self) -> None:
        """Stop the server (by its pid); `start()` brings it back on the same address."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def close(self) -> None:
        """Stop the server and remove its directory."""
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)
        atexit.unregister(self.close)

    def __enter__(self) -> LocalRedis:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _command(self) -> list[str]:
        return [self.executable, "--port", str(self.port or 0), "--bind", "127.0.0.1",
                "--unixsocket", str(self.socket_path), "--unixsocketperm", "700", "--save", "",
                "--appendonly", "no", "--dir", str(self.directory), "--logfile", str(self.directory / "redis.log"),
                "--daemonize", "no"]

    def _answers(self) -> bool:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                return False
            try:
                with socket.socket(socket.AF_UNIX) as probe:
                    probe.settimeout(1)
                    probe.connect(str(self.socket_path))
                    probe.sendall(b"PING\r\n")
                    if probe.recv(16).startswith(b"+PONG"):
                        return True
            except OSError:
                pass
            time.sleep(0.02)
        return False


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
