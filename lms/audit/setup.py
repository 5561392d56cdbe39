"""How the audit domain is wired into the app: ``init_app`` (called by ``create_app``)."""
from __future__ import annotations

from flask import Flask

from lms.audit import anchor, labels
from lms.audit.cli import audit_cli
from lms.audit.views import bp


def init_app(app: Flask) -> None:
    """Register the audit log's blueprint, ``flask audit`` and the filters that
    put each event in words (``lms.audit.labels``); refuse to start without the
    audit key where the environment names the database (``anchor.check_key``)."""
    anchor.check_key(app)
    app.register_blueprint(bp)
    app.cli.add_command(audit_cli)
    labels.init_app(app)
