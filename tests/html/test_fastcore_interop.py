"""fastcore interop both ways: fastcore's objects inside our components, ours inside `fastcore.xml.to_xml`.

Expected strings are what FastHTML 0.14.14 (fastcore 2.2.41) renders.
"""

from __future__ import annotations

import fastcore.xml as fx
import markupsafe
from fastcore.basics import NotStr as FastcoreNotStr
from fastcore.foundation import L

from htmxws_nb import Div, Li, P, Safe, Span, Ul, to_html


class HasFt:
    def __ft__(self) -> object:
        return Div("from __ft__", id="ft1")


class HasBoth:
    def __html__(self) -> str:
        return "<i>html</i>"

    def __ft__(self) -> object:
        return Span("ft wins")


class HasHtml:
    def __html__(self) -> str:
        return "<i>from __html__</i>"


def test_foreign_objects_inside_ours() -> None:
    svg = '<svg width="10" height="10"><rect width="10" height="10"/></svg>'
    assert to_html(Div(FastcoreNotStr(svg), id="raw-svg")) == f'<div id="raw-svg">{svg}</div>'
    assert to_html(Div(fx.Safe("<i>safe</i>"))) == "<div><i>safe</i></div>"
    assert to_html(Div(markupsafe.Markup("<b>m</b>"))) == "<div><b>m</b></div>"
    assert to_html(Div(HasFt())) == '<div><div id="ft1">from __ft__</div></div>'
    assert to_html(Div(HasBoth())) == "<div><span>ft wins</span></div>"
    assert to_html(Div(HasHtml())) == "<div><i>from __html__</i></div>"
    assert to_html(Div(L(["a", Span("b")]))) == "<div>a<span>b</span></div>"


def test_fastcore_elements_inside_ours_get_our_rendering() -> None:
    inner = fx.Div(fx.Span("x<y", cls="c"), hx_get="/g", disabled=True, hidden=False)
    assert to_html(Ul(Li(inner))) == '<ul><li><div hx-get="/g" disabled><span class="c">x&lt;y</span></div></li></ul>'
    assert to_html(Div(inner), prefix="/p") == (
        '<div><div hx-get="/p/g" disabled><span class="c">x&lt;y</span></div></div>')
    assert to_html(fx.Html(fx.Body("x"))) == "<!doctype html><html><body>x</body></html>"


def test_ours_inside_fastcore_to_xml() -> None:
    ours = Ul(Li("a<b"), id="ours")
    assert fx.to_xml(ours) == '<ul id="ours"><li>a&lt;b</li></ul>'
    assert fx.to_xml(fx.Div(ours, "tail"), indent=False) == '<div><ul id="ours"><li>a&lt;b</li></ul>tail</div>'
    assert fx.to_xml((P("x"), Safe("<b>y</b>")), indent=False) == "<p>x</p><b>y</b>"
