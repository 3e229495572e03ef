"""Notices posted over plain HTTP reach every open page through app.setup_ws."""
from fasthtml.common import *

app, rt = fast_app(exts='ws')


async def on_message(note: str, send):
    await send(Div(f'Draft saved: {note}', id='draft'))

broadcast = app.setup_ws(on_message)


@rt('/')
def get():
    return Titled('Notices',
                  Div(Div(id='latest'), Div(id='draft'),
                      Form(Input(id='note'), id='drafts', ws_send=True),
                      hx_ext='ws', ws_connect='/ws'),
                  Form(Input(id='notice', placeholder='Tell everyone'), Button('Post'),
                       hx_post='/notices', hx_swap='none'))


@rt('/notices')
async def post(notice: str):
    await broadcast(Div(P(Strong('Notice: '), notice), id='latest'))
    return ''


serve()
