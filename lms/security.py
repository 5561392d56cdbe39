"""Security headers, cookie flags and the sign-in redirect for htmx requests."""
from __future__ import annotations

import hashlib

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import Signer

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


# Flask and itsdangerous name SHA-1 through a Python wrapper (so that they
# import where SHA-1 is disabled), which makes ``hmac`` fall back to its
# pure-Python code: ~20 µs a signature, three per request (the session and
# the CSRF token). OpenSSL's function gives the same signatures in C.
Signer.default_digest_method = staticmethod(hashlib.sha1)


class SessionInterface(SecureCookieSessionInterface):
    """Marks the session cookie Secure whenever the request came over HTTPS
    (directly or, with LMS_PROXY_HOPS set, through a proxy)."""

    digest_method = staticmethod(hashlib.sha1)

    def get_cookie_secure(self, app):
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        return response
