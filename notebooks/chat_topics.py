# The chat on a topic, as a script: every server sharing the Redis in HTMXWS_NB_PUBSUB shares the chat.
#   HTMXWS_NB_PUBSUB=redis://127.0.0.1:6379/0 python chat_topics.py
#   HTMXWS_NB_PUBSUB=redis://127.0.0.1:6379/0 uvicorn chat_topics:app --workers 4
from htmxws_nb import *

app = FastHTML(exts='ws')  # pubsub=... defaults to $HTMXWS_NB_PUBSUB
rt = app.route

@rt('/')
def home(): return Div(
    Ul(id='msg-list'),
    Form(Input(id='msg'), id='form', ws_send=True),
    hx_ext='ws', ws_connect='/ws')

async def on_conn(send):
    await app.subscribe('chat', send)  # returns once Redis has confirmed the subscription
    return P('joined the chat', id='status')

@app.ws('/ws', conn=on_conn)
async def ws(msg: str):
    await app.publish('chat', Ul(Li(msg), id='msg-list', hx_swap_oob='beforeend'))

serve()
