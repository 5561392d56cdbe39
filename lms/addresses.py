"""Absolute addresses (for paper and for messages that leave the app): always
from the configured ``LMS_BASE_URL`` (``BASE_URL`` in the app's config),
never from the request, whose ``Host`` header the client chooses."""
from __future__ import annotations

from typing import Callable
from urllib.parse import urlsplit

from flask import current_app

from lms.config import require_base_url


def configured_base_url() -> str | None:
    """``LMS_BASE_URL`` as configured (no trailing slash), or None."""
    return current_app.config.get("BASE_URL") or None


def base_url() -> str:
    """``LMS_BASE_URL``; a debug or test app without it uses ``SERVER_NAME``,
    else http://127.0.0.1:5000. A production app without it raises
    ``ConfigError`` (the served app never starts without it)."""
    configured = require_base_url(current_app)  # production: refused here when unset
    if configured:
        return configured
    server = current_app.config.get("SERVER_NAME") or "127.0.0.1:5000"
    return f"{current_app.config.get('PREFERRED_URL_SCHEME', 'http')}://{server}"


def absolute(build_path: Callable[[], str | None], base: str | None = None) -> str:
    """The absolute address of the path ``build_path()`` gives (it calls
    ``url_for``), under ``base`` (default ``base_url()``) with the base's own
    path in front; "" when it gives no path."""
    base = (base or base_url()).rstrip("/")
    origin = urlsplit(base)
    with current_app.test_request_context("/", base_url=base + "/"):
        path = build_path()
    return f"{origin.scheme}://{origin.netloc}{path}" if path else ""
