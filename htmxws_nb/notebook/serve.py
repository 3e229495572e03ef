"""`serve()`: the tutorial's last line, for scripts and for notebooks.

- Run as a script (`python chat_ws.py`): uvicorn in the foreground on
  127.0.0.1:5001 (or `PORT`/`HOST`, or the arguments) until Ctrl+C. The
  file runs again as a module inside the server's loop, as under FastHTML's
  `serve()` (see `script.py`), and reloads on change with `live=True`.
- In an IPython kernel: a background `Server` that is ready when `serve()`
  returns, shown as an iframe when it is a cell's value. Calling it again
  is idempotent: the same app gets the running server, a new app object
  takes over the port its predecessor used.
- Imported as a module (e.g. by `uvicorn chat_ws:app`): does nothing.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
import threading
from html import escape
from typing import Any

from starlette.types import ASGIApp

from ..app import FastHTML
from ..app.errors import logger
from ..html import to_html
from ..server import DEFAULT_HOST, DEFAULT_PORT, Server, ServerStartError, bind_socket, port_in_use
from .cells import after_every_cell
from .live_reload import LiveReload
from .logs import quiet_logging
from .script import ScriptModule, script_of
from .served import NotebookServer
from .transcript import Transcript

__all__ = ["running_servers", "serve", "server_for", "show", "transcript"]

PORT_ATTEMPTS = 20  # ports tried after the requested one before asking the OS for any free port

_servers: dict[tuple[str, int], NotebookServer] = {}
_lock = threading.Lock()


def in_notebook() -> bool:
    """True in an IPython kernel or shell, where `serve()` must not block."""
    ipython = sys.modules.get("IPython")
    return ipython is not None and ipython.get_ipython() is not None


def running_servers() -> list[NotebookServer]:
    """The servers this process started from a notebook that are still running."""
    with _lock:
        return [s for s in _servers.values() if s.running]


def serve(app: ASGIApp | None = None, *, port: int | None = None, host: str | None = None,
          url: str | None = None, **options: Any) -> NotebookServer | None:
    """Serve `app` (by default the caller's global `app`).

    `url` chooses the iframe's URL in a notebook: 'auto', 'direct', 'proxy'
    or a template with `{port}` (see `htmxws_nb.display`). Other options go
    to `Server` (`ws_max_size`, `ws_ping_interval`, ...).
    """
    caller = sys._getframe(1).f_globals
    if app is None:
        app = caller.get("app")
        if app is None:
            raise ValueError("serve() found no `app`: define `app = FastHTML(...)` first, or pass serve(app)")
    host = host or os.environ.get("HOST") or DEFAULT_HOST
    port = int(port if port is not None else os.environ.get("PORT") or DEFAULT_PORT)
    if in_notebook():
        server = _serve_in_background(app, host, port, **options)
        if url is not None:
            server.display_mode = url
        server.followed = _variable_of(app, caller)
        after_every_cell(_follow_variables)
        server.announce()
        return server
    if caller.get("__name__") == "__main__":
        _serve_in_foreground(app, host, port, script_of(caller, app), **options)
    return None


def _variable_of(app: ASGIApp, namespace: dict[str, Any]) -> tuple[dict[str, Any], str] | None:
    """The global variable holding `app` (`app` if that is one of them), for the server to follow."""
    names = [name for name, value in namespace.items() if value is app and not name.startswith("_")]
    if not names:
        return None
    return namespace, "app" if "app" in names else names[0]


def _follow_variables() -> None:
    """After a cell: a served variable that now holds a new app of ours gets the server (same port)."""
    servers = running_servers()
    for server in servers:
        if server.followed is None:
            continue
        namespace, name = server.followed
        current = namespace.get(name)
        if not isinstance(current, FastHTML) or any(other.app is current for other in servers):
            continue  # not an app of ours, or served already (this server, or one the cell started for it)
        server.replace_app(current)
        server.note = ""
        _tell(f"`{name}` is a new app: the server on port {server.port} serves it now. Open pages reload; "
              f"sockets of the previous app were closed with 1012, and the htmx client reconnects.")


def _tell(text: str) -> None:
    from IPython.display import display

    display({"text/plain": text, "text/html": f'<p class="htmxws-note">{escape(text)}</p>'}, raw=True)


def _serve_in_foreground(app: ASGIApp, host: str, port: int, script: ScriptModule | None = None,
                         **options: Any) -> None:
    try:
        sock = bind_socket(host, port)
    except OSError as exc:
        raise SystemExit(f"htmxws_nb: cannot listen on {host}:{port}: {exc.strerror}. "
                         "Choose another port with PORT=... or serve(port=...).") from None
    if not logger.handlers:
        logger.addHandler(logging.StreamHandler())
    server = Server(app, sock, quiet=False, load=script.load if script else None, **options)
    if script is not None:
        script.server = server
        if script.live:
            LiveReload(server)  # pages reload when the reloaded app takes over
    try:
        server.run()
    except KeyboardInterrupt:
        pass


def _serve_in_background(app: ASGIApp, host: str, port: int, **options: Any) -> NotebookServer:
    quiet_logging()
    with _lock:
        same_app = next((s for s in _servers.values() if s.running and s.app is app), None)
        same_port = _servers.get((host, port))
        new = None
        if same_app is None and (same_port is None or not same_port.running):
            sock, note = _bind_near(host, port)
            new = _servers[(host, port)] = NotebookServer(app, sock, **options)
            new.note = note
    # Outside the lock: starting and swapping wait for the server's loop.
    if new is not None:
        return new.start()
    if same_app is not None:
        return same_app
    assert same_port is not None
    same_port.replace_app(app)
    same_port.note = ""
    return same_port


def _bind_near(host: str, port: int) -> tuple[socket.socket, str]:
    """Bind `port`, or the next free one, or any: (socket, a note saying what happened)."""
    try:
        return bind_socket(host, port), ""
    except OSError as exc:
        if not port_in_use(exc) or port == 0:
            raise ServerStartError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    for candidate in range(port + 1, min(port + 1 + PORT_ATTEMPTS, 65536)):
        try:
            sock = bind_socket(host, candidate)
            break
        except OSError as exc:
            if not port_in_use(exc):
                raise ServerStartError(f"cannot listen on {host}:{candidate}: {exc.strerror or exc}") from exc
    else:
        sock = bind_socket(host, 0)
    actual = sock.getsockname()[1]
    return sock, f"Port {port} is in use by another program; serving on port {actual} instead."


def server_for(target: Any) -> Server:
    """The running server of a `Server` or an app served from this notebook."""
    if isinstance(target, Server):
        return target
    for server in running_servers():
        if server.app is target:
            return server
    raise LookupError("this app is not being served: call serve(app) first")


def show(target: Any, path: str = "/", height: int | None = None) -> None:
    """Show a route of a served app (or `Server`) in an iframe; components are shown as HTML."""
    if isinstance(target, Server) or hasattr(target, "router"):
        server = server_for(target)
        if not isinstance(server, NotebookServer):
            raise TypeError("show() needs a server started by serve() in this notebook")
        server.show(path, height)
        return
    from IPython.display import HTML, display

    display(HTML(to_html(target)))


def transcript(target: Any, path: str | None = None) -> Transcript:
    """The websocket frames of a served app (or `Server`), optionally of one path."""
    server = server_for(target)
    shown = server if isinstance(server, NotebookServer) else None
    return Transcript(server.recorder, server=shown).filter(path=path)
