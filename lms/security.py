"""Security headers, cookie flags and the session cookie."""
from __future__ import annotations

import hashlib
import time

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature, Signer

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


# Flask and itsdangerous name SHA-1 through a Python wrapper (so that they
# import where SHA-1 is disabled), which makes ``hmac`` fall back to its
# pure-Python code: ~20 µs a signature, three per request (the session and
# the CSRF token). OpenSSL's function gives the same signatures in C.
Signer.default_digest_method = staticmethod(hashlib.sha1)


_IMMUTABLE = (str, int, float, bool, type(None))


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with two changes.

    The cookie is marked Secure whenever the request came over HTTPS
    (directly or, with LMS_PROXY_HOPS set, through a proxy).

    Cookies already verified are remembered: a browser sends the same cookie
    with every request (it changes only when the session does), and checking
    its signature and decoding it again took ~70 µs a request. A
    cookie is recognised only when it is the same string as one verified
    before with the same keys; its age is checked again every time, so it
    expires exactly as it would otherwise. Only sessions made of plain values
    are remembered (a list, such as flashed messages, could be changed in
    place); the memory holds at most ``REMEMBERED`` cookies per process."""

    digest_method = staticmethod(hashlib.sha1)
    REMEMBERED = 4096

    def __init__(self):
        # cookie value → (keys it was verified with, signed at (epoch s), data)
        self._verified: dict[str, tuple[tuple, int, dict]] = {}

    def get_cookie_secure(self, app):
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)

    def open_session(self, app, request):
        if not app.secret_key:
            return None
        data = self.verified(app, request.cookies.get(self.get_cookie_name(app)))
        return self.session_class(data or {})

    def verified(self, app, value: str | None) -> dict | None:
        """The data of the session cookie ``value`` when its signature is good
        and it has not expired; None otherwise (no cookie, tampered, too old).
        The dict is the caller's own copy."""
        if not value or not app.secret_key:
            return None
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        max_age = int(app.permanent_session_lifetime.total_seconds())
        known = self._verified.get(value)
        if known is not None and known[0] == keys and 0 <= int(time.time()) - known[1] <= max_age:
            return dict(known[2])
        try:
            data, signed_at = self.get_signing_serializer(app).loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return None
        if all(isinstance(v, _IMMUTABLE) for v in data.values()):
            if len(self._verified) >= self.REMEMBERED:
                self._verified.clear()
            self._verified[value] = (keys, int(signed_at.timestamp()), dict(data))
        return data


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
