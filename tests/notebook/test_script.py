"""A script's `serve()` runs its file again inside the server's loop, and reloads it on change with `live=True`."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from conftest import open_ws, recv_text, script_server, wait_for

TICKER = '''
import asyncio
from htmxws_nb import *  # (Path too, as from fasthtml.common)

app, rt = fast_app(exts='ws', live=LIVE, static_path='/nonexistent')
listeners = {}

async def beat():
    n = 0
    while True:
        await asyncio.sleep(0.05)
        n += 1
        Path('beats-VERSION').write_text(str(n))
        for send in list(listeners.values()):
            await send(Div(f'beat {n}', id='beat'))

try:
    task = asyncio.create_task(beat())   # only works where a loop runs: in the server's run of this file
except RuntimeError:
    task = None

def on_conn(ws, send): listeners[id(ws)] = send
def on_disconn(ws): listeners.pop(id(ws), None)

@app.ws('/ws', conn=on_conn, disconn=on_disconn)
async def ws(msg: str): return Div(f'VERSION {msg}', id='echo')

@rt('/')
def get(): return P('VERSION page')

serve()
'''


def get(port: int, path: str = "/") -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
        return response.read().decode()


def test_module_level_task_runs_in_a_script(tmp_path: Path) -> None:
    source = TICKER.replace("LIVE", "False").replace("VERSION", "v1")
    with script_server(tmp_path, source, "ticker.py") as port, open_ws(port) as ws:
        assert recv_text(ws).startswith('<div id="beat">beat ')
        ws.send(json.dumps({"msg": "hi"}))
        replies = [recv_text(ws) for _ in range(40)]
        assert '<div id="echo">v1 hi</div>' in replies
        assert "live.js" not in get(port)  # no reload machinery unless live=True


def test_live_script_reloads_when_saved(tmp_path: Path) -> None:
    source = TICKER.replace("LIVE", "True")
    with script_server(tmp_path, source.replace("VERSION", "v1"), "live_app.py") as port:
        page = get(port)
        assert "<p>v1 page</p>" in page and "live.js" in page
        (tmp_path / "live_app.py").write_text(source.replace("VERSION", "v2"))
        wait_for(lambda: "<p>v2 page</p>" in get(port), 10, "the saved file served")
        with open_ws(port) as ws:
            ws.send(json.dumps({"msg": "hi"}))
            replies = [recv_text(ws) for _ in range(40)]
            assert '<div id="echo">v2 hi</div>' in replies
        old, new = tmp_path / "beats-v1", tmp_path / "beats-v2"
        stopped_at = old.read_text()
        started_at = int(new.read_text())
        wait_for(lambda: int(new.read_text()) >= started_at + 3, 5, "the new run's task beats")
        assert old.read_text() == stopped_at  # the old run's task was cancelled
