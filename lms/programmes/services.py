"""Weekly programmes from the learner's side: which programmes are theirs
(audience), and where they stand in each week.

每周一训，每训必考，人人过关: a week counts only when its exam is passed.
Failing means retakes until passed; a week past its due date and not passed is
overdue (shown in red).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from lms import clock
from lms.content.models import Exam, Lesson, Programme, ProgrammeItem
from lms.exams import results as exam_results
from lms.exams.models import Attempt
from lms.extensions import db
from lms.programmes.audience import in_audience
from lms.programmes.progress import Progress, progress

# The learner's status in one week, in the words the pages use.
NO_EXAM = "no_exam"
NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
GRADING = "grading"
FAILED = "failed"
PASSED = "passed"


def programmes_for(user) -> list[Programme]:
    """The programmes (not retired) whose audience includes the user."""
    rows = db.session.scalars(select(Programme).where(Programme.retired.is_(False)).order_by(Programme.title))
    return [p for p in rows if in_audience(user, p.audience)]


def get_programme_for(user, programme_id: int) -> Programme | None:
    programme = db.session.get(Programme, programme_id)
    if programme is None or programme.retired or not in_audience(user, programme.audience):
        return None
    return programme


@dataclass
class WeekStatus:
    item: ProgrammeItem
    status: str
    lessons: list[Lesson] = field(default_factory=list)
    exam: Exam | None = None
    open_attempt: Attempt | None = None
    result: Attempt | None = None  # the attempt that decides (best or latest)
    pending: Attempt | None = None  # an attempt waiting for a trainer's grading (the latest)
    attempts: int = 0
    is_open: bool = False  # opens_on reached
    overdue: bool = False
    exam_available: bool = False  # the exam can be taken (not retired, not closed)

    @property
    def done(self) -> bool:
        return self.status == PASSED


def week_status(user, item: ProgrammeItem, today: date | None = None) -> WeekStatus:
    today = today or clock.today()
    exam = item.exam
    lessons = [lesson for lesson in item.lessons if not lesson.retired]
    ws = WeekStatus(item=item, status=NO_EXAM, lessons=lessons, exam=exam, is_open=item.opens_on <= today)
    if exam is not None:
        attempts = exam_results.attempts_of(user, exam)
        ws.attempts = len(attempts)
        ws.result = exam_results.exam_result(user, exam)
        ws.open_attempt = next((a for a in attempts if a.is_open and not a.is_expired()), None)
        closed = exam.closes_at is not None and clock.now() >= exam.closes_at
        ws.exam_available = not exam.retired and not closed
        if ws.result is not None and ws.result.passed:
            ws.status = PASSED
        elif ws.open_attempt is not None:
            ws.status = IN_PROGRESS
        elif any(a.state == "grading" for a in attempts):
            ws.status = GRADING
            ws.pending = [a for a in attempts if a.state == "grading"][-1]
        elif ws.result is not None:
            ws.status = FAILED
        else:
            ws.status = NOT_STARTED
    ws.overdue = item.due_on < today and ws.status not in (PASSED, NO_EXAM)
    return ws


def programme_weeks(user, programme: Programme, today: date | None = None) -> list[WeekStatus]:
    """Every week and bulletin of the programme that is not retired, in date order."""
    return [week_status(user, item, today) for item in programme.items if not item.retired]


@dataclass
class ThisWeek:
    programme: Programme
    current: list[WeekStatus]  # open now (weeks and bulletins)
    overdue: list[WeekStatus]  # past due, exam not passed
    progress: Progress

    # Kept for callers of the earlier two-number summary: passed of the weeks opened so far.
    @property
    def passed(self) -> int:
        return self.progress.passed

    @property
    def total(self) -> int:
        return self.progress.due


def this_week(user, today: date | None = None) -> list[ThisWeek]:
    """本周培训: per programme, what is open now and what is overdue."""
    today = today or clock.today()
    out = []
    for programme in programmes_for(user):
        weeks = programme_weeks(user, programme, today)
        current = [w for w in weeks if w.item.opens_on <= today <= w.item.due_on]
        overdue = [w for w in weeks if w.overdue]
        out.append(ThisWeek(programme=programme, current=current, overdue=overdue, progress=progress(weeks)))
    return out
