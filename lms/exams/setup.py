"""How the exams domain is wired into the app: ``init_app`` (called by ``create_app``)."""
from __future__ import annotations

from flask import Flask

from lms import demo_hooks
from lms.exams import audit_labels, demo_results, notebook
from lms.exams.models import ATTEMPT_STATE_LABELS, END_REASON_LABELS, INTEGRITY_KIND_LABELS
from lms.exams.results import provisional
from lms.content.console.queries import TYPE_LABELS
from lms.exams.analysis_views import bp as analysis_bp
from lms.exams.cli import exams_cli
from lms.exams.grading_views import bp as grading_bp
from lms.exams.notebook_views import bp as notebook_bp
from lms.exams.views import bp as exams_bp
from lms.exams.views import inline_md_filter, md_filter, stem_summary_filter
from lms.main import panels


def init_app(app: Flask) -> None:
    """Register the grading, analysis, notebook and exam blueprints, ``flask
    exams``, the markdown filters, the notebook's home panel and the demo hook
    that takes the demo exams."""
    for bp in (grading_bp, analysis_bp, notebook_bp, exams_bp):
        app.register_blueprint(bp)
    app.cli.add_command(exams_cli)
    app.add_template_filter(inline_md_filter, "inline_md")
    app.add_template_filter(stem_summary_filter, "stem_summary")
    app.add_template_filter(md_filter, "md")
    app.add_template_filter(provisional, "provisional")
    audit_labels.register(app)
    for name, mapping in (("attempt_state_label", ATTEMPT_STATE_LABELS), ("end_reason_label", END_REASON_LABELS),
                          ("integrity_kind_label", INTEGRITY_KIND_LABELS), ("question_type_label", TYPE_LABELS)):
        app.add_template_filter(_label_filter(mapping), name)
    panels.add(app, "learner", "notebook/_notebook_panel.html", notebook.notebook_panel, order=20)
    demo_hooks.add(app, 40, demo_results.take_demo_exams)
    demo_hooks.add(app, 85, demo_results.take_warning_quarterly)


def _label_filter(mapping):
    """A filter that shows a stored code by its label (the code itself if unknown)."""
    return lambda code: mapping.get(code, code) if code else ""
