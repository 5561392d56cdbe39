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
from datetime import date

from flask_babel import format_date, lazy_gettext as _
from sqlalchemy import select

from lms import clock
from lms.content.models import Exam, Programme, ProgrammeItem
from lms.exams.results import has_passed
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
