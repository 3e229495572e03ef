"""Service lights drawn with raw SVG (NotStr); an HTTP PUT changes one and every page hears of it."""
from fasthtml.common import *

app, rt = fast_app(exts='ws')

LIGHTS = {'ok': '<svg width="10" height="10"><circle cx="5" cy="5" r="4" fill="green"/></svg>',
          'down': '<svg width="10" height="10"><circle cx="5" cy="5" r="4" fill="red"/></svg>'}
state = {'api': 'ok', 'mail': 'ok'}
watchers = {}


def light(name):
    return Tr(Td(NotStr(LIGHTS[state[name]])), Td(name), Td(state[name]), id=f'row-{name}')


@rt('/')
def get():
    return Titled('Services', Div(Table(Tbody(*[light(n) for n in state])),
                                  Button('Refresh', ws_send=True, id='refresh'),
                                  hx_ext='ws', ws_connect='/lights'))


async def watch(ws, send): watchers[id(ws)] = send
async def unwatch(ws): watchers.pop(id(ws), None)


@app.ws('/lights', conn=watch, disconn=unwatch)
async def lights():
    return tuple(light(n) for n in state)


@rt('/services/{name}')
async def put(name: str, to: str):
    if name not in state or to not in LIGHTS:
        return Response(f'unknown service or state: {name} {to}', status_code=400)
    state[name] = to
    for send in list(watchers.values()):
        await send(light(name))
    return light(name)


serve()
