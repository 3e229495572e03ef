"""A registered handler: the user's function plus what was learned from it once.

Handlers are looked up by path at call time (see `app.py`), so registering a
new function for a path takes over at once, even for open websockets.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from starlette.concurrency import run_in_threadpool

from .params import ParamPlan, Sources, compile_plan

__all__ = ["Handler"]

@dataclass(frozen=True)
class Handler:
    """A user function ready to call with filled parameters.

    `version` counts registrations for the same path (1, 2, ...), so a
    transcript can tell which definition of a re-run cell answered.
    """

    fn: Callable[..., Any]
    plan: ParamPlan
    is_async: bool
    version: int = 1

    @classmethod
    def of(cls, fn: Callable[..., Any], kind: Literal["ws", "http"], version: int = 1) -> Handler:
        return cls(fn, compile_plan(fn, kind), inspect.iscoroutinefunction(fn), version)

    @property
    def name(self) -> str:
        return getattr(self.fn, "__name__", repr(self.fn))

    async def call(self, sources: Sources, inline: bool = False) -> Any:
        """Fill the parameters and run the function.

        Sync functions run in a worker thread, so a slow one does not stall
        the server, unless `inline`: websocket `conn`/`disconn` callbacks are
        bookkeeping (the chat adds and removes `users` entries) and run on the
        event loop, where they cannot change a dict while a broadcast on the
        loop iterates it.
        """
        kwargs = self.plan.fill(sources)
        if self.is_async:
            return await self.fn(**kwargs)
        if inline:
            return self.fn(**kwargs)
        result = await run_in_threadpool(self.fn, **kwargs)
        if inspect.isawaitable(result):
            result = await result
        return result
