"""Who may take an exam, and from when.

An exam is taken inside the programme whose week (or product bulletin)
includes it: by a learner in that programme's audience (the file's rule and
HR's changes, ``lms.programmes.audience``), from the day that week opens —
weeks before the learner's enrolment are catch-up and may be taken too. In a
programme with ``in_order``, week N's exam opens only when week N−1's is
passed. A quarterly requirement's exam may be taken from its first quarter
on. An exam a trainer marked ``open_to_all`` may be taken by any learner at
any time. Everything else — the RM entry exam before its week, an exam of
somebody else's programme — is refused with the reason. The other rules
(attempts, cool-down, closing time) are the exam engine's
(``lms.exams.retakes.eligibility``), which asks here first.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import format_date, lazy_gettext as _
from sqlalchemy import select

from lms import clock
from lms.content.models import Exam, Programme, ProgrammeItem
from lms.exams.models import Attempt, AttemptState
from lms.exams.results import attempts_of, counting_attempt, exam_in_progress_with, has_passed, review_allowed
from lms.extensions import db
from lms.programmes.audience import memberships
from lms.programmes.services import lock_reason, previous_week


@dataclass
class ExamAccess:
    ok: bool
    reason: str = ""
    item: ProgrammeItem | None = None  # the week (or bulletin) that admits the learner
    opens_on: date | None = None  # refused until then


def _format_day(day: date) -> str:

    try:
        return format_date(day, "yyyy-MM-dd")
    except Exception:  # outside a request (CLI)
        return day.isoformat()


def exam_access(user, exam: Exam, today: date | None = None) -> ExamAccess:
    """May ``user`` take ``exam`` today, as far as programmes decide? The week
    that admits them is the latest one opened and not locked (a retake of
    week 3's exam in week 5 still counts for week 3 if only week 3 has it)."""
    if exam.open_to_all:
        return ExamAccess(True)
    today = today or clock.today()
    weeks = db.session.scalars(
        select(ProgrammeItem).join(Programme, Programme.id == ProgrammeItem.programme_id)
        .where(ProgrammeItem.exam_id == exam.id, ProgrammeItem.retired.is_(False), Programme.retired.is_(False))
        .order_by(ProgrammeItem.opens_on, ProgrammeItem.id)).all()
    member_of = memberships(user, list(dict.fromkeys(week.programme for week in weeks)), today)
    mine = [week for week in weeks if week.programme_id in member_of]
    if not mine:
        return ExamAccess(False, str(_("This exam is not part of any programme you belong to.")))
    opened = [week for week in mine if week.opens_on <= today]
    if opened:
        locked = []
        for week in reversed(opened):
            previous = previous_week(week)
            if previous is None or has_passed(user, previous.exam):
                return ExamAccess(True, item=week)
            locked.append(previous)
        return ExamAccess(False, lock_reason(locked[0]), item=None)
    first = mine[0].opens_on
    return ExamAccess(False, str(_("This exam opens on %(day)s, with its week.", day=_format_day(first))),
                      opens_on=first)


def takes_exam(user, exam: Exam, today: date | None = None) -> bool:
    """Is ``exam`` one ``user`` takes, now or later: open to all, or in a week
    of a programme whose audience holds them (opened or not, locked or not)?"""
    if exam.open_to_all:
        return True
    programmes = list(db.session.scalars(
        select(Programme).join(ProgrammeItem, ProgrammeItem.programme_id == Programme.id)
        .where(ProgrammeItem.exam_id == exam.id, ProgrammeItem.retired.is_(False), Programme.retired.is_(False))
        .distinct()))
    return bool(memberships(user, programmes, today or clock.today()))


def may_still_sit(user, exam: Exam, now: datetime | None = None) -> bool:
    """Could ``user`` still sit ``exam``, now or later: a learner whose exam
    it is (``takes_exam``), not withdrawn, not closed, not passed, with
    attempts left (or one open)? Only from such a reader does reading someone
    else's review have a key to protect."""
    now = now or clock.now()
    if not user.has_role("learner") or exam.retired or (exam.closes_at is not None and now >= exam.closes_at):
        return False
    if not takes_exam(user, exam, clock.local_date(now)):
        return False
    mine = attempts_of(user, exam)
    result = counting_attempt(exam, mine)
    if result is not None and result.passed:
        return False
    taken = sum(1 for a in mine if a.counts_as_taken(now))
    return exam.max_attempts is None or taken < exam.max_attempts or any(a.is_open for a in mine)


def review_allowed_to(viewer, attempt: Attempt) -> bool:
    """May ``viewer`` see the key and explanations of someone else's finalised
    attempt (a mentor, HR or a branch manager reading a learner's record)?

    Only as far as the learner may (``review_allowed``), and, when the viewer
    takes the same exam (a mentor in the same programme, anyone for an exam
    open to all), only as far as its review policy shows the key to the viewer
    as a learner: reading a colleague's review must not hand them the answers
    before their own attempt (after_submit) or pass (after_pass). Nobody
    reads it while taking an exam that holds its questions. Trainers (and
    administrators) see every key in the console already; a reader who can
    no longer sit the exam (``may_still_sit``) reads what the learner reads."""
    if not review_allowed(attempt):
        return False
    if exam_in_progress_with(viewer, [item.question_version.question_id for item in attempt.items]) is not None:
        return False  # the reader's own exam is open in another tab
    exam = attempt.exam
    if viewer.id == attempt.user_id or viewer.has_role("trainer") or exam.review_policy == "after_close":
        return True
    if not may_still_sit(viewer, exam):
        return True  # nothing to protect: passed, or they never sit it again (staff without the learner role never)
    if exam.review_policy == "after_pass":
        return False  # not passed yet
    return any(a.state == AttemptState.FINALISED for a in attempts_of(viewer, exam))
