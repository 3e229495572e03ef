"""Parameter filling: special names, lookups in order, casts, defaults, errors."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any, Literal

import pytest
from starlette.websockets import WebSocket

from htmxws_nb.app.params import HtmxHeaders, ParamError, Sources, compile_plan, element_id


class FakeSources(Sources):
    __slots__ = ("values",)

    def __init__(self, *lookups: dict[str, Any], **specials: Any) -> None:
        self.lookups = lookups
        self.values = specials

    def specials(self, name: str) -> Any:
        return self.values.get(name, f"<{name}>")


def fill(fn, *lookups: dict[str, Any], kind: str = "ws", **specials: Any) -> dict[str, Any]:
    return compile_plan(fn, kind).fill(FakeSources(*lookups, **specials))


def test_websocket_special_names() -> None:
    def handler(ws, send, data, session, scope, app, state, htmx, websocket): ...

    got = fill(handler, {})
    assert got == {"ws": "<ws>", "send": "<send>", "data": "<data>", "session": "<session>", "scope": "<scope>",
                   "app": "<app>", "state": "<state>", "htmx": "<htmx>", "websocket": "<ws>"}


def test_session_by_any_prefix_and_annotations_pick_specials() -> None:
    def handler(sess, w: WebSocket, d: dict, h: HtmxHeaders): ...

    assert fill(handler, {}) == {"sess": "<session>", "w": "<ws>", "d": "<data>", "h": "<htmx>"}


def test_annotated_special_name_is_a_field() -> None:
    def handler(data: str): ...

    assert fill(handler, {"data": "x"}) == {"data": "x"}


def test_lookup_order_first_mapping_wins() -> None:
    def handler(msg: str, hx_trigger: str, page: int): ...

    path, payload, headers, query = {}, {"msg": "from payload"}, {"hx-trigger": "form", "msg": "hdr"}, {"page": "2"}
    assert fill(handler, path, payload, headers, query) == {"msg": "from payload", "hx_trigger": "form", "page": 2}


def test_casts() -> None:
    def handler(a: int, b: float, c: bool, d: list[int], e: list[str], f: str, g: datetime.date,
                h: Literal["x", "y"], i: int | None, j: bool): ...

    got = fill(handler, {"a": "42", "b": "1.5", "c": "on", "d": ["1", "2"], "e": "one", "f": ["first", "last"],
                         "g": "2026-11-24", "h": "y", "i": None, "j": "false"})
    assert got == {"a": 42, "b": 1.5, "c": True, "d": [1, 2], "e": ["one"], "f": "last",
                   "g": datetime.date(2026, 11, 24), "h": "y", "i": None, "j": False}


def test_json_types_from_hx_vals_are_kept_or_cast() -> None:
    def handler(n: int, x: float, flag: bool, raw): ...

    assert fill(handler, {"n": 3, "x": 2, "flag": True, "raw": {"k": [1]}}) == {
        "n": 3, "x": 2.0, "flag": True, "raw": {"k": [1]}}


def test_defaults_apply_when_absent() -> None:
    def handler(msg: str = "none", count: int = 1, maybe: str | None = None): ...

    assert fill(handler, {}) == {"msg": "none", "count": 1, "maybe": None}
    assert fill(handler, {"count": "5"}) == {"msg": "none", "count": 5, "maybe": None}


def test_optional_without_default_is_none() -> None:
    def handler(maybe: int | None): ...

    assert fill(handler, {}) == {"maybe": None}


@pytest.mark.parametrize(("fn", "payload", "message"), [
    (lambda msg: None, {}, "missing required field 'msg'"),
    (lambda n=None: None, {}, None),
])
def test_missing(fn, payload, message) -> None:
    if message is None:
        assert fill(fn, payload) == {"n": None}
    else:
        with pytest.raises(ParamError, match=message):
            fill(fn, payload)


@pytest.mark.parametrize(("annotation", "value", "expected"), [
    (int, "abc", "expected an integer"),
    (int, 1.5, "expected an integer"),
    (float, "x", "expected a number"),
    (bool, "maybe", "expected true or false"),
    (str, {"a": 1}, "expected text"),
    (Literal["a", "b"], "c", "expected"),
])
def test_cast_failures_name_the_field_and_type(annotation, value, expected) -> None:
    def handler(field): ...

    handler.__annotations__ = {"field": annotation}
    with pytest.raises(ParamError, match=f"invalid value for 'field': {expected}"):
        fill(handler, {"field": value})


@dataclasses.dataclass
class Todo:
    title: str
    done: bool = False


def test_dataclass_from_payload() -> None:
    def handler(todo: Todo): ...

    todo = compile_plan(handler, "ws").fill(FakeSources({}, data={"title": "t", "done": "true"}))["todo"]
    assert todo == Todo("t", True)
    with pytest.raises(ParamError):
        compile_plan(handler, "ws").fill(FakeSources({}, data={"done": "true"}))


def test_unresolvable_annotation_is_left_uncast() -> None:
    def handler(msg: str, thing: NoSuchType): ...  # noqa: F821

    assert fill(handler, {"msg": 5, "thing": "raw"}) == {"msg": "5", "thing": "raw"}


def test_http_specials_and_dashed_header_names() -> None:
    def handler(request, req, user_agent: str): ...

    assert fill(handler, {"user-agent": "ua"}, kind="http") == {"request": "<request>", "req": "<request>",
                                                                 "user_agent": "ua"}


def test_varargs_are_ignored() -> None:
    def handler(msg, *args, **kwargs): ...

    assert fill(handler, {"msg": 1}) == {"msg": 1}


def test_htmx_headers_from_lowercase_names() -> None:
    headers = HtmxHeaders.from_headers({"hx-request": "true", "hx-trigger": "form", "hx-current-url": "http://x/"})
    assert headers.request == "true" and headers.trigger == "form" and headers.current_url == "http://x/"
    assert headers and not HtmxHeaders.from_headers({})


def test_htmx4_headers_name_elements_tag_hash_id() -> None:
    """htmx 4 sends HX-Source/HX-Target as "tag#id" and no HX-Trigger: `trigger` is the source's id."""
    headers = HtmxHeaders.from_headers({"hx-request": "true", "hx-source": "form#chat%20box", "hx-target": "div#c",
                                        "hx-request-type": "partial"})
    assert (headers.trigger, headers.source, headers.target, headers.request_type, headers.trigger_name) == (
        "chat box", "form#chat%20box", "div#c", "partial", None)
    assert HtmxHeaders.from_headers({"hx-source": "span"}).trigger is None, "an element without an id"
    assert HtmxHeaders.from_headers({"hx-trigger": "t", "hx-source": "form#s"}).trigger == "t", "a sent one wins"
    assert [element_id(e) for e in ("form#f", "body", "", None, "p#")] == ["f", None, None, None, None]
