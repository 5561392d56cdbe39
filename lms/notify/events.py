"""Notifications that follow what happens in exams (``lms.exams.signals``):
a result (passed), a trainer's grade (graded) and, for those who look after a
learner, an exam failed twice.

The receivers are connected per app by ``lms.notify.setup.init_app``; the
exam engine imports nothing of this. Each runs after the exam's change is
committed, in a transaction of its own: a failure here never undoes a submit
or a grade."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import NamedTuple

from flask import Flask, current_app
from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.database import transaction
from lms.content.models import Exam
from lms.exams import results as exam_results
from lms.exams.models import Attempt, AttemptState
from lms.extensions import db
from lms.notify.services import CHUNK, notify, notify_many
from lms.org.models import User
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
        if exam_results.has_passed(learner, attempt.exam):
            return  # graded after a retake that passed (lms.exams.retakes): nothing to alert anyone of
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
        params = _exam_params(attempt)
        if not attempt.passed and exam_results.has_passed(attempt.user, attempt.exam):
            params["exam_passed"] = True  # a retake passed while this attempt waited for its grading
        notify(attempt.user, "graded", f"attempt:{attempt.id}", params)


class _Recipient(NamedTuple):
    """What ``notify_many`` reads of a recipient."""

    id: int
    active: bool
    email: str | None


def on_attempts_regraded(_app, attempt_ids: list[int], **_extra) -> None:
    """A corrected key re-graded these attempts (``lms.exams.regrade``): each
    learner hears of it, once per re-grade, with the score before and after;
    one whose attempt still waits for essay grading hears of the result when
    it is graded. The whole set in a few statements (``notify_many``)."""

    with transaction(immediate=True):
        items = []
        for start in range(0, len(attempt_ids), CHUNK):
            chunk = attempt_ids[start:start + CHUNK]
            # Plain rows, not objects: 2,000 attempts with their exams and learners loaded as objects
            # took longer than everything else this does.
            attempts = {row.id: row for row in db.session.execute(
                select(Attempt.id, Attempt.exam_id, Attempt.number, Exam.title.label("exam"), User.id.label("user_id"),
                       User.active, User.email)
                .join(Exam, Exam.id == Attempt.exam_id).join(User, User.id == Attempt.user_id)
                .where(Attempt.id.in_(chunk)))}
            events: dict[int, list[dict]] = {}
            for object_id, details in db.session.execute(
                    select(AuditEvent.object_id, AuditEvent.details).where(
                        AuditEvent.action == "attempt.regraded", AuditEvent.object_type == "attempt",
                        AuditEvent.object_id.in_([str(i) for i in chunk])).order_by(AuditEvent.seq)):
                events.setdefault(int(object_id), []).append(details)
            for attempt_id in chunk:
                attempt = attempts.get(attempt_id)
                if attempt is None or not events.get(attempt_id):
                    continue
                details = json.loads(events[attempt_id][-1])
                if details.get("percent_after") is None:
                    continue  # essays still wait: the learner hears of the result when it is graded
                params = {"exam": attempt.exam, "exam_id": attempt.exam_id, "attempt_id": attempt.id,
                          "number": attempt.number, "percent": details.get("percent_after"),
                          "passed": bool(details.get("passed_after")),
                          "percent_before": details.get("percent_before"),
                          "passed_before": bool(details.get("passed_before"))}
                recipient = _Recipient(attempt.user_id, attempt.active, attempt.email)
                items.append((recipient, f"regrade:{attempt.id}:{len(events[attempt_id])}", params))
        notify_many("regraded", items)
