"""`htmxws_nb.fastapp` for `fasthtml.fastapp`: `fast_app`."""

from .app.fastapp import fast_app

__all__ = ["fast_app"]
