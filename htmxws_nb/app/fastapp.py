"""`fast_app(...)`: FastHTML's one-line start, `app, rt = fast_app(exts='ws')`, with its parameters and defaults.

It makes a `FastHTML` with Pico CSS in the head (vendored, `pico=False` to
leave it out), serves files by extension from `static_path` (the current
folder by default; see `static.py` for what that serves and refuses), and,
given `db_file`, opens a fastlite database and its tables (the `db` extra).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ..html.pico import picolink
from .fasthtml import FastHTML

__all__ = ["fast_app"]

DB_EXTRA_HINT = "fast_app(db_file=...) needs fastlite: pip install 'htmxws_nb[db]'"


def fast_app(
    db_file: str | None = None,
    render: Callable[..., Any] | None = None,
    hdrs: Iterable[Any] | None = None,
    ftrs: Iterable[Any] | None = None,
    tbls: dict[str, dict[str, Any]] | None = None,
    before: Any = None,
    middleware: Sequence[Any] | None = None,
    live: bool = False,
    debug: bool = False,
    title: str = "FastHTML page",
    routes: Sequence[Any] | None = None,
    exception_handlers: dict[Any, Callable[..., Any]] | None = None,
    on_startup: Iterable[Callable[[], Any]] | None = None,
    on_shutdown: Iterable[Callable[[], Any]] | None = None,
    lifespan: Callable[..., Any] | None = None,
    default_hdrs: bool = True,
    pico: bool | None = None,
    surreal: bool = True,
    htmx: bool = True,
    htmx4: bool = False,
    exts: str | Sequence[str] | None = None,
    canonical: bool = True,
    secret_key: str | None = None,
    key_fname: str = ".sesskey",
    session_cookie: str = "session_",
    max_age: int = 365 * 24 * 3600,
    sess_path: str = "/",
    same_site: str = "lax",
    sess_https_only: bool = False,
    sess_domain: str | None = None,
    htmlkw: dict[str, Any] | None = None,
    bodykw: dict[str, Any] | None = None,
    reload_attempts: int | None = 1,
    reload_interval: int | None = 1000,
    static_path: str = ".",
    body_wrap: Callable[[Any], Any] | None = None,
    nb_hdrs: bool = False,
    **kwargs: Any,
) -> tuple[Any, ...]:
    """`(app, rt)`, or `(app, rt, table, dataclass)` / `(app, rt, (table, dc), ...)` with `db_file`.

    `pico=None` follows `default_hdrs`. `live=True` reloads pages when the
    program changes: always so in a notebook, and a script served by `serve()`
    re-runs its file when it is saved. Keyword arguments other than these are
    the columns of the single table `items` (with `db_file`).
    """
    if kwargs and not db_file:
        raise TypeError(f"fast_app() got unexpected keyword arguments {sorted(kwargs)} (columns need db_file=...)")
    head = (*(picolink if pico or (pico is None and default_hdrs) else ()), *(hdrs or ()))
    app = FastHTML(
        hdrs=head, ftrs=ftrs or (), before=before, middleware=middleware, live=live, debug=debug, title=title,
        routes=routes, exception_handlers=exception_handlers, on_startup=on_startup, on_shutdown=on_shutdown,
        lifespan=lifespan, default_hdrs=default_hdrs, surreal=surreal, htmx=htmx, htmx4=htmx4, exts=exts,
        canonical=canonical, secret_key=secret_key, key_fname=key_fname, session_cookie=session_cookie,
        max_age=max_age, sess_path=sess_path, same_site=same_site, sess_https_only=sess_https_only,
        sess_domain=sess_domain, htmlkw=htmlkw, bodykw=bodykw, body_wrap=body_wrap, nb_hdrs=nb_hdrs,
    )
    app.static_route_exts(static_path=static_path)
    if not db_file:
        return app, app.route
    return (app, app.route, *_tables(db_file, render, tbls, kwargs))


def _tables(db_file: str, render: Callable[..., Any] | None, tbls: dict[str, dict[str, Any]] | None,
            columns: dict[str, Any]) -> tuple[Any, ...]:
    """The tables fast_app returns: one `(table, dataclass)` per table, flattened when there is one."""
    try:
        from fastlite import database
    except ImportError as exc:
        raise ImportError(DB_EXTRA_HINT) from exc
    db = database(db_file)
    if not tbls:
        first = next(iter(columns.values()), None)
        tbls = columns if isinstance(first, dict) else {"items": {**columns, "render": render}}
    made = [_table(db, name, dict(schema)) for name, schema in tbls.items()]
    return made[0] if len(made) == 1 else tuple(made)


def _table(db: Any, name: str, schema: dict[str, Any]) -> tuple[Any, Any]:
    render = schema.pop("render", None)
    table = db.t[name]
    table.create(**schema, transform=name in db.t)
    dataclass = table.dataclass()
    if render:
        dataclass.__ft__ = render
    return table, dataclass
