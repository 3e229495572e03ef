"""Static files through a Starlette Mount and by extension; the page connects with a relative ws-connect."""
from pathlib import Path

from fasthtml.common import *

SITE = Path(__file__).parent / 'site'

app, rt = fast_app(exts='ws',
                   routes=[Mount('/files', StaticFiles(directory=SITE), name='files')],
                   hdrs=(Link(rel='stylesheet', href='/files/style.css'),),
                   static_path=str(SITE))


@rt('/')
def get():
    return Titled('Echo', Img(src='/logo.svg', alt='logo', width=40),
                  Div(Div(id='echo'),
                      Form(Input(id='words'), id='shout', ws_send=True),
                      hx_ext='ws', ws_connect='ws'))


@app.ws('/ws')
async def ws(words: str):
    return Div(words[::-1], id='echo')


serve()
