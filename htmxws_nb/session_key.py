"""The key that signs session cookies.

From the `secret_key` argument, else the `HTMXWS_NB_SECRET_KEY` environment
variable, else a random key kept in the user's state directory (never in the
working tree, where it could be committed next to a notebook).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

__all__ = ["SECRET_ENV", "resolve_secret_key"]

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
