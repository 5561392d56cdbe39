"""Security headers, the session cookie, and the CSRF check for requests answered before Flask."""
from __future__ import annotations

import hashlib
import hmac
import time
from datetime import datetime, timezone

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import same_origin
from itsdangerous import BadData, BadSignature, Signer, URLSafeTimedSerializer
from werkzeug.exceptions import SecurityError
from werkzeug.wsgi import get_host

from lms import clock

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


class Verified:
    """Signed strings already verified, so that the same string sent again
    (a browser sends its session cookie and CSRF token with every request)
    is not checked again: ~70 µs for a session cookie, ~25 µs for a token.
    A string is found only when it is the same string verified with the same
    keys, and only while its age (from the signing time) is within
    ``max_age``, checked every time as itsdangerous checks it. At most
    ``size`` strings per process; the whole memory is dropped when full."""

    def __init__(self, size: int = 4096):
        self.size = size
        self._known: dict[str, tuple[tuple, int, object]] = {}  # value → (keys, signed at (epoch s), payload)

    def get(self, value: str, keys: tuple, max_age: int | None):
        known = self._known.get(value)
        if known is None or known[0] != keys:
            return None
        if max_age is not None and not 0 <= int(time.time()) - known[1] <= max_age:
            return None
        return known[2]

    def remember(self, value: str, keys: tuple, signed_at: datetime, payload) -> None:
        if len(self._known) >= self.size:
            self._known.clear()
        self._known[value] = (keys, int(signed_at.timestamp()), payload)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with two changes.

    The cookie is marked Secure whenever the request came over HTTPS
    (directly or, with LMS_PROXY_HOPS set, through a proxy).

    Cookies already verified are remembered (``Verified``): the cookie
    changes only when the session does, and it expires exactly as it would
    otherwise. Only sessions made of plain values are remembered (a list,
    such as flashed messages, could be changed in place), and each request
    gets its own copy.

    A signed-in session also ends after ``SESSION_IDLE_MINUTES`` without a
    request (besides the absolute ``PERMANENT_SESSION_LIFETIME``): the
    session holds when it was last seen (``_seen``, epoch seconds of
    ``lms.clock``), refreshed at most once a minute so that the cookie is not
    re-signed on every response."""

    digest_method = staticmethod(hashlib.sha1)

    def __init__(self):
        self._verified = Verified()

    def get_cookie_secure(self, app):
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)

    def open_session(self, app, request):
        if not app.secret_key:
            return None
        data = self._signed_data(app, request.cookies.get(self.get_cookie_name(app))) or {}
        if _idle_too_long(app, data):
            # Signed out. The language and the CSRF token (not a credential) stay, so
            # that a form sent now is answered with the sign-in page, not a bad request.
            kept = ("lang", app.config["WTF_CSRF_FIELD_NAME"])
            data = {k: v for k, v in data.items() if k in kept}
        return self.session_class(data)

    def save_session(self, app, session, response):
        if "_user_id" in session and _seen_refresh_due(session):
            session[SEEN_KEY] = _epoch_now()
        super().save_session(app, session, response)

    def verified(self, app, value: str | None) -> dict | None:
        """The data of the session cookie ``value`` when its signature is good,
        it has not expired, it has not been idle too long, and Flask would not
        refresh its idle clock in this response (a request answered before
        Flask sets no cookie, so such a request goes to Flask); None otherwise.
        The dict is the caller's own copy."""
        data = self._signed_data(app, value)
        if data is None or _idle_too_long(app, data) or ("_user_id" in data and _seen_refresh_due(data)):
            return None
        return data

    def _signed_data(self, app, value: str | None) -> dict | None:
        """The data of the session cookie ``value`` when its signature is good
        and it has not expired; None otherwise (no cookie, tampered, too old).
        The dict is the caller's own copy."""
        if not value or not app.secret_key:
            return None
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        max_age = int(app.permanent_session_lifetime.total_seconds())
        known = self._verified.get(value, keys, max_age)
        if known is not None:
            return dict(known)
        try:
            data, signed_at = self.get_signing_serializer(app).loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return None
        if all(isinstance(v, _IMMUTABLE) for v in data.values()):
            self._verified.remember(value, keys, signed_at, dict(data))
        return data


SEEN_KEY = "_seen"
SEEN_REFRESH_SECONDS = 60


def _epoch_now() -> int:
    return int(clock.now().replace(tzinfo=timezone.utc).timestamp())


def _seen_refresh_due(data) -> bool:
    seen = data.get(SEEN_KEY)
    return not isinstance(seen, int) or _epoch_now() - seen >= SEEN_REFRESH_SECONDS


def _idle_too_long(app: Flask, data) -> bool:
    """A signed-in session not seen for SESSION_IDLE_MINUTES. A session from
    before the idle clock (no ``_seen``) starts it now."""
    seen = data.get(SEEN_KEY)
    if "_user_id" not in data or not isinstance(seen, int):
        return False
    return _epoch_now() - seen > int(app.config.get("SESSION_IDLE_MINUTES", 30)) * 60


def security_headers(secure: bool, html: bool) -> list[tuple[str, str]]:
    """The headers every response carries (unless a view set its own)."""
    headers = [("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"),
               ("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin")]
    if secure:
        headers.append(("Strict-Transport-Security", "max-age=31536000"))
    if html:
        headers.append(("Cache-Control", "no-store"))
    return headers


_csrf_tokens = Verified()


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
    keys = (config.get("WTF_CSRF_SECRET_KEY") or app.secret_key,)
    time_limit = config.get("WTF_CSRF_TIME_LIMIT", 3600)
    signed = _csrf_tokens.get(token, keys, time_limit)
    if signed is None:
        try:
            signed, signed_at = URLSafeTimedSerializer(keys[0], salt="wtf-csrf-token").loads(
                token, max_age=time_limit, return_timestamp=True)
        except BadData:
            return False
        _csrf_tokens.remember(token, keys, signed_at, signed)
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
