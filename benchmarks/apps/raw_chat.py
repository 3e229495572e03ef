"""The baseline chat: the tutorial's chat written by hand on Starlette.

Like the tutorial, every message re-renders the whole list once per user and
sends it to every connected user in turn; the users are a dict of websockets.
"""

import json
from html import escape

from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

msgs: list[str] = []
users: dict[str, WebSocket] = {}


def msg_list() -> str:
    """The same HTML as the tutorial's `Ul(*[Li(m) for m in msgs], id='msg-list')`."""
    return '<ul id="msg-list">' + ''.join('<li>' + escape(m, quote=False) + '</li>' for m in msgs) + '</ul>'


async def ws(websocket: WebSocket) -> None:
    await websocket.accept()
    key = str(id(websocket))
    users[key] = websocket
    try:
        async for text in websocket.iter_text():
            msgs.append(json.loads(text)["msg"])
            for user in list(users.values()):
                await user.send_text(msg_list())
    finally:
        users.pop(key, None)


app = Starlette(routes=[WebSocketRoute('/ws', ws)])
