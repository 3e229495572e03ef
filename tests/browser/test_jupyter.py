"""The tutorial notebook in real JupyterLab and Notebook 7, driven by Chromium.

Each test opens the notebook, runs all cells, types into the iframe `serve()`
displayed and waits for the reply. Screenshots land in test-artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import (
    HANDLER_MARK,
    IFRAME,
    KERNEL_TIMEOUT,
    Browsing,
    JupyterServer,
    expect_transcript_shows,
    iframe_frame,
    jupyter_server,
    open_notebook,
    output_iframe,
    run_all_cells,
    run_cell,
    screenshot,
    send_message,
    set_cell_source,
    wait_ws_open,
    write_basics_notebook,
    ws_opens,
)
from playwright.sync_api import FrameLocator, Page, expect

from htmxws_nb.app.htmx_client import HTMX4_VERSION, HTMX_VERSION

pytest_plugins = ["browser_fixtures"]

HUB_BASE_URL = "/user/test/"  # what JupyterHub gives a user's server
# The tutorial's page under htmx 2 and htmx 4: our own page scripts (iframe sizing, reload), the live
# outputs' feed and the error panel must work with either.
HTMX = [pytest.param(False, id="htmx2"), pytest.param(True, id="htmx4")]


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterServer]:
    """One local JupyterLab for the Lab tests of this module: it takes a few seconds to start."""
    with jupyter_server("lab", tmp_path_factory.mktemp("lab")) as server:
        yield server


@pytest.fixture
def lab(lab_server: JupyterServer) -> Iterator[JupyterServer]:
    """The shared JupyterLab; the kernels a test started are shut down after it."""
    yield lab_server
    lab_server.shutdown_kernels()


def run_basics(page: Page, server: JupyterServer, name: str, htmx4: bool = False) -> FrameLocator:
    """Open the basics notebook, run all cells, and return the iframe once its form is there and its socket open.

    The iframe's page runs the htmx asked for (htmx 4: the notebook's `FastHTML(...)` gets `htmx4=True`).
    """
    notebook = write_basics_notebook(server.root, name, htmx4)
    open_notebook(page, server, notebook)
    run_all_cells(page)
    frame = output_iframe(page)
    expect(frame.locator("#msg")).to_be_visible(timeout=KERNEL_TIMEOUT * 1000)
    window = iframe_frame(page)
    assert window.evaluate("htmx.version") == (HTMX4_VERSION if htmx4 else HTMX_VERSION)
    wait_ws_open(window)
    return frame


def talk(page: Page, frame: FrameLocator, message: str, reply: str) -> None:
    """Send `message` from the iframe; the reply must show in the iframe and the transcript."""
    send_message(frame, message)
    expect(frame.locator("#notifications")).to_have_text(reply)
    expect_transcript_shows(page, reply)


@pytest.mark.parametrize("htmx4", HTMX)
def test_jupyterlab(lab: JupyterServer, browsing: Browsing, htmx4: bool) -> None:
    page = browsing.new_page()
    frame = run_basics(page, lab, f"basics-lab-{htmx4}.ipynb", htmx4)
    talk(page, frame, "Iris", "Hello Iris")  # the notebook's own cells already sent Bob and Ann
    expect(frame.locator("#form")).to_have_count(1)
    screenshot(page, f"jupyterlab-basics{'-htmx4' if htmx4 else ''}")
    # The live box, not what is in it: each update replaces its contents (a detached element cannot scroll).
    page.locator("div.htmxws-live", has=page.locator("table.htmxws-transcript")).first.scroll_into_view_if_needed()
    screenshot(page, f"jupyterlab-live-transcript{'-htmx4' if htmx4 else ''}")
    assert browsing.blocked == []


def test_notebook7(tmp_path: Path, browsing: Browsing) -> None:
    with jupyter_server("notebook", tmp_path) as server:
        page = browsing.new_page()
        frame = run_basics(page, server, "basics-nb7.ipynb")
        talk(page, frame, "Iris", "Hello Iris")
        screenshot(page, "notebook7-basics")
    assert browsing.blocked == []


# How a kernel knows it must show the iframe through the proxy: under a real
# hub the single-user server's environment names its prefix, and the kernel
# inherits it; `HTMXWS_NB_URL=proxy` forces it anywhere.
PROXY_SIGNALS = [
    pytest.param({"JUPYTERHUB_SERVICE_PREFIX": HUB_BASE_URL}, id="hub-prefix"),
    pytest.param({"HTMXWS_NB_URL": "proxy"}, id="HTMXWS_NB_URL"),
]


@pytest.mark.parametrize(("kernel_env", "htmx4"), [
    *[pytest.param(signal.values[0], False, id=signal.id) for signal in PROXY_SIGNALS],
    pytest.param({"JUPYTERHUB_SERVICE_PREFIX": HUB_BASE_URL}, True, id="hub-prefix-htmx4"),
])
def test_jupyterlab_behind_proxy(tmp_path: Path, browsing: Browsing, kernel_env: dict[str, str],
                                 htmx4: bool) -> None:
    """Under a hub-like base URL, page, assets and websocket all go through jupyter-server-proxy."""
    with jupyter_server("lab", tmp_path, base_url=HUB_BASE_URL, env=kernel_env) as server:
        page = browsing.new_page()
        requests: list[str] = []
        sockets: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.on("websocket", lambda ws: sockets.append(ws.url))
        frame = run_basics(page, server, "basics-proxy.ipynb", htmx4)
        talk(page, frame, "Iris", "Hello Iris")
        screenshot(page, f"jupyterlab-proxy-{'-'.join(kernel_env)}{'-htmx4' if htmx4 else ''}")
        src = page.locator(IFRAME).first.evaluate("frame => frame.src")  # resolved, unlike the attribute
    assert_all_through_proxy(server, src, requests, sockets, htmx4)
    assert browsing.blocked == []


def assert_all_through_proxy(server: JupyterServer, src: str, requests: list[str], sockets: list[str],
                             htmx4: bool) -> None:
    """The iframe's page, its htmx assets and its websocket were all fetched under `<base>proxy/PORT/`."""
    match = re.fullmatch(rf"{re.escape(server.url('proxy/'))}(\d+)/", src)
    assert match, f"the iframe's src {src!r} is not under {server.url('proxy/')}"
    prefix, app_port = match.group(0), match.group(1)
    assert prefix in requests, "the iframe's page came through the proxy"
    assets = [url for url in requests if "/_htmxws/static/" in url]
    scripts = ("htmx4/htmx.min.js", "htmx4/hx-ws.min.js") if htmx4 else ("htmx.min.js", "ws.js")
    assert {prefix + "_htmxws/static/" + name for name in scripts} <= set(assets), assets
    assert all(url.startswith(prefix) for url in assets), assets
    ws_prefix = prefix.replace("http://", "ws://")
    opened = {url.split("?")[0] for url in sockets}  # the app's socket says where it comes from in its query
    assert {ws_prefix + "ws", ws_prefix + "_htmxws/live"} <= opened, sockets  # the app's, and live reload's
    feeds = [url for url in sockets if "/_htmxws/feed/" in url]
    assert feeds and all(url.startswith(ws_prefix) for url in feeds), "live outputs are fed through the proxy too"
    assert [url for url in requests + sockets if f"127.0.0.1:{app_port}" in url] == [], \
        "nothing reached the app's own port without the proxy"


@pytest.mark.parametrize("htmx4", HTMX)
def test_jupyterlab_live_edit(lab: JupyterServer, browsing: Browsing, htmx4: bool) -> None:
    """Re-running the handler cell changes the reply of the open iframe, without reloading it."""
    page = browsing.new_page()
    frame = run_basics(page, lab, f"live-edit-{htmx4}.ipynb", htmx4)
    talk(page, frame, "Iris", "Hello Iris")
    window = iframe_frame(page)
    window.evaluate("window.htmxwsKept = 'this page was not reloaded'")

    index = set_cell_source(page, HANDLER_MARK, lambda source: source.replace("'Hello '", "'Howdy '"))
    run_cell(page, index)
    talk(page, frame, "Jo", "Howdy Jo")
    assert window.evaluate("window.htmxwsKept") == "this page was not reloaded"
    assert ws_opens(window) == 1, "the open socket got the new handler: it was not reconnected"
    screenshot(page, f"jupyterlab-live-edit{'-htmx4' if htmx4 else ''}")

    # A page route run again is different: the iframe reloads itself and shows the new page.
    # (The tutorial's page cell also makes the app; here a later cell redefines only the route.)
    index = set_cell_source(page, "transcript(app).sequence()",
                            lambda _: "@rt('/')\ndef get():\n    return Titled('Edited page', P('new'))")
    run_cell(page, index)
    expect(frame.locator("h1")).to_have_text("Edited page")
    assert iframe_frame(page).evaluate("window.htmxwsKept === undefined"), "the iframe reloaded"
    assert browsing.blocked == []


@pytest.mark.parametrize("htmx4", HTMX)
def test_iframe_fits_its_page(lab: JupyterServer, browsing: Browsing, htmx4: bool) -> None:
    """The page reports its height to the notebook (live.js), and the iframe takes it."""
    page = browsing.new_page()
    frame = run_basics(page, lab, f"fit-{htmx4}.ipynb", htmx4)
    iframe = page.locator(IFRAME).first
    iframe.scroll_into_view_if_needed()  # Chromium pauses rendering (and resize events) of hidden cross-site frames
    expect(iframe).not_to_have_css("height", "150px")  # the placeholder height before the page reports
    before = iframe.evaluate("frame => frame.getBoundingClientRect().height")
    frame.locator("#notifications").evaluate("box => { box.style.height = '600px'; }")
    page.wait_for_function("frame => frame.getBoundingClientRect().height > 600", arg=iframe.element_handle())
    assert iframe.evaluate("frame => frame.getBoundingClientRect().height") > before + 400


@pytest.mark.parametrize("htmx4", HTMX)
def test_handler_error_shows_under_the_iframe(lab: JupyterServer, browsing: Browsing, htmx4: bool) -> None:
    """A handler that raises while the notebook is idle: the traceback appears under the page, live."""
    page = browsing.new_page()
    frame = run_basics(page, lab, f"error-{htmx4}.ipynb", htmx4)
    index = set_cell_source(page, HANDLER_MARK, lambda source: source.replace(
        "await send(Div('Hello ' + msg, id='notifications'))", "1 / 0"))
    run_cell(page, index)
    send_message(frame, "Bob")
    panel = page.locator("div.htmxws-live details").first
    expect(panel).to_contain_text("ZeroDivisionError: division by zero")
    expect(panel).to_contain_text("Error in websocket /ws: ws")
    expect(frame.locator("#notifications")).to_have_text("")  # the client got a short error frame, no swap
    expect(frame.locator("#form")).to_have_count(1)
    page.locator("div.htmxws-live", has=page.locator("details.htmxws-error")).first.scroll_into_view_if_needed()
    screenshot(page, f"jupyterlab-handler-error{'-htmx4' if htmx4 else ''}")
