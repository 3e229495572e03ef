"""Out-of-band marking: the top-level elements of a fragment that have an id get `hx-swap-oob="true"`.

htmx 2's ws extension swaps every top-level element of a frame into the
element with the same id. htmx 4's hx-ws puts a frame into its connect
element instead, except elements that carry `hx-swap-oob`. Marked, a frame
swaps by id under both; htmx 2 reads the mark as its own default.

Left as they are: elements that already say how they swap (`hx-swap-oob`),
htmx 4 partials (`<hx-partial>`, `<template hx>`), elements without an id,
text, and everything below the top level. Components are marked while they
render (the renderer knows which elements are on top); HTML text is parsed,
and only when it can hold an element.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from html.parser import HTMLParser
from typing import Any

from .attributes import Dialect
from .ft import FT, VOID_TAGS, Safe, to_html

__all__ = ["OOB", "mark_oob", "to_oob_html"]

OOB = "hx-swap-oob"
_OWN_SWAP = (OOB, "data-hx-swap-oob")


def _wants_mark(tag: str, attrs: Any) -> bool:
    """A top-level element htmx 2 would swap by id and htmx 4 would not, unless marked."""
    if not attrs.get("id") or any(name in attrs for name in _OWN_SWAP) or tag.startswith("hx-"):
        return False
    return not (tag == "template" and ("hx" in attrs or "data-hx" in attrs))  # an htmx 4 partial


def to_oob_html(content: Iterable[Any], prefix: str = "", dialect: Dialect | None = None) -> str:
    """Render what `send(*content)` got, its top-level elements marked (the elements are not changed)."""
    out = []
    for item in content:
        if isinstance(item, FT):
            if _wants_mark(item.tag, item.attrs):
                item = FT(item.tag, item.children, {**item.attrs, OOB: "true"})
            out.append(to_html(item, prefix, dialect))
        elif item is None or item is False:
            continue
        elif type(item) in (list, tuple) or (hasattr(item, "__iter__") and hasattr(item, "__next__")):
            out.append(to_oob_html(item, prefix, dialect))  # a nested list's items are still on top
        elif isinstance(item, Safe) or (not isinstance(item, str) and hasattr(item, "__html__")):
            out.append(mark_oob(to_html(item, prefix, dialect)))  # HTML text: parse it
        else:
            out.append(to_html(item, prefix, dialect))  # escaped text: no element in it
    return "".join(out)


class _TopLevelTags(HTMLParser):
    """Where the start tags of top-level elements are: ((line, column), tag, attributes, tag text)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.found: list[tuple[tuple[int, int], str, dict[str, str | None], str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth == 0:
            self.found.append((self.getpos(), tag, dict(attrs), self.get_starttag_text() or ""))
        if tag not in VOID_TAGS:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:  # `<div/>` comes here too, right after its start tag
        if tag not in VOID_TAGS and self.depth:
            self.depth -= 1


def _is_json(text: str) -> bool:
    """htmx 4 reads a JSON frame as data (`{"content": ...}`): its text is not ours to mark."""
    if text[:1] not in ("{", "["):
        return False
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def mark_oob(html: str) -> str:
    """`html` with its top-level elements marked; the rest of the text is kept byte for byte."""
    if "<" not in html or _is_json(html.strip()):
        return html
    parser = _TopLevelTags()
    parser.feed(html)
    parser.close()
    marks = [(position, tag, text) for position, tag, attrs, text in parser.found if _wants_mark(tag, attrs)]
    if not marks:
        return html
    line_starts = [0]
    if "\n" in html:
        line_starts += [i + 1 for i, ch in enumerate(html) if ch == "\n"]
    out, done = [], 0
    for (line, column), tag, text in marks:
        start = line_starts[line - 1] + column
        # Before the closing `>`, which keeps every attribute as it was; right after the tag's name
        # when the tag ends in `/>` (an unquoted value may end in that `/`).
        at = start + (1 + len(tag) if text.endswith("/>") else len(text) - 1)
        out += [html[done:at], f' {OOB}="true"']
        done = at
    out.append(html[done:])
    return "".join(out)
