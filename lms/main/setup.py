"""How the main domain is wired into the app: ``init_app`` (called by ``create_app``)."""
from __future__ import annotations

from flask import Flask

from lms.main import learner_panel, panels
from lms.main.views import bp


def init_app(app: Flask) -> None:
    """Register the home page's blueprint and the learner's profile panel."""
    app.register_blueprint(bp)
    panels.add(app, "learner", "main/_learner_profile_panel.html", learner_panel.learner_profile, order=90)
