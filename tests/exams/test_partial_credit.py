"""Partial credit is its own state: an essay graded 8 of 10, or a multiple
choice half right, is 部分得分 ("partly right") on the result page, in the
trainer's view, in the item analysis and in the 错题本, where it is filed as
partly right (to practise what was missed), never as 错误."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lms.exams import answers as exam_answers, attempts as exam_attempts
from lms.exams import trainer_services
from lms.exams.models import Attempt, NotebookEntry
from lms.extensions import db
from tests.conftest import sign_in


@pytest.fixture
def essay_exam(make_question, make_exam):
    make_question("single", slug="pc-single", tags=("个人存款",))
    make_question("essay", slug="pc-essay", points=10, tags=("贷前调查",), explanation="参考要点解析",
                  data={"rubric": "实地走访、核实报表"})
    return make_exam([{"questions": ["pc-single", "pc-essay"]}], title="贷前调查测验", shuffle_options=False,
                     pass_mark=60.0, review_policy="after_submit")


def _badge(text: str, position: int) -> str:
    """The outcome badge of question ``position`` on the result page."""
    block = re.search(rf'id="r-{position}".*?</h3>', text, re.S).group(0)
    return re.search(r'class="badge [a-z]+ outcome">([^<]+)<', block).group(1)


def _essay_graded_8_of_10(learner, trainer, exam, comment: str = ""):
    """The learner answers every question (the single one with A) and submits;
    the trainer grades the essay 8 of its 10 points."""
    attempt = exam_attempts.start_attempt(learner, exam)
    for item in attempt.items:
        exam_answers.save_answer(attempt, item, "A" if item.question_version.type == "single" else "我的论述")
    exam_attempts.submit(attempt, learner)
    essay = next(i for i in attempt.items if i.question_version.type == "essay")
    trainer_services.grade_essay(essay, "8", comment, trainer)
    db.session.commit()
    return attempt


def test_an_essay_graded_8_of_10_is_partly_right_everywhere(app, client, clock, make_user, essay_exam):
    learner = make_user(("learner",), name="分数学员")
    trainer = make_user(("trainer",))
    attempt = _essay_graded_8_of_10(learner, trainer, essay_exam, "少了关联交易")
    attempt = db.session.get(Attempt, attempt.id, populate_existing=True)
    assert attempt.state == "finalised"
    essay = next(i for i in attempt.items if i.question_version.type == "essay")

    sign_in(client, learner)
    result = client.get(f"/attempts/{attempt.id}/result").text
    assert _badge(result, 2) == "部分得分"
    assert _badge(result, 1) == "错误"  # the single choice (A is wrong)

    # Filed as partly right, not as wrong.
    entry = db.session.scalar(select(NotebookEntry).where(NotebookEntry.user_id == learner.id,
                                                          NotebookEntry.question_id == essay.question_version.question_id))
    assert entry is not None and entry.partly_right
    notebook = client.get("/notebook/").text
    row = re.search(rf'id="entry-{entry.id}".*?</tr>', notebook, re.S).group(0)
    assert "部分得分" in row and "错误" not in row
    practice = client.get(f"/notebook/practice/{entry.id}").text
    assert "部分得分" in practice

    sign_in(client, trainer)
    detail = client.get(f"/grading/attempts/{attempt.id}").text
    block = re.search(rf'id="item-{essay.id}".*?</p>', detail, re.S).group(0)
    assert "部分得分" in block and "错误" not in block
    analysis = client.get(f"/analysis/exams/{essay_exam.id}").text
    row = re.search(r'<code>pc-essay</code>.*?</tr>', analysis, re.S).group(0)
    counts = re.search(r'<td class="outcomes">(.*?)</td>', row, re.S).group(1)
    assert re.findall(r">(\d+)<", counts) == ["0", "1", "0"]  # right, partly right, wrong


def test_a_multiple_choice_half_right_with_partial_credit(app, client, clock, make_user, make_question, make_exam):
    make_question("multiple", slug="pc-multi", data={
        "options": [{"key": k, "text": f"选项{k}"} for k in "ABCD"], "correct": ["A", "B"]})
    exam = make_exam([{"questions": ["pc-multi"]}], partial_credit=True, shuffle_options=False)
    learner = make_user(("learner",))
    attempt = exam_attempts.start_attempt(learner, exam)
    exam_answers.save_answer(attempt, attempt.items[0], ["A"])
    exam_attempts.submit(attempt, learner)
    item = attempt.items[0]
    assert 0 < item.awarded < item.points and item.outcome == "partly"
    sign_in(client, learner)
    assert _badge(client.get(f"/attempts/{attempt.id}/result").text, 1) == "部分得分"
    assert db.session.scalar(select(NotebookEntry.partly_right).where(NotebookEntry.user_id == learner.id)) is True


def test_withheld_answers_still_say_which_were_partly_right(app, client, clock, make_user, essay_exam):
    """An exam that shows its answers only after passing: the result page and
    the notebook say the same — which answers were wrong or partly right, and
    the same sentence about when the answers are shown."""
    essay_exam.review_policy = "after_pass"
    essay_exam.pass_mark = 100.0
    db.session.commit()
    learner = make_user(("learner",))
    trainer = make_user(("trainer",))
    attempt = _essay_graded_8_of_10(learner, trainer, essay_exam)
    sign_in(client, learner)
    notice = "通过该考试后可查看答案与解析。"
    result = client.get(f"/attempts/{attempt.id}/result").text
    assert notice in result and "参考要点解析" not in result
    assert re.search(r'id="r-2">.*?部分得分', result, re.S)
    notebook = client.get("/notebook/").text
    assert f"贷前调查测验：{notice}" in notebook
    assert "部分得分" in notebook and "错误" in notebook
