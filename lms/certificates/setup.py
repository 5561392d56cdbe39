"""How the certificates domain is wired into the app: ``init_app`` (called by ``create_app``)."""
from __future__ import annotations

from flask import Flask

from lms import demo_hooks
from lms.certificates import audit_labels, demo, pdf_setup, register_views, renewal_views, triggers
from lms.certificates import views as certificate_views
from lms.certificates.blueprint import bp as certificates_bp
from lms.certificates.cli import certificates_cli
from lms.exams import after_result, signals as exam_signals
from lms.main import panels
from lms.mentoring import signals as mentoring_signals
from lms.org import person_sections


def init_app(app: Flask) -> None:
    """Register the certificate pages (HR's bulk renewal too), ``flask certificates``, the learner's
    panel, the section of HR's person page, the note on an exam's result page, the demo's certificates (order
    80), and the receivers that issue certificates automatically: an exam
    result (finalised, graded) and a mentor's sign-off; the PDF, the public
    verification page and the evidence pack (``pdf_setup``)."""
    audit_labels.register(app)
    app.register_blueprint(certificates_bp)  # with the routes of views and register_views (imported above)
    app.register_blueprint(renewal_views.bp)
    app.cli.add_command(certificates_cli)
    panels.add(app, "learner", "certificates/_mine_panel.html", certificate_views.mine_panel, order=30)
    person_sections.add(app, "certificates/_person_section.html", certificate_views.person_section, order=40)
    after_result.add(app, "certificates/_result_note.html", certificate_views.result_note)
    demo_hooks.add(app, 80, demo.issue_demo_certificates)
    exam_signals.attempt_finalised.connect(triggers.on_attempt_finalised, sender=app, weak=False)
    exam_signals.attempt_graded.connect(triggers.on_attempt_finalised, sender=app, weak=False)
    # A corrected key that turns a fail into a pass may meet a certification (never revokes one).
    exam_signals.attempts_regraded.connect(triggers.on_attempts_regraded, sender=app, weak=False)
    mentoring_signals.signoff_given.connect(triggers.on_signoff_given, sender=app, weak=False)
    pdf_setup.init_app(app)
