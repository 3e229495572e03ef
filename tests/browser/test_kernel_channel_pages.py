"""The page through the kernel channel, in JupyterLab and Notebook 7, with no port reachable.

Every request to a port other than Jupyter's (the app's), every request under
Jupyter's `/proxy/` and anything off this machine is aborted and recorded: what
works went over the widget's comm. The tutorials run unchanged (`auto` falls
back to the kernel channel by itself).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import urlsplit

import nbformat
import pytest
from browser_support import (
    HANDLER_MARK,
    IFRAME,
    KERNEL_TIMEOUT,
    ROOT,
    Browsing,
    JupyterServer,
    expect_transcript_shows,
    iframe_frame,
    jupyter_server,
    open_notebook,
    output_iframe,
    run_all_cells,
    run_cell,
    send_message,
    set_cell_source,
    write_basics_notebook,
)
from playwright.sync_api import Browser, Frame, FrameLocator, Page, expect

pytest_plugins = ["browser_fixtures"]

APPS = ["lab", "notebook"]
STATUS = ".htmxws-status"
SESSIONS_NOTEBOOK = ROOT / "notebooks" / "03-sessions.ipynb"
# Added to tutorial 03: an hx-post route that reads the session, and the page with a button for it.
POST_CELL = """@rt('/whoami')
def post(session):
    return P(f"posted by {session.get('person')}")

@rt('/')
def get():
    return Titled('Session test',
        Div(hx_get='/login', hx_trigger='load', hx_swap='none'),
        Button('Who am I?', hx_post='/whoami', hx_target='#posted', id='post'), Div(id='posted'),
        Div(Div(id='notifications'), Form(Input(id='msg'), id='form', ws_send=True), hx_ext='ws', ws_connect='/ws'))
"""


@pytest.fixture(scope="module", params=APPS)
def jupyter(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterServer]:
    """One JupyterLab, then one Notebook 7, for the tests of this module."""
    with jupyter_server(request.param, tmp_path_factory.mktemp(request.param)) as server:
        yield server


@pytest.fixture
def only_jupyter(browser: Browser, jupyter: JupyterServer) -> Iterator[Browsing]:
    """Pages that reach Jupyter alone: the app's port and Jupyter's /proxy/ are blocked."""

    def blocks(url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            return False
        return parts.hostname != "127.0.0.1" or parts.port != jupyter.port or "/proxy/" in parts.path

    browsing = Browsing(browser, blocks=blocks)
    yield browsing
    browsing.close()
    jupyter.shutdown_kernels()


def wait_socket_open(frame: Frame, path: str) -> None:
    """Until the page's kernel-channel socket to `path` is open, in the frame's current document.

    polling=100: an iframe scrolled out of view renders no frames, so rAF polling may never run.
    """
    frame.wait_for_function("""path => window.__htmxws && window.__htmxws.events.some(
        e => e.type === 'open' && new URL(e.url).pathname === path)""", arg=path,
                            timeout=KERNEL_TIMEOUT * 1000, polling=100)


def say(frame: FrameLocator, text: str, reply: str) -> None:
    send_message(frame, text)
    expect(frame.locator("#notifications")).to_have_text(reply)


def run_notebook(page: Page, server: JupyterServer, notebook: str) -> tuple[FrameLocator, Frame]:
    open_notebook(page, server, notebook)
    run_all_cells(page)
    frame = output_iframe(page)
    expect(frame.locator("#msg")).to_be_visible(timeout=KERNEL_TIMEOUT * 1000)
    window = iframe_frame(page)
    wait_socket_open(window, "/ws")
    expect(page.locator(STATUS).first).to_have_text("kernel channel")
    return frame, window


def basics_with_cell(jupyter: JupyterServer, name: str, marker: str) -> str:
    """Tutorial 01 with one more (empty but for `marker`) cell at the end, for a test to fill and run."""
    nb = nbformat.read(jupyter.root / write_basics_notebook(jupyter.root, name), as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(f"{marker}\n"))
    nbformat.write(nb, jupyter.root / name)
    return name


def test_tutorial_01_through_the_kernel_channel(only_jupyter: Browsing, jupyter: JupyterServer) -> None:
    page = only_jupyter.new_page()
    notebook = write_basics_notebook(jupyter.root, "kernel-01.ipynb")
    frame, window = run_notebook(page, jupyter, notebook)
    expect(frame.locator("h1")).to_have_text("Websocket Test")
    say(frame, "Iris", "Hello Iris")
    expect_transcript_shows(page, "Hello Iris")

    # Re-running the handler cell changes the next reply; the page is not reloaded.
    window.evaluate("window.kept = 'not reloaded'")
    run_cell(page, set_cell_source(page, HANDLER_MARK, lambda s: s.replace("'Hello '", "'Howdy '")))
    say(frame, "Jo", "Howdy Jo")
    expect_transcript_shows(page, "Howdy Jo")
    assert window.evaluate("window.kept") == "not reloaded"

    # A kernel restart closes the page's sockets with 1012; Run All brings the page back.
    page.evaluate("window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.restart()")
    window.wait_for_function("window.__htmxws.events.some(e => e.type === 'close' && e.code === 1012)",
                             timeout=KERNEL_TIMEOUT * 1000, polling=100)
    expect(page.locator(STATUS).first).to_contain_text("kernel restarted")
    jupyter.wait_kernel_idle(notebook)
    run_all_cells(page)
    expect(page.locator(f"{IFRAME}")).to_have_count(1, timeout=KERNEL_TIMEOUT * 1000)
    expect(page.locator(STATUS).first).to_have_text("kernel channel", timeout=KERNEL_TIMEOUT * 1000)
    frame = output_iframe(page)
    wait_socket_open(iframe_frame(page), "/ws")
    say(frame, "Lu", "Howdy Lu")
    assert only_jupyter.blocked, "the test blocked the direct and proxy checks"
    assert all(urlsplit(url).port != jupyter.port or "/proxy/" in url for url in only_jupyter.blocked)


def test_tutorial_03_session_and_hx_post_through_the_kernel_channel(only_jupyter: Browsing,
                                                                      jupyter: JupyterServer) -> None:
    nb = nbformat.read(SESSIONS_NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    serve_at = next(i for i, c in enumerate(nb.cells) if "serve()" in c.source)
    nb.cells.insert(serve_at + 1, nbformat.v4.new_code_cell("# the hx-post route\n"))
    nbformat.write(nb, jupyter.root / "kernel-03.ipynb")
    page = only_jupyter.new_page()
    frame, window = run_notebook(page, jupyter, "kernel-03.ipynb")
    expect(frame.locator("h1")).to_have_text("Session test")

    # A new page route: the open page reloads itself (live.js over the kernel channel); its
    # hx-get of /login set the session cookie, which the hx-post and the websocket carry.
    run_cell(page, set_cell_source(page, "# the hx-post route", lambda s: POST_CELL))
    expect(frame.locator("#post")).to_be_visible(timeout=KERNEL_TIMEOUT * 1000)
    wait_socket_open(window, "/ws")
    frame.locator("#post").click()
    expect(frame.locator("#posted")).to_have_text("posted by Bob")
    say(frame, "!", "Hello Bob!")
    assert window.evaluate("document.cookie") == "", "the session cookie is HttpOnly"


def test_messages_wait_while_a_cell_runs_without_subshells_and_the_page_says_so(only_jupyter: Browsing,
                                                                                 jupyter: JupyterServer) -> None:
    """With comms over subshells switched off (as in frontends without them), a message from the page waits
    until the running cell ends; meanwhile the line under the page says why."""
    if jupyter.app != "lab":
        pytest.skip("the setting is JupyterLab's; Notebook 7 shares it")
    setting = jupyter.root.parent / "lab-settings" / "@jupyterlab" / "apputils-extension" / \
        "kernels-settings.jupyterlab-settings"
    setting.write_text(json.dumps({"commsOverSubshells": "disabled"}))
    try:
        wait_for_the_running_cell(only_jupyter, jupyter)
    finally:
        setting.unlink()


def wait_for_the_running_cell(only_jupyter: Browsing, jupyter: JupyterServer) -> None:
    basics_with_cell(jupyter, "kernel-wait.ipynb", "# a long cell")
    page = only_jupyter.new_page()
    frame, _ = run_notebook(page, jupyter, "kernel-wait.ipynb")
    index = set_cell_source(page, "# a long cell", lambda s: "import time\ntime.sleep(4)")
    page.evaluate("i => { window.jupyterapp.shell.currentWidget.content.activeCellIndex = i; }", index)
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-cell'); }")  # not awaited: it runs
    send_message(frame, "Wait")
    expect(page.locator(STATUS).first).to_contain_text("waiting for the kernel (is a cell running?)")
    expect(frame.locator("#notifications")).to_have_text("Hello Wait", timeout=KERNEL_TIMEOUT * 1000)
    expect(page.locator(STATUS).first).to_have_text("kernel channel")


def test_a_stopped_server_says_so_under_its_page(only_jupyter: Browsing, jupyter: JupyterServer) -> None:
    basics_with_cell(jupyter, "kernel-stop.ipynb", "# stop it")
    page = only_jupyter.new_page()
    frame, window = run_notebook(page, jupyter, "kernel-stop.ipynb")
    say(frame, "Iris", "Hello Iris")
    run_cell(page, set_cell_source(page, "# stop it", lambda s: "running_servers()[-1].stop()"))
    window.wait_for_function("window.__htmxws.events.some(e => e.type === 'close' && e.code === 1012)",
                             timeout=KERNEL_TIMEOUT * 1000, polling=100)
    expect(page.locator(STATUS).first).to_have_text(
        "the server was stopped: run the cell again to bring the page back")


def test_a_closed_tab_closes_its_sockets_in_the_kernel(only_jupyter: Browsing, jupyter: JupyterServer) -> None:
    """No TCP connection tells the kernel that a tab went away: the view closes its sockets (1001) itself,
    on `beforeunload`; a tab that stays after all ("leave the page?" cancelled) loads its pages again."""
    basics_with_cell(jupyter, "kernel-leave.ipynb", "# check")
    page = only_jupyter.new_page()
    frame, window = run_notebook(page, jupyter, "kernel-leave.ipynb")
    say(frame, "Iris", "Hello Iris")

    window.evaluate("window.kept = 'first document'")
    page.evaluate("window.dispatchEvent(new Event('beforeunload'))")  # and the tab stays
    window.wait_for_function("""() => window.kept === undefined && window.__htmxws
        && window.__htmxws.events.some(e => e.type === 'open')""", timeout=KERNEL_TIMEOUT * 1000, polling=100)
    say(frame, "Jo", "Hello Jo")

    page.on("dialog", lambda dialog: dialog.accept())  # "leave the page?", if the notebook asks
    page.close(run_before_unload=True)
    again = only_jupyter.new_page()  # the same notebook, its kernel still running
    open_notebook(again, jupyter, "kernel-leave.ipynb")
    check = "print(sum('page left' in line for line in transcript(app).lines()), 'sockets left')"
    index = set_cell_source(again, "# check", lambda s: check)
    run_cell(again, index)
    output = again.locator(".jp-Notebook .jp-Cell").nth(index).locator(".jp-OutputArea-output")
    expect(output).to_have_text("2 sockets left")
