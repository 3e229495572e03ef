"""The HTML tag functions: `Div(...)`, `Li(...)`, ..., every tag `fasthtml.common` has, as FastHTML names them.

Tags with defaults or extra parameters (`A`, `Form`, `Html`, `Titled`, ...) are in `xtend`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from .ft import FT, ft

__all__ = [
    "Abbr", "Address", "Area", "Article", "Aside", "Audio", "B", "Base", "Bdi", "Bdo", "Blockquote", "Body",
    "Br", "Button", "Canvas", "Caption", "Cite", "Code", "Col", "Colgroup", "Data", "Datalist", "Dd", "Del",
    "Details", "Dfn", "Dialog", "Div", "Dl", "Dt", "Em", "Embed", "Fencedframe", "Fieldset", "Figcaption",
    "Figure", "Footer", "H1", "H2", "H3", "H4", "H5", "H6", "Head", "Header", "Hgroup", "Hr", "I", "Iframe",
    "Img", "Input", "Ins", "Kbd", "Label", "Legend", "Li", "Link", "Main", "Map", "Mark", "Math", "Menu",
    "Meta", "Meter", "Nav", "Noscript", "Object", "Ol", "Optgroup", "Option", "Output", "P", "Param",
    "Picture", "PortalExperimental", "Pre", "Progress", "Q", "Rp", "Rt", "Ruby", "S", "Samp", "Script",
    "Search", "Section", "Select", "Slot", "Small", "Source", "Span", "Strike", "Strong", "Style", "Sub",
    "Summary", "Sup", "Svg", "Table", "Tbody", "Td", "Template", "Textarea", "Tfoot", "Th", "Thead", "Time",
    "Title", "Tr", "Track", "U", "Ul", "Var", "Video", "Wbr", "HxPartial",
]


def _tag(name: str, tag: str | None = None) -> Callable[..., FT]:
    """`Div`, `Li`, ...: `ft` with the tag filled in (a C-level partial: one call less per element)."""
    tag = tag or name.lower()
    make = partial(ft, tag)
    make.__name__ = make.__qualname__ = name  # type: ignore[attr-defined]
    make.__doc__ = f"The `<{tag}>` element."
    return make


Abbr = _tag("Abbr")
Address = _tag("Address")
Area = _tag("Area")
Article = _tag("Article")
Aside = _tag("Aside")
Audio = _tag("Audio")
B = _tag("B")
Base = _tag("Base")
Bdi = _tag("Bdi")
Bdo = _tag("Bdo")
Blockquote = _tag("Blockquote")
Body = _tag("Body")
Br = _tag("Br")
Button = _tag("Button")
Canvas = _tag("Canvas")
Caption = _tag("Caption")
Cite = _tag("Cite")
Code = _tag("Code")
Col = _tag("Col")
Colgroup = _tag("Colgroup")
Data = _tag("Data")
Datalist = _tag("Datalist")
Dd = _tag("Dd")
Del = _tag("Del")
Details = _tag("Details")
Dfn = _tag("Dfn")
Dialog = _tag("Dialog")
Div = _tag("Div")
Dl = _tag("Dl")
Dt = _tag("Dt")
Em = _tag("Em")
Embed = _tag("Embed")
Fencedframe = _tag("Fencedframe")
Fieldset = _tag("Fieldset")
Figcaption = _tag("Figcaption")
Figure = _tag("Figure")
Footer = _tag("Footer")
H1 = _tag("H1")
H2 = _tag("H2")
H3 = _tag("H3")
H4 = _tag("H4")
H5 = _tag("H5")
H6 = _tag("H6")
Head = _tag("Head")
Header = _tag("Header")
Hgroup = _tag("Hgroup")
Hr = _tag("Hr")
I = _tag("I")  # noqa: E741
Iframe = _tag("Iframe")
Img = _tag("Img")
Input = _tag("Input")
Ins = _tag("Ins")
Kbd = _tag("Kbd")
Label = _tag("Label")
Legend = _tag("Legend")
Li = _tag("Li")
Link = _tag("Link")
Main = _tag("Main")
Map = _tag("Map")
Mark = _tag("Mark")
Math = _tag("Math")
Menu = _tag("Menu")
Meta = _tag("Meta")
Meter = _tag("Meter")
Nav = _tag("Nav")
Noscript = _tag("Noscript")
Object = _tag("Object")
Ol = _tag("Ol")
Optgroup = _tag("Optgroup")
Option = _tag("Option")
Output = _tag("Output")
P = _tag("P")
Param = _tag("Param")
Picture = _tag("Picture")
PortalExperimental = _tag("PortalExperimental")
Pre = _tag("Pre")
Progress = _tag("Progress")
Q = _tag("Q")
Rp = _tag("Rp")
Rt = _tag("Rt")
Ruby = _tag("Ruby")
S = _tag("S")
Samp = _tag("Samp")
Script = _tag("Script")
Search = _tag("Search")
Section = _tag("Section")
Select = _tag("Select")
Slot = _tag("Slot")
Small = _tag("Small")
Source = _tag("Source")
Span = _tag("Span")
Strike = _tag("Strike")
Strong = _tag("Strong")
Style = _tag("Style")
Sub = _tag("Sub")
Summary = _tag("Summary")
Sup = _tag("Sup")
Svg = _tag("Svg")
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
Track = _tag("Track")
U = _tag("U")
Ul = _tag("Ul")
Var = _tag("Var")
Video = _tag("Video")
Wbr = _tag("Wbr")
HxPartial = _tag("HxPartial", "hx-partial")  # htmx 4's <hx-partial>
