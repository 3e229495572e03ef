"""The notebook layer: `serve()` in the background, the page in an iframe, live outputs, the transcript views,
and a Python client that speaks like the htmx ws extension. Sits on top of every other layer.
"""

from .client import AsyncClient, Client, aconnect, connect, fetch
from .local_redis import LocalRedis
from .logs import recent_log
from .serve import running_servers, serve, server_for, show, transcript
from .served import NotebookServer
from .transcript import Transcript

__all__ = ["AsyncClient", "Client", "LocalRedis", "NotebookServer", "Transcript", "aconnect", "connect", "fetch",
           "recent_log", "running_servers", "serve", "server_for", "show", "transcript"]
