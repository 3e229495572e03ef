"""Saved notebooks in a browser: an export without scripts shows the page's content, and a reopened
notebook never loads (nor sends its token to) another program that listens on its server's old port."""

from __future__ import annotations

import contextlib
import html
import http.server
import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import KERNEL_TIMEOUT, Browsing, jupyter_server, open_notebook, screenshot, trust
from conftest import ROOT
from playwright.sync_api import expect

pytest_plugins = ["browser_fixtures"]

BASICS = ROOT / "notebooks" / "01-websocket-basics.ipynb"  # committed with its outputs, as people save them


@contextlib.contextmanager
def static_site(root: Path) -> Iterator[str]:
    """`root` served over HTTP on 127.0.0.1 (like a docs site); yields its URL."""
    handler = lambda *args: http.server.SimpleHTTPRequestHandler(*args, directory=str(root))  # noqa: E731
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as site:
        threading.Thread(target=site.serve_forever, daemon=True).start()
        try:
            yield f"http://127.0.0.1:{site.server_address[1]}/"
        finally:
            site.shutdown()


class OtherProgram(http.server.BaseHTTPRequestHandler):
    """Some other program on the port a saved output's server used: it answers everything."""

    paths: list[str] = []

    def do_GET(self) -> None:
        OtherProgram.paths.append(self.path)
        body = b"another program's page"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def with_outputs_on_port(source: Path, target: Path, port: int) -> None:
    """A copy of a saved notebook whose outputs' server was on `port`."""
    text = source.read_text()

    def move(match: re.Match[str]) -> str:
        spec = json.loads(html.unescape(match.group(1)))
        spec["port"], spec["direct"] = port, f"http://127.0.0.1:{port}"
        return f'data-htmxws-spec=\\"{html.escape(json.dumps(spec))}\\"'

    moved = re.sub(r'data-htmxws-spec=\\"([^"\\]*)\\"', move, text)
    assert moved != text, "the saved notebook has page outputs"
    target.write_text(moved)


def test_an_export_without_scripts_shows_the_page(tmp_path: Path, browsing: Browsing) -> None:
    subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", str(BASICS), "--output-dir",
                    str(tmp_path)], check=True, capture_output=True, timeout=120)
    with static_site(tmp_path) as site:
        page = browsing.new_page(java_script_enabled=False)
        page.goto(site + BASICS.with_suffix(".html").name)
        snapshot = page.locator(".htmxws-snapshot").first
        expect(snapshot).to_be_visible()
        expect(snapshot.locator("h1")).to_have_text("Websocket Test")
        expect(page.locator(".htmxws-status").first).to_contain_text("as it was served")
        assert page.locator("iframe[title^='htmxws_nb page']").first.is_hidden()
        screenshot(page, "export-without-scripts")


@pytest.fixture
def other_program() -> Iterator[int]:
    OtherProgram.paths = []
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), OtherProgram) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield server.server_address[1]
        finally:
            server.shutdown()


def test_a_reopened_notebook_does_not_load_another_program(tmp_path: Path, browsing: Browsing,
                                                            other_program: int) -> None:
    with jupyter_server("lab", tmp_path / "lab") as lab:
        with_outputs_on_port(BASICS, lab.root / "saved.ipynb", other_program)
        trust(lab, "saved.ipynb")  # the outputs' scripts run, as in a notebook its owner trusted
        page = browsing.new_page()
        open_notebook(page, lab, "saved.ipynb")
        status = page.locator(".htmxws-status").first
        expect(status).to_contain_text("Not running: run the cells above", timeout=KERNEL_TIMEOUT * 1000)
        expect(page.locator(".htmxws-snapshot h1").first).to_have_text("Websocket Test")
        frame_src = page.locator("iframe[title^='htmxws_nb page']").first.get_attribute("src")
        assert frame_src in (None, "", "about:blank"), "the other program's page was not loaded"
        screenshot(page, "reopened-notebook-other-program")
        page.wait_for_timeout(500)  # anything else the outputs would ask would be on its way by now
        assert OtherProgram.paths, "the outputs asked who is there"
        assert set(OtherProgram.paths) == {"/_htmxws/id"}, "nothing but the id was asked: no page, no feed token"


def test_an_untrusted_notebook_shows_the_page_as_served_and_the_channels_text(tmp_path: Path,
                                                                              browsing: Browsing) -> None:
    """JupyterLab runs no output script of an untrusted notebook: no iframe, the snapshot, the widget's text."""
    with jupyter_server("lab", tmp_path / "lab") as lab:
        (lab.root / "untrusted.ipynb").write_text(BASICS.read_text())
        page = browsing.new_page()
        open_notebook(page, lab, "untrusted.ipynb")
        expect(page.locator(".htmxws-snapshot h1").first).to_have_text("Websocket Test")
        channel = page.locator(".jp-OutputArea-output", has_text="kernel channel for /").first
        expect(channel).to_contain_text("(used when the browser cannot reach port 5001)")
        expect(page.locator(".htmxws-status").first).to_contain_text("as it was served")
        assert page.locator("iframe[title^='htmxws_nb page']").count() == 0, "the sanitizer removed the iframe"
        page.locator(".htmxws-snapshot").first.scroll_into_view_if_needed()
        screenshot(page, "untrusted-notebook")
        trust(lab, "untrusted.ipynb")
        page.reload()
        expect(page.locator(".htmxws-status").first).to_contain_text("Not running", timeout=KERNEL_TIMEOUT * 1000)
        page.locator(".htmxws-page").first.scroll_into_view_if_needed()
        screenshot(page, "trusted-reopened-notebook")
        # The widget's model comes back from the saved widget state, with no kernel behind it: it shows
        # nothing and takes nothing (it waits for the kernel to answer first).
        page.wait_for_timeout(1000)
        expect(page.locator(".htmxws-status").first).to_contain_text("Not running")
