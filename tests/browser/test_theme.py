"""The sequence picture and the error panel in JupyterLab's dark theme: the picture fits its output
with the server's lifeline on screen, and what they write is readable."""

from __future__ import annotations

from pathlib import Path

import nbformat
from browser_support import KERNEL_TIMEOUT, Browsing, jupyter_server, open_notebook, run_all_cells, screenshot
from playwright.sync_api import expect

pytest_plugins = ["browser_fixtures"]

CELLS = [
    """from htmxws_nb import *
app = FastHTML(exts='ws')
msgs = []

@app.ws('/ws')
async def ws(msg: str, send):
    if msg == 'boom':
        raise ValueError('it broke')
    msgs.append(msg)
    await send(Ul(*[Li(m) for m in msgs], id='msg-list'))

server = serve(port=0)""",
    """clients = [connect(app, '/ws') for _ in range(6)]
for i, client in enumerate(clients):
    client.round_trip(msg=f'hello from client number {i}')
clients[0].round_trip(msg='boom')""",
    "transcript(app).sequence()",
]

# Contrast (WCAG) between an element's colour and the background it is drawn on.
CONTRAST_JS = """([selector, property]) => {
    const element = document.querySelector(selector);
    const parse = text => (text.match(/[\\d.]+/g) || []).map(Number);
    const luminance = ([r, g, b]) => {
        const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    let background = null;
    for (let node = element; node && !background; node = node.parentElement) {
        const color = parse(getComputedStyle(node).backgroundColor);
        if (color.length === 3 || (color.length === 4 && color[3] > 0)) background = color;
    }
    const foreground = parse(getComputedStyle(element)[property]);
    const [a, b] = [luminance(foreground), luminance(background || [255, 255, 255])].sort((x, y) => y - x);
    return {ratio: (a + 0.05) / (b + 0.05), foreground, background};
}"""


def test_picture_and_errors_in_the_dark_theme(tmp_path: Path, browsing: Browsing) -> None:
    with jupyter_server("lab", tmp_path / "lab", theme="JupyterLab Dark") as lab:
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS], metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
        nbformat.write(notebook, lab.root / "dark.ipynb")
        page = browsing.new_page()
        open_notebook(page, lab, "dark.ipynb")
        run_all_cells(page)
        svg = page.locator(".htmxws-sequence svg").first
        expect(svg).to_be_visible(timeout=KERNEL_TIMEOUT * 1000)
        expect(page.locator("details.htmxws-error").first).to_be_visible(timeout=KERNEL_TIMEOUT * 1000)
        lab.wait_kernel_idle("dark.ipynb")
        svg.scroll_into_view_if_needed()
        screenshot(page, "dark-theme-sequence")
        fit = page.evaluate("""() => {
            const svg = document.querySelector('.htmxws-sequence svg');
            const output = svg.closest('.jp-OutputArea-output');
            const server = [...svg.querySelectorAll('text')].find(t => t.textContent === 'server');
            return {svg: svg.getBoundingClientRect().right, output: output.getBoundingClientRect().right,
                    server: server.getBoundingClientRect().right,
                    clients: svg.querySelectorAll('line[stroke-dasharray]').length};
        }""")
        assert fit["clients"] == 7, "six clients and the server"
        assert fit["svg"] <= fit["output"] + 1, f"the picture is wider than its output: {fit}"
        assert fit["server"] <= fit["output"], f"the server's lifeline is off screen: {fit}"
        name = page.evaluate(CONTRAST_JS, [".htmxws-sequence svg text[font-weight=bold]", "fill"])
        assert name["ratio"] >= 4.5, f"lifeline names are hard to read: {name}"
        arrow = page.evaluate(CONTRAST_JS, [".htmxws-sequence svg line[marker-end]", "stroke"])
        assert arrow["ratio"] >= 3, f"arrows are hard to see: {arrow}"
        title = page.evaluate(CONTRAST_JS, ["details.htmxws-error summary", "color"])
        assert title["ratio"] >= 4.5, f"the error panel's title is hard to read: {title}"
        assert title["background"] and sum(title["background"][:3]) < 200, "the dark theme is on"
