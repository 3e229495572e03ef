"""A registered handler: the user's function plus what was learned from it once.

Handlers are looked up by path at call time (see `app.py`), so registering a
new function for a path takes over at once, even for open websockets.
"""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from starlette.concurrency import run_in_threadpool

from .params import ParamPlan, Sources, compile_plan

__all__ = ["Handler"]

_versions = itertools.count(1)


@dataclass(frozen=True)
class Handler:
    """A user function ready to call with filled parameters.

    `version` grows with every registration in the process, so a transcript
    can tell which definition of a re-run cell answered a message.
    """

    fn: Callable[..., Any]
    plan: ParamPlan
    is_async: bool
    version: int = field(default_factory=lambda: next(_versions))

    @classmethod
    def of(cls, fn: Callable[..., Any], kind: Literal["ws", "http"]) -> Handler:
        return cls(fn, compile_plan(fn, kind), inspect.iscoroutinefunction(fn))

    @property
    def name(self) -> str:
        return getattr(self.fn, "__name__", repr(self.fn))

    @property
    def location(self) -> str:
        """Where the function was defined: a file and line, or a notebook cell."""
        code = getattr(self.fn, "__code__", None)
        return f"{code.co_filename}:{code.co_firstlineno}" if code else "?"

    async def call(self, sources: Sources) -> Any:
        """Fill the parameters and run the function (sync ones in a worker thread)."""
        kwargs = self.plan.fill(sources)
        if self.is_async:
            return await self.fn(**kwargs)
        result = await run_in_threadpool(self.fn, **kwargs)
        if inspect.isawaitable(result):
            result = await result
        return result
