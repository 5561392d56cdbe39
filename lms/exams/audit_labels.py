"""The audit log in words for exams and grading (``lms.audit.labels``),
registered from ``lms.exams.setup``."""
from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import select

from lms.audit import labels
from lms.content.models import Exam
from lms.exams.models import Attempt
from lms.extensions import db
from lms.punctuation import aside
from lms.scores import score

EVENTS = {
    "exam.submitted_for_integrity": _l("The exam of %(object)s was submitted: the learner left the exam page "
                                       "more often than allowed"),
    "exam.closed_after_deactivation": _l("%(object)s was closed at its deadline with the answers saved: the "
                                         "learner had been deactivated before it closed"),
    "exam.closed_after_role_removed": _l("%(object)s was closed at its deadline with the answers saved: the "
                                         "learner no longer held the learner role when it closed"),
    "attempt.essay_graded": _l("%(actor)s graded an essay in %(object)s"),
    "attempt.score_overridden": _l("%(actor)s changed a score in %(object)s"),
    "attempt.regraded": _l("%(actor)s re-graded %(object)s after correcting an answer key"),
}
DETAILS = {
    "exam": _l("Exam"),
    "learner": _l("Learner"),
    "focus_losses": _l("Times the page was left"),
    "limit": _l("Limit"),
    "position": _l("Question number"),
    "question": _l("Question id"),
    "points": lazy_pgettext("scored", "Points"),
    "max_points": _l("Out of"),
    "items": _l("Answers re-graded"),
    "percent_before": _l("Score before"),
    "percent_after": _l("Score after"),
    "passed_before": _l("Passed before"),
    "passed_after": _l("Passed after"),
}


def attempt_name(attempt_id: str) -> str:
    attempt = db.session.get(Attempt, int(attempt_id)) if str(attempt_id).isdigit() else None
    if attempt is None:
        return _("an attempt that no longer exists")
    person = f"{attempt.user.name}{aside(attempt.user.employee_no)}"
    return _("%(person)s's attempt %(n)d at “%(exam)s”", person=person, n=attempt.number, exam=attempt.exam.title)


def exam_title(slug) -> str:
    exam = db.session.scalar(select(Exam).where(Exam.slug == str(slug)))
    return exam.title if exam else labels.plain(slug)


def points(value) -> str:
    return score(value) if isinstance(value, int | float) and not isinstance(value, bool) else labels.plain(value)


def percent(value) -> str:
    return f"{score(value)}%" if isinstance(value, int | float) and not isinstance(value, bool) else labels.plain(value)


def regraded_items(value) -> str:
    """[{"position": 3, "question": "q-1", "version_before": 1, ...}] in words."""
    if not isinstance(value, list):
        return labels.plain(value)
    return "；".join(
        _("question %(n)s (%(id)s, version %(v1)s → %(v2)s): %(before)s → %(after)s points",
          n=row.get("position", ""), id=row.get("question", ""), v1=row.get("version_before", ""),
          v2=row.get("version_after", ""), before=points(row.get("before")), after=points(row.get("after")))
        for row in value if isinstance(row, dict))


def register(app: Flask) -> None:
    values = {("exam.submitted_for_integrity", "exam"): exam_title, (None, "points"): points,
              (None, "max_points"): points, ("exam.closed_after_deactivation", "exam"): exam_title,
              ("exam.closed_after_role_removed", "exam"): exam_title}
    for key in ("before", "after"):
        values[("attempt.score_overridden", key)] = points
    values[("attempt.regraded", "exam")] = exam_title
    values[("attempt.regraded", "items")] = regraded_items
    values[("attempt.regraded", "percent_before")] = percent
    values[("attempt.regraded", "percent_after")] = percent
    labels.register(app, events=EVENTS, details=DETAILS, objects={"attempt": attempt_name},
                    values=values, hidden={"item_id"})
