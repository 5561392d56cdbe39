"""How the content domain is wired into the app: ``init_app`` (called by ``create_app``)."""
from __future__ import annotations

from flask import Flask

from lms import demo_hooks
from lms.content import audit_labels, footnotes
from lms.content.blueprint import bp
from lms.content.cli import content_cli
from lms.content.console import panels as content_panels
from lms.content.credentials_views import bp as credentials_bp
from lms.content.console import views as console_views  # the console's routes, on bp
from lms.content.importers.cli import COMMANDS as IMPORT_COMMANDS
from lms.content.importers.views import bp as import_bp
from lms.content.lessons import views as _lesson_views  # noqa: F401  (the learner's routes, on bp)
from lms.content.publishing import demo
from lms.main import panels


def init_app(app: Flask) -> None:
    """Register the content, import and credentials (certification and
    eligibility rule pages) blueprints, ``flask content`` (with the
    import/export commands), the console's labels for every template, the
    trainer's home panel and the demo hook that publishes the shipped curriculum."""
    app.register_blueprint(bp)
    app.register_blueprint(import_bp)
    app.register_blueprint(credentials_bp)
    for command in IMPORT_COMMANDS:
        content_cli.add_command(command)
    app.cli.add_command(content_cli)
    app.context_processor(console_views.labels)
    audit_labels.register(app)
    footnotes.init_app(app)  # footnote back-links titled in the reader's language
    panels.add(app, "trainer", "content/_trainer_panel.html", content_panels.trainer_panel, order=20)
    demo_hooks.add(app, 10, demo.publish_demo_curriculum)
