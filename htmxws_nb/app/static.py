"""Static files by extension, as `fast_app(static_path=...)` serves them: `GET /logo.svg` → `static_path/logo.svg`.

Unlike FastHTML's route, this is the router's fallback: it answers only
requests no route matched (the program's own `@rt('/report.csv')` wins), only
GET and HEAD, only files with one of FastHTML's static extensions, and only
files inside the folder: `..`, symlinks out of it and hidden files or folders
(`.env`, `.git/...`) are refused with a 404.
"""

from __future__ import annotations

from pathlib import Path

from starlette.responses import FileResponse
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["STATIC_EXTENSIONS", "StaticByExtension"]

STATIC_EXTENSIONS = frozenset({
    "ico", "gif", "jpg", "jpeg", "webm", "css", "js", "woff", "png", "svg", "mp4", "webp", "ttf", "otf", "eot",
    "woff2", "txt", "html", "map", "pdf", "zip", "tgz", "gz", "csv", "mp3", "wav", "ogg", "flac", "aac", "doc",
    "docx", "xls", "xlsx", "ppt", "pptx", "epub", "mobi", "bmp", "tiff", "avi", "mov", "wmv", "mkv", "xml", "yaml",
    "yml", "rar", "7z", "tar", "bz2", "htm", "xhtml", "apk", "dmg", "exe", "msi", "swf", "iso",
})


class StaticByExtension:
    """Serve files of `directory` by their path, for requests nothing else answered; else call `fallback`."""

    def __init__(self, directory: str | Path, fallback: ASGIApp, prefix: str = "/",
                 extensions: frozenset[str] = STATIC_EXTENSIONS) -> None:
        self.directory = Path(directory)
        self.fallback = fallback
        self.prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
        self.extensions = extensions

    def find(self, path: str) -> Path | None:
        """The file `path` (a URL path) names inside the folder, or None."""
        if not path.startswith(self.prefix):
            return None
        relative = path[len(self.prefix):]
        parts = relative.split("/")
        if not relative or any(part.startswith(".") or not part for part in parts):
            return None  # hidden files and folders, `..`, empty segments
        if relative.rsplit(".", 1)[-1].lower() not in self.extensions or "." not in parts[-1]:
            return None
        root = self.directory.resolve()
        candidate = (root / relative).resolve()
        if not candidate.is_relative_to(root) or not candidate.is_file():
            return None
        return candidate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = None
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            found = self.find(scope["path"])
        if found is None:
            await self.fallback(scope, receive, send)
            return
        await FileResponse(found)(scope, receive, send)


