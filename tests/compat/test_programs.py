"""FastHTML websocket programs (tests/compat/programs, written for this suite) run as scripts under FastHTML
0.14.14 and, with only their import lines changed, under htmxws_nb: the pages and every frame must match.

Compared as DOM tokens (see `compat_support.dom`): FastHTML pretty-prints and orders attributes its way;
an error text frame counts as an error text frame (the wording differs; htmx ignores both).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from compat_support import PROGRAMS, Play, Scenario, body_of, dom, http, run_program, title_of
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

SCENARIOS: dict[str, Scenario] = {
    "relay_chat": Scenario([
        ("connect", "ann", "/chat", {"ann": 1}),
        ("connect", "bob", "/chat", {"ann": 1, "bob": 1}),
        ("send", "ann", {"line": "hello"}, "say", {"ann": 2, "bob": 1}),
        ("send", "bob", {"line": "  "}, "say", {"bob": 1}),
        ("send", "bob", {}, "say", {"bob": 1}),
        ("send", "ann", {"line": "<b>bold</b> & co"}, "say", {"ann": 2, "bob": 1}),
        ("close", "bob"),
        ("send", "ann", {"line": "bye"}, "say", {"ann": 3}),
    ]),
    "vote_chart": Scenario([
        ("connect", "ann", "/votes", {}),
        ("connect", "bob", "/votes", {}),
        ("send", "ann", {"colour": "red"}, "vote-red", {"ann": 1, "bob": 1}),
        ("send", "bob", {"colour": "blue"}, "vote-blue", {"ann": 1, "bob": 1}),
        ("send", "bob", {"colour": "pink"}, "vote-pink", {"bob": 1}),
    ]),
    "pico_dashboard": Scenario([
        ("connect", "ann", "/score", {}),
        ("connect", "bob", "/score", {}),
        ("send", "ann", {"team": "north", "points": 1}, "north-one", {"ann": 1, "bob": 1}),
        ("send", "bob", {"team": "south", "points": 3}, "south-three", {"ann": 1, "bob": 1}),
        ("send", "ann", {"team": "none", "points": 0}, "ping", {"ann": 1}),
        ("send", "bob", {"team": "north", "points": "x"}, "north-one", {"bob": 1}),
    ]),
    "heartbeat": Scenario([
        ("connect", "ann", "/pulse", {}),
        ("tick", "ann"),
        ("send", "ann", {"factor": 2}, "slower", {"ann": 1}),
        ("tick", "ann"),
    ], tick=r'id="pulse"'),
    "uptime_task": Scenario([
        ("connect", "ann", "/up", {}),
        ("tick", "ann"),
        ("send", "ann", {}, "hello", {"ann": 1}),
        ("tick", "ann"),
    ], tick=r'id="uptime"'),
    "static_echo": Scenario([
        ("http", "GET", "/files/style.css", None, None, {}),
        ("http", "GET", "/logo.svg", None, None, {}),
        ("http", "GET", "/style.css", None, None, {}),
        ("connect", "ann", "/ws", {}),
        ("send", "ann", {"words": "stressed"}, "shout", {"ann": 1}),
    ]),
    "status_put": Scenario([
        ("connect", "ann", "/lights", {}),
        ("send", "ann", {}, "refresh", {"ann": 1}),
        ("http", "PUT", "/services/mail", {"to": "down"}, "urlencoded", {"ann": 1}),
        ("http", "PUT", "/services/nope", {"to": "down"}, "urlencoded", {}),
    ]),
    "raw_endpoint": Scenario([
        ("connect", "raw", "/raw", {"raw": 1}),
        ("send", "raw", {"text": "quiet"}, "raw-form", {"raw": 1}),
        ("connect", "fh", "/ws", {}),
        ("send", "fh", {"msg": "hello"}, "fh-form", {"fh": 1}),
    ]),
    "fastcore_parts": Scenario([
        ("connect", "ann", "/award", {}),
        ("send", "ann", {"name": "gold <1>"}, "award", {"ann": 2}),
    ]),
    "guestbook_oob": Scenario([
        ("connect", "ann", "/book", {}),
        ("connect", "bob", "/book", {}),
        ("http", "POST", "/sign", {"who": "Ann", "words": "Hi <there>", "public": "1"}, "multipart",
         {"ann": 1, "bob": 1}),
        ("http", "POST", "/sign", {"who": "Bob", "words": "just for me", "public": ""}, "multipart", {}),
        ("send", "bob", {}, None, {}),
    ]),
}

# What FastHTML 0.14.14 cannot run, and what htmxws_nb must do instead.
FASTHTML_CANNOT = {
    # its setup_ws reads `scope.client` from the raw ASGI dict: every connection dies at once
    "notice_board": Scenario([
        ("connect", "ann", "/ws", {}),
        ("connect", "bob", "/ws", {}),
        ("send", "ann", {"note": "draft one"}, "drafts", {"ann": 1}),
        ("http", "POST", "/notices", {"notice": "Lunch <now>"}, "multipart", {"ann": 1, "bob": 1}),
    ]),
}
NOTICE_FRAMES = {
    "ann": ['<div id="draft">Draft saved: draft one</div>',
            '<div id="latest"><p><strong>Notice: </strong>Lunch &lt;now&gt;</p></div>'],
    "bob": ['<div id="latest"><p><strong>Notice: </strong>Lunch &lt;now&gt;</p></div>'],
}


def test_every_program_has_a_scenario() -> None:
    programs = {p.stem for p in PROGRAMS.glob("*.py")}
    assert programs == set(SCENARIOS) | set(FASTHTML_CANNOT)


def observe(name: str, scenario: Scenario, tmp_path: Path, under: str) -> dict[str, Any]:
    """Everything a program does for one client session: its pages and the scenario's frames."""
    with run_program(name, tmp_path, under) as running:
        page = http(running.port, "GET", "/")
        fragment = http(running.port, "GET", "/", headers={"HX-Request": "true"})
        play: Play = scenario.play(running.port)
        output = running.output
    assert "Traceback" not in output, output[-3000:]
    return {"page": page, "fragment": fragment, "play": play}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_runs_as_under_fasthtml(name: str, tmp_path: Path) -> None:
    theirs = observe(name, SCENARIOS[name], tmp_path / "theirs", "fasthtml")
    ours = observe(name, SCENARIOS[name], tmp_path / "ours", "ours")
    for key in ("page", "fragment"):
        assert ours[key][0] == theirs[key][0] == 200
    assert title_of(ours["page"][1]) == title_of(theirs["page"][1])
    assert dom(body_of(ours["page"][1])) == dom(body_of(theirs["page"][1]))
    assert dom(ours["fragment"][1]) == dom(theirs["fragment"][1])
    mine, fh = ours["play"], theirs["play"]
    assert {c: [dom(f) for f in frames] for c, frames in mine.frames.items()} == \
        {c: [dom(f) for f in frames] for c, frames in fh.frames.items()}
    assert [(status, _answer(body)) for status, body in mine.http] == \
        [(status, _answer(body)) for status, body in fh.http]
    assert set(mine.ticks) == set(fh.ticks)  # both kept time (how many ticks depends on timing)


def _answer(body: str) -> Any:
    return dom(body) if body.lstrip().startswith("<") else body


def test_notice_board_works_where_fasthtml_setup_ws_fails(tmp_path: Path) -> None:
    ours = observe("notice_board", FASTHTML_CANNOT["notice_board"], tmp_path / "ours", "ours")
    assert {c: [dom(f) for f in frames] for c, frames in ours["play"].frames.items()} == \
        {c: [dom(f) for f in frames] for c, frames in NOTICE_FRAMES.items()}
    assert ours["play"].http == [(200, "")]
    with run_program("notice_board", tmp_path / "fasthtml", "fasthtml") as running:
        with connect(f"ws://127.0.0.1:{running.port}/ws", open_timeout=10) as ws, \
                pytest.raises(ConnectionClosed):
            ws.recv(timeout=10)  # FastHTML drops the connection in its own conn callback
        assert "has no attribute 'client'" in running.output
