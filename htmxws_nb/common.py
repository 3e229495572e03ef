"""`from htmxws_nb.common import *` for `from fasthtml.common import *`: the same names as `from htmxws_nb import *`."""

from . import *  # noqa: F403
from . import __all__  # noqa: F401
