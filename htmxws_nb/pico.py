"""`htmxws_nb.pico` for `fasthtml.pico`: the vendored Pico CSS links and `Card`, `Grid`, `Group`, ...."""

from .html.pico import *  # noqa: F403
from .html.pico import __all__  # noqa: F401
