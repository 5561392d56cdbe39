"""The audit log: a keyed hash chain of who did what."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the audit log's blueprint and ``flask audit``."""
    from lms.audit.cli import audit_cli
    from lms.audit.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(audit_cli)
