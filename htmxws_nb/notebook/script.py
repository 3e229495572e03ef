"""A script's `serve()`: its module runs again inside the server's event loop, and reloads itself when `live`.

FastHTML's `serve()` hands uvicorn the import string `NAME:app`, and
uvicorn's reloader imports the module again inside its running loop. So a
script's module-level `asyncio.create_task(loop())` works there, and the app
served is the one that import made. We do the same without a second process:
the server runs the file as module `NAME` on its own loop before serving (the
first run, as `__main__`, only got to `serve()`).

With `live=True` (`fast_app(live=True)`) the file is watched: when it changes
it runs again, the new app takes over the port (open pages reload, sockets
reconnect), and the tasks the old run started are cancelled.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from starlette.types import ASGIApp

from ..server import Server

__all__ = ["ScriptModule", "script_of"]

logger = logging.getLogger("htmxws_nb")


def script_of(caller: dict[str, Any], app: Any) -> ScriptModule | None:
    """The script `serve(app)` was called from, if `app` is one of its globals (`app = fast_app(...)[0]`)."""
    file = caller.get("__file__")
    name = next((k for k, v in caller.items() if v is app and not k.startswith("_")), None)
    if not file or name is None or not Path(file).is_file():
        return None
    return ScriptModule(Path(file), name, live=bool(getattr(app, "live", False)))


class ScriptModule:
    """The script file as a module run on the server's loop, and the tasks its last run started."""

    def __init__(self, path: Path, app_name: str, live: bool = False) -> None:
        self.path = path.resolve()
        self.app_name = app_name
        self.live = live
        self.tasks: set[asyncio.Task[Any]] = set()
        self.server: Server | None = None  # set by serve(), for swapping in a reloaded app
        self._watcher: asyncio.Task[None] | None = None

    def run(self) -> ASGIApp:
        """Run the file as module `NAME` (on the running loop) and return its app; remember the tasks it started."""
        name = self.path.stem
        spec = importlib.util.spec_from_file_location(name, self.path)
        assert spec is not None and spec.loader is not None
        module: ModuleType = importlib.util.module_from_spec(spec)
        before = asyncio.all_tasks()
        previous = sys.modules.get(name)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
            app = getattr(module, self.app_name)
        except BaseException:
            if previous is not None:
                sys.modules[name] = previous
            raise
        self.tasks = asyncio.all_tasks() - before
        return app

    def load(self) -> ASGIApp:
        """What `Server(load=...)` calls on its loop: the first run, then the watcher if live."""
        app = self.run()
        if self.live:
            self._watcher = asyncio.get_running_loop().create_task(self._watch())
        return app

    async def _watch(self) -> None:
        try:
            from watchfiles import awatch
        except ImportError:
            logger.warning("live reload needs watchfiles (pip install watchfiles); the script will not reload")
            return
        async for _ in awatch(self.path):
            await self.reload()

    async def reload(self) -> None:
        """Run the file again and serve its new app; on an error keep the running one."""
        old_tasks = self.tasks
        try:
            app = self.run()
        except Exception:
            logger.exception("reloading %s failed; still serving the previous version", self.path.name)
            return
        for task in old_tasks:
            task.cancel()
        assert self.server is not None
        await self.server.swap_app(app)
        logger.warning("reloaded %s", self.path.name)
