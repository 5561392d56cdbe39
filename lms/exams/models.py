"""Attempts and what happened in them. Results are the source of truth for what
happened: an attempt keeps the question versions it drew, its deadline, pass
mark and partial-credit rule, every saved answer and how each was graded."""
from __future__ import annotations

import enum
import json
from datetime import datetime, timedelta

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms import clock
from lms.extensions import db

DEFAULT_GRACE_SECONDS = 30


class AttemptState(enum.StrEnum):
    """open → (submitted by the learner | timed out | integrity limit) →
    grading (essays waiting) → finalised. Only ``open`` accepts answers; the
    database refuses any other value (CHECK constraint)."""

    OPEN = "open"
    GRADING = "grading"
    FINALISED = "finalised"


# What the pages say for each stored code.
ATTEMPT_STATE_LABELS = {"open": _l("in progress"), "grading": _l("waiting for grading"), "finalised": _l("finalised")}
END_REASON_LABELS = {
    "submitted": _l("submitted by the learner"),
    "timeout": _l("time ran out"),
    "integrity": _l("submitted after leaving the page too often"),
}
INTEGRITY_KIND_LABELS = {"hidden": _l("left the exam page (hidden)"), "blur": _l("the exam page lost focus")}


def grace() -> timedelta:
    """How long after the deadline a save or submit is still accepted
    (``EXAM_GRACE_SECONDS``): the network's delay, not extra time."""
    seconds = current_app.config.get("EXAM_GRACE_SECONDS", DEFAULT_GRACE_SECONDS) if has_app_context() \
        else DEFAULT_GRACE_SECONDS
    return timedelta(seconds=int(seconds))


class Attempt(db.Model):
    __tablename__ = "attempt"
    __table_args__ = (
        UniqueConstraint("exam_id", "user_id", "number"),
        # At most one open attempt per learner and exam, enforced by the database.
        Index("uq_attempt_one_open", "exam_id", "user_id", unique=True,
              sqlite_where=text("state = 'open'"), postgresql_where=text("state = 'open'")),
        CheckConstraint("state IN ('open', 'grading', 'finalised')", name="state"),
        # The branch totals and the rankings (lms.reports.aggregates) read only these columns: an
        # index-only scan; the rankings' period is finalised_at.
        Index("ix_attempt_report", "exam_id", "user_id", "state", "number", "passed", "percent", "finalised_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exam.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    programme_item_id: Mapped[int | None] = mapped_column(ForeignKey("programme_item.id"), index=True)
    number: Mapped[int] = mapped_column(default=1)  # 1st, 2nd ... attempt of this learner
    seed: Mapped[int]
    state: Mapped[str] = mapped_column(String(12), default=AttemptState.OPEN, index=True)  # an AttemptState
    started_at: Mapped[datetime] = mapped_column(default=clock.now)
    deadline: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    finalised_at: Mapped[datetime | None]
    end_reason: Mapped[str] = mapped_column(String(16), default="")  # submitted | timeout | integrity
    score: Mapped[float | None]  # points awarded
    max_score: Mapped[float] = mapped_column(default=0.0)
    percent: Mapped[float | None]
    passed: Mapped[bool | None]
    # The exam's pass mark when the attempt started: raising or lowering it
    # later never re-judges this attempt (nor when a trainer overrides a score).
    # None on rows older than the column: the exam's pass mark then.
    pass_mark: Mapped[float | None]
    # The exam's partial-credit rule (multiple choice) when the attempt started:
    # a trainer who turns it on or off later never changes how this attempt is
    # scored at submit. None on rows older than the column: the exam's rule then.
    partial_credit: Mapped[bool | None]
    focus_losses: Mapped[int] = mapped_column(default=0)

    items: Mapped[list[AttemptItem]] = relationship(
        back_populates="attempt", order_by="AttemptItem.position", cascade="all, delete-orphan")
    exam = relationship("Exam")
    user = relationship("User")

    @property
    def judged_pass_mark(self) -> float:
        """The pass mark this attempt is judged against (percent)."""
        return self.pass_mark if self.pass_mark is not None else self.exam.pass_mark

    @property
    def scored_with_partial_credit(self) -> bool:
        """Whether this attempt's multiple choice earns partial credit."""
        return bool(self.partial_credit if self.partial_credit is not None else self.exam.partial_credit)

    @property
    def is_open(self) -> bool:
        """Accepts answers (even past its deadline, until it is finalised)."""
        return self.state == AttemptState.OPEN

    def is_expired(self, now: datetime | None = None) -> bool:
        """Past deadline + grace: nothing more may be saved."""
        return (now or clock.now()) > self.deadline + grace()

    def counts_as_taken(self, now: datetime | None = None) -> bool:
        """Counts against ``Exam.max_attempts``: submitted, or its time ran out."""
        return not self.is_open or self.is_expired(now)

    def retake_from(self, cooldown_minutes: int | None) -> datetime:
        """When the exam may be taken again after this attempt: its end (the
        submit, or the deadline) plus the exam's cool-down."""
        return (self.submitted_at or self.deadline) + timedelta(minutes=cooldown_minutes or 0)

    def can_retake(self, now: datetime, cooldown_minutes: int | None) -> bool:
        """Has the cool-down after this attempt passed at ``now``? (No cool-down: always.)"""
        return not cooldown_minutes or now >= self.retake_from(cooldown_minutes)


class AttemptItem(db.Model):
    """One drawn question in one attempt, pinned to the version it was drawn
    from, with the learner's answer and its grading."""

    __tablename__ = "attempt_item"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    question_version_id: Mapped[int] = mapped_column(ForeignKey("question_version.id"), index=True)
    # The order options were shown in, e.g. ["C", "A", "D", "B"] (per case part: {"a": [...]}).
    option_order_json: Mapped[str] = mapped_column(Text, default="null")
    points: Mapped[float] = mapped_column(default=1.0)
    answer_json: Mapped[str | None] = mapped_column(Text)  # None: not answered
    saved_at: Mapped[datetime | None]
    flagged: Mapped[bool] = mapped_column(default=False)
    awarded: Mapped[float | None]  # points; None until graded
    correct: Mapped[bool | None]
    needs_grading: Mapped[bool] = mapped_column(default=False)  # essays
    # The automatic grade, e.g. {"fraction": 0.5} or, for a case, per part:
    # {"fraction": null, "parts": {"a": {"fraction": 1.0}, "c": {"fraction": null}}}
    grade_json: Mapped[str] = mapped_column(Text, default="null")
    grader_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    grader_comment: Mapped[str] = mapped_column(Text, default="")
    graded_at: Mapped[datetime | None]

    attempt: Mapped[Attempt] = relationship(back_populates="items")
    question_version = relationship("QuestionVersion")

    @property
    def answer(self):
        return None if self.answer_json is None else json.loads(self.answer_json)

    @property
    def option_order(self):
        return json.loads(self.option_order_json)

    @property
    def grade(self) -> dict | None:
        return json.loads(self.grade_json or "null")

    @property
    def outcome(self) -> str | None:
        """How the answer fared, in the words every result page uses:
        ``right`` (all the points), ``partly`` (some: 部分得分), ``wrong``
        (none); None while it waits for grading. ``correct`` stays the
        all-or-nothing flag ("fully right")."""
        return outcome_of(self.awarded, self.points)


def outcome_of(awarded: float | None, points: float) -> str | None:
    if awarded is None:
        return None
    if awarded >= points - 1e-9:
        return "right"
    return "partly" if awarded > 1e-9 else "wrong"


class ScoreOverride(db.Model):
    """A trainer changed the points of one item, with the reason (also audited)."""

    __tablename__ = "score_override"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("attempt_item.id", ondelete="CASCADE"), index=True)
    by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(default=clock.now)
    before: Mapped[float | None]
    after: Mapped[float]
    reason: Mapped[str] = mapped_column(Text)


class IntegrityEvent(db.Model):
    """Focus loss / tab switch reported by the exam page."""

    __tablename__ = "integrity_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=clock.now)
    kind: Mapped[str] = mapped_column(String(24))  # hidden | blur


class NotebookEntry(db.Model):
    """错题本: a question the learner did not get fully right (wrong, or only
    partly right), until practised correctly."""

    __tablename__ = "notebook_entry"
    __table_args__ = (UniqueConstraint("user_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("question_version.id"))  # the version got wrong
    first_wrong_at: Mapped[datetime] = mapped_column(default=clock.now)
    last_wrong_at: Mapped[datetime] = mapped_column(default=clock.now)
    times_wrong: Mapped[int] = mapped_column(default=1)  # times not fully right
    # The last exam answer earned part of the points (部分得分), not none.
    partly_right: Mapped[bool] = mapped_column(default=False, server_default=false())
    cleared_at: Mapped[datetime | None]  # practised correctly
