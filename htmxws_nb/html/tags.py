"""The HTML tag functions: `Div(...)`, `Li(...)`, ..., and `Titled`, as FastHTML names them."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from .ft import FT, ft

__all__ = [
    "Titled", "A", "Abbr", "Article", "Aside", "B", "Blockquote", "Body", "Br", "Button", "Canvas", "Caption",
    "Code", "Col", "Colgroup", "Details", "Dialog", "Div", "Dl", "Dd", "Dt", "Em", "Fieldset", "Figcaption",
    "Figure", "Footer", "Form", "H1", "H2", "H3", "H4", "H5", "H6", "Head", "Header", "Hr", "Html", "I", "Iframe",
    "Img", "Input", "Label", "Legend", "Li", "Link", "Main", "Mark", "Meta", "Nav", "Noscript", "Ol", "Optgroup",
    "Option", "Output", "P", "Pre", "Progress", "Script", "Section", "Select", "Small", "Source", "Span", "Strong",
    "Style", "Sub", "Summary", "Sup", "Table", "Tbody", "Td", "Template", "Textarea", "Tfoot", "Th", "Thead",
    "Time", "Title", "Tr", "U", "Ul", "Video",
]


def _tag(name: str) -> Callable[..., FT]:
    """`Div`, `Li`, ...: `ft` with the tag filled in (a C-level partial: one call less per element)."""
    make = partial(ft, name.lower())
    make.__name__ = make.__qualname__ = name  # type: ignore[attr-defined]
    make.__doc__ = f"The `<{name.lower()}>` element."
    return make


A = _tag("A")
Abbr = _tag("Abbr")
Article = _tag("Article")
Aside = _tag("Aside")
B = _tag("B")
Blockquote = _tag("Blockquote")
Body = _tag("Body")
Br = _tag("Br")
Button = _tag("Button")
Canvas = _tag("Canvas")
Caption = _tag("Caption")
Code = _tag("Code")
Col = _tag("Col")
Colgroup = _tag("Colgroup")
Details = _tag("Details")
Dialog = _tag("Dialog")
Div = _tag("Div")
Dl = _tag("Dl")
Dd = _tag("Dd")
Dt = _tag("Dt")
Em = _tag("Em")
Fieldset = _tag("Fieldset")
Figcaption = _tag("Figcaption")
Figure = _tag("Figure")
Footer = _tag("Footer")
Form = _tag("Form")
H1 = _tag("H1")
H2 = _tag("H2")
H3 = _tag("H3")
H4 = _tag("H4")
H5 = _tag("H5")
H6 = _tag("H6")
Head = _tag("Head")
Header = _tag("Header")
Hr = _tag("Hr")
Html = _tag("Html")
I = _tag("I")  # noqa: E741
Iframe = _tag("Iframe")
Img = _tag("Img")
Input = _tag("Input")
Label = _tag("Label")
Legend = _tag("Legend")
Li = _tag("Li")
Link = _tag("Link")
Main = _tag("Main")
Mark = _tag("Mark")
Meta = _tag("Meta")
Nav = _tag("Nav")
Noscript = _tag("Noscript")
Ol = _tag("Ol")
Optgroup = _tag("Optgroup")
Option = _tag("Option")
Output = _tag("Output")
P = _tag("P")
Pre = _tag("Pre")
Progress = _tag("Progress")
Script = _tag("Script")
Section = _tag("Section")
Select = _tag("Select")
Small = _tag("Small")
Source = _tag("Source")
Span = _tag("Span")
Strong = _tag("Strong")
Style = _tag("Style")
Sub = _tag("Sub")
Summary = _tag("Summary")
Sup = _tag("Sup")
Table = _tag("Table")
Tbody = _tag("Tbody")
Td = _tag("Td")
Template = _tag("Template")
Textarea = _tag("Textarea")
Tfoot = _tag("Tfoot")
Th = _tag("Th")
Thead = _tag("Thead")
Time = _tag("Time")
Title = _tag("Title")
Tr = _tag("Tr")
U = _tag("U")
Ul = _tag("Ul")
Video = _tag("Video")


def Titled(title: str = "FastHTML app", *children: Any, **attrs: Any) -> tuple[FT, FT]:
    """A page's `<title>` plus `<main class="container"><h1>title</h1>…</main>`."""
    return Title(title), Main(H1(title), *children, cls="container", **attrs)
