"""Small helpers every blueprint's views share: htmx detection, role checks,
the password-change guard, choosing between a full page and a partial, and
the short way a hot view may take before the usual checks."""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

# Pages a user who must change their password may still open.
OPEN_WHILE_PASSWORD_MUST_CHANGE = {"static", "auth.change_password", "auth.logout", "auth.login",
                                   "main.set_language"}


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def render_page_or_partial(page_template: str, partial_template: str, **context):
    """One URL answers a full page or, for htmx, only the region it swaps."""
    html = render_template(partial_template if is_htmx() else page_template, **context)
    return html, 200, {"Vary": "HX-Request"}


def roles_required(*roles: str):
    """Signed in and holding one of ``roles`` (admin holds every role)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def password_change_comes_first():
    """After a reset (or a first sign-in with an initial password) nothing else
    opens until the password is changed. Runs before every request, except
    for views that check this in their own statement (``quick_way_first``),
    which run it themselves when they go the usual way."""
    endpoint = request.endpoint
    if endpoint in OPEN_WHILE_PASSWORD_MUST_CHANGE or endpoint is None:
        return None
    if getattr(current_app.view_functions.get(endpoint), "checks_sign_in_itself", False):
        return None
    return _redirect_if_password_must_change()


def _redirect_if_password_must_change():
    if current_user.is_authenticated and current_user.must_change_password:
        target = url_for("auth.change_password")
        if is_htmx():
            return "", 204, {"HX-Redirect": target}
        return redirect(target)
    return None


def render_fragment(template: str, **context) -> str:
    """A small fragment rendered without the app's context processors, for a
    quick way: Flask-Login's loads the signed-in user, which the quick way
    has checked in its statement instead. The template may use filters,
    ``url_for`` and the translation functions, nothing from a processor."""
    return current_app.jinja_env.get_template(template).render(context)


def session_sign_in() -> tuple[int, int] | None:
    """(user id, session version) as the signed session cookie names them,
    without loading the user: what a quick way checks in its own statement
    (the user exists, is active, has that session version, holds the role,
    need not change the password). None when the session names nobody."""
    raw = session.get("_user_id")
    if not isinstance(raw, str):
        return None
    user_id, _sep, version = raw.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    return int(user_id), int(version)


def quick_way_first(quick):
    """A hot view's common case without loading the signed-in user.

    ``quick(**view_args)`` runs first. It must itself establish everything
    the usual way checks (sign-in, session version, active, role,
    password-change state: ``session_sign_in`` and one SQL statement that
    joins the user) and either answer the request or return None having
    changed nothing. On None the view runs the usual way: password-change
    guard, then the view with its own decorators (sign-in, roles), which
    answer every case the quick way left alone."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            response = quick(*args, **kwargs)
            if response is not None:
                return response
            return _redirect_if_password_must_change() or view(*args, **kwargs)

        wrapped.checks_sign_in_itself = True
        return wrapped

    return decorator


def safe_next_url(target: str | None) -> str | None:
    """Only local paths are followed after sign-in (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
