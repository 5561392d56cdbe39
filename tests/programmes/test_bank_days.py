"""A week opens at 00:00 and falls due at 23:59:59 China time (the bank's
days, ``lms.clock``), not at 08:00 when the UTC date turns: the home page,
the exam door, the overdue count, the quarter and the reminders agree at both
sides of midnight in Shanghai (16:00 UTC the day before)."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from lms.exams import attempts as exam_attempts
from lms.exams.errors import ExamError
from lms.extensions import db
from lms.notify.models import Notification
from lms.notify.scan import scan
from lms.programmes import services
from lms.programmes.access import exam_access
from tests.conftest import sign_in
from tests.programmes.helpers import programme, take
from tests.programmes.test_quarterly import _quarterly

# Week 3 is due Sunday 2026-03-01; week 4 opens Monday 2026-03-02 (tests/programmes/helpers.py).
SUNDAY_235959 = datetime(2026, 3, 1, 15, 59, 59)  # Sunday 23:59:59 in Shanghai
MONDAY_000000 = datetime(2026, 3, 1, 16, 0, 0)  # Monday 00:00:00 in Shanghai
MONDAY_073000 = datetime(2026, 3, 1, 23, 30, 0)  # Monday 07:30 in Shanghai, still Sunday in UTC


def _setup(make_user, make_question, make_exam):
    exams = [make_exam([{"questions": [make_question("single").slug]}], open_to_all=False, title=f"第{n}周测验")
             for n in range(1, 6)]
    p = programme(exams, audience={"roles": ["learner"]})
    learner = make_user(("learner",), employee_no="E1")
    learner.hire_date = date(2025, 1, 1)
    db.session.commit()
    return p, exams, learner


@pytest.mark.parametrize("at, week4_open, week3_overdue", [
    (SUNDAY_235959, False, False),
    (MONDAY_000000, True, True),
    (MONDAY_073000, True, True),
])
def test_a_week_opens_and_falls_due_at_midnight_in_china(client, clock, make_user, make_question, make_exam,
                                                        at, week4_open, week3_overdue):
    p, exams, learner = _setup(make_user, make_question, make_exam)
    for n in (0, 1):
        take(learner, exams[n], clock)  # weeks 1 and 2 passed, week 3 not
    clock.freeze(at)
    week3, week4 = services.week_status(learner, p.items[2]), services.week_status(learner, p.items[3])
    assert (week4.is_open, week3.overdue) == (week4_open, week3_overdue)
    [overview] = services.this_week(learner)
    assert [w.item.number for w in overview.current] == ([4] if week4_open else [3])
    assert [w.item.number for w in overview.overdue] == ([3] if week3_overdue else [])
    assert exam_access(learner, exams[3]).ok is week4_open
    if week4_open:
        attempt = exam_attempts.start_attempt(learner, exams[3], p.items[3])
        assert attempt.programme_item_id == p.items[3].id  # counts for the week it came from
    else:
        with pytest.raises(ExamError):
            exam_attempts.start_attempt(learner, exams[3], p.items[3])
    sign_in(client, learner)
    home = client.get("/").text
    assert (f'id="week-{p.items[3].id}"' in home) is week4_open
    assert ("逾期" in home) is week3_overdue


def test_an_attempt_at_2359_on_the_due_day_is_on_time(clock, make_user, make_question, make_exam):
    p, exams, learner = _setup(make_user, make_question, make_exam)
    clock.freeze(datetime(2026, 3, 1, 15, 30))  # Sunday 23:30 in Shanghai: week 3's last day
    take(learner, exams[2], clock)
    clock.freeze(MONDAY_073000)
    week3 = services.week_status(learner, p.items[2])
    assert week3.status == services.PASSED and not week3.overdue


@pytest.mark.parametrize("at, quarter", [
    (datetime(2026, 3, 31, 15, 59, 59), (date(2026, 1, 1), date(2026, 3, 31))),  # 31 March 23:59:59
    (datetime(2026, 3, 31, 16, 0, 0), (date(2026, 4, 1), date(2026, 6, 30))),  # 1 April 00:00:00
    (datetime(2026, 12, 31, 16, 30), (date(2027, 1, 1), date(2027, 3, 31))),  # 1 January 00:30
])
def test_the_quarter_turns_at_midnight_in_china(clock, make_user, make_question, make_exam, at, quarter):
    exam = make_exam([{"questions": [make_question("single").slug]}], open_to_all=False, title="季度警示教育测验")
    p = _quarterly(exam)
    senior = make_user(("learner",), employee_no="RM1", position="rm_senior", position_start=date(2025, 1, 1))
    clock.freeze(at)
    take(senior, exam, clock)
    current = services.week_status(senior, p.items[0])
    assert (current.opens_on, current.due_on) == quarter
    assert current.status == services.PASSED  # the pass counts for the quarter it was made in (China time)
    quarters = {(w.opens_on, w.due_on): w.status for w in services.programme_weeks(senior, p)}
    assert quarters[quarter] == services.PASSED
    assert [q for q, status in quarters.items() if status == services.PASSED] == [quarter]


@pytest.mark.parametrize("at, overdue", [(SUNDAY_235959, False), (MONDAY_073000, True)])
def test_the_overdue_reminder_goes_out_after_midnight_in_china(app, clock, make_user, make_question, make_exam,
                                                              at, overdue):
    p, exams, learner = _setup(make_user, make_question, make_exam)
    for n in (0, 1):
        take(learner, exams[n], clock)
    clock.freeze(at)
    scan()
    kinds = {(n.kind, n.subject) for n in db.session.scalars(db.select(Notification).where(
        Notification.recipient_id == learner.id))}
    assert (("overdue", f"item:{p.items[2].id}") in kinds) is overdue
    assert (("week_opened", f"item:{p.items[3].id}") in kinds) is overdue
