"""How the notifications domain is wired into the app: ``init_app`` (called by ``create_app``)."""
from __future__ import annotations

from flask import Flask

from lms.exams import signals as exam_signals
from lms.notify import audit_labels, channels, events
from lms.notify.cli import notify_cli
from lms.notify.views import admin_bp, bp


def init_app(app: Flask) -> None:
    """Register the notification pages and the administrator's channel page,
    ``flask notify``, the channels' settings from the environment, and the
    receivers of the exam engine's signals (for this app only)."""
    audit_labels.register(app)
    channels.read_environment(app.config)
    app.register_blueprint(bp)
    app.register_blueprint(admin_bp)
    app.cli.add_command(notify_cli)
    exam_signals.attempt_finalised.connect(events.on_attempt_finalised, sender=app, weak=False)
    exam_signals.attempt_graded.connect(events.on_attempt_graded, sender=app, weak=False)
    exam_signals.attempts_regraded.connect(events.on_attempts_regraded, sender=app, weak=False)
