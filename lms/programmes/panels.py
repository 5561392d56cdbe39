"""The learner's home panel: 本周培训 (this week's training)."""
from __future__ import annotations

from lms import clock
from lms.programmes import services


def this_week_panel(user) -> dict:
    return {"programmes": services.this_week(user), "today": clock.today()}
