"""Security headers and the session cookie."""
from __future__ import annotations

import hashlib
from datetime import timezone
from functools import lru_cache

from flask import Flask, current_app, request
from flask.sessions import SecureCookieSessionInterface

from lms import clock

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

SEEN_KEY = "_seen"
SINCE_KEY = "_since"
SEEN_REFRESH_SECONDS = 60


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the cookie marked Secure whenever
    the request came over HTTPS (directly or, with LMS_PROXY_HOPS set,
    through a proxy).

    A signed-in session also ends after ``SESSION_IDLE_MINUTES`` without a
    request (besides the absolute ``PERMANENT_SESSION_LIFETIME``): the
    session holds when it was last seen (``_seen``, epoch seconds of
    ``lms.clock``), refreshed at most once a minute so that the cookie is not
    re-signed on every response.

    The absolute lifetime counts from sign-in: the session holds when it
    began (``_since``, set on the first response that carries a signed-in
    user). The cookie's own signature age cannot tell, because refreshing
    ``_seen`` re-signs the cookie, and an active (or stolen and replayed)
    session would otherwise never end.

    ``digest_method`` (Flask's setting for this class) names OpenSSL's SHA-1
    itself rather than Flask's lazy wrapper, which sends ``hmac`` to its
    pure-Python code on every request; the signatures are the same."""

    digest_method = staticmethod(hashlib.sha1)

    def __init__(self):
        self._serializers: dict[tuple, object] = {}

    def get_signing_serializer(self, app):
        """Flask's serializer, built once for each set of keys (``SECRET_KEY``
        and ``SECRET_KEY_FALLBACKS``) rather than on every request: a key
        changed while the app runs makes a new one. It holds the keys and
        the settings only; every cookie is still checked in full."""
        if not app.secret_key:
            return None
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = self._serializers[keys] = super().get_signing_serializer(app)
        return serializer

    def get_cookie_secure(self, app):
        return cookies_secure(app)

    def open_session(self, app, request):
        session = super().open_session(app, request)
        if session is not None and (_idle_too_long(app, session) or _lived_too_long(app, session)):
            # Signed out. The language and the CSRF token (not a credential) stay, so
            # that a form sent now is answered with the sign-in page, not a bad request.
            kept = ("lang", app.config["WTF_CSRF_FIELD_NAME"])
            session = self.session_class({k: v for k, v in session.items() if k in kept})
        return session

    def save_session(self, app, session, response):
        if "_user_id" in session and not isinstance(session.get(SINCE_KEY), int):
            session[SINCE_KEY] = epoch_now()
        if "_user_id" in session and _seen_refresh_due(session) and not _is_background_request():
            session[SEEN_KEY] = epoch_now()
        super().save_session(app, session, response)


def cookies_secure(app: Flask) -> bool:
    """Whether the app's cookies carry the Secure flag: ``SESSION_COOKIE_SECURE``,
    a request that came over HTTPS, or an academy whose address (``LMS_BASE_URL``)
    is https — behind a TLS proxy whose hops are not configured the request looks
    like plain http, yet the users reach the academy over HTTPS, and a cookie
    without the flag would also go out on a plain-http request to the same host."""
    return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure
                or (app.config.get("BASE_URL") or "").startswith("https://"))


def background_request(view):
    """A request a page makes by itself (the notification bell's poll): it
    does not count as the user's activity, so an open tab alone never keeps a
    sign-in from ending after ``SESSION_IDLE_MINUTES``."""
    view.background_request = True
    return view


def _is_background_request() -> bool:
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return bool(getattr(view, "background_request", False))


def epoch_now() -> int:
    return int(clock.now().replace(tzinfo=timezone.utc).timestamp())



def _seen_refresh_due(data) -> bool:
    seen = data.get(SEEN_KEY)
    return not isinstance(seen, int) or epoch_now() - seen >= SEEN_REFRESH_SECONDS


def _idle_too_long(app: Flask, data) -> bool:
    """A signed-in session not seen for SESSION_IDLE_MINUTES. A session from
    before the idle clock (no ``_seen``) starts it now."""
    seen = data.get(SEEN_KEY)
    if "_user_id" not in data or not isinstance(seen, int):
        return False
    return epoch_now() - seen > int(app.config.get("SESSION_IDLE_MINUTES", 30)) * 60


def _lived_too_long(app: Flask, data) -> bool:
    """A signed-in session older than PERMANENT_SESSION_LIFETIME, counted
    from sign-in. A session from before this clock (no ``_since``) starts it now."""
    ends_at = session_ends_at(app, data)
    return ends_at is not None and epoch_now() > ends_at


def session_ends_at(app: Flask, data) -> int | None:
    """When (epoch seconds of ``lms.clock``) a signed-in session's absolute
    lifetime ends, or None for a session not signed in or from before that
    clock. A streamed download asks it between blocks (``lms.auth.session_check``)."""
    since = data.get(SINCE_KEY)
    if "_user_id" not in data or not isinstance(since, int):
        return None
    return since + int(app.permanent_session_lifetime.total_seconds())


# What a file a trainer uploaded (a lesson image, an attachment) is served
# with: it may load nothing and run nothing, and, should a browser ever render
# it as a page (an HTML file renamed .png, a polyglot), it is in a sandbox:
# another origin, no cookies, no forms, no script.
SERVED_FILE_CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox"


@lru_cache(maxsize=8)
def security_headers(secure: bool, hsts_seconds: int = 31536000) -> tuple[tuple[str, str], ...]:
    """The headers every response carries (unless a view set its own); the
    same few tuples for every response, so built once."""
    headers = (("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"),
               ("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin"))
    if secure and hsts_seconds > 0:
        headers += (("Strict-Transport-Security", f"max-age={hsts_seconds}"),)
    return headers


def keep_out_of_caches(response, present: set[str] | None = None) -> None:
    """Everything but the app's own static files, and a file a view gave a
    lifetime (a lesson image), is ``no-store``: pages, fragments, PDFs and
    spreadsheet exports hold personal data, and on a branch's shared PC the
    next person must not get them from the browser's cache (or its Back
    button) after sign-out. ``send_file`` alone says only ``no-cache``
    (kept, but revalidated), which is not enough. ``present``: the header
    names the response has, in lower case, when the caller has them."""
    if request.endpoint == "static":
        return
    if present is None:
        present = {name.lower() for name in response.headers.keys()}
    if "cache-control" not in present:  # most answers: what werkzeug would write, without parsing a header
        response.headers.add("Cache-Control", "no-store")
    elif not response.cache_control.max_age:
        response.cache_control.no_store = True


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()

    @app.after_request
    def _headers(response):
        # Looked up in one set: werkzeug's ``in`` on headers raises and catches a KeyError for every missing name.
        headers = response.headers
        present = {name.lower() for name in headers.keys()}
        for name, value in security_headers(request.is_secure, int(current_app.config.get("HSTS_SECONDS", 31536000))):
            if name.lower() not in present:
                headers.add(name, value)
        keep_out_of_caches(response, present)
        return response
