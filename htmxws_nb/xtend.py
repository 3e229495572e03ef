"""`htmxws_nb.xtend` for `fasthtml.xtend`: tags with FastHTML's defaults, page and script helpers."""

from .html.scripts import *  # noqa: F403
from .html.scripts import __all__ as _scripts
from .html.seo import *  # noqa: F403
from .html.seo import __all__ as _seo
from .html.tags import Script, Style
from .html.xtend import *  # noqa: F403
from .html.xtend import __all__ as _xtend

__all__ = [*_xtend, *_scripts, *_seo, "Script", "Style"]
