"""Parts built with fastcore directly (its FT, NotStr and to_xml) mixed with the app's components."""
from fastcore.basics import NotStr as RawText
from fastcore.xml import Span as XSpan
from fastcore.xml import to_xml as fastcore_to_xml
from fasthtml.common import *

app, rt = fast_app(exts='ws')

STAR = '<svg width="12" height="12"><polygon points="6,0 8,4 12,4 9,7 10,12 6,9 2,12 3,7 0,4 4,4" fill="gold"/></svg>'


def badge(name):
    return XSpan(RawText(STAR), ' ', name, cls='badge')


@rt('/')
def get():
    return Titled('Badges', Div(Div(badge('starter'), id='badges'),
                                Form(Input(id='name'), id='award', ws_send=True),
                                Div(id='markup'),
                                hx_ext='ws', ws_connect='/award'))


@app.ws('/award')
async def award(name: str, send):
    await send(Div(badge('starter'), badge(name), id='badges'))
    markup = fastcore_to_xml(Ul(Li(name)), indent=False)
    await send(Div(Code(markup), id='markup'))


serve()
