"""Quick routes: the common case of a hot request answered in front of Flask.

The autosave is by far the most frequent request (each answer change of each
learner in an exam), and Flask's handling around it cost more than the save:
request and session objects, routing, and the before/after hooks of CSRF,
rate limiting, sign-in and security headers. A quick route answers the
common case of such a request in the WSGI layer, before Flask sees it:

- the route is Flask's own: the request is matched against the app's URL map,
  and only an endpoint registered with ``@quick_route`` is answered here;
- only an htmx POST of a small urlencoded form, carrying a session cookie
  that is signed and in date (``SessionInterface.verified``), names a signed-
  in user, and a CSRF token Flask-WTF would accept (``csrf_token_passes``);
- the handler runs in an app context, checks everything else (the user's
  state and roles, the object) in its own SQL, and returns the HTML fragment.

None at any step means that nothing was changed: the request goes on to
Flask as it came (a body read here is put back), and the view answers every
case the quick route left alone (sign-in redirect, 403, 404, time up, a bad
CSRF token). So a quick route may be stricter than its view, never looser.

Left to the next ordinary request, as with any view that does not load the
user: Flask-Login's "basic" session protection, which would only mark the
session as not fresh ("strong" protection sends every request to Flask).
"""
from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from urllib.parse import parse_qsl

from flask import Flask
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException, SecurityError
from werkzeug.http import parse_cookie
from werkzeug.wsgi import get_host

from lms.security import csrf_token_passes, security_headers

# endpoint → handler(QuickRequest, **view_args) -> HTML or None
QUICK_ROUTES: dict[str, Callable[..., str | None]] = {}

# The largest body read here (or MAX_CONTENT_LENGTH, if smaller); anything
# bigger goes to Flask unread.
MAX_QUICK_BODY = 64 * 1024


def quick_route(endpoint: str):
    """Answer the common case of Flask's ``endpoint`` with this handler first."""

    def decorator(handler):
        QUICK_ROUTES[endpoint] = handler
        return handler

    return decorator


@dataclass
class QuickRequest:
    app: Flask
    environ: dict
    form: MultiDict
    user_id: int
    session_version: int

    @contextmanager
    def flask_request(self):
        """A Flask request context, for the rare part of a handler that needs
        one (``url_for`` of a page)."""
        with self.app.request_context(self.environ):
            yield


class QuickRoutes:
    """WSGI middleware in front of ``app.wsgi_app`` (inside ProxyFix, so
    that the scheme and host it sees are the client's)."""

    def __init__(self, app: Flask, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "POST" and environ.get("HTTP_HX_REQUEST") == "true":
            html = self._answer(environ)
            if html is not None:
                body = html.encode()
                start_response("200 OK", [
                    ("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body))),
                    ("Vary", "HX-Request, Cookie"),
                    *security_headers(secure=environ.get("wsgi.url_scheme") == "https", html=True)])
                return [body]
        return self.wsgi_app(environ, start_response)

    def _answer(self, environ) -> str | None:
        app = self.app
        config = app.config
        try:
            if config["TRUSTED_HOSTS"]:
                get_host(environ, config["TRUSTED_HOSTS"])
            endpoint, args = app.url_map.bind_to_environ(
                environ, server_name=config["SERVER_NAME"],
                subdomain=app.url_map.default_subdomain or None).match()
        except (HTTPException, SecurityError):  # not found, redirect, method, host: Flask answers
            return None
        handler = QUICK_ROUTES.get(endpoint)
        if handler is None:
            return None
        form = _small_form(environ, min(MAX_QUICK_BODY, config["MAX_CONTENT_LENGTH"] or MAX_QUICK_BODY))
        if form is None:
            return None
        with app.app_context():  # the session's JSON tags need it, as does the handler
            session = app.session_interface.verified(app, parse_cookie(environ).get(config["SESSION_COOKIE_NAME"]))
            signed_in = _signed_in(app, session)
            if signed_in is None or not csrf_token_passes(app, session, environ, form):
                return None
            try:
                return handler(QuickRequest(app, environ, form, *signed_in), **args)
            except Exception:  # Flask's view runs again and answers (with its error page, if need be)
                app.logger.exception("quick route %s failed; handing the request to Flask", endpoint)
                return None


def _signed_in(app: Flask, session: dict | None) -> tuple[int, int] | None:
    """(user id, session version) as Flask-Login's session key names them,
    when Flask would not change the session in its response (a remember-me
    cookie to set, a session to refresh): a quick answer sets no cookie.
    None too under "strong" session protection, which may sign the user out
    (the app runs "basic", which only marks the session as not fresh)."""
    if not session or "_remember" in session:
        return None
    if app.config.get("SESSION_PROTECTION", app.login_manager.session_protection) == "strong":
        return None
    if app.config["SESSION_REFRESH_EACH_REQUEST"] and session.get("_permanent"):
        return None
    if app.config.get("REMEMBER_COOKIE_REFRESH_EACH_REQUEST"):
        return None
    raw = session.get("_user_id")
    if not isinstance(raw, str):
        return None
    user_id, _sep, version = raw.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    return int(user_id), int(version)


def _small_form(environ, limit: int) -> MultiDict | None:
    """The body of a urlencoded UTF-8 form of at most ``limit`` bytes, put
    back for Flask to read again. None for any other body, which is then
    left unread."""
    content_type, _sep, params = environ.get("CONTENT_TYPE", "").partition(";")
    if content_type.strip().lower() != "application/x-www-form-urlencoded":
        return None
    if params.strip() and params.strip().lower().replace('"', "") != "charset=utf-8":
        return None
    length = environ.get("CONTENT_LENGTH") or ""
    if not length.isdigit() or int(length) > limit:
        return None
    body = environ["wsgi.input"].read(int(length))
    environ["wsgi.input"] = BytesIO(body)
    if len(body) != int(length):
        return None
    try:
        return MultiDict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError:
        return None
