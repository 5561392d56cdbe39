"""How the eligibility domain is wired into the app: ``init_app`` (called by ``create_app``)."""
from __future__ import annotations

from flask import Flask

from lms.eligibility import engine, monitor, register
from lms.eligibility.views import bp
from lms.main import panels
from lms.org import person_sections, position_gates


def _person_section(person, _viewer) -> dict:
    return {"verdicts": engine.verdicts_for(person), "target_label": register.target_label}


def init_app(app: Flask) -> None:
    """Register the register's blueprint, the position gate (a move into a
    position a rule guards needs eligibility or HR's override), the
    eligibility section of HR's person page and the 持证上岗 alarm on the
    home page of HR and branch managers (before everything else)."""
    app.register_blueprint(bp)
    position_gates.add(app, engine.gate, engine.gate_for)
    person_sections.add(app, "eligibility/_person_section.html", _person_section, order=20)
    panels.add(app, "hr", "eligibility/_monitor_panel.html", monitor.panel, order=1)
    panels.add(app, "branch_manager", "eligibility/_branch_monitor_panel.html", monitor.branch_manager_panel, order=1)
