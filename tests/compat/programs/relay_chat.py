"""Relay chat: each line is appended on every page with an out-of-band swap; the sender's input is cleared."""
from fasthtml.common import *

app, rt = fast_app(exts='ws')

people = {}     # id(ws) -> [nick, send]
lines = []


def chat_line(nick, text):
    return Li(B(nick), ': ', text)


def entry_box():
    return Input(id='line', placeholder='say something', autocomplete='off', hx_swap_oob='true')


@rt('/')
def get():
    return Titled('Relay',
                  Div(Div('Online: ', Span(len(people), id='count')),
                      Ul(*[chat_line(n, t) for n, t in lines], id='log'),
                      Form(entry_box(), Button('Send'), id='say', ws_send=True),
                      hx_ext='ws', ws_connect='/chat'))


async def everyone(*parts):
    for key, (_, send) in list(people.items()):
        try:
            await send(*parts)
        except Exception:
            people.pop(key, None)


async def arrive(ws, send):
    people[id(ws)] = [f'user{len(people) + 1}', send]
    await everyone(Span(len(people), id='count', hx_swap_oob='true'))


async def depart(ws):
    people.pop(id(ws), None)
    await everyone(Span(len(people), id='count', hx_swap_oob='true'))


@app.ws('/chat', conn=arrive, disconn=depart)
async def chat(line: str, ws, send):
    text = line.strip()
    if text:
        nick = people[id(ws)][0]
        lines.append((nick, text))
        await everyone(Ul(chat_line(nick, text), id='log', hx_swap_oob='beforeend'))
    await send(entry_box())


serve()
