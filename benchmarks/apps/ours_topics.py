# The chat on a topic, for `uvicorn apps.ours_topics:app --workers N`: HTMXWS_NB_PUBSUB picks Redis or in-memory.
import os

from htmxws_nb import Div, FastHTML

app = FastHTML(exts="ws")


async def on_conn(send):
    await app.subscribe("chat", send)  # returns once the subscription is in place
    return Div(str(os.getpid()), id="pid")  # tells the client which worker it is on


@app.ws("/ws", conn=on_conn)
async def ws(msg: str):
    await app.publish("chat", Div(msg, id="msg"))
