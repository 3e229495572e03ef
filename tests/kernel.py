"""A real IPython kernel for tests: run cells, collect what the notebook would show."""

from __future__ import annotations

import os
import queue
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from jupyter_client.manager import KernelManager

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class CellRun:
    """What one execute request produced."""

    outputs: list[dict[str, Any]] = field(default_factory=list)  # display_data, execute_result, stream, error
    updates: list[dict[str, Any]] = field(default_factory=list)  # update_display_data
    status: str = ""
    elapsed: float = 0.0  # seconds from request to the shell reply

    @property
    def text(self) -> str:
        """All plain text the cell showed (streams, text/plain of displays, errors)."""
        parts = []
        for out in self.outputs:
            if out["msg_type"] == "stream":
                parts.append(out["content"]["text"])
            elif out["msg_type"] in ("display_data", "execute_result"):
                parts.append(out["content"]["data"].get("text/plain", ""))
            elif out["msg_type"] == "error":
                parts.append(ANSI.sub("", "\n".join(out["content"]["traceback"])))
        return "\n".join(parts)

    @property
    def printed(self) -> str:
        """What the cell printed (its stdout), without what it displayed."""
        return "".join(o["content"]["text"] for o in self.outputs
                       if o["msg_type"] == "stream" and o["content"]["name"] == "stdout")

    def html(self) -> str:
        return "\n".join(o["content"]["data"].get("text/html", "") for o in self.outputs
                         if o["msg_type"] in ("display_data", "execute_result"))

    def streams(self) -> list[str]:
        return [o["content"]["text"] for o in self.outputs if o["msg_type"] == "stream"]


class Kernel:
    """An ipykernel started for one test, talking over real ZMQ channels."""

    def __init__(self, cwd: Path, env: dict[str, str] | None = None) -> None:
        self.manager = KernelManager(kernel_name="python3")
        self.manager.start_kernel(cwd=str(cwd), env={**os.environ, **(env or {})})
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=60)

    @property
    def pid(self) -> int:
        return self.manager.provisioner.process.pid  # type: ignore[union-attr]

    def run(self, code: str, timeout: float = 30) -> CellRun:
        """Execute a cell; return its outputs once the kernel is idle again."""
        started = time.monotonic()
        msg_id = self.client.execute(code, allow_stdin=False)
        result = CellRun()
        reply = self.client.get_shell_msg(timeout=timeout)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = self.client.get_shell_msg(timeout=timeout)
        result.elapsed = time.monotonic() - started
        result.status = reply["content"]["status"]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg = self.client.get_iopub_msg(timeout=timeout)
            if msg["parent_header"].get("msg_id") != msg_id:
                if msg["msg_type"] == "update_display_data":
                    result.updates.append(msg)
                continue
            kind = msg["msg_type"]
            if kind == "status" and msg["content"]["execution_state"] == "idle":
                return result
            if kind in ("display_data", "execute_result", "stream", "error"):
                result.outputs.append(msg)
            elif kind == "update_display_data":
                result.updates.append(msg)
        raise TimeoutError(f"cell did not finish in {timeout} s: {code[:80]!r}")

    def updates(self, wait: float) -> list[dict[str, Any]]:
        """`update_display_data` messages that arrive within `wait` seconds, whatever cell they name."""
        found = []
        deadline = time.monotonic() + wait
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                msg = self.client.get_iopub_msg(timeout=remaining)
            except queue.Empty:
                break
            if msg["msg_type"] == "update_display_data":
                found.append(msg)
        return found

    def shutdown(self, now: bool = False) -> None:
        self.client.stop_channels()
        if self.manager.is_alive():
            self.manager.shutdown_kernel(now=now)


def served_port(kernel: Kernel, name: str = "running_servers()[-1]") -> int:
    """The port the kernel's server (the last one started, or the variable `name`) listens on."""
    return int(kernel.run(f"print({name}.port)").printed)


@pytest.fixture
def kernel(tmp_path: Path) -> Iterator[Kernel]:
    """A real kernel for one test (import it into a test module to use it)."""
    k = Kernel(tmp_path, env={"HTMXWS_NB_SECRET_KEY": "test", "XDG_STATE_HOME": str(tmp_path)})
    try:
        yield k
    finally:
        k.shutdown(now=True)
