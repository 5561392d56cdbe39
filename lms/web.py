"""Small helpers every blueprint's views share: htmx detection, role checks,
the password-change guard, choosing between a full page and a partial."""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.extensions import db
from lms.org.models import User

# Pages a user who must change their password may still open.
OPEN_WHILE_PASSWORD_MUST_CHANGE = {"static", "auth.change_password", "auth.logout", "auth.login",
                                   "main.set_language"}


def is_htmx() -> bool:
    """A request htmx makes to swap a part of the page. Not its history
    restore (Back to an address it pushed, not in its cache): htmx puts that
    answer in place of the whole <body>, so it gets the whole page."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


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

        wrapped.required_roles = roles  # asked again while a download is made (``lms.auth.session_check``)
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
    # Browsers read a backslash as a slash ("/\\evil.example" is "//evil.example") and drop
    # tabs and newlines inside an address, so neither may appear in a local path.
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def page_to_return_to() -> str | None:
    """Where the user goes back to after signing in again: the address asked
    for when it is a page (a GET the browser navigated to); for an htmx request
    (an exam's autosave, a fragment) or a form sent, the page the user had open
    (htmx's HX-Current-URL, else the Referer) when it is on this site, because
    a POST-only address opened after sign-in answers 405 and a fragment is no page."""
    if request.method == "GET" and not is_htmx():
        return request.full_path.rstrip("?")
    sent_from = request.headers.get("HX-Current-URL") or request.referrer
    if not sent_from:
        return None
    parts = urlsplit(sent_from)
    if parts.netloc and parts.netloc != request.host:
        return None
    return safe_next_url(parts.path + (f"?{parts.query}" if parts.query else ""))


def needs_sign_in(endpoint: str | None) -> bool:
    """Whether the view of ``endpoint`` is behind Flask-Login's ``login_required``
    (directly or through ``roles_required``): the public pages (sign-in, the
    language, certificate verification) are not."""
    view = current_app.view_functions.get(endpoint) if endpoint else None
    while view is not None:
        if getattr(view, "__code__", None) is _LOGIN_REQUIRED_CODE:
            return True
        view = getattr(view, "__wrapped__", None)
    return False


# The code of the function login_required wraps a view in (the same for every view;
# functools.wraps gives it the view's names, so only its code tells).
_LOGIN_REQUIRED_CODE = login_required(lambda: None).__code__


def _ended_by_password_reset() -> bool:
    """The browser's session names a user (``id:version``, Flask-Login's
    ``_user_id``) whose sessions were ended since, by a password reset that
    waits for a new password (HR's reset, or HR's new password for them).
    Only the holder of that session learns it: the sign-in page itself says
    nothing about any account."""
    user_id, _sep, version = str(session.get("_user_id") or "").partition(":")
    if not (user_id.isdigit() and version.isdigit()) or len(user_id) > 18:
        return False
    user = db.session.get(User, int(user_id))
    return (user is not None and user.active and user.must_change_password
            and user.session_version != int(version))


def send_to_sign_in():
    """The answer to a request that needs a sign-in it does not have (never
    signed in, signed out in another tab, the session's idle or 12-hour limit):
    the sign-in page, then back to the page the user was on. A request the page
    made by itself or a form sent from it says why the user is asked again."""
    target = page_to_return_to()
    if _ended_by_password_reset():
        # The password the learner knows no longer works: "sign in again" alone sends
        # them to a sign-in that fails (mid-exam too), with no word of why.
        flash(_("HR reset your password, which ended your sign-in; what was saved before is kept. Ask HR for "
                "the temporary password, sign in with it and choose a new one."), "error")
    elif request.method != "GET" or is_htmx():
        flash(_("Your sign-in has ended. Sign in again to go on; what was saved before is kept."), "error")
    login_url = url_for("auth.login", next=target) if target else url_for("auth.login")
    if is_htmx():
        # A 302 would swap the login page into a fragment; send the whole page there.
        return "", 401, {"HX-Redirect": login_url}
    return redirect(login_url)
