"""Components render as FastHTML 0.14.14 renders them (compact, `str(ft)`); expected strings are FastHTML's output."""

from __future__ import annotations

import dataclasses

import pytest

from htmxws_nb import (
    AX,
    A,
    Button,
    Card,
    CheckboxX,
    Container,
    Div,
    Favicon,
    Form,
    Grid,
    Group,
    Hidden,
    Html,
    HtmxResponseHeaders,
    HttpHeader,
    Input,
    Li,
    Nbsp,
    NotStr,
    Option,
    P,
    Select,
    Socials,
    Span,
    Textarea,
    Titled,
    Ul,
    clear,
    fill_dataclass,
    fill_form,
    find_inputs,
    ft_html,
    ft_hx,
    loose_format,
    picolink,
    run_js,
    svg,
    to_html,
    to_xml,
)
from htmxws_nb.components import MyWidget, Sl_button


@pytest.mark.parametrize(("component", "html"), [
    (Form(Input(id="msg"), id="form", ws_send=True),
     '<form enctype="multipart/form-data" id="form" ws-send name="form"><input id="msg" name="msg"></form>'),
    (Form(enctype=None), "<form></form>"),
    (A("x"), '<a href="#">x</a>'),
    (A("x", hx_get="/y", target_id="z"), '<a href="#" hx-get="/y" hx-target="#z">x</a>'),
    (AX("x", "/y", "z", "outerHTML"), '<a href="#" hx-get="/y" hx-swap="outerHTML" hx-target="#z">x</a>'),
    (Button("b", hx_post="/x", target_id="res"), '<button hx-post="/x" hx-target="#res">b</button>'),
    (A("x", hx_target=Div(id="t"), hx_get="/y"), '<a href="#" hx-get="/y" hx-target="#t">x</a>'),
    (Div(id=Div(id="other")), '<div id="other"></div>'),
    (Div(style={"color": "red", "margin": 0}), '<div style="color:red; margin:0"></div>'),
    (Div(cls=[]), "<div></div>"),
    (Div(_="on click toggle .x"), '<div _="on click toggle .x"></div>'),
    (Div(hx_on__after_request="go()", _at_click="x"), '<div hx-on--after-request="go()" @click="x"></div>'),
    (Html(P("x"), lang="en"), '<!doctype html><html lang="en"><p>x</p></html>'),
    (Html(P("x"), doctype=False), "<html><p>x</p></html>"),
    (Titled("Hi", P("x"), cls="wide"), '<title>Hi</title><main class="wide"><h1>Hi</h1><p>x</p></main>'),
    (Hidden(3, id="h"), '<input type="hidden" value="3" id="h" name="h">'),
    (CheckboxX(True, "Label", id="c"), '<input type="hidden" value="" name="c" skip><label>'
                                       '<input type="checkbox" id="c" name="c" checked value="1">Label</label>'),
    (Card(P("x"), header="H", footer="F"), "<article><header>H</header><p>x</p><footer>F</footer></article>"),
    (Grid(P("a"), "b"), '<div class="grid"><div><p>a</p></div><div>b</div></div>'),
    (Group(Input(id="q"), Button("Go")),
     '<fieldset role="group"><input id="q" name="q"><button>Go</button></fieldset>'),
    (Container(P("x")), '<main class="container"><p>x</p></main>'),
    (clear("log"), '<div hx-swap-oob="innerHTML" id="log"></div>'),
    (Div(Nbsp()), "<div>&nbsp;</div>"),
    (Favicon("l.ico", "d.ico")[1], '<link rel="icon" type="image/x-ico" href="d.ico" '
                                   'media="(prefers-color-scheme: dark)">'),
    (Sl_button("Go", variant="primary"), '<sl-button variant="primary">Go</sl-button>'),
    (MyWidget(), "<my-widget></my-widget>"),
    (ft_hx("div", hx_vals={"a": 1}), '<div hx-vals="{&quot;a&quot;: 1}"></div>'),
    (ft_html("p", "x", cls="c"), '<p class="c">x</p>'),
    (svg.Svg(svg.Rect(10, 20, fill="red"), w=100, h=50, id="c"),
     '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 50" height="50" width="100" id="c">'
     '<rect width="10" height="20" x="0" y="0" fill="red"></rect></svg>'),
    (svg.Path(fill="none").M(0, 0).L(10, 10).Z(), '<path d=" M0 0 L10 10 Z" fill="none"></path>'),
    (svg.Text("t", x=5, text_anchor="middle"), '<text x="5" y="0" text-anchor="middle">t</text>'),
    (svg.Polyline((0, 1), (2, 3)), '<polyline points="0,1 2,3"></polyline>'),
    (svg.LinearGradient(svg.Stop(offset="0")), '<linearGradient><stop offset="0"></stop></linearGradient>'),
    (svg.SvgOob(svg.Circle(5)), '<template><svg xmlns="http://www.w3.org/2000/svg">'
                                '<circle r="5" cx="0" cy="0"></circle></svg></template>'),
])
def test_renders_as_fasthtml(component: object, html: str) -> None:
    assert to_html(component) == html


def test_str_of_an_element_is_its_id_as_in_fasthtml() -> None:
    target = Div(id="x")
    assert f"#{target}" == "#x"
    assert "pre " + target == "pre x"
    assert str(Div("a")) == "<div>a</div>"
    assert to_html(Div(Span("s", id="x"))) == '<div><span id="x">s</span></div>'  # rendering is not affected


def test_pico_link_is_served_by_the_app_itself() -> None:
    assert to_html(picolink) == ('<link rel="stylesheet" href="/_htmxws/static/pico.min.css">'
                                 "<style>:root { --pico-font-size: 100%; }</style>")
    assert to_html(picolink, prefix="/user/x/proxy/5001/").count('href="/user/x/proxy/5001/_htmxws/static/') == 1


def test_to_xml_keeps_top_level_text_and_is_safe_inside_components() -> None:
    assert to_xml("raw <b>") == "raw <b>"
    assert to_xml(Div("a"), P("b")) == "<div>a</div>\n<p>b</p>"
    assert to_html(Div(to_xml(Span("x")))) == "<div><span>x</span></div>"
    assert to_html(Div(NotStr("<b>raw</b>"))) == "<div><b>raw</b></div>"


def test_children_of_void_elements_follow_them() -> None:
    assert to_html(Div(Input(id="a")("after"))) == '<div><input id="a" name="a">after</div>'


def test_set_replaces_children_and_attributes_but_id_and_name() -> None:
    e = Input(id="x", cls="c", value="1")
    assert e.set(value="2") is e
    assert to_html(e) == '<input id="x" name="x" value="2">'
    assert to_html(Div("a", id="x", cls="c").set("b", title="t")) == '<div id="x" title="t">b</div>'


def test_element_protocol() -> None:
    ul = Ul(Li("a"), Li("b"), id="l")
    assert [to_html(li) for li in ul] == ["<li>a</li>", "<li>b</li>"]
    assert ul[1].children == ["b"]
    assert ul.list[0] == "ul" and ul.list[2] == {"id": "l"}


@dataclasses.dataclass
class Profile:
    name: str = "Bob"
    ok: bool = True
    bio: str = "hi"
    pick: str = "b"


def test_fill_form_from_a_dataclass() -> None:
    form = Form(Input(id="name"), CheckboxX(id="ok"), Textarea(id="bio"),
                Select(Option("A", value="a"), Option("B", value="b"), id="pick"), Hidden(id="skip", skip=True))
    filled = to_html(fill_form(form, Profile()))
    assert '<input id="name" name="name" value="Bob">' in filled
    assert '<input type="hidden" value="" name="ok" skip>' in filled  # skipped: CheckboxX's hidden twin
    assert 'type="checkbox" id="ok" name="ok" value="1" checked="1"' in filled
    assert '<textarea id="bio" name="bio">hi</textarea>' in filled
    assert '<option value="b" selected="1">B</option>' in filled
    assert '<input id="name" name="name">' in to_html(form)  # the original is unchanged
    target = fill_dataclass(Profile(name="Ann"), Profile())
    assert target.name == "Ann"
    assert [i.id for i in find_inputs(form, "input", type="hidden")] == [None, "skip"]


def test_script_helpers() -> None:
    def refresh_clock() -> object:
        return run_js("show({x});", x="<now>")

    assert to_html(refresh_clock()) == ('<script id="refresh_clock" hx-swap-oob="true">show("<now>");</script>')
    assert loose_format("f({a}); {b}", a=1) == "f(1); {b}"
    assert loose_format("x { color: red; } {a}", a="1") == "x { color: red; } 1"


def test_headers_among_components() -> None:
    assert HtmxResponseHeaders(retarget="#x") == HttpHeader("HX-Retarget", "#x")
    assert HtmxResponseHeaders(trigger_after_settle="go", reswap="none") == (
        HttpHeader("HX-Trigger-After-Settle", "go"), HttpHeader("HX-Reswap", "none"))
    with pytest.raises(ValueError, match="unknown htmx response header"):
        HtmxResponseHeaders(nope="x")


def test_socials() -> None:
    metas = Socials("T", "example.org", "D", "/img.png", creator="@me")
    html = to_html(metas)
    assert '<meta property="og:image" content="https://example.org/img.png">' in html
    assert '<meta name="twitter:creator" content="@me">' in html
    assert len(metas) == 14
