"""Hooks into the notebook's cell lifecycle (IPython's `post_run_cell` event).

What runs here runs while the cell that just finished is still the current
one, so what it displays lands in that cell's output.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["after_every_cell", "after_this_cell", "shell"]


def shell() -> Any:
    """The running IPython shell, or None outside IPython."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def after_this_cell(fn: Callable[[], None]) -> None:
    """Call `fn()` once, when the running cell has finished."""
    ip = shell()
    if ip is None:
        return

    def once(result: Any = None) -> None:
        ip.events.unregister("post_run_cell", once)
        fn()

    ip.events.register("post_run_cell", once)


def after_every_cell(fn: Callable[[], None]) -> None:
    """Call `fn()` after every cell from now on (registering the same `fn` again changes nothing)."""
    ip = shell()
    if ip is None:
        return
    callbacks = ip.events.callbacks["post_run_cell"]
    if not any(getattr(callback, "__wrapped__", None) is fn for callback in callbacks):
        def every(result: Any = None) -> None:
            fn()

        every.__wrapped__ = fn  # type: ignore[attr-defined]
        ip.events.register("post_run_cell", every)
