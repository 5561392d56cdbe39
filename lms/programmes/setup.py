"""How the programmes domain is wired into the app: ``init_app`` (called by ``create_app``)."""
from __future__ import annotations

from flask import Flask

from lms.main import panels
from lms.programmes import panels as programme_panels
from lms.programmes.views import bp


def init_app(app: Flask) -> None:
    """Register the programmes' blueprint and the learner's this-week panel."""
    app.register_blueprint(bp)
    panels.add(app, "learner", "programmes/_this_week_panel.html", programme_panels.this_week_panel, order=10)
