"""`htmxws_nb.xtend` for `fasthtml.xtend`: tags with FastHTML's defaults, page and script helpers."""

from .html.scripts import *  # noqa: F403
from .html.scripts import __all__ as _scripts
from .html.xtend import *  # noqa: F403
from .html.xtend import __all__ as _xtend

__all__ = [*_xtend, *_scripts]
