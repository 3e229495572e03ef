"""Real-browser test helpers: offline Chromium pages, Jupyter servers, notebooks in their UI.

The fixtures and the `browser` marker are in the `browser_fixtures` plugin.

- Chromium is Debian's (`/usr/bin/chromium`), never a downloaded one. Without
  it the tests skip, unless `HTMXWS_NB_REQUIRE_BROWSER=1` (CI), where they fail.
- Every browser context aborts requests to anything but 127.0.0.1 and
  records them, so a page that works proves its assets are local.
- Jupyter servers run with every config, data, runtime, settings and
  workspace directory in a temp dir, so nothing of the user's setup (or
  JupyterLab's news check) takes part, and are stopped by pid together with
  the kernels they started.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import nbformat
import psutil
import pytest
from conftest import ROOT
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Frame,
    FrameLocator,
    Page,
    Route,
    WebSocketRoute,
    expect,
)

REQUIRE_BROWSER_ENV = "HTMXWS_NB_REQUIRE_BROWSER"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
TIMEOUT_MS = 15_000  # any single Playwright wait
JUPYTER_START_TIMEOUT = 30.0  # seconds for a Jupyter server to answer /api/status
KERNEL_TIMEOUT = 30.0  # seconds for a kernel to start, or to finish running cells
IFRAME = 'iframe[title^="htmxws_nb page"]'  # the output iframe of `serve()` (see display.iframe_html)

# Set in every page before its scripts run: the htmx ws extension fires
# `htmx:wsOpen` (htmx 2) or `htmx-ws-after-connection` (htmx 4, whose
# metaCharacter we set to "-") on the connect element; both bubble. The tests
# wait for it instead of sleeping, and the count tells whether the socket was
# reopened.
WS_OPEN_SCRIPT = ("for (const name of ['htmx:wsOpen', 'htmx-ws-after-connection']) {"
                  " document.addEventListener(name, () => { window.htmxwsOpens = (window.htmxwsOpens || 0) + 1; }); }")


# -- Chromium -----------------------------------------------------------------


def chromium_path() -> str:
    """Debian's chromium, or skip (fail under CI, where a missing browser is a broken setup)."""
    path = shutil.which("chromium")
    if path is None:
        message = "chromium is not installed (apt-get install chromium)"
        if os.environ.get(REQUIRE_BROWSER_ENV) == "1":
            pytest.fail(f"{message}, and {REQUIRE_BROWSER_ENV}=1 requires the browser tests to run")
        pytest.skip(message)
    return path


def is_local(url: str) -> bool:
    """Is this URL served by this machine's loopback (or by the browser itself)?"""
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname == "127.0.0.1"


@dataclass
class Browsing:
    """Offline browser contexts for one test, and what they tried to fetch from elsewhere.

    `blocks(url)` says which requests to abort (and record): by default whatever is not local.
    """

    browser: Browser
    blocked: list[str] = field(default_factory=list)
    contexts: list[BrowserContext] = field(default_factory=list)
    blocks: Callable[[str], bool] = lambda url: not is_local(url)

    def new_page(self, **options: Any) -> Page:
        """A page in a fresh context (its own cookies) that can reach 127.0.0.1 only (`options`: the context's)."""
        context = self.browser.new_context(**{"viewport": {"width": 1280, "height": 1000},
                                              "service_workers": "block", **options})
        context.set_default_timeout(TIMEOUT_MS)
        context.route("**/*", self._route)
        context.route_web_socket(lambda url: self.blocks(url), self._route_ws)
        context.add_init_script(WS_OPEN_SCRIPT)
        self.contexts.append(context)
        return context.new_page()

    def _route(self, route: Route) -> None:
        if self.blocks(route.request.url):
            self.blocked.append(route.request.url)
            route.abort("blockedbyclient")
        else:
            route.continue_()

    def _route_ws(self, ws: WebSocketRoute) -> None:
        self.blocked.append(ws.url)
        ws.close(code=1008, reason="blocked by the test")

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def screenshot(page: Page, name: str) -> None:
    """Save a screenshot under test-artifacts/ (not committed) for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def wait_ws_open(target: Page | Frame) -> None:
    """Wait until the page's htmx ws extension has its socket open (see WS_OPEN_SCRIPT)."""
    target.wait_for_function("window.htmxwsOpens >= 1", timeout=TIMEOUT_MS)


def ws_opens(target: Page | Frame) -> int:
    """How many times the page's htmx socket has opened: more than once means it reconnected."""
    return target.evaluate("window.htmxwsOpens || 0")


def send_message(target: Page | FrameLocator, text: str) -> None:
    """Type into the tutorial form's `#msg` and press Enter, as a person would."""
    field = target.locator("#msg")
    field.fill(text)
    field.press("Enter")


# -- Jupyter ------------------------------------------------------------------

JUPYTER_APPS = {
    "lab": ["-m", "jupyterlab", "--expose-app-in-browser"],
    "notebook": ["-m", "notebook", "--expose-app-in-browser", "--JupyterNotebookApp.expose_app_in_browser=True"],
}
# The path of a notebook in each app's UI, under the base URL. `reset` starts
# JupyterLab from an empty workspace, so no earlier test's tabs (and kernels)
# come back.
NOTEBOOK_URLS = {"lab": "lab/tree/{name}?reset&", "notebook": "notebooks/{name}?"}
NEWS_OFF = {"fetchNews": "false", "checkForUpdates": False}


@dataclass
class JupyterServer:
    """A JupyterLab or Notebook 7 server on 127.0.0.1, serving notebooks from `root`."""

    app: str
    proc: subprocess.Popen[bytes]
    port: int
    token: str
    base_url: str
    root: Path
    log: Path

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "") -> str:
        return f"{self.origin}{self.base_url}{path}"

    def notebook_url(self, name: str) -> str:
        """The notebook opened in this app's UI; the token logs the browser in (a cookie)."""
        return self.url(NOTEBOOK_URLS[self.app].format(name=name)) + f"token={self.token}"

    def api(self, path: str, method: str = "GET") -> Any:
        """Call Jupyter's REST API with the token (no browser, no XSRF cookie needed)."""
        request = urllib.request.Request(self.url(f"api/{path}"), method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def kernel_state(self, notebook: str) -> str | None:
        """The execution state of the kernel of `notebook`'s session, None while it has none."""
        for session in self.api("sessions"):
            if session["path"] == notebook and session.get("kernel"):
                return self.api(f"kernels/{session['kernel']['id']}")["execution_state"]
        return None

    def wait_kernel_idle(self, notebook: str, timeout: float = KERNEL_TIMEOUT) -> None:
        """Wait until the notebook's kernel exists and is idle (started, or done running cells)."""
        deadline = time.monotonic() + timeout
        state = None
        while time.monotonic() < deadline:
            state = self.kernel_state(notebook)
            if state == "idle":
                return
            time.sleep(0.1)
        raise AssertionError(f"the kernel of {notebook} is {state!r}, not idle, after {timeout} s; see {self.log}")

    def shutdown_kernels(self) -> None:
        """End every session, so the next test starts with the CPU and the ports free."""
        for session in self.api("sessions"):
            with contextlib.suppress(urllib.error.URLError):
                self.api(f"sessions/{session['id']}", method="DELETE")


def jupyter_dirs(home: Path, theme: str | None = None) -> dict[str, str]:
    """Every directory Jupyter, JupyterLab and IPython read or write, inside `home` (`theme`: e.g.
    "JupyterLab Dark")."""
    names = {
        "JUPYTER_CONFIG_DIR": "config", "JUPYTER_DATA_DIR": "data", "JUPYTER_RUNTIME_DIR": "runtime",
        "JUPYTERLAB_SETTINGS_DIR": "lab-settings", "JUPYTERLAB_WORKSPACES_DIR": "lab-workspaces",
        "IPYTHONDIR": "ipython", "XDG_STATE_HOME": "state",
    }
    dirs = {env: home / name for env, name in names.items()}
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    news = dirs["JUPYTERLAB_SETTINGS_DIR"] / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text(json.dumps(NEWS_OFF))
    if theme:
        (news / "themes.jupyterlab-settings").write_text(json.dumps({"theme": theme}))
    return {env: str(path) for env, path in dirs.items()}


@contextlib.contextmanager
def jupyter_server(app: str, home: Path, base_url: str = "/", env: dict[str, str] | None = None,
                   theme: str | None = None) -> Iterator[JupyterServer]:
    """Run JupyterLab (`app='lab'`) or Notebook 7 (`'notebook'`) until the block ends.

    Kernels inherit the server's environment: `env` is how a test configures
    the kernel (e.g. `JUPYTERHUB_SERVICE_PREFIX`, as a hub's single-user server has it).
    """
    root = home / "notebooks"
    root.mkdir(parents=True)
    token = secrets.token_hex(16)
    dirs = jupyter_dirs(home, theme)
    full_env = {**os.environ, **dirs, "HTMXWS_NB_SECRET_KEY": "test-secret-key", **(env or {})}
    args = [sys.executable, *JUPYTER_APPS[app], "--no-browser", "--ip=127.0.0.1", "--port=0",
            "--ServerApp.allow_root=True", f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}", f"--ServerApp.base_url={base_url}"]
    log = home / f"jupyter-{app}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(args, cwd=root, env=full_env, stdout=out, stderr=subprocess.STDOUT)
    try:
        port = listening_port(proc, Path(dirs["JUPYTER_RUNTIME_DIR"]), log)
        server = JupyterServer(app, proc, port, token, base_url, root, log)
        wait_until_answers(server)
        yield server
    finally:
        stop_process_tree(proc)


def listening_port(proc: subprocess.Popen[bytes], runtime_dir: Path, log: Path) -> int:
    """The port a Jupyter started with `--port=0` got from the OS, read from its runtime file."""
    info = runtime_dir / f"jpserver-{proc.pid}.json"
    deadline = time.monotonic() + JUPYTER_START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"jupyter exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(OSError, ValueError):
            return int(json.loads(info.read_text())["port"])
        time.sleep(0.1)
    raise AssertionError(f"jupyter wrote no {info.name} within {JUPYTER_START_TIMEOUT} s; see {log}")


def wait_until_answers(server: JupyterServer) -> None:
    """Poll /api/status until the server answers; fail early if it exits."""
    deadline = time.monotonic() + JUPYTER_START_TIMEOUT
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise AssertionError(f"jupyter {server.app} exited with {server.proc.returncode}:\n"
                                 f"{server.log.read_text()[-3000:]}")
        with contextlib.suppress(OSError):
            server.api("status")
            return
        time.sleep(0.1)
    raise AssertionError(f"jupyter {server.app} did not answer within {JUPYTER_START_TIMEOUT} s; see {server.log}")


def stop_process_tree(proc: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    """SIGTERM, then SIGKILL after `grace` s, for a process and then every descendant left.

    Kernels run in their own sessions (jupyter_client starts them so), so
    they are found as descendants before the server goes, not by group.
    """
    try:
        descendants = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        descendants = []
    proc.terminate()
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    _, alive = psutil.wait_procs(descendants, timeout=0.5)
    for child in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.terminate()
    _, alive = psutil.wait_procs(alive, timeout=grace)
    for child in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()
    psutil.wait_procs(alive, timeout=grace)


# -- notebooks in the UI ------------------------------------------------------

# The page is the one of the seed's basic_ws.py; the handler has its own cell
# so that a test can edit and re-run it alone.
BASICS_NOTEBOOK = ROOT / "notebooks" / "01-websocket-basics.ipynb"
HANDLER_MARK = "@app.ws('/ws')"  # how the live-edit test finds the handler cell


def write_basics_notebook(root: Path, name: str, htmx4: bool = False) -> str:
    """The basics tutorial notebook, without its saved outputs, in `root`; returns its path there.

    Its `serve()` takes port 5001, or the next free one if that is taken. With
    `htmx4`, its `FastHTML(...)` call gets `htmx4=True`; nothing else changes.
    """
    nb = nbformat.read(BASICS_NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    if htmx4:
        [cell] = [c for c in nb.cells if c.cell_type == "code" and "FastHTML(" in c.source]
        cell.source = cell.source.replace("FastHTML(", "FastHTML(htmx4=True, ", 1)
    nbformat.write(nb, root / name)
    return name


def open_notebook(page: Page, server: JupyterServer, notebook: str) -> None:
    """Open `notebook` in the server's UI and wait until its kernel is idle and connected."""
    page.goto(server.notebook_url(notebook))
    page.wait_for_function("""() => {
        const widget = window.jupyterapp && window.jupyterapp.shell.currentWidget;
        const kernel = widget && widget.sessionContext && widget.sessionContext.session
            && widget.sessionContext.session.kernel;
        return !!kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle';
    }""", timeout=KERNEL_TIMEOUT * 1000)
    server.wait_kernel_idle(notebook)


def trust(server: JupyterServer, notebook: str) -> None:
    """Sign `notebook` as the server's user would with `jupyter trust`: its outputs' scripts then run."""
    home = server.root.parent
    env = {**os.environ, "JUPYTER_DATA_DIR": str(home / "data"), "JUPYTER_CONFIG_DIR": str(home / "config")}
    subprocess.run([sys.executable, "-m", "jupyter", "trust", str(server.root / notebook)], env=env, check=True,
                   capture_output=True, timeout=60)


def run_command(page: Page, command: str) -> None:
    """Run a JupyterLab command (also Notebook 7's) on the current notebook."""
    page.evaluate("command => window.jupyterapp.commands.execute(command)", command)


def run_all_cells(page: Page) -> None:
    """Run all cells the way the Run menu does; returns once the command has queued them."""
    run_command(page, "notebook:run-all-cells")


def output_iframe(page: Page) -> FrameLocator:
    """The iframe `serve()` displayed (the first one, if the notebook shows several)."""
    return page.frame_locator(IFRAME).first


def iframe_frame(page: Page) -> Frame:
    """The output iframe as a Frame, for waiting on and evaluating in its window."""
    handle = page.locator(IFRAME).first.element_handle(timeout=KERNEL_TIMEOUT * 1000)
    frame = handle.content_frame()
    assert frame is not None, "the output iframe has no document"
    return frame


def set_cell_source(page: Page, find: str, transform: Callable[[str], str]) -> int:
    """Edit the first code cell whose source contains `find` in the notebook's model; returns its index.

    The edit goes through the shared model, exactly what typing does, without
    depending on the editor's auto-indent and bracket closing.
    """
    source_and_index = page.evaluate("""find => {
        const cells = window.jupyterapp.shell.currentWidget.content.widgets;
        const index = cells.findIndex(cell => cell.model.type === 'code'
            && cell.model.sharedModel.getSource().includes(find));
        return index < 0 ? null : [cells[index].model.sharedModel.getSource(), index];
    }""", find)
    assert source_and_index is not None, f"no cell contains {find!r}"
    source, index = source_and_index
    edited = transform(source)
    assert edited != source, f"the edit changed nothing in cell {index}:\n{source}"
    page.evaluate("""([index, source]) => {
        const cells = window.jupyterapp.shell.currentWidget.content.widgets;
        cells[index].model.sharedModel.setSource(source);
    }""", [index, edited])
    return index


def run_cell(page: Page, index: int) -> None:
    """Run one cell only (select it, then `notebook:run-cell`) and wait until it has run.

    Done means a new execution count: the kernel's reply has arrived.
    """
    count = page.evaluate("""index => {
        const notebook = window.jupyterapp.shell.currentWidget.content;
        notebook.activeCellIndex = index;
        return notebook.widgets[index].model.executionCount;
    }""", index)
    run_command(page, "notebook:run-cell")
    page.wait_for_function("""([index, count]) => {
        const n = window.jupyterapp.shell.currentWidget.content.widgets[index].model.executionCount;
        return n !== null && n !== count;
    }""", arg=[index, count], timeout=KERNEL_TIMEOUT * 1000)


def expect_transcript_shows(page: Page, text: str) -> None:
    """The reply `text` must also be in the notebook's live transcript output (fed by the server)."""
    live = page.locator("div.htmxws-live table.htmxws-transcript").first
    expect(live).to_contain_text(text, timeout=TIMEOUT_MS)


