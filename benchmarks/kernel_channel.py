"""The kernel channel against the direct port: round-trip latency, messages per second, bursts, big frames.

    .venv/bin/python benchmarks/kernel_channel.py            # JupyterLab, Debian's Chromium
    .venv/bin/python benchmarks/kernel_channel.py --round-trips 100 --pipelined 1000

A JupyterLab on a free port runs a notebook that serves an echo socket with
`serve(url='kernel')`; Chromium opens it, and the same JavaScript measures
from inside the page's iframe (the kernel channel) and from a tab on the
app's own port (direct). Not a test: it prints a table (figures move with
the machine's load; see the README's "When no port is reachable").
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import nbformat  # noqa: E402
from browser_support import (  # noqa: E402
    CHROMIUM_ARGS,
    IFRAME,
    KERNEL_TIMEOUT,
    chromium_path,
    jupyter_server,
    open_notebook,
    run_all_cells,
)
from playwright.sync_api import Frame, expect, sync_playwright  # noqa: E402

APP = """from htmxws_nb import *
from starlette.routing import WebSocketRoute

app = FastHTML(exts='ws')

@app.route('/')
def get():
    return Titled('Echo', P('ready', id='ready'))

async def echo(ws):  # echoes text; 'burst N' sends N frames from one run
    await ws.accept()
    try:
        while True:
            text = await ws.receive_text()
            if text.startswith('burst '):
                for i in range(int(text.split()[1])):
                    await ws.send_text(str(i))
            else:
                await ws.send_text(text)
    except WebSocketDisconnect:
        pass

app.router.routes.append(WebSocketRoute('/echo', echo))
server = serve(port=0, url='kernel')"""

# n sequential echoes, then `pipelined` sent at once.
ROUND_TRIPS = """async ({url, n, pipelined}) => {
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
    const times = [];
    for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        await new Promise(resolve => { ws.onmessage = resolve; ws.send('ping ' + i); });
        times.push(performance.now() - t0);
    }
    let count = 0;
    const t1 = performance.now();
    await new Promise(resolve => {
        ws.onmessage = () => { if (++count === pipelined) resolve(); };
        for (let i = 0; i < pipelined; i++) ws.send('p' + i);
    });
    const seconds = (performance.now() - t1) / 1000;
    ws.close();
    times.sort((a, b) => a - b);
    const q = p => times[Math.floor(p * (times.length - 1))];
    return {p50: q(0.5), p90: q(0.9), rate: pipelined / seconds};
}"""

# One handler run sends n frames: how long until all arrived, and in how many comm messages.
BURST = """async (n) => {
    const ws = new WebSocket('/echo');
    await new Promise(resolve => { ws.onopen = resolve; });
    let count = 0;
    const t0 = performance.now();
    await new Promise(resolve => {
        ws.onmessage = () => { if (++count === n) resolve(); };
        ws.onclose = resolve;
        setTimeout(resolve, 30000);
        ws.send('burst ' + n);
    });
    ws.close();
    return {arrived: count, ms: performance.now() - t0};
}"""

# One text frame of `mib` MiB, echoed (or refused).
BIG = """async (mib) => {
    const ws = new WebSocket('/echo');
    await new Promise(resolve => { ws.onopen = resolve; });
    const text = 'x'.repeat(mib * 1024 * 1024);
    const t0 = performance.now();
    const result = await new Promise(resolve => {
        ws.onmessage = e => resolve({ms: performance.now() - t0, ok: e.data.length === text.length});
        ws.onclose = e => resolve({closed: e.code});
        setTimeout(() => resolve({timeout: true}), 30000);
        ws.send(text);
    });
    ws.close();
    return result;
}"""

COMM_MESSAGES = """() => {
    const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
    window.commSeen = 0;
    kernel.iopubMessage.connect((_, msg) => { if (msg.header.msg_type === 'comm_msg') window.commSeen++; });
}"""


def measure(args: argparse.Namespace) -> list[tuple[str, str, str]]:
    with tempfile.TemporaryDirectory(prefix="htmxws-bench-") as home, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, timeout=30_000)
        with jupyter_server("lab", Path(home)) as jupyter:
            nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(APP)],
                                          metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                   "language": "python"}})
            nbformat.write(nb, jupyter.root / "bench.ipynb")
            page = browser.new_page()
            open_notebook(page, jupyter, "bench.ipynb")
            page.evaluate(COMM_MESSAGES)
            run_all_cells(page)
            expect(page.frame_locator(IFRAME).first.locator("#ready")).to_be_visible(timeout=KERNEL_TIMEOUT * 1000)
            handle = page.locator(IFRAME).first.element_handle()
            frame: Frame = handle.content_frame()  # type: ignore[assignment]
            spec = page.locator(".htmxws-page").first.get_attribute("data-htmxws-spec") or ""
            port = int(spec.split('"port": ')[1].split(",")[0])
            options = {"n": args.round_trips, "pipelined": args.pipelined}
            kernel = frame.evaluate(ROUND_TRIPS, {"url": "/echo", **options})
            tab = browser.new_page()
            tab.goto(f"http://127.0.0.1:{port}/")
            direct = tab.evaluate(ROUND_TRIPS, {"url": f"ws://127.0.0.1:{port}/echo", **options})
            page.evaluate("window.commSeen = 0")
            burst = frame.evaluate(BURST, args.burst)
            comm = page.evaluate("window.commSeen")
            bigs = {mib: frame.evaluate(BIG, mib) for mib in (1, 4, 7, 12)}
            browser.close()
    rows = [
        ("echo round trip p50", f"{kernel['p50']:.1f} ms", f"{direct['p50']:.1f} ms"),
        ("echo round trip p90", f"{kernel['p90']:.1f} ms", f"{direct['p90']:.1f} ms"),
        (f"messages/s, {args.pipelined} sent at once", f"{kernel['rate']:,.0f} msg/s", f"{direct['rate']:,.0f} msg/s"),
        (f"{args.burst} frames from one handler run",
         f"{burst['arrived']} in {burst['ms'] / 1000:.2f} s, {comm} comm messages", ""),
    ]
    for mib, big in bigs.items():
        text = (f"{big['ms']:.0f} ms" if big.get("ok") else f"closed with {big['closed']}" if "closed" in big
                else "timed out")
        rows.append((f"text frame of {mib} MiB, echoed", text, ""))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--round-trips", type=int, default=200)
    parser.add_argument("--pipelined", type=int, default=2000)
    parser.add_argument("--burst", type=int, default=5000)
    args = parser.parse_args()
    rows = measure(args)
    print("| metric | kernel channel | direct |\n| --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
