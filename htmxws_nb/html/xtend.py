"""Tags with FastHTML's defaults, and small page helpers (`fasthtml.xtend`'s page-level names).

`Form` gets `enctype="multipart/form-data"`, `A` gets `href="#"`, `Html` is
preceded by the doctype, as FastHTML renders them (pass `enctype=None`,
`href=None` or `doctype=False` to leave them out).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from .ft import DOCTYPE, FT, Safe, ft
from .tags import H1, Div, Iframe, Input, Label, Link, Main, Meta, Title

__all__ = [
    "A", "AX", "CheckboxX", "Favicon", "Form", "Fragment", "Hidden", "Html", "Nbsp", "Socials", "Titled",
    "YouTubeEmbed", "clear",
]

# Partials keep the default first among the attributes, where FastHTML puts it.
Form = partial(ft, "form", enctype="multipart/form-data")
Form.__doc__ = "A `<form>`; `enctype` defaults to multipart/form-data, as in FastHTML."


def A(*children: Any, hx_get: str | None = None, target_id: str | None = None, hx_swap: str | None = None,
      href: str | None = "#", **attrs: Any) -> FT:
    """An `<a>` whose `href` defaults to `#` (for links that only do htmx)."""
    return ft("a", *children, href=href, hx_get=hx_get, target_id=target_id, hx_swap=hx_swap, **attrs)


def AX(txt: Any, hx_get: str | None = None, target_id: str | None = None, hx_swap: str | None = None,
       href: str | None = "#", **attrs: Any) -> FT:
    """`A` with one child, and `hx_get`, `target_id`, `hx_swap` as positional parameters."""
    return ft("a", txt, href=href, hx_get=hx_get, target_id=target_id, hx_swap=hx_swap, **attrs)


def Html(*children: Any, doctype: bool = True, **attrs: Any) -> Any:
    """`<html>`, preceded by `<!doctype html>` unless `doctype=False` (a tuple then, as in FastHTML)."""
    page = ft("html", *children, **attrs)
    return (DOCTYPE, page) if doctype else page


def Titled(title: str = "FastHTML app", *children: Any, cls: str = "container", **attrs: Any) -> tuple[FT, FT]:
    """A page's `<title>` plus `<main class="container"><h1>title</h1>…</main>`."""
    return Title(title), Main(H1(title), *children, cls=cls, **attrs)


def Hidden(value: Any = "", id: Any = None, **attrs: Any) -> FT:
    """`<input type="hidden">`."""
    return Input(type="hidden", value=value, id=id, **attrs)


def CheckboxX(checked: bool = False, label: Any = None, value: str = "1", id: str | None = None,
              name: str | None = None, **attrs: Any) -> tuple[FT, FT]:
    """A checkbox (inside a `<label>` if given one) after a hidden input of the same name.

    The hidden input makes an unchecked box submit an empty value; `fill_form`
    skips it.
    """
    name = name or id
    box = Input(type="checkbox", id=id, name=name, checked=checked or None, value=value, **attrs)
    return Hidden(name=name, skip=True, value=""), (Label(box, label) if label else box)


class Fragment(FT):
    """Children without an element around them."""

    __slots__ = ()

    def __init__(self, *children: Any) -> None:
        super().__init__("", list(children))


def Nbsp() -> Safe:
    """A non-breaking space."""
    return Safe("&nbsp;")


def clear(id: str) -> FT:
    """An out-of-band swap that empties the element `id`."""
    return Div(hx_swap_oob="innerHTML", id=id)


def Favicon(light_icon: str, dark_icon: str) -> tuple[FT, FT]:
    """Favicons for light and dark colour schemes."""
    return (Link(rel="icon", type="image/x-ico", href=light_icon, media="(prefers-color-scheme: light)"),
            Link(rel="icon", type="image/x-ico", href=dark_icon, media="(prefers-color-scheme: dark)"))


def Socials(title: str, site_name: str, description: str, image: str, url: str | None = None, w: int = 1200,
            h: int = 630, twitter_site: str | None = None, creator: str | None = None,
            card: str = "summary") -> tuple[FT, ...]:
    """Open Graph and Twitter card `<meta>` tags."""
    url = url or site_name
    if not url.startswith("http"):
        url = f"https://{url}"
    if not image.startswith("http"):
        image = f"{url}{image}"
    og = {"image": image, "site_name": site_name, "image:type": "image/png", "image:width": w, "image:height": h,
          "type": "website", "url": url, "title": title, "description": description}
    twitter = {"image": image, "card": card, "title": title, "description": description, "site": twitter_site,
               "creator": creator}
    return (*(Meta(property=f"og:{k}", content=v) for k, v in og.items()),
            *(Meta(name=f"twitter:{k}", content=v) for k, v in twitter.items() if v is not None))


def YouTubeEmbed(video_id: str, *, width: int = 560, height: int = 315, start_time: int = 0,
                 no_controls: bool = False, title: str = "YouTube video player", cls: str = "", **attrs: Any) -> FT:
    """A YouTube player in an iframe (it loads from youtube.com, as the program asks)."""
    if not video_id or not isinstance(video_id, str):
        raise ValueError("A valid YouTube video ID is required")
    params = [p for p, on in ((f"start={start_time}", start_time > 0), ("controls=0", no_controls)) if on]
    query = "?" + "&".join(params) if params else ""
    return Div(Iframe(width=width, height=height, src=f"https://www.youtube.com/embed/{video_id}{query}", title=title,
                      frameborder="0", allow="accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; "
                      "picture-in-picture; web-share", referrerpolicy="strict-origin-when-cross-origin",
                      allowfullscreen="", **attrs), cls=cls)
