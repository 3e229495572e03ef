"""A connection's states and the moves between them; close codes by name."""

from __future__ import annotations

import pytest
from starlette import status

from htmxws_nb.app.websocket.state import (
    CLOSE_SERVICE_RESTART,
    CLOSE_TRY_AGAIN_LATER,
    ConnectionState,
)

OPEN, CLOSING, ABANDONED, CLOSED = ConnectionState


@pytest.mark.parametrize(("start", "end", "allowed"), [
    (OPEN, CLOSING, True), (OPEN, ABANDONED, True), (OPEN, CLOSED, True),
    (CLOSING, ABANDONED, True), (CLOSING, CLOSED, True), (CLOSING, OPEN, False),
    (ABANDONED, CLOSED, True), (ABANDONED, CLOSING, False), (ABANDONED, OPEN, False),
    (CLOSED, OPEN, False), (CLOSED, CLOSING, False), (CLOSED, ABANDONED, False), (CLOSED, CLOSED, False),
])
def test_moves(start: ConnectionState, end: ConnectionState, allowed: bool) -> None:
    assert start.can_become(end) is allowed


def test_close_codes_are_the_rfc_ones() -> None:
    assert CLOSE_SERVICE_RESTART == status.WS_1012_SERVICE_RESTART == 1012
    assert CLOSE_TRY_AGAIN_LATER == status.WS_1013_TRY_AGAIN_LATER == 1013
