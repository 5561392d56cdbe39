"""The app's own static files (``static/``: the stylesheet, the scripts,
htmx) are addressed with a fingerprint of their content
(``/static/css/app.css?v=<12 hex digits of its SHA-256>``, added by every
``url_for('static', ...)``), and such an address is answered with
``Cache-Control: public, max-age=31536000, immutable``: a phone on a slow bank
network loads them once, not on every page, and a deploy that changes a file
changes its address, so nobody keeps yesterday's script with today's pages.
An address without the current fingerprint (typed, or a page from before a
deploy) gets the file with ``no-cache`` and its ETag: kept, but revalidated.

Only ``static/``: pages, fragments and files that hold personal data stay
``no-store`` (``lms.security.keep_out_of_caches``)."""
from __future__ import annotations

import hashlib
import os

from flask import Flask, has_request_context, request
from werkzeug.security import safe_join

YEAR = 365 * 24 * 3600
_LENGTH = 12


class Fingerprints:
    """The fingerprint of each file under ``folder``, read once per change of
    the file (its modification time and size are checked on each use)."""

    def __init__(self, folder: str):
        self.folder = folder
        self._known: dict[str, tuple[int, int, str]] = {}

    def of(self, filename: str | None) -> str | None:
        path = safe_join(self.folder, filename) if filename else None
        if path is None:
            return None
        try:
            stat = os.stat(path)
        except OSError:
            return None
        known = self._known.get(filename)
        if known is not None and known[:2] == (stat.st_mtime_ns, stat.st_size):
            return known[2]
        try:
            with open(path, "rb") as f:
                digest = hashlib.sha256(f.read()).hexdigest()[:_LENGTH]
        except OSError:  # a folder, or unreadable
            return None
        self._known[filename] = (stat.st_mtime_ns, stat.st_size, digest)
        return digest


def init_app(app: Flask) -> None:
    fingerprints = Fingerprints(app.static_folder)

    @app.url_defaults
    def _fingerprint(endpoint, values):
        if endpoint == "static" and "v" not in values:
            digest = fingerprints.of(values.get("filename"))
            if digest is not None:
                values["v"] = digest

    def max_age(filename):
        given = request.args.get("v") if has_request_context() else None
        if given and given == fingerprints.of(filename):
            return YEAR
        return None  # no-cache with the ETag: revalidated

    app.get_send_file_max_age = max_age

    @app.after_request
    def _immutable(response):
        if request.endpoint == "static" and response.cache_control.max_age == YEAR:
            response.cache_control.public = True
            response.cache_control.immutable = True
        return response
