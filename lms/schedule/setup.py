"""How scheduling is wired into the app: ``init_app`` (called by ``create_app``)."""
from __future__ import annotations

from flask import Flask
from flask_babel import format_date

from lms.schedule import views as schedule_views


def init_app(app: Flask) -> None:
    """Register the scheduling blueprint and a weekday filter for its calendar."""
    app.register_blueprint(schedule_views.bp)

    @app.template_filter("schedule_weekday")
    def _weekday(value):
        return format_date(value, "EEE") if value else ""
