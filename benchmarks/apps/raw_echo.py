"""The baseline echo: a plain Starlette `WebSocketRoute` doing by hand what `ours_echo` does.

It parses the htmx frame, takes `msg`, and sends the same HTML text our
`Div('You said ' + msg, id='notifications')` renders to (same escaping).
"""

import json
from html import escape

from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket


async def ws(websocket: WebSocket) -> None:
    await websocket.accept()
    async for text in websocket.iter_text():
        msg = json.loads(text)["msg"]
        await websocket.send_text('<div id="notifications">' + escape('You said ' + msg, quote=False) + '</div>')


app = Starlette(routes=[WebSocketRoute('/ws', ws)])
