"""The server's side of a client's connection, read from the recorder of a server in this process.

It is what makes a notebook client's round trip exact: the server's
transcript says when the handler has answered a message and how many frames
it queued for this client, so the client reads exactly those, however long
they take (which keeps nbval outputs stable).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from ..recording import Record, Recorder

__all__ = ["ServerSide"]


class ServerSide:
    """The server's view of this client's connection, read from an in-process recorder.

    Frames a connection receives are numbered in the order the server wrote
    them (its `out` records); so "read up to frame N" is exact.
    """

    def __init__(self, recorder: Recorder, peer: str) -> None:
        self.recorder = recorder
        self.peer = peer
        self.connection: str | None = None
        self._changed = threading.Condition()
        self._unsubscribe = recorder.subscribe(self._on_record)

    def close(self) -> None:
        self._unsubscribe()

    def _on_record(self, record: Record | None) -> None:
        with self._changed:
            self._changed.notify_all()

    def _wait(self, ready: Callable[[list[Record]], Any], timeout: float) -> Any:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                result = ready(self._mine())
                if result is not None:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("the server did not answer in time")
                self._changed.wait(min(remaining, 0.05))

    def _mine(self) -> list[Record]:
        if self.connection is None:
            opened = next((r for r in self.recorder.records() if r.kind == "open" and r.peer == self.peer), None)
            if opened is None:
                return []
            self.connection = opened.connection
        return self.recorder.records(self.connection)

    def frames_after_connect(self, timeout: float) -> int:
        """How many frames the server wrote while `conn` ran (e.g. a greeting)."""
        def ready(records: list[Record]) -> int | None:
            done = next((r for r in records if r.kind == "dispatch" and r.cause is None), None)
            if done is None:
                return None
            written = sum(1 for r in records if r.kind == "out")
            return written if written >= (done.queued or 0) else None

        return self._wait(ready, timeout)

    def wait_ended(self, timeout: float) -> None:
        """Until the app has finished with this connection (its `disconn` has run)."""
        self._wait(lambda records: True if any(r.kind == "end" for r in records) else None, timeout)

    def frames_until_answered(self, nth_message: int, timeout: float) -> tuple[int, set[int], str | None]:
        """After the n-th message (1-based): (frames to read in all, which of them it caused, the error its
        handler raised, if any)."""
        def ready(records: list[Record]) -> tuple[int, set[int], str | None] | None:
            incoming = [r for r in records if r.kind == "in"]
            if len(incoming) < nth_message:
                return None
            message = incoming[nth_message - 1]
            done = next((r for r in records if r.kind == "dispatch" and r.cause == message.seq), None)
            if done is None:
                return None
            outgoing = [r for r in records if r.kind == "out"]
            caused = {i for i, r in enumerate(outgoing, 1) if r.cause == message.seq}
            if len(caused) < (done.queued or 0):
                return None
            error = next((r.text.strip().splitlines()[-1] for r in records
                          if r.kind == "error" and message.seq < r.seq < done.seq and r.text.strip()), None)
            return (max(caused) if caused else 0), caused, error

        return self._wait(ready, timeout)
