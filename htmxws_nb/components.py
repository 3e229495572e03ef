"""HTML components: Python calls that build HTML, FastHTML style.

`Div('hi', id='x', hx_ext='ws')` builds an element; `to_html()` renders it.
Keyword names map to attribute names the way FastHTML maps them (`cls` →
`class`, `_for`/`fr` → `for`, `_` → `-`, `True` → a bare attribute,
`False`/`None` → left out), and an `id` on a form control also becomes its
`name`, so the htmx ws extension sends the control's value under that name.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from html import escape
from typing import Any

__all__ = [
    "FT", "Safe", "NotStr", "to_html", "to_xml", "Titled", "ft", "URL_ATTRIBUTES",
    "A", "Abbr", "Article", "Aside", "B", "Blockquote", "Body", "Br", "Button", "Canvas",
    "Caption", "Code", "Col", "Colgroup", "Details", "Dialog", "Div", "Dl", "Dd", "Dt", "Em",
    "Fieldset", "Figcaption", "Figure", "Footer", "Form", "H1", "H2", "H3", "H4", "H5", "H6",
    "Head", "Header", "Hr", "Html", "I", "Iframe", "Img", "Input", "Label", "Legend", "Li",
    "Link", "Main", "Mark", "Meta", "Nav", "Noscript", "Ol", "Optgroup", "Option", "Output",
    "P", "Pre", "Progress", "Script", "Section", "Select", "Small", "Source", "Span", "Strong",
    "Style", "Sub", "Summary", "Sup", "Table", "Tbody", "Td", "Template", "Textarea", "Tfoot",
    "Th", "Thead", "Time", "Title", "Tr", "U", "Ul", "Video",
]

VOID_TAGS = frozenset(
    ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]
)
# Tags whose `id` also becomes their `name` (FastHTML's set), so that
# `Input(id='msg')` is submitted by the browser as `msg`.
NAMED_TAGS = frozenset(
    ["a", "button", "form", "frame", "iframe", "img", "input", "map", "meta", "object", "param", "select", "textarea"]
)
# Elements whose text must not be escaped: the browser reads it raw.
RAW_TEXT_TAGS = frozenset({"script", "style"})
_SPECIAL_TAGS = VOID_TAGS | RAW_TEXT_TAGS
# Attributes that hold a URL. Under a path prefix (a proxy), root-relative
# values of these are rendered with the prefix in front.
URL_ATTRIBUTES = frozenset({
    "href", "src", "action", "formaction", "poster", "ws-connect", "sse-connect",
    "hx-get", "hx-post", "hx-put", "hx-patch", "hx-delete", "data-live",
})
_ATTRIBUTE_ALIASES = {"cls": "class", "klass": "class", "_class": "class", "fr": "for", "_for": "for"}


class Safe(str):
    """Text that is already HTML and is rendered as is (never escaped)."""

    def __html__(self) -> str:
        return self


NotStr = Safe  # FastHTML's name for the same idea


def _map_name(key: str) -> str:
    if key in _ATTRIBUTE_ALIASES:
        return _ATTRIBUTE_ALIASES[key]
    if key.startswith("_at_"):
        return "@" + key[4:].replace("_", "-")
    return key.lstrip("_").replace("_", "-")


_names: dict[str, str] = {}  # keyword → attribute name; pages use a few dozen keywords, over and over


def attribute_name(key: str) -> str:
    """Map a Python keyword to an HTML attribute name."""
    name = _names.get(key)
    if name is None:
        name = _names[key] = _map_name(key)
    return name


def attribute_value(value: Any) -> str | bool | None:
    """Map a Python value to an attribute value: `True` is bare, `False`/`None` omitted."""
    if type(value) is str:
        return value
    if value is None or value is False:
        return None
    if value is True:
        return True
    if isinstance(value, Mapping):
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value if v)
    return str(value)


class FT:
    """One HTML element: a tag, its children and its attributes."""

    __slots__ = ("attrs", "children", "tag")

    def __init__(self, tag: str, children: Iterable[Any] = (), attrs: dict[str, Any] | None = None) -> None:
        self.tag = tag
        self.children = children if type(children) is list else list(children)
        self.attrs: dict[str, Any] = {} if attrs is None else attrs

    def __call__(self, *children: Any, **attrs: Any) -> FT:
        """Add children and attributes: `Div(id='x')('text')`."""
        self.children.extend(children)
        for key, value in attrs.items():
            self.set(key, value)
        return self

    def set(self, key: str, value: Any) -> None:
        name = attribute_name(key)
        mapped = attribute_value(value)
        if mapped is None:
            self.attrs.pop(name, None)
        else:
            self.attrs[name] = mapped

    def get(self, key: str, default: Any = None) -> Any:
        return self.attrs.get(attribute_name(key), default)

    @property
    def id(self) -> str | None:
        return self.attrs.get("id")

    def __getattr__(self, key: str) -> Any:
        if key.startswith("__"):
            raise AttributeError(key)
        return self.attrs.get(attribute_name(key))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FT) and (self.tag, self.children, self.attrs) == (
            other.tag, other.children, other.attrs)

    __hash__ = None  # type: ignore[assignment]

    def __html__(self) -> str:
        return to_html(self)

    def __str__(self) -> str:
        return to_html(self)

    def _repr_html_(self) -> str:
        return to_html(self)

    def __repr__(self) -> str:
        return f"<FT {to_html(self)[:200]}>"


def ft(tag: str, *children: Any, **attrs: Any) -> FT:
    """Build an element of any tag, with FastHTML's attribute mapping.

    Dicts among the children are attributes too. This runs for every element
    of every page and frame (the tutorial's chat builds its whole list once per
    user per message), so the common case, children and no attributes, is short.
    """
    if not attrs:
        for child in children:
            if type(child) is not str and not isinstance(child, FT) and isinstance(child, Mapping):
                break
        else:
            return FT(tag, list(children), {})
    kids = []
    for child in children:
        if not isinstance(child, (str, FT)) and isinstance(child, Mapping):
            attrs = {**attrs, **child}
        else:
            kids.append(child)
    mapped: dict[str, Any] = {}
    names = _names
    for key, value in attrs.items():
        name = names.get(key) or attribute_name(key)
        if type(value) is not str:
            value = attribute_value(value)
            if value is None:
                continue
        mapped[name] = value
    if tag in NAMED_TAGS and "id" in mapped and "name" not in mapped:
        mapped["name"] = mapped["id"]
    return FT(tag, kids, mapped)


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


def _needs_escape(text: str) -> bool:
    return "<" in text or "&" in text or ">" in text


def _render_attrs(attrs: dict[str, Any], prefix: str) -> str:
    parts = []
    for name, value in attrs.items():
        if value is True:
            parts.append(" " + name)
            continue
        if prefix and name in URL_ATTRIBUTES and value.startswith("/") and not value.startswith("//"):
            value = prefix + value
        if "&" in value or "<" in value or ">" in value or '"' in value or "'" in value:
            value = escape(value, quote=True)
        parts.append(f' {name}="{value}"')
    return "".join(parts)


def _render(node: Any, out: list[str], prefix: str, raw: bool) -> None:
    kind = type(node)
    if kind is str:  # the commonest child: text
        out.append(node if raw or not _needs_escape(node) else escape(node, quote=False))
    elif kind is FT or isinstance(node, FT):
        tag = node.tag
        attrs = node.attrs
        out.append(f"<{tag}{_render_attrs(attrs, prefix)}>" if attrs else f"<{tag}>")
        if tag in VOID_TAGS:
            return
        inner_raw = tag in RAW_TEXT_TAGS
        for child in node.children:
            kind = type(child)
            if kind is str and not inner_raw:  # text, the commonest child: no call
                out.append(escape(child, quote=False) if "<" in child or "&" in child or ">" in child else child)
            elif kind is FT and not child.attrs and len(child.children) == 1 and type(child.children[0]) is str \
                    and child.tag not in _SPECIAL_TAGS:  # `Li(m)`, the commonest element: no call either
                text = child.children[0]
                if "<" in text or "&" in text or ">" in text:
                    text = escape(text, quote=False)
                out.append(f"<{child.tag}>{text}</{child.tag}>")
            else:
                _render(child, out, prefix, inner_raw)
        out.append(f"</{tag}>")
    elif node is None or node is False:
        return
    elif kind is list or kind is tuple or (hasattr(node, "__iter__") and hasattr(node, "__next__")):
        for child in node:
            _render(child, out, prefix, raw)
    elif isinstance(node, str):
        out.append(node if raw or isinstance(node, Safe) else escape(node, quote=False))
    elif hasattr(node, "__html__"):
        out.append(node.__html__())
    else:
        text = str(node)
        out.append(text if raw else escape(text, quote=False))


def to_html(node: Any, prefix: str = "") -> str:
    """Render components (or strings, or lists of them) to an HTML string.

    `prefix` is put before root-relative URLs in URL attributes (see
    `URL_ATTRIBUTES`); it is how pages served under a proxy path keep working.
    """
    out: list[str] = []
    _render(node, out, prefix.rstrip("/") if prefix else "", False)
    return "".join(out)


to_xml = to_html  # FastHTML's name
