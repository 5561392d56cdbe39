"""How the auth domain is wired into the app: ``init_app`` (called by ``create_app``)."""
from __future__ import annotations

from flask import Flask

from lms.auth.views import bp
from lms.web import password_change_comes_first


def init_app(app: Flask) -> None:
    """Register the sign-in blueprint and the guard that sends a user who must
    change their password to that page before anything else opens."""
    app.register_blueprint(bp)
    app.before_request(password_change_comes_first)
