"""The URL space htmxws_nb reserves in every app it serves (`/_htmxws/...`)."""

from pathlib import Path

RESERVED_PREFIX = "/_htmxws"
ASSETS_PATH = RESERVED_PREFIX + "/static"  # vendored htmx, the ws extension, our page helpers
LIVE_PATH = RESERVED_PREFIX + "/live"  # the socket that tells notebook iframes to reload
FEED_PATH = RESERVED_PREFIX + "/feed/"  # the sockets that keep live notebook outputs up to date
ID_PATH = RESERVED_PREFIX + "/id"  # a notebook server's random id, so outputs can tell it from other programs

ASSETS_DIR = Path(__file__).parents[1] / "assets"  # served under ASSETS_PATH by every app
