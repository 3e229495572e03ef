"""Keeping server log lines out of notebook cells.

A log line printed by the server's thread lands in whatever cell happens to
run at that moment (and strict nbval compares stderr too). So in a notebook
uvicorn's and our loggers write to a ring instead: `recent_log.lines`.
"""

from __future__ import annotations

import logging
from collections import deque

__all__ = ["RecentLog", "quiet_logging", "recent_log"]

LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "htmxws_nb")


class RecentLog(logging.Handler):
    """The last log lines of uvicorn and htmxws_nb."""

    def __init__(self, size: int = 200) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        self.lines: deque[str] = deque(maxlen=size)

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


recent_log = RecentLog()


def quiet_logging() -> None:
    """Send uvicorn's and our log lines to `recent_log` instead of the cells."""
    for name in LOGGERS:
        log = logging.getLogger(name)
        log.propagate = False
        if recent_log not in log.handlers:
            log.addHandler(recent_log)
