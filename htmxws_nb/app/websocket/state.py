"""A connection's life as named states and close codes, with the moves allowed between them.

Close codes are RFC 6455's, named as `starlette.status` names them; the
comments say what the htmx ws extension does with each.
"""

from __future__ import annotations

import enum

from starlette import status

__all__ = [
    "CLOSE_NORMAL", "CLOSE_NO_STATUS", "CLOSE_SERVER_ERROR", "CLOSE_SERVICE_RESTART", "CLOSE_TRY_AGAIN_LATER",
    "ConnectionState", "InvalidTransition",
]

CLOSE_NORMAL = status.WS_1000_NORMAL_CLOSURE  # the client stays closed
CLOSE_NO_STATUS = status.WS_1005_NO_STATUS_RCVD  # the peer closed without a code
CLOSE_SERVER_ERROR = status.WS_1011_INTERNAL_ERROR  # the client reconnects
CLOSE_SERVICE_RESTART = status.WS_1012_SERVICE_RESTART  # the client reconnects (an app was replaced)
CLOSE_TRY_AGAIN_LATER = status.WS_1013_TRY_AGAIN_LATER  # the client reconnects later (it was too slow)


class InvalidTransition(RuntimeError):
    """A connection was asked to move to a state it cannot reach from where it is."""


class ConnectionState(enum.Enum):
    """Where one accepted websocket is in its life.

    OPEN: frames are accepted and written. CLOSING: a close was asked for; the
    frames already queued go out first, new ones are refused. ABANDONED: the
    client could not keep up; its queue was dropped and it is being cut.
    CLOSED: the client is gone and `disconn` has run or is running.
    """

    OPEN = "open"
    CLOSING = "closing"
    ABANDONED = "abandoned"
    CLOSED = "closed"

    def can_become(self, other: ConnectionState) -> bool:
        return other in _ALLOWED[self]


_ALLOWED: dict[ConnectionState, frozenset[ConnectionState]] = {
    ConnectionState.OPEN: frozenset({ConnectionState.CLOSING, ConnectionState.ABANDONED, ConnectionState.CLOSED}),
    ConnectionState.CLOSING: frozenset({ConnectionState.ABANDONED, ConnectionState.CLOSED}),
    ConnectionState.ABANDONED: frozenset({ConnectionState.CLOSED}),
    ConnectionState.CLOSED: frozenset(),
}
