"""The app layer: `FastHTML`, its routes and handlers, sessions, and the websocket endpoint.

Knows nothing of servers or notebooks; offers hooks they subscribe to
(`FastHTML.route_replaced`, `FastHTML.errors`, `Pages.extra_head`).
"""

from .errors import ErrorLog, HandlerError
from .fasthtml import FastHTML, RouteChange
from .params import HtmxHeaders
from .pubsub import PubSubError

__all__ = ["ErrorLog", "FastHTML", "HandlerError", "HtmxHeaders", "PubSubError", "RouteChange"]
