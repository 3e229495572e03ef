"""The HTML layer: components built in Python and rendered to HTML text. Knows nothing of apps or servers.

`tags` (every HTML tag), `xtend` (tags with FastHTML's defaults, page helpers),
`scripts` (the small script helpers), `components` (`ft_hx`, `fill_form`, ...),
`headers` (response headers returned among components); `svg`, `pico` and `js`
are imported on their own, as FastHTML's modules of the same names.
"""

from . import components, headers, scripts, seo, tags, xtend
from .attributes import URL_ATTRIBUTES
from .components import *  # noqa: F403
from .ft import FT, NotStr, Safe, ft, to_html, to_xml
from .headers import *  # noqa: F403
from .scripts import *  # noqa: F403
from .seo import *  # noqa: F403
from .tags import *  # noqa: F403
from .xtend import *  # noqa: F403

__all__ = ["FT", "NotStr", "Safe", "URL_ATTRIBUTES", "ft", "to_html", "to_xml", *tags.__all__, *xtend.__all__,
           *scripts.__all__, *seo.__all__, *components.__all__, *headers.__all__]
