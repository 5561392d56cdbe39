"""Time-driven notifications, made by ``flask notify scan`` (cron): a week
opened, due in two days, overdue (to the learner, and an alert to those who
look after them), a retake available once the cool-down has passed.

Idempotent: each is one notification per (recipient, kind, subject), so a
scan run twice, or every few minutes, makes each once. The learner's state
in a week is read where the learner's pages read it
(``lms.programmes.services.week_status``).

Only the weeks that matter now are read: open now, due within two days, or
gone overdue in the last ``OVERDUE_LOOKBACK_DAYS`` (so the first scan after
an upgrade does not report every week of the past).
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import select

from lms import clock
from lms.content.models import Programme, ProgrammeItem
from lms.exams import results as exam_results
from lms.exams import retakes
from lms.extensions import db
from lms.notify.events import alert_recipients, learner_params
from lms.notify.models import Notification
from lms.notify.services import notify
from lms.org.models import User, UserRole
from lms.programmes import services as programmes
from lms.programmes.audience import in_audience

DUE_SOON_DAYS = 2
OVERDUE_LOOKBACK_DAYS = 7
SCANNERS_KEY = "lms.notify.scanners"


@dataclass
class ScanResult:
    made: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, notification) -> None:
        if notification is not None:
            self.made[kind] = self.made.get(kind, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.made.values())


def add_scanner(app: Flask, scanner: Callable[[datetime, ScanResult], None]) -> None:
    """Another domain's time-driven notifications, made by the same scan:
    ``scanner(now, result)`` makes them (``services.notify``, idempotent) and
    counts each in ``result`` (mentoring: no check-in for 14 days)."""
    app.extensions.setdefault(SCANNERS_KEY, []).append(scanner)


def _items_in_view(today: date) -> list[ProgrammeItem]:
    return list(db.session.scalars(
        select(ProgrammeItem).join(Programme, ProgrammeItem.programme_id == Programme.id)
        .where(Programme.retired.is_(False), ProgrammeItem.retired.is_(False), ProgrammeItem.exam_id.is_not(None),
               ProgrammeItem.opens_on <= today,
               ProgrammeItem.due_on >= today - timedelta(days=OVERDUE_LOOKBACK_DAYS))
        .order_by(ProgrammeItem.opens_on, ProgrammeItem.id)))


def _learners() -> list[User]:
    return list(db.session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == "learner", User.active.is_(True)).order_by(User.id)))


def _week_params(item: ProgrammeItem) -> dict:
    return {"programme": item.programme.title, "programme_id": item.programme_id, "week": item.title,
            "item_id": item.id, "exam_id": item.exam_id, "due_on": item.due_on.isoformat()}


def scan(now: datetime | None = None) -> ScanResult:
    """Make every time-driven notification due at ``now``. Reads outside any
    transaction; each notification is made in its own (``services.notify``),
    so the write lock is held only to write."""
    now = now or clock.now()
    today = clock.local_date(now)
    result = ScanResult()
    items = _items_in_view(today)
    if items:
        for learner in _learners():
            for item in items:
                if in_audience(learner, item.programme.audience):
                    _scan_week(learner, item, now, result)
    for scanner in current_app.extensions.get(SCANNERS_KEY, []):
        scanner(now, result)
    return result


def _scan_week(learner: User, item: ProgrammeItem, now: datetime, result: ScanResult) -> None:
    today = clock.local_date(now)
    status = programmes.week_status(learner, item, today)
    if status.done:
        return
    subject = f"item:{item.id}"
    params = _week_params(item)
    if item.opens_on <= today <= item.due_on:
        result.add("week_opened", notify(learner, "week_opened", subject, params))
    if today < item.due_on <= today + timedelta(days=DUE_SOON_DAYS):
        result.add("due_soon", notify(learner, "due_soon", _dated(learner, "due_soon", subject, item), params))
    if status.overdue:
        result.add("overdue", notify(learner, "overdue", _dated(learner, "overdue", subject, item), params))
        alert = {**learner_params(learner), **params}
        for person in alert_recipients(learner):
            about = f"user:{learner.id}:{subject}"
            result.add("learner_overdue", notify(person, "learner_overdue",
                                                 _dated(person, "learner_overdue", about, item), alert))
    if status.status == programmes.FAILED and status.exam.cooldown_minutes:
        _retake(learner, status, now, result)


def _dated(recipient: User, kind: str, subject: str, item: ProgrammeItem) -> str:
    """The subject of a reminder about the week's due date: ``item:<id>``, or,
    when one was already made for another due date (the trainer moved the
    week: a week inserted before it, dates changed), ``item:<id>:due:<date>``,
    so that the new date is reminded once too (and the old one never again)."""
    made = db.session.scalar(select(Notification.params_json).where(
        Notification.recipient_id == recipient.id, Notification.kind == kind, Notification.subject == subject))
    if made is None or json.loads(made or "{}").get("due_on") in (None, item.due_on.isoformat()):
        return subject
    return f"{subject}:due:{item.due_on.isoformat()}"


def _retake(learner: User, status, now: datetime, result: ScanResult) -> None:
    """The cool-down after the last failed attempt has passed and the rules
    let the learner start again: say so, once per failed attempt."""
    exam = status.exam
    last = max((a for a in exam_results.attempts_of(learner, exam) if not a.is_open),
               key=lambda a: a.number, default=None)
    if last is None or last.passed or not last.can_retake(now, exam.cooldown_minutes):
        return
    if not retakes.eligibility(learner, exam, now).ok:
        return
    params = {"exam": exam.title, "exam_id": exam.id, "attempt_id": last.id}
    result.add("retake_available", notify(learner, "retake_available", f"attempt:{last.id}", params))
