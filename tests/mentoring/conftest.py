"""A mentoring world around the test clock (Monday 2026-03-02, week 4 of a
five-week programme): 王师傅 mentors 李学员 (active since 2026-02-09), 张师傅
mentors 赵学员, 钱师傅 was 李学员's mentor before (ended). Each week's exam
draws two questions: one on 个人存款 (key B), one on 个人贷款 (key A)."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from lms.extensions import db
from lms.mentoring.models import Pairing, PairingState
from tests.programmes.helpers import programme

PAIRED_ON = date(2026, 2, 9)


@pytest.fixture
def world(app, clock, make_user, make_branch, make_question, make_exam):
    branch = make_branch("ZZ01", "天元支行")
    w = SimpleNamespace(branch=branch)
    w.mentor = make_user(("mentor", "learner"), employee_no="M001", name="王师傅", branch=branch, position="rm_principal")
    w.apprentice = make_user(("learner",), employee_no="A001", name="李学员", branch=branch, position="rm_junior")
    w.other_mentor = make_user(("mentor", "learner"), employee_no="M002", name="张师傅", branch=branch,
                               position="rm_senior")
    w.other_apprentice = make_user(("learner",), employee_no="A002", name="赵学员", branch=branch, position="rm_junior")
    w.former_mentor = make_user(("mentor", "learner"), employee_no="M003", name="钱师傅", branch=branch,
                                position="rm_senior")
    w.deposit = make_question("single", tags=("个人存款",), explanation="存款保险最高偿付 50 万元")
    w.loan = make_question("single", tags=("个人贷款",), explanation="贷款解析文字",
                           data={"options": [{"key": "A", "text": "三查"}, {"key": "B", "text": "两查"}],
                                 "correct": ["A"]})
    w.exams = [make_exam([{"questions": [w.deposit.slug, w.loan.slug]}], open_to_all=False, title=f"第{n}周测验",
                         pass_mark=100, review_policy="after_submit", cooldown_minutes=None)
               for n in range(1, 6)]
    w.programme = programme(w.exams, audience={"positions": ["rm_junior"]})
    w.pairing = Pairing(mentor_id=w.mentor.id, apprentice_id=w.apprentice.id, start_date=PAIRED_ON,
                        goals="三个月内通过**准入考试**")
    w.former = Pairing(mentor_id=w.former_mentor.id, apprentice_id=w.apprentice.id, state=PairingState.ENDED,
                       start_date=date(2025, 10, 1), ended_on=date(2026, 2, 1), end_reason="调岗")
    w.other_pairing = Pairing(mentor_id=w.other_mentor.id, apprentice_id=w.other_apprentice.id, start_date=PAIRED_ON)
    db.session.add_all([w.pairing, w.former, w.other_pairing])
    db.session.commit()
    return w


def answer(learner, exam, answers: dict, clock=None):
    """Take ``exam`` answering {question slug: option key}; returns the attempt."""
    from lms.exams import answers as exam_answers
    from lms.exams import attempts as exam_attempts

    attempt = exam_attempts.start_attempt(learner, exam)
    for item in attempt.items:
        key = answers.get(item.question_version.question.slug)
        if key is not None:
            exam_answers.save_answer(attempt, item, key)
    exam_attempts.submit(attempt, learner)
    return attempt
