"""Colours of the notebook's views: mid-tones that read on a white and on a near-black background.

Text that needs no colour of its own takes the output's (`currentColor`), so it follows the theme.
"""

from ..app.errors import ERROR_COLOR

__all__ = ["CLOSE_COLOR", "ERROR_COLOR", "IN_COLOR", "OUT_COLOR", "PUBLISH_COLOR"]

IN_COLOR = "#3b82f6"  # client → server
OUT_COLOR = "#22a06b"  # server → client
CLOSE_COLOR = "#d97706"
PUBLISH_COLOR = "#a855f7"
