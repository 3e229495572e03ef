"""An inert copy of a served page: what a saved notebook shows where the live page cannot run.

nbconvert's HTML, nbviewer and GitHub drop scripts and iframes, and a reopened
notebook has no server yet. So each page output carries the page's body as it
was served, with everything active taken out: scripts, frames, event handlers,
htmx attributes, links and form targets.
"""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser

__all__ = ["MAX_SNAPSHOT", "inert_body"]

MAX_SNAPSHOT = 100_000  # characters of page HTML kept in an output
_DROPPED_ELEMENTS = frozenset({"script", "style", "iframe", "object", "embed", "template", "noscript", "head",
                               "frame", "frameset", "link", "meta", "base", "title"})
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
                   "wbr"})
# Ids too: the copy lives in the notebook's own page, where they could clash.
_DROPPED_ATTRIBUTES = frozenset({"id", "href", "src", "srcset", "action", "formaction", "name", "autofocus", "poster"})
_DROPPED_PREFIXES = ("on", "hx-", "ws-", "sse-", "data-")
_FORM_CONTROLS = frozenset({"input", "button", "select", "textarea"})


class _Inert(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping = 0  # depth inside a dropped element

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("html", "body"):
            return
        if tag in _DROPPED_ELEMENTS:
            if tag not in _VOID:
                self.skipping += 1
            return
        if self.skipping:
            return
        kept = [(k, v) for k, v in attrs if k not in _DROPPED_ATTRIBUTES and not k.startswith(_DROPPED_PREFIXES)]
        if tag in _FORM_CONTROLS:
            kept.append(("disabled", None))
        rendered = "".join(f" {k}" if v is None else f' {k}="{escape(v)}"' for k, v in kept)
        self.out.append(f"<{tag}{rendered}>")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED_ELEMENTS:
            if tag not in _VOID and self.skipping:
                self.skipping -= 1
            return
        if not self.skipping and tag not in ("body", "html") and tag not in _VOID:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out.append(escape(data, quote=False))


def inert_body(page: str) -> str:
    """The body of `page` (an HTML document or fragment) with nothing left that runs or navigates."""
    parser = _Inert()
    parser.feed(page[:MAX_SNAPSHOT])
    parser.close()
    return "".join(parser.out).strip()
