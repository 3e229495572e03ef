"""The server side of the benchmark: one server program per subprocess.

    python servers.py {ours,ours-uvicorn,raw} {echo,chat} PORT [--deflate]

`ours` serves `apps/ours_*.py` through `htmxws_nb.Server` in the foreground,
the path `serve()` takes in a script, so everything `Server` adds (its ASGI
wrapper, its protocol subclasses, lifespan handling) is measured. Scripts do
not record frames (that is the notebook's transcript); `--record` turns the
recorder on, for the recorder row.
`raw` serves `apps/raw_*.py` with `uvicorn.Server(uvicorn.Config(...)).run()`,
and `ours-uvicorn` serves `apps/ours_*.py` the same way: as `uvicorn module:app`
deploys it, with none of htmxws_nb's server code.
Both get the same uvicorn settings (`UVICORN_SETTINGS`, plus uvicorn's
defaults for the loop and the HTTP parser), with logging off.

Once the server accepts connections it prints one line, `READY {json}`,
describing the configuration uvicorn actually loaded, so the runner can
check that both sides run the same loop, the same uvicorn HTTP and
websocket implementations (ours subclasses them) and the same settings.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import resource
import threading
import time
from collections.abc import Callable
from typing import Any

import uvicorn

HOST = "127.0.0.1"

# What both servers are given. The values are `htmxws_nb.Server`'s defaults;
# `Server` itself fixes lifespan='off', timeout_graceful_shutdown=1 and, when
# quiet, log_config=None and access_log=False, so the raw server gets those too.
UVICORN_SETTINGS: dict[str, Any] = {
    "ws_max_size": 16 * 1024 * 1024,
    "ws_ping_interval": 20.0,
    "ws_ping_timeout": 20.0,
}
RAW_ONLY_SETTINGS: dict[str, Any] = {
    "ws": "websockets-sansio",  # uvicorn's default, and what our AbortingWebSocketProtocol subclasses
    "lifespan": "off",
    "timeout_graceful_shutdown": 1,
    "log_config": None,
    "access_log": False,
}


def raise_fd_limit() -> int:
    """Allow as many open sockets as the hard limit does; thousands of connections need it."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def uvicorn_base(cls: type) -> str:
    """The uvicorn implementation a protocol class is or extends (ours subclass uvicorn's)."""
    return next(c.__name__ for c in cls.__mro__ if c.__module__.startswith("uvicorn."))


def describe(config: uvicorn.Config) -> dict[str, Any]:
    """The settings that decide websocket speed, as uvicorn loaded them."""
    factory = config.get_loop_factory()
    http_class, ws_class = config.http_protocol_class, config.ws_protocol_class
    return {
        "loop": f"{factory.__module__}.{factory.__qualname__}" if factory else "asyncio default",
        "http": uvicorn_base(http_class),
        "http_class": http_class.__name__,
        "ws": uvicorn_base(ws_class),
        "ws_class": ws_class.__name__,
        "lifespan": config.lifespan,
        "per_message_deflate": config.ws_per_message_deflate,
        "timeout_graceful_shutdown": config.timeout_graceful_shutdown,
        "log_config": config.log_config,
        "access_log": config.access_log,
        **{name: getattr(config, name) for name in UVICORN_SETTINGS},
        "fd_limit": resource.getrlimit(resource.RLIMIT_NOFILE)[1],
    }


def announce_when_started(started: Callable[[], bool], config: uvicorn.Config, timeout: float = 30.0) -> None:
    """Print the READY line once uvicorn accepts connections (the runner waits for it)."""
    deadline = time.monotonic() + timeout
    while not started():
        if time.monotonic() > deadline:
            return  # the runner times out and reports the server's stderr
        time.sleep(0.002)
    print("READY " + json.dumps({"pid": os.getpid(), **describe(config)}), flush=True)


def serve_ours(app: Any, port: int, deflate: bool, record: bool) -> None:
    from htmxws_nb.server import Server, bind_socket

    server = Server(app, bind_socket(HOST, port), quiet=True, ws_per_message_deflate=deflate, record=record,
                    **UVICORN_SETTINGS)
    watcher = threading.Thread(target=announce_when_started, args=(server.started.is_set, server.config), daemon=True)
    watcher.start()
    server.run()


def serve_raw(app: Any, port: int, deflate: bool, record: bool) -> None:
    config = uvicorn.Config(app, host=HOST, port=port, ws_per_message_deflate=deflate,
                            **UVICORN_SETTINGS, **RAW_ONLY_SETTINGS)
    server = uvicorn.Server(config)
    watcher = threading.Thread(target=announce_when_started, args=(lambda: server.started, config), daemon=True)
    watcher.start()
    server.run()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("impl", choices=("ours", "ours-uvicorn", "raw"))
    parser.add_argument("app", choices=("echo", "chat"))
    parser.add_argument("port", type=int)
    parser.add_argument("--deflate", action="store_true", help="offer permessage-deflate")
    parser.add_argument("--record", action="store_true", help="ours: record frames for a transcript, as in a notebook")
    args = parser.parse_args()
    raise_fd_limit()
    # our app would otherwise create a session key file in the home directory
    os.environ.setdefault("HTMXWS_NB_SECRET_KEY", "benchmark-only-secret")
    module = "ours" if args.impl.startswith("ours") else "raw"
    app = importlib.import_module(f"apps.{module}_{args.app}").app
    (serve_ours if args.impl == "ours" else serve_raw)(app, args.port, args.deflate, args.record)


if __name__ == "__main__":
    main()
