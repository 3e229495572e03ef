"""`htmxws_nb.js` for `fasthtml.js`: markdown, highlighting, sortable lists and diagrams in the browser."""

from .html.js import *  # noqa: F403
from .html.js import __all__  # noqa: F401
