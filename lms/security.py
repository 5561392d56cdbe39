"""Security headers, the session cookie, and the CSRF check for requests answered before Flask."""
from __future__ import annotations

import hashlib
import hmac
import time

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import same_origin
from itsdangerous import BadData, BadSignature, Signer, URLSafeTimedSerializer
from werkzeug.exceptions import SecurityError
from werkzeug.wsgi import get_host

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


def security_headers(secure: bool, html: bool) -> list[tuple[str, str]]:
    """The headers every response carries (unless a view set its own)."""
    headers = [("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"),
               ("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin")]
    if secure:
        headers.append(("Strict-Transport-Security", "max-age=31536000"))
    if html:
        headers.append(("Cache-Control", "no-store"))
    return headers


def csrf_token_passes(app: Flask, session: dict, environ: dict, form) -> bool:
    """Whether Flask-WTF's check (``CSRFProtect.protect``) would pass this
    POST, for a request answered before Flask (``lms.quick_routes``): the
    token from the form field or a header, signed with the same key and salt,
    within the time limit, equal to the session's; over HTTPS, a same-origin
    Referer. False also when CSRF protection is switched off, so that such a
    request goes to Flask, which decides."""
    config = app.config
    if not (config["WTF_CSRF_ENABLED"] and config["WTF_CSRF_CHECK_DEFAULT"]):
        return False
    field = config["WTF_CSRF_FIELD_NAME"]
    token = form.get(field) or next((form[k] for k in form if k.endswith(field) and form[k]), None)
    if not token:
        token = next((v for v in (environ.get("HTTP_" + h.upper().replace("-", "_"))
                                  for h in config["WTF_CSRF_HEADERS"]) if v), None)
    if not token or field not in session:
        return False
    serializer = URLSafeTimedSerializer(config.get("WTF_CSRF_SECRET_KEY") or app.secret_key, salt="wtf-csrf-token")
    try:
        signed = serializer.loads(token, max_age=config.get("WTF_CSRF_TIME_LIMIT", 3600))
    except BadData:
        return False
    expected = session[field]
    if not (isinstance(signed, str) and isinstance(expected, str) and signed.isascii() and expected.isascii()
            and hmac.compare_digest(expected, signed)):
        return False
    if environ.get("wsgi.url_scheme") == "https" and config["WTF_CSRF_SSL_STRICT"]:
        referrer = environ.get("HTTP_REFERER")
        try:
            host = get_host(environ, config["TRUSTED_HOSTS"])
        except SecurityError:
            return False
        if not referrer or not same_origin(referrer, f"https://{host}/"):
            return False
    return True


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()

    @app.after_request
    def _headers(response):
        for name, value in security_headers(request.is_secure, response.mimetype == "text/html"):
            response.headers.setdefault(name, value)
        return response
