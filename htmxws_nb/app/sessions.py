"""Sessions: signed cookies shared by HTTP routes and websockets.

HTTP requests go through Starlette's `SessionMiddleware`. A websocket reads
the same cookie only if a handler asks for `session`, once per connection:
most sockets never do, and their handshake should not pay for it.

The signing key comes from the `secret_key` argument, else the
`HTMXWS_NB_SECRET_KEY` environment variable, else a random key kept in the
user's state directory (never in the working tree, where it could be
committed next to a notebook).
"""

from __future__ import annotations

import json
import os
import secrets
from base64 import b64decode
from pathlib import Path
from typing import Any

import itsdangerous
from starlette.datastructures import Headers
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["SECRET_ENV", "HttpSessions", "resolve_secret_key"]

SECRET_ENV = "HTMXWS_NB_SECRET_KEY"


def _state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "htmxws_nb"


def _stored_key() -> str:
    path = _state_dir() / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    key = secrets.token_urlsafe(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(key)
    except FileExistsError:  # another process wrote it first
        return path.read_text().strip()
    except OSError:  # no writable home: sessions last as long as the process
        pass
    return key


def resolve_secret_key(explicit: str | None = None) -> str:
    return explicit or os.environ.get(SECRET_ENV) or _stored_key()


class HttpSessions(SessionMiddleware):
    """Starlette's session middleware for HTTP; websockets pass straight through (see `read`).

    Made before the app's middleware stack exists (the app keeps it to read
    websocket sessions); `around(app)` puts it in the stack.
    """

    def __init__(self, secret_key: str | None, session_cookie: str, max_age: int, same_site: Any,
                 https_only: bool, path: str = "/", domain: str | None = None) -> None:
        super().__init__(None, secret_key=resolve_secret_key(secret_key), session_cookie=session_cookie,
                         max_age=max_age, same_site=same_site, https_only=https_only, path=path,
                         **({"domain": domain} if domain else {}))

    def around(self, app: ASGIApp) -> HttpSessions:
        self.app = app
        return self

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Any:  # type: ignore[override]
        if scope["type"] == "http":
            return super().__call__(scope, receive, send)
        return self.app(scope, receive, send)

    def read(self, scope: Scope) -> dict[str, Any]:
        """The session in a websocket's handshake cookie: a snapshot, as in FastHTML (changes are not saved)."""
        cookie = cookie_parser(Headers(scope=scope).get("cookie", "")).get(self.session_cookie)
        if cookie:
            try:
                data = self.signer.unsign(cookie.encode(), max_age=self.max_age)
                session = json.loads(b64decode(data))
                return session if isinstance(session, dict) else {}
            except (itsdangerous.BadSignature, ValueError):
                pass
        return {}
