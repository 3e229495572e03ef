"""What the endpoint tells a recorder, if one listens (the notebook's transcript).

A recorder further out in the ASGI stack sees frames but not handlers; the
endpoint reports which handler (and which version of it) answered each frame,
and tags every frame a handler sends, to any connection, with the frame it was
answering. The recorder puts itself in the scope as `htmxws.tracer`; this
layer never imports it. The app's pub/sub reports each publish it fans out
to the tracer in `app.pubsub.tracer` (the server layer puts its recorder there).
"""

from __future__ import annotations

import contextvars
from typing import Any, Protocol

__all__ = ["CONNECT", "PUSHED", "TRACER_KEY", "Tracer", "current_frame"]

TRACER_KEY = "htmxws.tracer"
CONNECTION_ID_KEY = "htmxws.connection_id"  # the recorder's name for the connection, e.g. "c3"
FRAME_KEY = "htmxws.frame"  # on a received message: the recorder's number for that frame
CAUSE_KEY = "htmxws.cause"  # on a sent message: the number of the frame that caused it

# The incoming frame a handler is answering, so frames it sends (to any
# connection) can be tied to it; CONNECT while `conn` runs.
current_frame: contextvars.ContextVar[Any] = contextvars.ContextVar("htmxws_frame", default=None)
CONNECT = "conn"  # the cause of frames `conn` sends
PUSHED = "pushed"  # the cause of frames sent outside any handler (a notebook cell, a background task)


class Tracer(Protocol):
    def now(self) -> float: ...

    def dispatched(self, connection: str, path: str, frame: int | None, handler: str, version: int,
                   started: float, outcome: str, queued: int) -> None:
        """A handler answered `frame` (None: `conn` ran), queuing `queued` frames for the sender."""

    def published(self, topic: str, size: int, receivers: int, origin: str, frame: int | None) -> int:
        """A publish to `topic` (`size` characters) is handed to `receivers` websockets of this process;
        `origin` is "here" or "elsewhere" (another process); `frame` the incoming frame whose handler
        published it, if any. Returns a number that the frames delivered are tagged with when `frame` is None."""
