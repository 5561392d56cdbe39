"""A person's training record as HR reads it: an attempt waiting for a trainer's grading shows the
objective part's score, and one that cannot reach the pass mark whatever the essays get says so —
its week reads "failed, retake" (the retake is open), where the attempt beside it read only
"waiting for grading" and the two seemed to disagree."""
from __future__ import annotations

from datetime import timedelta

import pytest

from lms.content.models import Programme, ProgrammeItem
from lms.exams import answers as exam_answers
from lms.exams import attempts as exam_attempts
from lms.extensions import db
from tests.conftest import sign_in


@pytest.fixture
def hand_in(clock, make_user, make_question, make_exam):
    """Four single choices (1 point each, key B) and an essay (1 point), pass mark 80 %, this week;
    ``hand_in(right)``: the learner's attempt with the first ``right`` singles right, waiting for grading."""
    singles = [make_question("single", slug=f"rw-{n}") for n in range(4)]
    essay = make_question("essay", slug="rw-essay")
    learner = make_user(("learner",), employee_no="E1001", name="李学员")
    exam = make_exam([{"questions": [q.slug for q in singles] + [essay.slug]}], pass_mark=80.0,
                     shuffle_options=False, open_to_all=False, max_attempts=None)
    today = clock.now().date()
    programme = Programme(slug="p-rw", title="新员工入职培训", audience_json="{}")
    programme.items = [ProgrammeItem(key="week-1", kind="week", number=1, title="第1周 存款", exam_id=exam.id,
                                     opens_on=today - timedelta(days=1), due_on=today + timedelta(days=5))]
    db.session.add(programme)
    db.session.commit()

    def take(right: int):
        attempt = exam_attempts.start_attempt(learner, exam)
        for n, item in enumerate(sorted((i for i in attempt.items if i.question_version.type == "single"),
                                        key=lambda i: i.question_version.question.slug)):
            exam_answers.save_answer(attempt, item, "B" if n < right else "A", clock.now())
        essay_item = next(i for i in attempt.items if i.question_version.type == "essay")
        exam_answers.save_answer(attempt, essay_item, "贷前调查三要点……", clock.now())
        return exam_attempts.submit(attempt, learner)

    return learner, programme, take


def _record(client, make_user, learner, locale="zh_CN") -> str:
    hr = make_user(("hr",), employee_no="hr01", name="周人事", locale=locale)
    sign_in(client, hr)
    page = client.get(f"/org/people/{learner.id}").text
    return page.split('id="training-record"')[1]


def test_a_certain_fail_says_so_beside_its_failed_week(client, make_user, hand_in):
    learner, programme, take = hand_in
    take(right=2)  # 2 of 4 + the essay's 1 point at most = 60 %
    record = _record(client, make_user, learner)
    assert "未通过，需补考" in record
    assert "客观题得分 2 / 4 分" in record and "无论阅卷结果如何均不能通过" in record


def test_one_the_essay_still_decides_is_only_waiting(client, make_user, hand_in):
    learner, programme, take = hand_in
    take(right=3)  # 3 of 4 + the essay's point = 80 %: the grading decides
    record = _record(client, make_user, learner, locale="en")
    assert "Objective questions 3 / 4 points" in record and "cannot pass" not in record
