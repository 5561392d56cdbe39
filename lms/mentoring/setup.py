"""How the mentoring domain is wired into the app: ``init_app`` (called by ``create_app``)."""
from __future__ import annotations

from flask import Flask

from lms import demo_hooks
from lms.main import panels
from lms.mentoring import alerts, checkin_labels, demo_checkins, signoff_setup
from lms.mentoring import panels as mentoring_panels
from lms.mentoring.desk_views import bp as desk_bp
from lms.notify import events as notify_events
from lms.notify import kinds as notify_kinds
from lms.notify import scan as notify_scan


def init_app(app: Flask) -> None:
    """The mentor's desk and the apprentice's "my mentor" page (blueprint
    ``mentoring``), their home panels, the audit sentence of a check-in, the
    demo check-ins; and, with notify, the learner's active mentor among those
    who hear of a learner in trouble, the 14-day check-in alert in the scan,
    and alerts leading a mentor to the apprentice page; the sign-off
    (``signoff_setup``)."""
    checkin_labels.register(app)
    app.register_blueprint(desk_bp)
    panels.add(app, "mentor", "mentoring/_desk_panel.html", mentoring_panels.desk_panel, order=5)
    panels.add(app, "learner", "mentoring/_my_mentor_panel.html", mentoring_panels.my_mentor_panel, order=15)
    notify_events.add_alert_recipients(app, alerts.mentor_of)
    notify_scan.add_scanner(app, alerts.scan_check_in_gaps)
    notify_kinds.add_person_link(app, alerts.apprentice_link)
    demo_hooks.add(app, 65, demo_checkins.add_demo_check_ins)
    signoff_setup.init_app(app)
