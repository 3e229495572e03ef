"""`fasthtml.components`' helpers: `ft_hx`/`ft_html`, filling forms from objects, finding inputs, custom tags."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .ft import FT, NAMED_TAGS, NotStr, ft, to_html

__all__ = ["File", "custom_tag", "fill_dataclass", "fill_form", "find_inputs", "ft_html", "ft_hx", "named",
           "sse_message"]

named = set(NAMED_TAGS)  # FastHTML's name for the tags whose id is also their name


def ft_html(tag: str, *children: Any, id: Any = None, cls: Any = None, title: Any = None, style: Any = None,
            **attrs: Any) -> FT:
    """Any element, with FastHTML's attribute mapping (as `ft`)."""
    return ft(tag, *children, **attrs, id=id, cls=cls, title=title, style=style)


def ft_hx(tag: str, *children: Any, target_id: str | None = None, hx_vals: Any = None, hx_target: Any = None,
          **attrs: Any) -> FT:
    """Any element, with the htmx conveniences (`hx_vals` dicts as JSON, `target_id`): `ft` does them all."""
    return ft(tag, *children, hx_vals=hx_vals, hx_target=hx_target, target_id=target_id, **attrs)


def custom_tag(name: str) -> Callable[..., FT]:
    """A tag function for any element name: `Sl_button` → `<sl-button>`, `MyWidget` → `<my-widget>`."""
    tag = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", name).replace("_", "-").lower()

    def make(*children: Any, **attrs: Any) -> FT:
        return ft(tag, *children, **attrs)

    make.__name__ = make.__qualname__ = name
    return make


def File(fname: str | Path) -> NotStr:
    """The text of file `fname`, inserted as raw HTML."""
    return NotStr(Path(fname).read_text())


def fill_form(form: FT, obj: Any) -> FT:
    """A copy of `form` with its named controls filled from `obj` (a dict, a dataclass or any object).

    Inputs get a `value`, checkboxes and radios `checked`, textareas their
    text, options `selected`; controls with a `skip` attribute are left alone.
    """
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        values = dataclasses.asdict(obj)
    else:
        values = obj if isinstance(obj, dict) else vars(obj)
    return _fill(form, values)


def _fill(item: Any, values: dict[str, Any]) -> Any:
    if isinstance(item, (tuple, list)):  # e.g. CheckboxX's pair
        return type(item)(_fill(child, values) for child in item)
    if not isinstance(item, FT):
        return item
    children = [_fill(child, values) for child in item.children]
    attrs = dict(item.attrs)
    name = attrs.get("name")
    value = values.get(name) if name is not None else None
    if value is not None and "skip" not in attrs:
        if item.tag == "input":
            _fill_input(attrs, value)
        elif item.tag == "textarea":
            children = [value]
        elif item.tag == "select":
            chosen = value if isinstance(value, list) else [value]
            children = [_select(option, chosen) for option in children]
    return FT(item.tag, children, attrs)


def _fill_input(attrs: dict[str, Any], value: Any) -> None:
    kind = attrs.get("type", "")
    if kind == "checkbox":
        on = attrs.get("value") in value if isinstance(value, list) else bool(value)
    elif kind == "radio":
        on = bool(value) and value == attrs.get("value")
    else:
        attrs["value"] = str(value)
        return
    if on:
        attrs["checked"] = "1"
    else:
        attrs.pop("checked", None)


def _select(option: Any, chosen: list[Any]) -> Any:
    if isinstance(option, FT) and option.tag == "option" and option.attrs.get("value") in chosen:
        return FT("option", option.children, {**option.attrs, "selected": "1"})
    return option


def fill_dataclass(src: Any, dest: Any) -> Any:
    """Copy the fields of dataclass `src` onto `dest` (in place) and return `dest`."""
    for name, value in dataclasses.asdict(src).items():
        setattr(dest, name, value)
    return dest


def find_inputs(e: Any, tags: str | list[str] | None = "input", **attrs: Any) -> list[FT]:
    """Every element under `e` with one of `tags` whose attributes include `attrs`."""
    if not isinstance(e, (list, tuple, FT)):
        return []
    wanted = [tags] if isinstance(tags, str) else list(tags or [])
    found = []
    if isinstance(e, FT) and e.tag in wanted and attrs.items() <= e.attrs.items():
        found.append(e)
    for child in e.children if isinstance(e, FT) else e:
        found += find_inputs(child, wanted, **attrs)
    return found


def sse_message(elm: Any, event: str = "message") -> str:
    """`elm` as one server-sent event (for `EventStream`): its HTML on `data:` lines."""
    data = "\n".join(f"data: {line}" for line in to_html(elm).splitlines())
    return f"{data}\n\n" if event == "message" else f"event: {event}\n{data}\n\n"
