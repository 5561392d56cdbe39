"""What trainers do to results: grade essay answers and override an item's
points. Every change is audited and ends with the attempt's result recomputed
by the exam engine (``lms.exams.results.recompute_result``), so an attempt is
finalised as soon as nothing waits for a trainer any more.

Each service flushes; the caller commits (one request, one transaction).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from math import isfinite

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from lms import clock
from lms.audit import services as audit
from lms.content.models import Exam, QuestionVersion
from lms.exams import results as exam_results
from lms.exams.models import Attempt, AttemptItem, AttemptState, IntegrityEvent, ScoreOverride
from lms.exams.signals import attempt_graded, send_after_commit
from lms.database import transaction
from lms.extensions import db
from lms.org.models import User
from lms.sorting import exam_order
from lms.scores import score
from lms.text_search import matching

MAX_COMMENT = 4000
MAX_REASON = 1000


class OwnAttempt(PermissionError):
    """Nobody grades or changes the result of their own attempt, whatever
    their roles: a trainer who also sits an exam is a candidate there."""

    def __init__(self):
        super().__init__(_("This is your own attempt: another trainer has to grade it or change its points."))
        self.message = str(self)


def refuse_own(attempt: Attempt, user) -> None:
    """Raise OwnAttempt when ``user`` is the learner of ``attempt``."""
    if user is not None and attempt.user_id == user.id:
        raise OwnAttempt()


class GradingError(ValueError):
    """A grade or an override that cannot be accepted; the message names the field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


class AlreadyGraded(GradingError):
    """Another trainer graded the answer first (their commit came between
    this trainer's page and their grade)."""

    def __init__(self):
        super().__init__("points", _("This answer has already been graded."))


def _recompute(attempt: Attempt) -> None:

    waited = attempt.state == AttemptState.GRADING
    exam_results.recompute_result(attempt)
    if waited and attempt.state == AttemptState.FINALISED:
        # The learner hears of it once the grade is committed (lms.notify).
        send_after_commit(attempt_graded, attempt.id)


def parse_points(raw, maximum: float, field: str = "points") -> float:
    """Points typed by a trainer: a number from 0 to the item's points."""
    text = ("" if raw is None else str(raw)).strip().replace("，", ".").replace(",", ".")
    if not text:
        raise GradingError(field, _("Enter the points."))
    try:
        value = float(text)
    except ValueError:
        raise GradingError(field, _("Points must be a number.")) from None
    if not isfinite(value) or value < 0 or value > maximum:
        raise GradingError(field, _("Points must be between 0 and %(max)s.", max=score(maximum)))
    return round(value, 2)


# --- the essay grading queue ------------------------------------------------

def _queue_statement(exam_id: int | None = None, grader=None):
    """Answers waiting for a trainer; with ``grader``, not the grader's own."""
    stmt = (select(AttemptItem).join(Attempt, AttemptItem.attempt_id == Attempt.id)
            .where(AttemptItem.needs_grading.is_(True), Attempt.state != "open"))
    if exam_id:
        stmt = stmt.where(Attempt.exam_id == exam_id)
    if grader is not None:
        stmt = stmt.where(Attempt.user_id != grader.id)
    return stmt


def grading_queue(exam_id: int | None = None, limit: int = 50, grader=None) -> list[AttemptItem]:
    """Answers waiting for a trainer, oldest submission first (never the
    grader's own)."""
    stmt = (_queue_statement(exam_id, grader)
            .options(joinedload(AttemptItem.attempt).joinedload(Attempt.user),
                     joinedload(AttemptItem.attempt).joinedload(Attempt.exam),
                     joinedload(AttemptItem.question_version))
            .order_by(func.coalesce(Attempt.submitted_at, Attempt.deadline), Attempt.id, AttemptItem.position)
            .limit(limit))
    return list(db.session.scalars(stmt).unique())


def queue_size(exam_id: int | None = None, grader=None) -> int:
    return db.session.scalar(select(func.count()).select_from(_queue_statement(exam_id, grader).subquery())) or 0


def exams_with_waiting_answers(grader=None) -> list[tuple[Exam, int]]:
    """The exams that have answers to grade, with how many (for the filter)."""
    stmt = (select(Exam, func.count(AttemptItem.id))
            .join(Attempt, Attempt.exam_id == Exam.id)
            .join(AttemptItem, AttemptItem.attempt_id == Attempt.id)
            .where(AttemptItem.needs_grading.is_(True), Attempt.state != "open"))
    if grader is not None:
        stmt = stmt.where(Attempt.user_id != grader.id)
    rows = db.session.execute(stmt.group_by(Exam.id)).all()
    return sorted(((exam, n) for exam, n in rows), key=lambda row: exam_order(row[0]))


def waiting_item(item_id: int, grader=None) -> AttemptItem | None:
    """One answer of the queue (None when it is not waiting: graded, the
    attempt is still open, or it is the grader's own)."""
    return db.session.scalar(_queue_statement(grader=grader).where(AttemptItem.id == item_id))


@transaction(immediate=True)
def grade_essay(item: AttemptItem, points, comment: str, grader) -> AttemptItem:
    """A trainer grades one essay answer: 0 to the item's points, with an
    optional comment. The item leaves the queue and the attempt's result is
    recomputed (finalised when nothing else waits). Never one's own answer."""
    refuse_own(item.attempt, grader)
    # Lock the row: two trainers grading the same answer must not both succeed.
    item = db.session.scalar(select(AttemptItem).where(AttemptItem.id == item.id).with_for_update()) or item
    db.session.refresh(item)
    if not item.needs_grading:
        raise AlreadyGraded()
    value = parse_points(points, item.points)
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise GradingError("comment", _("The comment is too long (at most %(n)d characters).", n=MAX_COMMENT))
    item.awarded = value
    item.correct = value >= item.points
    item.grader_id = grader.id
    item.grader_comment = comment
    item.graded_at = clock.now()
    item.needs_grading = False
    db.session.flush()
    attempt = item.attempt
    audit.record("attempt.essay_graded", attempt, actor=grader, item_id=item.id, position=item.position,
                 question=item.question_version.question.slug, points=value, max_points=item.points)
    _recompute(attempt)
    db.session.flush()
    return item


# --- an attempt as a trainer sees it, and overrides --------------------------

@dataclass
class AttemptDetail:
    attempt: Attempt
    items: list[AttemptItem]
    integrity_events: list[IntegrityEvent]
    overrides: dict[int, list[ScoreOverride]]


def attempt_detail(attempt_id: int) -> AttemptDetail | None:
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None:
        return None
    items = list(db.session.scalars(
        select(AttemptItem).where(AttemptItem.attempt_id == attempt.id)
        .options(joinedload(AttemptItem.question_version).joinedload(QuestionVersion.question))
        .order_by(AttemptItem.position)))
    events = list(db.session.scalars(
        select(IntegrityEvent).where(IntegrityEvent.attempt_id == attempt.id)
        .order_by(IntegrityEvent.at, IntegrityEvent.id)))
    overrides: dict[int, list[ScoreOverride]] = {}
    if items:
        for row in db.session.scalars(select(ScoreOverride)
                                      .where(ScoreOverride.item_id.in_([i.id for i in items]))
                                      .order_by(ScoreOverride.at, ScoreOverride.id)):
            overrides.setdefault(row.item_id, []).append(row)
    return AttemptDetail(attempt, items, events, overrides)


def points_seen(item: AttemptItem) -> str:
    """A fingerprint of the item's points as the trainer's page drew them, sent
    back with an override. Not the points themselves: a page shows them to one
    decimal (lms.scores), and its source should not hold 6.3334 where it says 6.3."""
    points = "" if item.awarded is None else repr(float(item.awarded))
    return hashlib.sha256(points.encode()).hexdigest()[:16]


@transaction(immediate=True)
def override_score(item: AttemptItem, points, reason: str, by, seen: str | None = None) -> ScoreOverride:
    """Change the points of one item of a submitted attempt. A reason is
    required; the change is kept as a ScoreOverride, audited with before, after
    and reason, and the attempt's result is recomputed. Never on one's own
    attempt. ``seen``: the item's points as the trainer's page showed them
    (``points_seen``); when they changed since (another trainer's override or
    grade), nothing is changed and the trainer is told."""
    refuse_own(item.attempt, by)
    item = db.session.scalar(select(AttemptItem).where(AttemptItem.id == item.id).with_for_update()) or item
    db.session.refresh(item)
    if item.attempt.state == "open":
        raise GradingError("points", _("The attempt is still open; wait until it is submitted."))
    if seen is not None and seen != points_seen(item):
        raise GradingError("points", _(
            "Someone changed this item's points since you opened the page: they are now %(now)s. Check the "
            "changes on the page and send again if yours still applies.",
            now="—" if item.awarded is None else score(item.awarded)))
    value = parse_points(points, item.points)
    reason = (reason or "").strip()
    if not reason:
        raise GradingError("reason", _("Give the reason for the change."))
    if len(reason) > MAX_REASON:
        raise GradingError("reason", _("The reason is too long (at most %(n)d characters).", n=MAX_REASON))
    before = item.awarded
    if before is not None and abs(before - value) < 1e-9:
        raise GradingError("points", _("These are already the item's points."))
    override = ScoreOverride(item_id=item.id, by_id=by.id, at=clock.now(), before=before, after=value, reason=reason)
    db.session.add(override)
    item.awarded = value
    item.correct = value >= item.points
    if item.needs_grading:
        # An override of a waiting essay grades it.
        item.needs_grading = False
        item.grader_id = by.id
        item.graded_at = clock.now()
    db.session.flush()
    attempt = item.attempt
    audit.record("attempt.score_overridden", attempt, actor=by, item_id=item.id, position=item.position,
                 question=item.question_version.question.slug, before=before, after=value, reason=reason)
    _recompute(attempt)
    db.session.flush()
    return override


def exam_attempts(exam_id: int, q: str = "", page: int = 1, per_page: int = 50):
    """Submitted attempts of an exam, newest first, searchable by learner."""

    stmt = (select(Attempt).join(User, Attempt.user_id == User.id)
            .where(Attempt.exam_id == exam_id)
            .options(joinedload(Attempt.user))
            .order_by(Attempt.started_at.desc(), Attempt.id.desc()))
    if q:
        stmt = stmt.where(matching(q, names=(User.name,), codes=(User.employee_no,)))
    rows = list(db.session.scalars(stmt.limit(per_page + 1).offset((page - 1) * per_page)))
    return rows[:per_page], len(rows) > per_page
