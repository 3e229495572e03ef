"""`htmxws_nb.components` for `fasthtml.components`: every tag, `ft_hx`, `fill_form`, ...; any other
capitalised name is a custom element (`from htmxws_nb.components import Sl_button` → `<sl-button>`)."""

from typing import Any

from .html.components import *  # noqa: F403
from .html.components import __all__ as _helpers
from .html.components import custom_tag
from .html.tags import *  # noqa: F403
from .html.tags import __all__ as _tags
from .html.xtend import A, Form

__all__ = [*_tags, *_helpers, "A", "Form"]


def __getattr__(name: str) -> Any:
    if name[:1].isupper():
        return custom_tag(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
