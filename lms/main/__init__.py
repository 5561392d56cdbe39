"""The home page, the language switch and the learner's own profile panel."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the home page's blueprint and the learner's profile panel."""
    from lms.main import learner_panel, panels
    from lms.main.views import bp

    app.register_blueprint(bp)
    panels.add(app, "learner", "main/_learner_profile_panel.html", learner_panel.learner_profile, order=90)
