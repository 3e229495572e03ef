"""Pico CSS helpers (`fasthtml.pico`): the stylesheet links and the components Pico styles.

The stylesheet is vendored (`assets/pico.min.css`, @anyblades/pico 2.5.0, MIT,
licence beside it): the fork FastHTML 0.14 links from a CDN as
`@anyblades/pico@latest`, so pages look as they do under FastHTML today,
served by the app itself.
"""

from __future__ import annotations

from typing import Any

from .assets import ASSETS_PATH
from .ft import FT
from .scripts import HtmxOn
from .tags import Article, Dialog, Div, Fieldset, Footer, Header, Link, Main, Style
from .xtend import Form

__all__ = [
    "Card", "Container", "DialogX", "Grid", "Group", "PicoBusy", "Search", "picocondcss", "picocondlink", "picocss",
    "picolink", "set_pico_cls",
]

picocss = f"{ASSETS_PATH}/pico.min.css"
picocondcss = f"{ASSETS_PATH}/pico.conditional.min.css"
_FONT_SIZE = ":root { --pico-font-size: 100%; }"
picolink = (Link(rel="stylesheet", href=picocss), Style(_FONT_SIZE))
picocondlink = (Link(rel="stylesheet", href=picocondcss), Style(_FONT_SIZE))


def Card(*children: Any, header: Any = None, footer: Any = None, **attrs: Any) -> FT:
    """A Pico card: an `<article>` with an optional `<header>` and `<footer>`."""
    parts = (Header(header),) if header else ()
    parts += children
    if footer:
        parts += (Footer(footer),)
    return Article(*parts, **attrs)


def Group(*children: Any, **attrs: Any) -> FT:
    """A Pico group: `<fieldset role="group">`."""
    return Fieldset(*children, role="group", **attrs)


def Search(*children: Any, **attrs: Any) -> FT:
    """A Pico search form: `<form role="search">`."""
    return Form(*children, role="search", **attrs)


def Grid(*children: Any, cls: str = "grid", **attrs: Any) -> FT:
    """A Pico grid: each child in its own `<div>` inside `<div class="grid">` (lists are left as they are)."""
    return Div(*(c if isinstance(c, list) else Div(c) for c in children), cls=cls, **attrs)


def DialogX(*children: Any, open: Any = None, header: Any = None, footer: Any = None, id: Any = None,
            **attrs: Any) -> FT:
    """A Pico modal: a `<dialog>` holding a `Card`."""
    return Dialog(Card(*children, header=header, footer=footer, **attrs), open=open, id=id)


def Container(*children: Any, **attrs: Any) -> FT:
    """A Pico container: `<main class="container">`."""
    return Main(*children, cls="container", **attrs)


def PicoBusy() -> tuple[FT, FT]:
    """Scripts that mark the element making an htmx request `aria-busy` while it runs (need surreal.js)."""
    elt = "(event.detail.ctx?.sourceElement || event.detail.elt)"
    return (HtmxOn("beforeRequest", f"{elt}.setAttribute('aria-busy', 'true' )"),
            HtmxOn("afterRequest", f"{elt}.setAttribute('aria-busy', 'false')"))


def set_pico_cls() -> Any:
    """Javascript for a notebook: give its output cells the `pico` class, so conditional Pico styles them."""
    from IPython.display import Javascript

    return Javascript("""var sel = '.cell-output, .output_area';
document.querySelectorAll(sel).forEach(e => e.classList.add('pico'));
new MutationObserver(ms => {
  ms.forEach(m => {
    m.addedNodes.forEach(n => {
      if (n.nodeType === 1) {
        if (n.matches(sel)) n.classList.add('pico');
        n.querySelectorAll(sel).forEach(e => e.classList.add('pico'));
      }
    });
  });
}).observe(document.body, { childList: true, subtree: true });""")
