"""How the reports domain is wired into the app: ``init_app`` (called by ``create_app``)."""
from __future__ import annotations

from flask import Flask

from lms import demo_hooks
from lms.main import panels
from lms.reports import demo
from lms.reports import panels as report_panels
from lms.reports.views import bp


def init_app(app: Flask) -> None:
    """Register the reports' blueprint, the branch manager's home panel and
    the demo hook that grades the essays of the demo's current week."""
    app.register_blueprint(bp)
    panels.add(app, "branch_manager", "reports/_branch_manager_panel.html", report_panels.branch_manager_panel,
               order=10)
    demo_hooks.add(app, 50, demo.grade_demo_week)
