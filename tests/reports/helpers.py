"""A programme of weeks with exams, and attempts written as the exam engine
leaves them, for the reports' tests."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from lms.content.models import Exam, Programme, ProgrammeItem
from lms.exams.models import Attempt
from lms.extensions import db

# The tests' clock (tests/conftest.py: 2026-03-02) falls in week 3.
START = date(2026, 2, 16)


def make_programme(weeks: int = 4, *, audience: dict | None = None, slug: str = "rm-foundation",
                   title: str = "客户经理基础培训", start: date = START) -> Programme:
    programme = Programme(slug=slug, title=title, audience_json=json.dumps(audience or {"roles": ["learner"]}))
    items = []
    for n in range(1, weeks + 1):
        exam = Exam(slug=f"{slug}-exam-{n}", title=f"第{n}周测验", draw_json="[]", pass_mark=80.0,
                    max_attempts=None, open_to_all=False)
        db.session.add(exam)
        db.session.flush()
        opens = start + timedelta(days=7 * (n - 1))
        items.append(ProgrammeItem(key=f"week-{n}", kind="week", number=n, title=f"第 {n} 周", exam_id=exam.id,
                                   opens_on=opens, due_on=opens + timedelta(days=6)))
    programme.items = items
    db.session.add(programme)
    db.session.commit()
    return programme


def add_attempt(user, item: ProgrammeItem, percent: float | None, *, state: str = "finalised", number: int | None = None,
                at: datetime | None = None, deadline: datetime | None = None) -> Attempt:
    """An attempt of ``item``'s exam; ``percent`` None with state grading/open."""
    if number is None:
        number = 1 + db.session.query(Attempt).filter_by(user_id=user.id, exam_id=item.exam_id).count()
    at = at or datetime.combine(item.opens_on, datetime.min.time()) + timedelta(hours=2 + number)
    exam = db.session.get(Exam, item.exam_id)
    finalised = state == "finalised"
    attempt = Attempt(exam_id=item.exam_id, user_id=user.id, programme_item_id=item.id, number=number, seed=1,
                      state=state, started_at=at, deadline=deadline or at + timedelta(minutes=30),
                      submitted_at=at + timedelta(minutes=10) if state != "open" else None,
                      finalised_at=at + timedelta(minutes=10) if finalised else None,
                      end_reason="submitted" if state != "open" else "", score=percent, max_score=100.0,
                      percent=percent if finalised else None,
                      passed=(percent >= exam.pass_mark) if finalised and percent is not None else None)
    db.session.add(attempt)
    db.session.commit()
    return attempt
