"""A five-week programme around the test clock (Monday 2026-03-02 is week 4)."""
from __future__ import annotations

import json
from datetime import date, timedelta

from lms.content.models import Programme, ProgrammeItem
from lms.exams import answers as exam_answers, attempts as exam_attempts
from lms.extensions import db

START = date(2026, 2, 9)  # week 1; the clock's Monday 2026-03-02 opens week 4


def programme(exams, *, audience=None, in_order=False, slug="rm-weekly", title="客户经理周训"):
    """Week n has exams[n-1] (one exam per week, or the same one for all)."""
    p = Programme(slug=slug, title=title, audience_json=json.dumps(audience or {}), in_order=in_order)
    p.items = [ProgrammeItem(key=f"week-{n}", kind="week", number=n, title=f"第{n}周", exam_id=exam.id,
                             opens_on=START + timedelta(days=7 * (n - 1)),
                             due_on=START + timedelta(days=7 * (n - 1) + 6))
               for n, exam in enumerate(exams, start=1)]
    db.session.add(p)
    db.session.commit()
    return p


def take(learner, exam, clock, answer="B"):
    """Start and submit an attempt with one answer (B is right for make_question's single)."""
    attempt = exam_attempts.start_attempt(learner, exam)
    exam_answers.save_answer(attempt, attempt.items[0], answer, clock.now())
    exam_attempts.submit(attempt, learner)
    return attempt
