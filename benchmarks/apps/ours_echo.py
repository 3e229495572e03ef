# ruff: noqa: F403, F405
"""Our echo server: the README's handler, with the reply text of the tutorial's basic example."""
from htmxws_nb import *

app = FastHTML(exts='ws')


@app.ws('/ws')
async def ws(msg: str, send):
    await send(Div('You said ' + msg, id='notifications'))
