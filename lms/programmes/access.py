"""Who may take an exam, and from when.

An exam is taken inside the programme whose week (or product bulletin)
includes it: by a learner in that programme's audience, from the day that
week opens. An exam a trainer marked ``open_to_all`` may be taken by any
learner at any time. Everything else — the RM entry exam before its week, an
exam of somebody else's programme — is refused with the reason. The other
rules (attempts, cool-down, closing time) are the exam engine's
(``lms.exams.retakes.eligibility``), which asks here first.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _
from sqlalchemy import select

from lms import clock
from lms.content.models import Exam, Programme, ProgrammeItem
from lms.extensions import db
from lms.programmes.audience import in_audience


@dataclass
class ExamAccess:
    ok: bool
    reason: str = ""
    item: ProgrammeItem | None = None  # the week (or bulletin) that admits the learner
    opens_on: date | None = None  # refused until then


def _format_day(day: date) -> str:
    from flask_babel import format_date

    try:
        return format_date(day, "yyyy-MM-dd")
    except Exception:  # outside a request (CLI)
        return day.isoformat()


def exam_access(user, exam: Exam, today: date | None = None) -> ExamAccess:
    """May ``user`` take ``exam`` today, as far as programmes decide? The week
    that admits them is the latest one opened (a retake of week 3's exam in
    week 5 still counts for week 3 if only week 3 has it)."""
    if exam.open_to_all:
        return ExamAccess(True)
    today = today or clock.today()
    weeks = db.session.scalars(
        select(ProgrammeItem).join(Programme, Programme.id == ProgrammeItem.programme_id)
        .where(ProgrammeItem.exam_id == exam.id, ProgrammeItem.retired.is_(False), Programme.retired.is_(False))
        .order_by(ProgrammeItem.opens_on, ProgrammeItem.id)).all()
    mine = [week for week in weeks if in_audience(user, week.programme.audience)]
    if not mine:
        return ExamAccess(False, str(_("This exam is not part of any programme you belong to.")))
    opened = [week for week in mine if week.opens_on <= today]
    if opened:
        return ExamAccess(True, item=opened[-1])
    first = mine[0].opens_on
    return ExamAccess(False, str(_("This exam opens on %(day)s, with its week.", day=_format_day(first))),
                      opens_on=first)
