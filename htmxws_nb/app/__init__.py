"""The app layer: `FastHTML` and `fast_app`, routes and handlers, sessions, lifespans, and the websocket endpoint.

Knows nothing of servers or notebooks; offers hooks they subscribe to
(`FastHTML.route_replaced`, `FastHTML.errors`, `Pages.extra_head`).
"""

from .beforeware import Beforeware
from .errors import ErrorLog, HandlerError
from .fastapp import fast_app
from .fasthtml import FastHTML, RouteChange
from .params import HtmxHeaders
from .pubsub import PubSubError
from .responses import EventStream, Redirect, cookie

__all__ = ["Beforeware", "ErrorLog", "EventStream", "FastHTML", "HandlerError", "HtmxHeaders", "PubSubError",
           "Redirect", "RouteChange", "cookie", "fast_app"]
