"""Where the vendored front-end files are, and the URL every app serves them under.

It is in the HTML layer because helpers here link to them (`picolink`); the
app layer mounts the folder (see `app/paths.py` for the rest of the reserved URLs).
"""

from pathlib import Path

__all__ = ["ASSETS_DIR", "ASSETS_PATH", "RESERVED_PREFIX"]

RESERVED_PREFIX = "/_htmxws"
ASSETS_PATH = RESERVED_PREFIX + "/static"  # vendored htmx, the ws extension, pico, our page helpers
ASSETS_DIR = Path(__file__).parents[1] / "assets"
