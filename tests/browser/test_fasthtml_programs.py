"""FastHTML programs (tests/compat/programs, imports swapped) in a real Chromium that can reach only 127.0.0.1.

What such programs do in a browser: a relative `ws_connect`, `ws_send` on a `<p>` and on buttons with
`hx_vals` dicts, HTTP handlers (POST, PUT) that broadcast over the socket, a module-level
`asyncio.create_task` loop, out-of-band swaps in replies, a raw Starlette `WebSocketEndpoint`, Pico CSS
and SVG, all served by the program itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import TIMEOUT_MS, Browsing
from compat_support import Running, http, run_program
from playwright.sync_api import Page, expect

pytest_plugins = ["browser_fixtures"]


@pytest.fixture
def program(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Running]:
    with run_program(request.param, tmp_path, "ours") as running:
        yield running


def open_page(browsing: Browsing, running: Running, sockets: int = 1) -> Page:
    """A fresh page of the program, once its htmx sockets are open (nothing sent is lost)."""
    page = browsing.new_page()
    page.goto(f"http://127.0.0.1:{running.port}/")
    page.wait_for_function("n => (window.htmxwsOpens || 0) >= n", arg=sockets, timeout=TIMEOUT_MS)
    return page


@pytest.mark.parametrize("program", ["static_echo"], indirect=True)
def test_relative_ws_connect_and_static_files(program: Running, browsing: Browsing) -> None:
    page = open_page(browsing, program)
    assert page.locator("[ws-connect]").get_attribute("ws-connect") == "ws"
    page.locator("#words").fill("stressed")
    page.locator("#words").press("Enter")
    expect(page.locator("#echo")).to_have_text("desserts")
    expect(page.locator("#echo")).to_have_css("color", "rgb(0, 128, 0)")  # /files/style.css, from the Mount
    assert page.locator("img").evaluate("img => img.complete && img.naturalWidth") == 40  # /logo.svg by extension
    assert browsing.blocked == []


@pytest.mark.parametrize("program", ["pico_dashboard"], indirect=True)
def test_ws_send_on_a_paragraph_and_buttons_with_hx_vals(program: Running, browsing: Browsing) -> None:
    ann, bob = open_page(browsing, program), open_page(browsing, program)
    ann.locator("#ping").click()
    expect(ann.locator("#pong")).to_have_text("pong (0)")
    ann.locator("#north-three").click()
    bob.locator("#north-one").click()
    for page in (ann, bob):
        expect(page.locator("#north-score")).to_have_text("4")
    expect(ann.locator(".grid")).to_have_css("display", "grid")  # Pico, served by the app
    assert browsing.blocked == []


@pytest.mark.parametrize("program", ["relay_chat"], indirect=True)
def test_out_of_band_swaps_in_replies(program: Running, browsing: Browsing) -> None:
    ann, bob = open_page(browsing, program), open_page(browsing, program)
    expect(ann.locator("#count")).to_have_text("2")
    ann.locator("#line").fill("hi <all>")
    ann.locator("#line").press("Enter")
    for page in (ann, bob):
        expect(page.locator("#log li")).to_have_text(["user1: hi <all>"])
    expect(ann.locator("#line")).to_have_value("")  # the reply's input replaced the typed one
    bob.locator("#line").fill("hello")
    bob.locator("#line").press("Enter")
    for page in (ann, bob):
        expect(page.locator("#log li")).to_have_text(["user1: hi <all>", "user2: hello"])
    bob.close()
    expect(ann.locator("#count")).to_have_text("1")
    assert browsing.blocked == []


@pytest.mark.parametrize("program", ["guestbook_oob"], indirect=True)
def test_http_post_broadcasts_over_the_socket(program: Running, browsing: Browsing) -> None:
    ann, bob = open_page(browsing, program), open_page(browsing, program)
    ann.locator("#who").fill("Ann")
    ann.locator("#words").fill("Lovely party")
    ann.locator("#public").check()
    ann.locator("#sign button").click()
    for page in (ann, bob):
        expect(page.locator("#book li")).to_have_text(["host — Please sign!", "Ann — Lovely party"])
    expect(ann.locator("#who")).to_have_value("Ann")  # the form came back filled (fill_form)
    assert browsing.blocked == []


@pytest.mark.parametrize("program", ["notice_board"], indirect=True)
def test_setup_ws_send_reaches_every_page(program: Running, browsing: Browsing) -> None:
    ann, bob = open_page(browsing, program), open_page(browsing, program)
    ann.locator("#notice").fill("Lunch is served")
    ann.locator("button", has_text="Post").click()
    for page in (ann, bob):
        expect(page.locator("#latest")).to_have_text("Notice: Lunch is served")
    bob.locator("#note").fill("mine")
    bob.locator("#note").press("Enter")
    expect(bob.locator("#draft")).to_have_text("Draft saved: mine")
    expect(ann.locator("#draft")).to_have_text("")
    assert browsing.blocked == []


@pytest.mark.parametrize("program", ["status_put"], indirect=True)
def test_http_put_broadcasts_over_the_socket(program: Running, browsing: Browsing) -> None:
    page = open_page(browsing, program)
    expect(page.locator("#row-mail circle")).to_have_attribute("fill", "green")  # raw SVG (NotStr) in the page
    assert http(program.port, "PUT", "/services/mail", {"to": "down"}, "urlencoded")[0] == 200
    expect(page.locator("#row-mail")).to_contain_text("down")
    expect(page.locator("#row-mail circle")).to_have_attribute("fill", "red")
    assert browsing.blocked == []


@pytest.mark.parametrize("program", ["uptime_task"], indirect=True)
def test_module_level_task_in_a_script(program: Running, browsing: Browsing) -> None:
    assert 'id="uptime">starting<' in http(program.port, "GET", "/")[1], "the page as served, before any push"
    page = open_page(browsing, program)
    page.wait_for_function("() => /^up \\d+$/.test(document.querySelector('#uptime').textContent)",
                           timeout=TIMEOUT_MS)
    page.locator("#hello").click()
    expect(page.locator("#said")).to_have_text("hello says hello")
    assert browsing.blocked == []


@pytest.mark.parametrize("program", ["raw_endpoint"], indirect=True)
def test_raw_starlette_endpoint_beside_a_handler(program: Running, browsing: Browsing) -> None:
    page = open_page(browsing, program, sockets=2)
    expect(page.locator("#raw")).to_have_text("raw socket open")
    page.locator("#text").fill("quiet please")
    page.locator("#text").press("Enter")
    expect(page.locator("#raw")).to_have_text("QUIET PLEASE")
    page.locator("#msg").fill("four")
    page.locator("#msg").press("Enter")
    expect(page.locator("#handled")).to_have_text("4 characters")
    assert browsing.blocked == []


@pytest.mark.parametrize("program", ["vote_chart"], indirect=True)
def test_svg_redrawn_on_every_page(program: Running, browsing: Browsing) -> None:
    ann, bob = open_page(browsing, program), open_page(browsing, program)
    ann.locator("#vote-green").click()
    for page in (ann, bob):
        expect(page.locator("#g-green rect")).to_have_attribute("height", "80")
        expect(page.locator("#g-green text")).to_have_text("1")
    box = bob.locator("#g-green rect").bounding_box()
    assert box is not None and box["height"] > 0  # drawn as SVG, not as unknown HTML elements
    assert browsing.blocked == []
