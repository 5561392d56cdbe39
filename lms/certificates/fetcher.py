"""The only way the PDF renderer reads anything: the app's own static files.

WeasyPrint would otherwise fetch whatever a stylesheet, an image or a link
in the HTML names — ``file:///etc/passwd``, ``http://10.0.0.1/admin``, a
``data:`` URI of any size. The templates are ours and autoescaped, but a
name, a title or a logo is not, so the renderer is given a fetcher that
serves ``lms-static:/<path>`` from the static folder (resolved: no ``..``,
no symbolic link out of the folder), the resources the renderer generated
for this document (``lms-generated:<name>``), and refuses everything else.
A refused URL is logged and left out of the document; it never reaches the
network or the disk.
"""
from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote

from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_SCHEME = "lms-static:"
GENERATED_SCHEME = "lms-generated:"

log = logging.getLogger(__name__)


class RefusedURL(ValueError):
    """The renderer asked for something that is not ours to give."""


def static_url(path: str) -> str:
    """The URL a PDF template uses for ``static/<path>``."""
    return STATIC_SCHEME + "/" + path.lstrip("/")


def generated_url(name: str) -> str:
    return GENERATED_SCHEME + name


class StaticOnlyFetcher(URLFetcher):
    """Serves ``lms-static:/…`` from ``static_dir`` and ``lms-generated:<name>``
    from ``generated`` ({name: (mime type, bytes)}); raises ``RefusedURL`` for
    anything else."""

    def __init__(self, static_dir: str | Path, generated: dict[str, tuple[str, bytes]] | None = None):
        super().__init__(allowed_protocols=())
        self.static_dir = Path(static_dir).resolve()
        self.generated = dict(generated or {})
        self.refused: list[str] = []  # what was asked for and refused, for tests and logs

    def fetch(self, url, headers=None):
        if url.startswith(STATIC_SCHEME):
            path = self._static_path(url[len(STATIC_SCHEME):])
            if path is not None:
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})
        elif url.startswith(GENERATED_SCHEME) and url[len(GENERATED_SCHEME):] in self.generated:
            mime, body = self.generated[url[len(GENERATED_SCHEME):]]
            return URLFetcherResponse(url, body, {"Content-Type": mime})
        self.refused.append(url[:200])
        log.warning("PDF renderer refused to fetch %r", url[:200])
        raise RefusedURL(f"not fetched: {url[:80]}")

    def _static_path(self, raw: str) -> Path | None:
        relative = unquote(raw.split("?", 1)[0].split("#", 1)[0]).lstrip("/")
        if not relative or "\\" in relative or "\x00" in relative:
            return None
        if any(part in ("", ".", "..") for part in relative.split("/")):
            return None
        candidate = (self.static_dir / relative).resolve()  # follows links: where the file really is
        if not candidate.is_relative_to(self.static_dir) or not candidate.is_file():
            return None
        return candidate
