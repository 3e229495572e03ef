"""The URL space htmxws_nb reserves in every app it serves."""

RESERVED_PREFIX = "/_htmxws"
ASSETS_PATH = RESERVED_PREFIX + "/static"  # vendored htmx, the ws extension, our page helpers
LIVE_PATH = RESERVED_PREFIX + "/live"  # the socket that tells notebook iframes to reload
