"""Small helpers every blueprint's views share: htmx detection, role checks,
choosing between a full page and a partial."""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import abort, render_template, request
from flask_login import current_user, login_required


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


def safe_next_url(target: str | None) -> str | None:
    """Only local paths are followed after sign-in (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
