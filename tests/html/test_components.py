from __future__ import annotations

from htmxws_nb import (
    H1,
    A,
    Br,
    Button,
    Div,
    Form,
    Input,
    Label,
    Li,
    Option,
    Safe,
    Script,
    Select,
    Span,
    Textarea,
    Titled,
    Ul,
    to_html,
)
from htmxws_nb.html import ft


def test_tutorial_page_fragment() -> None:
    cts = Div(Div(id="notifications"), Form(Input(id="msg"), id="form", ws_send=True), hx_ext="ws", ws_connect="/ws")
    assert to_html(cts) == (
        '<div hx-ext="ws" ws-connect="/ws"><div id="notifications"></div>'
        '<form enctype="multipart/form-data" id="form" ws-send name="form"><input id="msg" name="msg"></form></div>'
    )


def test_titled() -> None:
    body = Div("body")
    title, main = Titled("Websocket Test", body)
    assert to_html(title) == "<title>Websocket Test</title>"
    assert to_html(main) == '<main class="container"><h1>Websocket Test</h1><div>body</div></main>'
    assert main.children[1] is body


def test_attribute_mapping() -> None:
    assert to_html(Label("Name", _for="n", cls="big")) == '<label for="n" class="big">Name</label>'
    assert to_html(Label("x", fr="n")) == '<label for="n">x</label>'
    assert to_html(Div(hx_swap_oob="true", data_x=1)) == '<div hx-swap-oob="true" data-x="1"></div>'
    assert to_html(Input(disabled=False, checked=None, required=True)) == "<input required>"
    assert to_html(Div(hx_vals={"a": 1})) == '<div hx-vals="{&quot;a&quot;: 1}"></div>'
    assert to_html(Div(cls=["a", "", "b"])) == '<div class="a b"></div>'


def test_id_names_form_controls_only() -> None:
    select = Select(Option("a", value="a"), id="s")
    assert to_html(select) == '<select id="s" name="s"><option value="a">a</option></select>'
    assert to_html(Textarea(id="t")) == '<textarea id="t" name="t"></textarea>'
    assert to_html(Button("go", id="b")) == '<button id="b" name="b">go</button>'
    assert to_html(Input(id="m", name="other")) == '<input id="m" name="other">'
    assert to_html(Div(id="d")) == '<div id="d"></div>'


def test_escaping_and_raw_html() -> None:
    assert to_html(Div("<b>&</b>", title='a"b')) == '<div title="a&quot;b">&lt;b&gt;&amp;&lt;/b&gt;</div>'
    assert to_html(Div(Safe("<b>bold</b>"))) == "<div><b>bold</b></div>"
    assert to_html(Script("if (a < b && c) {}")) == "<script>if (a < b && c) {}</script>"


def test_children_of_all_kinds() -> None:
    assert to_html(Ul(*[Li(m) for m in ["a", "b"]], id="l")) == '<ul id="l"><li>a</li><li>b</li></ul>'
    assert to_html(Div(None, False, 3, [Span("x"), (Br(),)], (c for c in "yz"))) == "<div>3<span>x</span><br>yz</div>"
    assert to_html((H1("t"), "tail")) == "<h1>t</h1>tail"


def test_void_elements_have_no_end_tag() -> None:
    assert to_html(Br()) == "<br>"
    assert to_html(Input(type="text", value="v")) == '<input type="text" value="v">'


def test_prefix_applies_to_root_relative_url_attributes_only() -> None:
    page = Div(A("x", href="/a"), A("y", href="//cdn/x"), A("z", href="rel"), Div(hx_get="/g", ws_connect="/ws"),
               Div(title="/not-a-url"))
    assert to_html(page, prefix="/user/me/proxy/5001/") == (
        '<div><a href="/user/me/proxy/5001/a">x</a><a href="//cdn/x">y</a><a href="rel">z</a>'
        '<div hx-get="/user/me/proxy/5001/g" ws-connect="/user/me/proxy/5001/ws"></div>'
        '<div title="/not-a-url"></div></div>'
    )


def test_call_adds_children_and_attributes() -> None:
    element = Div(id="x")("text", cls="c")
    assert to_html(element) == '<div id="x" class="c">text</div>'
    assert element.id == "x" and element.get("cls") == "c"
    assert to_html(ft("my-widget", mode="on")) == '<my-widget mode="on"></my-widget>'
    assert str(Div("s")) == "<div>s</div>"
