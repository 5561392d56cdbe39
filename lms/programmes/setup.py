"""How the programmes domain is wired into the app: ``init_app`` (called by ``create_app``)."""
from __future__ import annotations

from flask import Flask

from lms.main import panels
from lms.org import person_sections
from lms.programmes import audit_labels
from lms.programmes import panels as programme_panels
from lms.programmes.record import record_section
from lms.programmes.staff_views import bp as staff_bp
from lms.programmes.views import bp


def init_app(app: Flask) -> None:
    """Register the programmes' blueprints, the learner's this-week panel and
    the training record on HR's person page."""
    audit_labels.register(app)
    app.register_blueprint(bp)
    app.register_blueprint(staff_bp)
    panels.add(app, "learner", "programmes/_this_week_panel.html", programme_panels.this_week_panel, order=10)
    person_sections.add(app, "programmes/_record.html", record_section, order=10)
