"""How the mentoring domain is wired into the app: ``init_app`` (called by ``create_app``)."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the sign-off (``signoff_setup``)."""
    from lms.mentoring import signoff_setup

    signoff_setup.init_app(app)
