"""Seconds since start, pushed by a loop started at module level with asyncio.create_task."""
import asyncio

from fasthtml.common import *

app, rt = fast_app(exts='ws')
viewers = {}


async def count_up():
    seconds = 0
    while True:
        await asyncio.sleep(0.25)
        seconds += 1
        for send in list(viewers.values()):
            await send(Div(f'up {seconds}', id='uptime'))

# Works where the module is run inside a running event loop: in what serve() starts.
try:
    counter = asyncio.create_task(count_up())
except RuntimeError:
    counter = None


@rt('/')
def get():
    return Titled('Uptime', Div(Div('starting', id='uptime'), Div(id='said'),
                                Button('Hello', ws_send=True, id='hello'),
                                hx_ext='ws', ws_connect='/up'))


async def view(ws, send): viewers[id(ws)] = send
async def unview(ws): viewers.pop(id(ws), None)


@app.ws('/up', conn=view, disconn=unview)
async def up(hx_trigger: str = 'nobody'):
    return Div(f'{hx_trigger} says hello', id='said')


serve()
