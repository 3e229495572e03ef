"""What went wrong in a user's handler, kept where the user can see it.

Clients get a short, fixed text; the details (the traceback) go to an
`ErrorLog`, which the notebook layer shows under the served page, and to the
`htmxws_nb` logger for scripts.
"""

from __future__ import annotations

import logging
import sysconfig
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from .hooks import Signal

__all__ = ["ErrorLog", "HandlerError", "logger"]

logger = logging.getLogger("htmxws_nb")
ERROR_COLOR = "#e5484d"  # a red that reads on a white and on a near-black background
# Where the frames between the server and a user's handler live: this package, then the
# standard library and installed packages (Starlette, anyio, when a sync handler runs in a thread).
_LIBRARIES = (str(Path(__file__).parents[1]), *{sysconfig.get_path(name) for name in ("stdlib", "purelib", "platlib")})


@dataclass(frozen=True)
class HandlerError:
    """One exception raised by user code, with where it happened."""

    where: str  # e.g. "websocket /ws: on_message" or "GET /"
    exception: BaseException
    traceback: str
    connection: str | None = None
    handler: Any = None  # the registered handler that raised, to tell later whether it was replaced
    time: float = field(default_factory=time.time)

    @classmethod
    def capture(cls, where: str, exc: BaseException, connection: str | None = None,
                handler: Any = None) -> HandlerError:
        """Keep the traceback from the user's code on: the server's frames above it are noise to them."""
        tb = exc.__traceback__
        while tb is not None and tb.tb_next is not None and tb.tb_frame.f_code.co_filename.startswith(_LIBRARIES):
            tb = tb.tb_next
        text = "".join(traceback.format_exception(type(exc), exc, tb))
        return cls(where, exc, text, connection, handler)

    @property
    def summary(self) -> str:
        return f"{self.where}: {type(self.exception).__name__}: {self.exception}"

    def __str__(self) -> str:
        return f"Error in {self.where}\n{self.traceback}"

    def html(self, note: str = "", open_: bool = True) -> str:
        """The error as HTML: a red summary line (a red that reads on light and dark themes), the traceback."""
        extra = f' <i style="color:inherit;opacity:0.7">({escape(note)})</i>' if note else ""
        return (f'<details{" open" if open_ else ""} class="htmxws-error">'
                f'<summary style="color:{ERROR_COLOR}"><b>Error in {escape(self.where)}</b>: '
                f"{escape(type(self.exception).__name__)}: {escape(str(self.exception))}{extra}</summary>"
                f'<pre style="white-space:pre-wrap">{escape(self.traceback)}</pre></details>')

    def _repr_html_(self) -> str:
        return self.html()


class ErrorLog:
    """The most recent handler errors, with signals for a new one and for clearing.

    Thread-safe: errors arrive on the server's thread, readers sit in the
    notebook's. `log=False` for a log that only gathers errors already logged
    where they happened. Shows itself as a list, newest last.
    """

    def __init__(self, size: int = 50, log: bool = True) -> None:
        self._errors: deque[HandlerError] = deque(maxlen=size)
        self._lock = threading.Lock()
        self._log = log
        self.added: Signal[HandlerError] = Signal()
        self.cleared: Signal[None] = Signal()

    def add(self, error: HandlerError) -> None:
        if self._log:
            logger.error("Error in %s\n%s", error.where, error.traceback.rstrip())
        with self._lock:
            self._errors.append(error)
        self.added.emit(error)

    def clear(self) -> None:
        """Forget the errors so far (what shows them empties too)."""
        with self._lock:
            self._errors.clear()
        self.cleared.emit(None)

    def subscribe(self, listener: Callable[[HandlerError], None]) -> Callable[[], None]:
        """Call `listener` with each new error; returns a function that unsubscribes."""
        return self.added.subscribe(listener)

    def follow(self, other: ErrorLog) -> Callable[[], None]:
        """Gather `other`'s errors here, and clear when it clears; returns a function that stops it."""
        stop_adding = other.added.subscribe(self.add)
        stop_clearing = other.cleared.subscribe(lambda _: self.clear())

        def stop() -> None:
            stop_adding()
            stop_clearing()

        return stop

    def __iter__(self) -> Iterator[HandlerError]:
        with self._lock:
            return iter(list(self._errors))

    def __len__(self) -> int:
        return len(self._errors)

    def __getitem__(self, index: int) -> HandlerError:
        with self._lock:
            return list(self._errors)[index]

    def __repr__(self) -> str:
        errors = list(self)
        if not errors:
            return "No handler errors."
        lines = [f"{len(errors)} handler error{'s' if len(errors) > 1 else ''} (newest last; app.errors[-1], "
                 f"app.errors.clear()):"]
        lines += [f"[{i}] {error.summary}" for i, error in enumerate(errors)]
        return "\n".join([*lines, "", str(errors[-1]).rstrip()])

    def _repr_html_(self) -> str:
        errors = list(self)
        if not errors:
            return "<p><i>No handler errors.</i></p>"
        return "".join(e.html(open_=i == len(errors) - 1) for i, e in enumerate(errors))
