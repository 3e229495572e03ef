"""Counters in Pico cards; clicking a <p> pings over the socket; hx-vals carry numbers."""
from fasthtml.common import *
from fasthtml.pico import *

app, rt = fast_app(exts='ws', pico=False, hdrs=(picolink,))

scores = {'north': 0, 'south': 0}
everyone = {}


def score_card(team):
    return Card(H2(scores[team], id=f'{team}-score'),
                Group(Button('+1', hx_vals={'team': team, 'points': 1}, ws_send=True, id=f'{team}-one'),
                      Button('+3', hx_vals={'team': team, 'points': 3}, ws_send=True, id=f'{team}-three')),
                header=H3(team.title()), footer=Small('tap to score'))


@rt('/')
def get():
    return Title('Scores'), Container(
        H1('Scores'),
        Div(Grid(*[score_card(t) for t in scores]),
            P('Ping the server', ws_send=True, hx_vals={'team': 'none', 'points': 0}, id='ping'),
            Div(id='pong'),
            hx_ext='ws', ws_connect='/score'))


async def joined(ws, send): everyone[id(ws)] = send
async def left(ws): everyone.pop(id(ws), None)


@app.ws('/score', conn=joined, disconn=left)
async def score(team: str, points: int):
    if team not in scores:
        return Div(f'pong ({points})', id='pong')
    scores[team] += points
    for send in list(everyone.values()):
        await send(H2(scores[team], id=f'{team}-score'))


serve()
