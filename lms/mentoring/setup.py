"""How the mentoring domain is wired into the app: ``init_app`` (called by ``create_app``)."""
from __future__ import annotations

from flask import Flask

from lms import demo_hooks
from lms.mentoring import audit_labels
from lms.mentoring.demo import load_demo_pairings
from lms.mentoring.hr_views import bp as admin_bp
from lms.mentoring.person_section import mentoring_section
from lms.org import person_sections


def init_app(app: Flask) -> None:
    """Register HR's mentoring pages (``mentoring_admin``), the pairing
    section of HR's person page, the audit sentences and the demo pairings."""
    audit_labels.register(app)
    app.register_blueprint(admin_bp)
    person_sections.add(app, "mentoring/admin/_person_section.html", mentoring_section, order=20)
    demo_hooks.add(app, 60, load_demo_pairings)
