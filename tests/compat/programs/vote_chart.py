"""Live poll drawn as SVG: each vote (a button with hx-vals) redraws the chart on every page."""
from fasthtml.common import *
from fasthtml.svg import *

app, rt = fast_app(exts='ws')

tally = {'red': 0, 'green': 0, 'blue': 0}
pages = {}


def chart():
    most = max(tally.values()) or 1
    bars = []
    for i, (colour, n) in enumerate(tally.items()):
        height = 80 * n // most
        bars.append(G(Rect(40, height, x=20 + i * 60, y=90 - height, fill=colour),
                      Text(str(n), x=40 + i * 60, y=105, text_anchor='middle', font_size=10),
                      id=f'g-{colour}'))
    return Svg(Line(10, 90, 200, 90, stroke='black'), *bars, w=210, h=110, id='chart')


@rt('/')
def get():
    return Titled('Favourite colour',
                  Div(chart(),
                      Div(*[Button(c.title(), hx_vals={'colour': c}, ws_send=True, id=f'vote-{c}') for c in tally]),
                      hx_ext='ws', ws_connect='/votes'))


async def hello(ws, send): pages[id(ws)] = send
async def bye(ws): pages.pop(id(ws), None)


@app.ws('/votes', conn=hello, disconn=bye)
async def votes(colour: str):
    if colour not in tally:
        return P(f'No such colour: {colour}', id='problem')
    tally[colour] += 1
    for send in list(pages.values()):
        await send(chart())


serve()
