"""How the mentoring domain is wired into the app: ``init_app`` (called by ``create_app``)."""
from __future__ import annotations

from flask import Flask

from lms import demo_hooks
from lms.main import panels
from lms.mentoring import (alerts, audit_labels, checkin_labels, demo_checkins, markup, pairing_notices, settings,
                           signoff_setup)
from lms.mentoring import pairing as pairing_rules
from lms.mentoring import panels as mentoring_panels
from lms.mentoring.demo import load_demo_pairings
from lms.mentoring.desk_views import bp as desk_bp
from lms.mentoring.hr_views import bp as admin_bp
from lms.mentoring.person_section import mentoring_section
from lms.notify import events as notify_events
from lms.notify import kinds as notify_kinds
from lms.notify import scan as notify_scan
from lms.org import dependents, person_sections


def init_app(app: Flask) -> None:
    """HR's mentoring pages (``mentoring_admin``) and the pairing section of
    HR's person page; the mentor's desk and the apprentice's "my mentor" page
    (``mentoring``) with their home panels; the audit sentences; with notify,
    the learner's active mentor among those who hear of a learner in trouble,
    the 14-day check-in alert in the scan, and alerts leading a mentor to the
    apprentice page; the sign-off (``signoff_setup``); the demo pairings
    (60) and check-ins (65); the ``mentoring_md`` filter (notes and goals,
    ``markup.as_html``); the pairings a mentor or apprentice leaves, listed
    and ended from HR's person page (``lms.org.dependents``)."""
    audit_labels.register(app)
    pairing_notices.register()
    app.add_template_filter(markup.as_html, "mentoring_md")
    checkin_labels.register(app)
    app.register_blueprint(admin_bp)
    app.register_blueprint(desk_bp)
    person_sections.add(app, "mentoring/admin/_person_section.html", mentoring_section, order=20)
    dependents.add(app, pairing_rules.dependents_of, pairing_rules.end_dependents)
    panels.add(app, "mentor", "mentoring/_desk_panel.html", mentoring_panels.desk_panel, order=5)
    panels.add(app, "learner", "mentoring/_my_mentor_panel.html", mentoring_panels.my_mentor_panel, order=15)
    panels.add(app, "branch_manager", "mentoring/_unpaired_panel.html", mentoring_panels.unpaired_panel, order=50)
    notify_events.add_alert_recipients(app, alerts.mentor_of)
    notify_scan.add_scanner(app, alerts.scan_check_in_gaps)
    notify_kinds.add_person_link(app, alerts.apprentice_link)
    demo_hooks.add(app, 60, load_demo_pairings)
    demo_hooks.add(app, 65, demo_checkins.add_demo_check_ins)
    signoff_setup.init_app(app)
    # One question, one rule: pages that show the published mentor eligibility rule say that pairing uses HR's.
    app.add_template_global(settings.describe_rule, "pairing_mentor_rule")
    # A pairing whose mentor or apprentice left (or whose mentor lost the role): what HR must do.
    app.add_template_global(pairing_rules.attention, "pairing_attention")
