"""`htmxws_nb.svg` for `fasthtml.svg`: `Svg`, the shapes, every SVG tag (import it after `htmxws_nb`)."""

from .html.svg import *  # noqa: F403
from .html.svg import __all__  # noqa: F401
