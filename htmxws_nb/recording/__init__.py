"""The recording layer: every websocket event of any ASGI app, kept in a ring and read as round trips.

Knows the app layer (to learn which handler answered), nothing of servers or notebooks.
"""

from .middleware import RecordingMiddleware
from .recorder import Recorder
from .records import Record
from .round_trips import RoundTrip, causal_order, round_trips
from .transcript import Transcript

__all__ = ["Record", "Recorder", "RecordingMiddleware", "RoundTrip", "Transcript", "causal_order", "round_trips"]
