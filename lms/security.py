"""Security headers and the session cookie."""
from __future__ import annotations

import hashlib

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the cookie marked Secure whenever
    the request came over HTTPS (directly or, with LMS_PROXY_HOPS set,
    through a proxy).

    ``digest_method`` (Flask's setting for this class) names OpenSSL's SHA-1
    itself rather than Flask's lazy wrapper, which sends ``hmac`` to its
    pure-Python code on every request; the signatures are the same."""

    digest_method = staticmethod(hashlib.sha1)

    def get_cookie_secure(self, app):
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


def security_headers(secure: bool, html: bool) -> list[tuple[str, str]]:
    """The headers every response carries (unless a view set its own)."""
    headers = [("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"),
               ("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin")]
    if secure:
        headers.append(("Strict-Transport-Security", "max-age=31536000"))
    if html:
        headers.append(("Cache-Control", "no-store"))
    return headers


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()

    @app.after_request
    def _headers(response):
        for name, value in security_headers(request.is_secure, response.mimetype == "text/html"):
            response.headers.setdefault(name, value)
        return response
