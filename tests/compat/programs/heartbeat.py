"""A pulse pushed to every page by a task the app's lifespan (a context manager) starts and stops."""
import asyncio
from contextlib import asynccontextmanager

from fasthtml.common import *

app, rt = fast_app(exts='ws')

watchers = {}
pulse = {'count': 0, 'every': 0.2}


async def beat():
    while True:
        await asyncio.sleep(pulse['every'])
        pulse['count'] += 1
        for send in list(watchers.values()):
            await send(Span(f"pulse {pulse['count']}", id='pulse'))


@asynccontextmanager
async def running(app):
    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()

app.set_lifespan(running)


@rt('/')
def get():
    return Titled('Heartbeat',
                  Div(Span('no pulse yet', id='pulse'), Div(id='speed'),
                      Button('Slower', hx_vals={'factor': 2}, ws_send=True, id='slower'),
                      hx_ext='ws', ws_connect='/pulse'))


async def watch(ws, send): watchers[id(ws)] = send
async def unwatch(ws): watchers.pop(id(ws), None)


@app.ws('/pulse', conn=watch, disconn=unwatch)
async def speed(factor: float):
    pulse['every'] *= factor
    return Div(f"every {pulse['every']:.1f} s", id='speed')


serve()
