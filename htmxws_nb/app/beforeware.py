"""`before=`: functions run before every HTTP handler (a login check, say), as FastHTML's `Beforeware`.

A before-function's parameters are filled like a handler's (`req`, `session`,
path and form values, ...). If it returns something, that is the response and
the handler does not run (`return RedirectResponse('/login', status_code=303)`).
A `Beforeware` skips requests whose path fully matches one of its `skip` regexes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from .handlers import Handler
from .params import Sources

__all__ = ["Beforeware", "BeforeChain"]


class Beforeware:
    """A before-function with paths to skip: `Beforeware(check_login, skip=[r'/login', r'/static/.*'])`."""

    def __init__(self, f: Callable[..., Any], skip: Iterable[str] | None = None) -> None:
        self.f = f
        self.skip = list(skip or [])


class BeforeChain:
    """An app's before-functions, read once; `run` returns the first response one of them gives."""

    def __init__(self, before: Any = None) -> None:
        items = before if isinstance(before, (list, tuple)) else [before] if before is not None else []
        self.steps: list[tuple[Handler, list[re.Pattern[str]]]] = []
        for item in items:
            fn, skip = (item.f, item.skip) if isinstance(item, Beforeware) else (item, [])
            self.steps.append((Handler.of(fn, "http"), [re.compile(s) for s in skip]))

    def __bool__(self) -> bool:
        return bool(self.steps)

    async def run(self, path: str, sources: Sources) -> Any:
        for handler, skip in self.steps:
            if any(pattern.fullmatch(path) for pattern in skip):
                continue
            result = await handler.call(sources)
            if result:
                return result
        return None
