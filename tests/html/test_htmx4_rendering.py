"""Rendering for htmx 4 pages: attribute names rewritten at render time, frames marked out of band."""

from __future__ import annotations

import pytest

from htmxws_nb import Div, Form, Input, Li, P, Safe, Template, Ul, to_html
from htmxws_nb.app.htmx_client import HTMX4
from htmxws_nb.html import ft
from htmxws_nb.html.attributes import Dialect
from htmxws_nb.html.oob import mark_oob, to_oob_html

TUTORIAL = Div(Div(id="notifications"), Form(Input(id="msg"), id="form", ws_send=True), hx_ext="ws", ws_connect="/ws")


def test_htmx4_dialect_renames_ws_attributes_and_stops_the_main_swap() -> None:
    assert to_html(TUTORIAL, dialect=HTMX4.dialect) == (
        '<div hx-ext="ws" hx-ws-connect="/ws" hx-swap="none"><div id="notifications"></div>'
        '<form enctype="multipart/form-data" id="form" hx-ws-send name="form"><input id="msg" name="msg"></form></div>')
    assert TUTORIAL.attrs == {"hx-ext": "ws", "ws-connect": "/ws"}, "the component itself is not changed"
    assert to_html(TUTORIAL).startswith('<div hx-ext="ws" ws-connect="/ws">'), "without a dialect: htmx 2 names"


def test_dialect_keeps_an_explicit_swap_and_renames_colon_names() -> None:
    own = Div(hx_ws_connect="/ws", hx_swap="innerHTML")
    assert to_html(own, dialect=HTMX4.dialect) == '<div hx-ws-connect="/ws" hx-swap="innerHTML"></div>'
    colon = ft("div", {"hx-ws:connect": "/ws"})
    assert to_html(colon, dialect=HTMX4.dialect) == '<div hx-ws-connect="/ws" hx-swap="none"></div>'


def test_dialect_applies_before_the_url_prefix() -> None:
    assert to_html(Div(ws_connect="/ws"), "/user/x/proxy/5001/", HTMX4.dialect) == \
        '<div hx-ws-connect="/user/x/proxy/5001/ws" hx-swap="none"></div>'


def test_dialect_leaves_other_elements_as_they_are() -> None:
    dialect = Dialect(renames={"a-b": "c-d"})
    attrs = {"id": "x", "class": "y"}
    assert dialect.apply(attrs) is attrs
    assert dialect.apply({"a-b": "1", "id": "x"}) == {"c-d": "1", "id": "x"}


FRAMES = [  # (what the handler sent, what goes on the wire to an htmx 4 page)
    ('<div id="notifications">Hello</div>', '<div id="notifications" hx-swap-oob="true">Hello</div>'),
    ('<div id="a">A</div>\n<ul id="items"><li>x</li><li id="n">y</li></ul>',
     '<div id="a" hx-swap-oob="true">A</div>\n<ul id="items" hx-swap-oob="true"><li>x</li><li id="n">y</li></ul>'),
    ('<div id="a" hx-swap-oob="beforeend"><p>x</p></div><p>no id</p>text<input id="i" value="v">',
     '<div id="a" hx-swap-oob="beforeend"><p>x</p></div><p>no id</p>text<input id="i" value="v" hx-swap-oob="true">'),
    ("error: missing required field 'msg'", "error: missing required field 'msg'"),
    ('{"content": "<b id=\\"x\\">x</b>", "target": "#n"}', '{"content": "<b id=\\"x\\">x</b>", "target": "#n"}'),
    ('<hx-partial hx-target="#n">x</hx-partial>', '<hx-partial hx-target="#n">x</hx-partial>'),
    ('<template hx type="partial" id="t">x</template>', '<template hx type="partial" id="t">x</template>'),
    ('<script>var a = "<div id=q>"</script><DIV ID=Y>y</DIV>',
     '<script>var a = "<div id=q>"</script><DIV ID=Y hx-swap-oob="true">y</DIV>'),
    ('a\n  <p id="z"\n class=q>x</p>', 'a\n  <p id="z"\n class=q hx-swap-oob="true">x</p>'),
    ("<input id=i class=a/>", '<input hx-swap-oob="true" id=i class=a/>'),  # the unquoted value keeps its '/'
    ('<div id="">empty id</div>', '<div id="">empty id</div>'),
]


@pytest.mark.parametrize(("sent", "wire"), FRAMES)
def test_mark_oob_marks_top_level_elements_with_an_id_only(sent: str, wire: str) -> None:
    assert mark_oob(sent) == wire


def test_components_are_marked_while_rendering() -> None:
    chat = Ul(Li("a"), Li("b", id="li"), id="msg-list")
    content = (chat, P("no id"), "a<b", Safe('<i id="s">s</i>'), [Div(id="nested-list")], None,
               Template("t", hx=True, type="partial", id="t"), Div(id="own", hx_swap_oob="beforeend"))
    assert to_oob_html(content) == (
        '<ul id="msg-list" hx-swap-oob="true"><li>a</li><li id="li">b</li></ul><p>no id</p>a&lt;b'
        '<i id="s" hx-swap-oob="true">s</i><div id="nested-list" hx-swap-oob="true"></div>'
        '<template hx type="partial" id="t">t</template><div id="own" hx-swap-oob="beforeend"></div>')
    assert "hx-swap-oob" not in chat.attrs, "the component itself is not changed"


def test_marked_components_get_the_dialect_too() -> None:
    form = Form(Input(id="msg"), id="form", ws_send=True)
    assert to_oob_html((form,), dialect=HTMX4.dialect) == \
        ('<form enctype="multipart/form-data" id="form" hx-ws-send name="form" hx-swap-oob="true">'
         '<input id="msg" name="msg"></form>')
