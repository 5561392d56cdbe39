"""How the org domain is wired into the app: ``init_app`` (called by ``create_app``)."""
from __future__ import annotations

from flask import Flask

from lms.main import panels
from lms.org import audit_labels, panels as org_panels
from lms.org.cli import create_admin, demo, people_cli
from lms.org.settings_views import bp as system_bp
from lms.org.views import bp as org_bp


def init_app(app: Flask) -> None:
    """Register HR's and the system settings' blueprints, the people commands
    (``create-admin``, ``demo``, ``people``) and the HR and admin home panels."""
    app.register_blueprint(org_bp)
    app.register_blueprint(system_bp)
    for command in (create_admin, demo, people_cli):
        app.cli.add_command(command)
    audit_labels.register(app)
    panels.add(app, "hr", "org/_hr_panel.html", org_panels.hr_panel, order=30)
    panels.add(app, "admin", "org/_admin_panel.html", org_panels.admin_panel, order=40)
