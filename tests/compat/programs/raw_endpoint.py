"""A plain Starlette WebSocketEndpoint in app.routes beside an @app.ws handler, both speaking to htmx."""
from fasthtml.common import *

app, rt = fast_app(exts='ws')


class Upper(WebSocketEndpoint):
    encoding = 'json'

    async def on_connect(self, websocket):
        await websocket.accept()
        await websocket.send_text(to_xml(P('raw socket open', id='raw')))

    async def on_receive(self, websocket, data):
        await websocket.send_text(to_xml(P(data.get('text', '').upper(), id='raw')))


app.routes.append(WebSocketRoute('/raw', Upper))


@rt('/')
def get():
    return Titled('Two kinds of socket',
                  Div(P(id='raw'), Form(Input(id='text'), id='raw-form', ws_send=True),
                      hx_ext='ws', ws_connect='/raw'),
                  Div(P(id='handled'), Form(Input(id='msg'), id='fh-form', ws_send=True),
                      hx_ext='ws', ws_connect='/ws'))


@app.ws('/ws')
async def ws(msg: str):
    return P(f'{len(msg)} characters', id='handled')


serve()
