"""An HTML element (`FT`), how one is built (`ft`), and how it renders (`to_html`).

`Div('hi', id='x', hx_ext='ws')` builds an element and `to_html()` renders it.
An `id` on a form control also becomes its `name`, so the htmx ws extension
sends the control's value under that name (FastHTML does the same).

Building and rendering run for every element of every page and frame (the
tutorial's chat builds its whole message list once per user per message), so
the common cases (text children, no attributes) take the short paths.

Foreign objects render the way FastHTML (fastcore.xml) renders them: an object
with `__ft__` is converted first, one with `__html__` goes in raw, fastcore's
`FT` is rendered as an element and fastcore's `NotStr` (not a `str`) raw. Our
`FT` in turn has `__ft__`, so fastcore's `to_xml` renders it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

from .attributes import URL_ATTRIBUTES, Dialect, attribute_name, attribute_value, name_cache

__all__ = ["DOCTYPE", "DOCTYPE_TEXT", "FT", "NotStr", "Safe", "ft", "to_html", "to_xml"]

VOID_TAGS = frozenset(["area", "base", "br", "col", "command", "embed", "hr", "img", "input", "keygen", "link", "meta",
                       "param", "source", "track", "wbr"])
# Tags whose `id` also becomes their `name` (FastHTML's set), so that
# `Input(id='msg')` is submitted by the browser as `msg`.
NAMED_TAGS = frozenset(
    ["a", "button", "form", "frame", "iframe", "img", "input", "map", "meta", "object", "param", "select", "textarea"]
)
# Elements whose text must not be escaped: the browser reads it raw.
RAW_TEXT_TAGS = frozenset({"script", "style"})
_SPECIAL_TAGS = VOID_TAGS | RAW_TEXT_TAGS


class Safe(str):
    """Text that is already HTML and is rendered as is (never escaped)."""

    def __html__(self) -> str:
        return self


NotStr = Safe  # FastHTML's name for the same idea

DOCTYPE_TEXT = "<!doctype html>"
DOCTYPE = Safe(DOCTYPE_TEXT)


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
            self._set_attr(key, value)
        return self

    def set(self, *children: Any, **attrs: Any) -> FT:
        """Replace the children (if any are given) and the attributes but `id` and `name` (if any), as FastHTML."""
        if children:
            self.children = list(children)
        if attrs:
            self.attrs = {k: v for k, v in self.attrs.items() if k in ("id", "name")}
            for key, value in attrs.items():
                self._set_attr(key, value)
        return self

    def _set_attr(self, key: str, value: Any) -> None:
        name = attribute_name(key)
        mapped = _value(name, value)
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

    @property
    def list(self) -> list[Any]:
        """`[tag, children, attrs]`, as fastcore's FT has it."""
        return [self.tag, self.children, self.attrs]

    def __iter__(self) -> Any:
        return iter(self.children)

    def __getitem__(self, index: int) -> Any:
        return self.children[index]

    def __html__(self) -> str:
        return to_html(self)

    def __ft__(self) -> Safe:
        """What fastcore's `to_xml` renders for us: our HTML, already safe."""
        return Safe(to_html(self))

    def __str__(self) -> str:
        """The element's id if it has one, else its HTML: FastHTML's rule (`hx_target=f'#{elt}'`)."""
        return self.attrs.get("id") or to_html(self)

    def __add__(self, other: Any) -> str:
        return f"{self}{other}"

    def __radd__(self, other: Any) -> str:
        return f"{other}{self}"

    def _repr_html_(self) -> str:
        return to_html(self)

    def __repr__(self) -> str:
        return f"<FT {to_html(self)[:200]}>"


_new = object.__new__


def ft(tag: str, *children: Any, **attrs: Any) -> FT:
    """Build an element of any tag, with FastHTML's attribute mapping; dicts among the children are attributes."""
    if not attrs:
        for child in children:
            if type(child) is not str and not isinstance(child, FT) and isinstance(child, Mapping):
                break
        else:  # the commonest element: children only (made without a call to __init__)
            node = _new(FT)
            node.tag = tag
            node.children = [*children]
            node.attrs = {}
            return node
    kids = []
    for child in children:
        if not isinstance(child, (str, FT)) and isinstance(child, Mapping):
            attrs = {**attrs, **child}
        else:
            kids.append(child)
    mapped: dict[str, Any] = {}
    for key, value in attrs.items():
        name = name_cache.get(key) or attribute_name(key)
        if type(value) is not str:
            value = _value(name, value)
            if value is None:
                continue
        mapped[name] = value
    if "target-id" in mapped:  # FastHTML's `target_id='x'` is `hx_target='#x'`
        mapped["hx-target"] = "#" + str(mapped.pop("target-id"))
    if tag in NAMED_TAGS and "id" in mapped and "name" not in mapped:
        mapped["name"] = mapped["id"]
    return FT(tag, kids, mapped)


def _value(name: str, value: Any) -> str | bool | None:
    """A non-str attribute value; an element stands for its id (`#id` as an `hx-target`), as in FastHTML."""
    if isinstance(value, FT):
        return ("#" if name == "hx-target" else "") + str(value.attrs.get("id", ""))
    return attribute_value(value, name)


def _render_attrs(attrs: dict[str, Any], prefix: str) -> str:
    key = (prefix, *attrs.items())
    html = _ATTRIBUTES.get(key)
    if html is None:
        if len(_ATTRIBUTES) >= _REMEMBERED:
            _ATTRIBUTES.clear()
        html = _ATTRIBUTES[key] = _attributes_html(attrs, prefix)
    return html


def _attributes_html(attrs: dict[str, Any], prefix: str) -> str:
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


# Rendering remembers what pages and frames repeat (the chat renders the same list once per user):
# tag → text → "<tag>text</tag>", for elements that are one text and nothing else, and
# (prefix, *attributes) → ' name="value" ...'. Each forgets all once it holds _REMEMBERED entries.
_TEXT_ELEMENTS: dict[str, dict[str, str]] = {}
_ATTRIBUTES: dict[tuple[Any, ...], str] = {}
_REMEMBERED = 4096


def _text_element(tag: str, text: str, prefix: str, dialect: Dialect | None) -> str:
    """`<tag>text</tag>`, remembered for the next time (the prefix and dialect change attributes only, and
    such elements have none; raw-text and void elements take the general path and are not remembered)."""
    if tag in _SPECIAL_TAGS:
        out: list[str] = []
        _render(FT(tag, [text], {}), out, prefix, False, dialect)
        return "".join(out)
    html = f"<{tag}>{escape(text, quote=False) if '<' in text or '&' in text or '>' in text else text}</{tag}>"
    by_text = _TEXT_ELEMENTS.setdefault(tag, {})
    if len(by_text) >= _REMEMBERED:
        by_text.clear()
    by_text[text] = html
    return html


def _render(node: Any, out: list[str], prefix: str, raw: bool, dialect: Dialect | None) -> None:
    kind = type(node)
    if kind is str:  # the commonest child: text
        out.append(node if raw or ("<" not in node and "&" not in node and ">" not in node)
                   else escape(node, quote=False))
    elif kind is FT or (isinstance(node, FT) and node.tag):
        tag = node.tag
        attrs = node.attrs
        if attrs:
            out.append(f"<{tag}{_render_attrs(attrs if dialect is None else dialect.apply(attrs), prefix)}>")
        else:
            out.append(f"<{tag}>")
        if tag in VOID_TAGS:  # children of a void element follow it, as in FastHTML
            for child in node.children:
                _render(child, out, prefix, raw, dialect)
            return
        inner_raw = tag in RAW_TEXT_TAGS
        for child in node.children:
            kind = type(child)
            if kind is str and not inner_raw:  # text, the commonest child: no call
                out.append(escape(child, quote=False) if "<" in child or "&" in child or ">" in child else child)
            elif kind is FT and not child.attrs and len(kids := child.children) == 1 and type(kids[0]) is str:
                # `Li(m)`, the commonest element: rendered once per tag and text (the chat renders the same
                # list for every user), no call
                by_text = _TEXT_ELEMENTS.get(child.tag)
                html = by_text.get(kids[0]) if by_text is not None else None
                out.append(html if html is not None else _text_element(child.tag, kids[0], prefix, dialect))
            else:
                _render(child, out, prefix, inner_raw, dialect)
        out.append(f"</{tag}>")
    elif node is None or node is False:
        return
    elif kind is list or kind is tuple or (hasattr(node, "__iter__") and hasattr(node, "__next__")):
        for child in node:
            _render(child, out, prefix, raw, dialect)
    elif isinstance(node, FT):  # a fragment: an element without a tag
        for child in node.children:
            _render(child, out, prefix, raw, dialect)
    elif hasattr(node, "__ft__"):  # converted first, as fastcore does (it wins over `__html__`)
        _render(node.__ft__(), out, prefix, raw, dialect)
    elif _is_fastcore_ft(node):  # as our element: our URL prefix applies inside it too
        _render(_from_fastcore(node), out, prefix, raw, dialect)
    elif hasattr(node, "__html__"):  # our Safe, fastcore's Safe, markupsafe's Markup, ...
        out.append(node.__html__())
    elif isinstance(node, str):
        out.append(node if raw else escape(node, quote=False))
    else:
        _render_foreign(node, out, prefix, raw, dialect)


def _is_fastcore_ft(node: Any) -> bool:
    fastcore_xml = sys.modules.get("fastcore.xml")  # no node is one unless fastcore was imported
    return fastcore_xml is not None and isinstance(node, fastcore_xml.FT)


def _render_foreign(node: Any, out: list[str], prefix: str, raw: bool, dialect: Dialect | None) -> None:
    """fastcore's `L` as a list, its NotStr raw (FastHTML's rules); anything else as escaped text."""
    foundation = sys.modules.get("fastcore.foundation")
    if foundation is not None and isinstance(node, foundation.L):
        for child in node:
            _render(child, out, prefix, raw, dialect)
        return
    basics = sys.modules.get("fastcore.basics")
    text = str(node)
    if raw or (basics is not None and isinstance(node, basics.NotStr)):
        out.append(text)
    else:
        out.append(escape(text, quote=False))


def _from_fastcore(node: Any) -> Any:
    """One of fastcore's elements as ours (its attribute names are already mapped)."""
    tag = node.tag
    if tag == "!doctype":
        return DOCTYPE
    attrs: dict[str, Any] = {}
    for name, value in node.attrs.items():
        mapped = value if type(value) is str else attribute_value(value, name)
        if mapped is not None:
            attrs[name] = mapped
    children = list(node.children)
    return FT(tag, children, attrs) if tag else children


def to_html(node: Any, prefix: str = "", dialect: Dialect | None = None) -> str:
    """Render components (or strings, or lists of them) to an HTML string.

    `prefix` is put before root-relative URLs in URL attributes (see
    `URL_ATTRIBUTES`); it is how pages served under a proxy path keep working.
    `dialect` rewrites attribute names for the client that will read the HTML
    (an htmx 4 page spells `ws-connect` as `hx-ws-connect`).
    """
    out: list[str] = []
    _render(node, out, prefix.rstrip("/") if prefix else "", False, dialect)
    return "".join(out)


def to_xml(*elms: Any, lvl: int = 0, indent: bool = True) -> Safe:
    """FastHTML's `to_xml`: each argument rendered (a `str` argument as it is), joined by newlines.

    Always compact: `indent` and `lvl` are taken for compatibility (FastHTML
    pretty-prints by default; the browser builds the same page either way).
    The result is `Safe`, so it goes into other components unescaped.
    """
    parts = []
    for elm in elms:
        if isinstance(elm, str):
            parts.append(elm)
        elif isinstance(elm, bytes):
            parts.append(elm.decode())
        else:
            out: list[str] = []
            _render(elm, out, "", False, None)
            parts.append("".join(out))
    return Safe("\n".join(parts))
