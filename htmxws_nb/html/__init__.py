"""The HTML layer: components built in Python and rendered to HTML text. Knows nothing of apps or servers."""

from . import tags
from .attributes import URL_ATTRIBUTES
from .ft import FT, NotStr, Safe, ft, to_html, to_xml
from .tags import *  # noqa: F403

__all__ = ["FT", "NotStr", "Safe", "URL_ATTRIBUTES", "ft", "to_html", "to_xml", *tags.__all__]
