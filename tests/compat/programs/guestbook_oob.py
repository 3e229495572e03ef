"""A guest book: entries posted with hx-post (multipart) are appended on every page out of band."""
from fasthtml.common import *

app, rt = fast_app(exts='ws')

book = [('host', 'Please sign!')]
open_pages = {}


def entry(who, words):
    return Li(Em(who), ' — ', words)


def sign_form():
    return Form(Input(id='who', placeholder='name'), Textarea(id='words'), CheckboxX(id='public', label='public'),
                Button('Sign'), hx_post='/sign', hx_swap='outerHTML', id='sign')


@rt('/')
def get():
    return Titled('Guest book', Div(Ul(*[entry(*e) for e in book], id='book'), hx_ext='ws', ws_connect='/book'),
                  sign_form())


async def page_in(ws, send): open_pages[id(ws)] = send
async def page_out(ws): open_pages.pop(id(ws), None)


@app.ws('/book', conn=page_in, disconn=page_out)
async def book_socket(): pass


@rt('/sign')
async def post(who: str, words: str, public: str = ''):
    book.append((who or 'anonymous', words))
    if public:
        for send in list(open_pages.values()):
            await send(Ul(entry(who or 'anonymous', words), id='book', hx_swap_oob='beforeend'))
    return fill_form(sign_form(), {'who': who, 'public': public})


serve()
