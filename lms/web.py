"""Small helpers every blueprint's views share: htmx detection, role checks,
the password-change guard, choosing between a full page and a partial."""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required

# Pages a user who must change their password may still open.
OPEN_WHILE_PASSWORD_MUST_CHANGE = {"static", "auth.change_password", "auth.logout", "auth.login",
                                   "main.set_language"}


def is_htmx() -> bool:
    """A request htmx makes to swap a part of the page. Not its history
    restore (Back to an address it pushed, not in its cache): htmx puts that
    answer in place of the whole <body>, so it gets the whole page."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def htmx_page_path() -> str | None:
    """The path (and query) of the page an htmx request came from (its
    ``HX-Current-URL``), when that page is on this site; else None."""
    parts = urlsplit(request.headers.get("HX-Current-URL", ""))
    if not parts.path.startswith("/") or parts.netloc != request.host:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


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
    opens until the password is changed. Runs before every request."""
    endpoint = request.endpoint
    if endpoint in OPEN_WHILE_PASSWORD_MUST_CHANGE or endpoint is None:
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        target = url_for("auth.change_password")
        if is_htmx():
            return "", 204, {"HX-Redirect": target}
        return redirect(target)
    return None


def render_fragment(template: str, **context) -> str:
    """A small fragment (an htmx answer) rendered without the app's context
    processors, which work out what only a whole page shows. The template
    may use filters, the translation functions and ``url_for``, nothing from
    a processor."""
    return current_app.jinja_env.get_template(template).render(context)


def safe_next_url(target: str | None) -> str | None:
    """Only local paths are followed after sign-in (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
