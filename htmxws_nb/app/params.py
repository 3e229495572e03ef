"""Filling a handler's parameters, the way FastHTML fills them.

A handler's signature is read once, when it is registered, into a
`ParamPlan`: for each parameter, where its value comes from and how it is
cast. Filling then costs a few dict lookups per message, which matters on
the websocket path.

Websocket sources, in order: special names (`ws`, `send`, `data`, `session`,
`scope`, `app`, `state`, `htmx`), path parameters, the JSON payload, the
htmx headers (`hx_trigger` finds `HX-Trigger`), then query parameters.

htmx 4 sends `HX-Source: "tag#id"` instead of htmx 2's `HX-Trigger: "id"`
(and no `HX-Trigger-Name`); `hx_trigger` and `htmx.trigger` then give the id
from `HX-Source`, so handlers written for htmx 2 keep working. Headers htmx 4
does send keep their value as sent (`hx_target`, `htmx.target`: `"div#c"`).
HTTP sources: special names (`request`/`req`, `session`, `scope`, `app`,
`state`, `htmx`), path parameters, query parameters, form fields, cookies,
then headers.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import inspect
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import unquote

from starlette.requests import Request
from starlette.websockets import WebSocket

__all__ = ["HtmxHeaders", "ParamError", "ParamPlan", "Sources", "compile_plan", "element_id", "trigger_from_source"]

_MISSING = object()
_TRUE = frozenset({"1", "true", "on", "yes", "y", "t"})
_FALSE = frozenset({"", "0", "false", "off", "no", "n", "f", "none", "null"})


class ParamError(ValueError):
    """A parameter that is missing or cannot be cast; its text is safe to show a client."""


def element_id(element: str | None) -> str | None:
    """The id in htmx 4's `"tag#id"` (`HX-Source`, `HX-Target`); None for a bare `"tag"`."""
    if not element or "#" not in element:
        return None
    return unquote(element.split("#", 1)[1]) or None  # htmx 4 sends the id URI-encoded


def trigger_from_source(headers: Mapping[str, Any]) -> str | None:
    """What htmx 2 would have sent as `HX-Trigger`, from an htmx 4 request's `HX-Source` (lower-cased names)."""
    if headers.get("hx-trigger") is not None:
        return None
    return element_id(headers.get("hx-source"))


@dataclass(frozen=True)
class HtmxHeaders:
    """The htmx request headers, as attributes (`htmx.trigger`, `htmx.target`, `htmx.source`, ...).

    Values are as sent; under htmx 4 `trigger` is the id from `source`.
    """

    request: str | None = None
    trigger: str | None = None
    trigger_name: str | None = None
    target: str | None = None
    current_url: str | None = None
    prompt: str | None = None
    boosted: str | None = None
    history_restore_request: str | None = None
    source: str | None = None
    request_type: str | None = None

    @classmethod
    def from_headers(cls, headers: Mapping[str, Any]) -> HtmxHeaders:
        """Build from headers whose names are lower-cased (`hx-trigger`)."""
        values = {}
        for field in dataclasses.fields(cls):
            value = headers.get("hx-" + field.name.replace("_", "-"))
            values[field.name] = None if value is None else str(value)
        if values["trigger"] is None:
            values["trigger"] = trigger_from_source(headers)
        return cls(**values)

    def __bool__(self) -> bool:
        return self.request is not None


class Sources:
    """Where one call's values come from: special values by name, then `lookups` in order."""

    __slots__ = ("lookups",)

    lookups: tuple[Mapping[str, Any], ...]

    def specials(self, name: str) -> Any:
        raise NotImplementedError


# -- casting -------------------------------------------------------------------

def _last(value: Any) -> Any:
    return value[-1] if isinstance(value, list) and value else value


def _to_str(value: Any) -> str:
    if type(value) is str:  # the usual case: a form field
        return value
    value = _last(value)
    if isinstance(value, (dict, list)):
        raise ValueError("expected text")
    return str(value)


def _to_int(value: Any) -> int:
    value = _last(value)
    if isinstance(value, bool):
        raise ValueError("expected an integer")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("expected an integer")
        return int(value)
    return int(str(value).strip())


def _to_float(value: Any) -> float:
    value = _last(value)
    if isinstance(value, bool):
        raise ValueError("expected a number")
    return float(str(value).strip()) if isinstance(value, str) else float(value)


def _to_bool(value: Any) -> bool:
    value = _last(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("expected true or false")


_SIMPLE_CASTS: dict[Any, Callable[[Any], Any]] = {
    str: _to_str,
    int: _to_int,
    float: _to_float,
    bool: _to_bool,
    datetime.date: lambda v: datetime.date.fromisoformat(_to_str(v)),
    datetime.datetime: lambda v: datetime.datetime.fromisoformat(_to_str(v)),
}
_TYPE_NAMES = {str: "text", int: "an integer", float: "a number", bool: "true or false"}


def _is_class(annotation: Any) -> bool:
    """A plain class, not a generic alias like `list[int]` (which Python 3.10 calls a `type` too)."""
    return isinstance(annotation, type) and typing.get_origin(annotation) is None


def _optional_inner(annotation: Any) -> tuple[Any, bool]:
    """`X | None` → (X, True); anything else → (annotation, False)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) < len(typing.get_args(annotation)):
            return (args[0] if len(args) == 1 else typing.Union[tuple(args)]), True  # noqa: UP007 - built at run time
    return annotation, False


def caster_for(annotation: Any) -> Callable[[Any], Any] | None:
    """The function that casts a raw value to `annotation`, or None to pass it as is."""
    if annotation in (inspect.Parameter.empty, Any, object):
        return None
    inner, optional = _optional_inner(annotation)
    if optional:
        cast = caster_for(inner)
        if cast is None:
            return None
        return lambda v: None if v is None else cast(v)
    if annotation in _SIMPLE_CASTS:
        return _SIMPLE_CASTS[annotation]
    origin = typing.get_origin(annotation)
    if annotation is list or origin is list:
        args = typing.get_args(annotation)
        item = caster_for(args[0]) if args else None

        def to_list(value: Any) -> list:
            items = value if isinstance(value, list) else [value]
            return [item(v) for v in items] if item else list(items)

        return to_list
    if origin is Literal:
        choices = typing.get_args(annotation)

        def to_choice(value: Any) -> Any:
            value = _last(value)
            for choice in choices:
                if value == choice or str(value) == str(choice):
                    return choice
            raise ValueError("expected one of " + ", ".join(map(str, choices)))

        return to_choice
    if _is_class(annotation) and issubclass(annotation, enum.Enum):
        return lambda v: annotation(_last(v))
    if callable(annotation):
        return lambda v: annotation(_last(v))
    return None


def _describe(annotation: Any) -> str:
    inner, _ = _optional_inner(annotation)
    return _TYPE_NAMES.get(inner, getattr(inner, "__name__", str(inner)))


# -- plans ------------------------------------------------------------------

WS_SPECIALS = frozenset({"ws", "websocket", "send", "data", "scope", "app", "state", "htmx"})
HTTP_SPECIALS = frozenset({"request", "req", "scope", "app", "state", "htmx"})


@dataclass(frozen=True)
class Param:
    """One parameter: a special value (then maybe cast), or a field looked up by name."""

    name: str
    special: str | None
    keys: tuple[str, ...]
    cast: Callable[[Any], Any] | None
    default: Any
    annotation: Any

    def getter(self) -> Callable[[Sources], Any]:
        """A function that fetches this parameter's value, made once so each call does only that."""
        name, special, cast, default = self.name, self.special, self.cast, self.default
        if special is not None:
            if cast is None:
                return lambda sources: sources.specials(special)
            return lambda sources: cast(sources.specials(special))
        keys = self.keys
        describe = _describe(self.annotation)

        def get(sources: Sources) -> Any:
            for mapping in sources.lookups:
                for key in keys:
                    value = mapping.get(key, _MISSING)
                    if value is not _MISSING:
                        if cast is None:
                            return value
                        try:
                            return cast(value)
                        except (TypeError, ValueError, KeyError, OverflowError):
                            raise ParamError(f"invalid value for '{name}': expected {describe}") from None
            if default is not _MISSING:
                return default
            raise ParamError(f"missing required field '{name}'")

        return get


def _special_for(name: str, annotation: Any, specials: frozenset[str]) -> str | None:
    inner, _ = _optional_inner(annotation)
    if _is_class(inner) and issubclass(inner, WebSocket):
        return "ws"
    if _is_class(inner) and issubclass(inner, Request):
        return "request"
    if inner is HtmxHeaders:
        return "htmx"
    if inner is dict or (_is_class(inner) and dataclasses.is_dataclass(inner)):
        return "data"
    if annotation is not inspect.Parameter.empty:
        return None
    if "session".startswith(name):
        return "session"
    if name in specials:
        return {"websocket": "ws", "req": "request"}.get(name, name)
    return None


def _dataclass_builder(cls: type) -> Callable[[Any], Any]:
    """Build `cls` from the payload's fields, each cast by its annotation."""
    hints = typing.get_type_hints(cls)
    casts = {f.name: caster_for(hints.get(f.name, Any)) for f in dataclasses.fields(cls) if f.init}

    def build(data: Mapping[str, Any]) -> Any:
        values = {}
        for name, cast in casts.items():
            if name in data:
                try:
                    values[name] = cast(data[name]) if cast else data[name]
                except (TypeError, ValueError):
                    raise ParamError(f"invalid value for '{name}'") from None
        try:
            return cls(**values)
        except TypeError:
            raise ParamError(f"missing fields for {cls.__name__}") from None

    return build


def _type_hints(fn: Callable[..., Any]) -> dict[str, Any]:
    """Annotations resolved to types; one that cannot be resolved is left as written."""
    try:
        return typing.get_type_hints(fn)
    except Exception:
        pass
    hints = {}
    namespace = getattr(fn, "__globals__", {})
    for name, annotation in getattr(fn, "__annotations__", {}).items():
        try:
            hints[name] = eval(annotation, namespace) if isinstance(annotation, str) else annotation
        except Exception:
            hints[name] = annotation
    return hints


class ParamPlan:
    """A handler's parameters, resolved once, filled per call."""

    __slots__ = ("_getters",)

    def __init__(self, params: tuple[Param, ...]) -> None:
        self._getters = tuple((p.name, p.getter()) for p in params)

    def fill(self, sources: Sources) -> dict[str, Any]:
        kwargs = {}
        for name, get in self._getters:  # a loop, not a comprehension: no extra frame before Python 3.12
            kwargs[name] = get(sources)
        return kwargs


def compile_plan(fn: Callable[..., Any], kind: Literal["ws", "http"]) -> ParamPlan:
    """Read `fn`'s signature once into a plan for filling its parameters."""
    specials = WS_SPECIALS if kind == "ws" else HTTP_SPECIALS
    hints = _type_hints(fn)
    params = []
    for p in inspect.signature(fn).parameters.values():
        if p.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            continue
        annotation = hints.get(p.name, p.annotation)
        default = _MISSING if p.default is inspect.Parameter.empty else p.default
        inner, optional = _optional_inner(annotation)
        if optional and default is _MISSING:
            default = None
        special = _special_for(p.name, annotation, specials)
        if special is None:
            cast = caster_for(annotation)
        elif special == "data" and inner is not dict and dataclasses.is_dataclass(inner):
            cast = _dataclass_builder(inner)
        else:
            cast = None
        keys = tuple(dict.fromkeys((p.name, p.name.replace("_", "-").lower())))
        params.append(Param(p.name, special, keys, cast, default, annotation))
    return ParamPlan(tuple(params))
