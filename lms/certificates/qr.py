"""The address of a certificate's public verification page and its QR code."""
from __future__ import annotations

import io
import logging
from urllib.parse import urlsplit

import segno
from flask import current_app, has_request_context, request, url_for

log = logging.getLogger(__name__)


def base_url() -> str:
    """The bank's address for links printed on paper: ``LMS_BASE_URL``
    (``NOTIFY_BASE_URL`` in the app's config) when set — production sets it,
    so that a request's Host header never decides what a certificate prints —,
    else the current request's host, else the configured server name."""
    configured = (current_app.config.get("NOTIFY_BASE_URL") or "").strip().rstrip("/")
    if configured:
        return configured
    if has_request_context():
        return request.host_url.rstrip("/")
    server = current_app.config.get("SERVER_NAME")
    if not server:
        log.warning("LMS_BASE_URL is not set: the certificate's QR code points at http://localhost")
        server = "localhost"
    return f"{current_app.config.get('PREFERRED_URL_SCHEME', 'http')}://{server}"


def verification_url(code: str) -> str:
    """The absolute address of the public page for verification code ``code``."""
    base = base_url()
    origin = urlsplit(base)
    with current_app.test_request_context("/", base_url=base + "/"):
        path = url_for("verify.code", code=code)  # with the base's own path in front
    return f"{origin.scheme}://{origin.netloc}{path}"


def qr_svg(url: str) -> bytes:
    """A QR code of ``url`` as a small SVG (vector: sharp at any print size)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=1, border=2, xmldecl=False, dark="#111", light="#fff")
    return out.getvalue()
