"""Notifications that follow what happens in exams (``lms.exams.signals``):
a result (passed), a trainer's grade (graded) and, for those who look after a
learner, an exam failed twice.

The receivers are connected per app by ``lms.notify.setup.init_app``; the
exam engine imports nothing of this. Each runs after the exam's change is
committed, in a transaction of its own: a failure here never undoes a submit
or a grade."""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app
from sqlalchemy import func, select

from lms.database import transaction
from lms.exams.models import Attempt, AttemptState
from lms.exams.regrade import regrades_of
from lms.extensions import db
from lms.notify.services import notify
from lms.org.scope import branch_managers_of

FAILURES_FOR_ALERT = 2
ALERT_RECIPIENTS_KEY = "lms.notify.alert_recipients"


def add_alert_recipients(app: Flask, people_of: Callable[[object], list]) -> None:
    """Another domain adds who hears of a learner in trouble: ``people_of(learner)``
    returns users (mentoring adds the learner's active mentor). Registered
    from that domain's ``init_app``, so notify imports none of them."""
    app.extensions.setdefault(ALERT_RECIPIENTS_KEY, []).append(people_of)


def alert_recipients(learner) -> list:
    """Who hears of a learner in trouble (failed twice, overdue): the branch
    managers over the learner's branch, and whoever the other domains add
    (``add_alert_recipients``); each person once, never the learner."""
    people = list(branch_managers_of(learner))
    for people_of in current_app.extensions.get(ALERT_RECIPIENTS_KEY, []):
        people.extend(people_of(learner))
    seen, out = {learner.id}, []
    for person in people:
        if person.id not in seen:
            seen.add(person.id)
            out.append(person)
    return out


def learner_params(learner) -> dict:
    return {"learner": learner.name, "employee_no": learner.employee_no, "learner_id": learner.id,
            "branch": learner.branch.name if learner.branch else ""}


def _exam_params(attempt: Attempt) -> dict:
    return {"exam": attempt.exam.title, "exam_id": attempt.exam_id, "attempt_id": attempt.id,
            "number": attempt.number, "percent": attempt.percent, "passed": bool(attempt.passed)}


def on_attempt_finalised(_app, attempt_id: int, **_extra) -> None:
    """Passed: the learner hears of it (once per exam). Failed: at the
    second failed attempt of the exam, the learner's alert recipients do."""
    with transaction(immediate=True):
        attempt = db.session.get(Attempt, attempt_id)
        if attempt is None or attempt.state != AttemptState.FINALISED:
            return
        learner = attempt.user
        if attempt.passed:
            notify(learner, "passed", f"exam:{attempt.exam_id}", _exam_params(attempt))
            return
        failures = db.session.scalar(select(func.count()).select_from(Attempt).where(
            Attempt.user_id == learner.id, Attempt.exam_id == attempt.exam_id,
            Attempt.state == AttemptState.FINALISED, Attempt.passed.is_(False))) or 0
        if failures < FAILURES_FOR_ALERT:
            return
        params = {**learner_params(learner), "exam": attempt.exam.title, "exam_id": attempt.exam_id,
                  "failures": failures}
        for person in alert_recipients(learner):
            notify(person, "learner_failed_twice", f"user:{learner.id}:exam:{attempt.exam_id}", params)


def on_attempt_graded(_app, attempt_id: int, **_extra) -> None:
    """A trainer's grade gave the attempt its result: the learner hears of it."""
    with transaction(immediate=True):
        attempt = db.session.get(Attempt, attempt_id)
        if attempt is None or attempt.state != AttemptState.FINALISED:
            return
        notify(attempt.user, "graded", f"attempt:{attempt.id}", _exam_params(attempt))


def on_attempt_regraded(_app, attempt_id: int, **_extra) -> None:
    """A corrected key re-graded the attempt (``lms.exams.regrade``): the
    learner hears of it, once per re-grade, with the score before and after."""

    with transaction(immediate=True):
        attempt = db.session.get(Attempt, attempt_id)
        if attempt is None:
            return
        events = regrades_of(attempt.id)
        if not events:
            return
        _at, details = events[-1]
        if details.get("percent_after") is None:
            return  # essays still wait: the learner hears of the result when it is graded
        params = {**_exam_params(attempt), "percent": details.get("percent_after"),
                  "passed": bool(details.get("passed_after")), "percent_before": details.get("percent_before"),
                  "passed_before": bool(details.get("passed_before"))}
        notify(attempt.user, "regraded", f"regrade:{attempt.id}:{len(events)}", params)
