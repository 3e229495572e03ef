"""The URL space htmxws_nb reserves in every app it serves (`/_htmxws/...`)."""

from ..html.assets import ASSETS_DIR, ASSETS_PATH, RESERVED_PREFIX

__all__ = ["ASSETS_DIR", "ASSETS_PATH", "FEED_PATH", "ID_PATH", "LIVE_PATH", "RESERVED_PREFIX"]

LIVE_PATH = RESERVED_PREFIX + "/live"  # the socket that tells notebook iframes to reload
FEED_PATH = RESERVED_PREFIX + "/feed/"  # the sockets that keep live notebook outputs up to date
ID_PATH = RESERVED_PREFIX + "/id"  # a notebook server's random id, so outputs can tell it from other programs
