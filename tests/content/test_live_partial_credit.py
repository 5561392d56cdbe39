"""A trainer turns an exam's partial credit on or off while learners are
sitting it (tests/content/fixtures/aml_str, changed by editing its files and
running ``flask content publish`` again, as a trainer does).

The rule was read when the attempt was submitted: a learner who started
under partial credit and answered a multiple choice half right got nothing
for it if the trainer had turned partial credit off in the meantime (and the
reverse). An attempt now keeps the rule it started under, as it keeps its
pass mark; attempts started after publishing follow the new rule."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.exams.models import Attempt
from lms.extensions import db
from tests.conftest import sign_in
from tests.content.test_live_course_changes import EXAM_FILE, _edit, _exam, _publish, _start, live  # noqa: F401
from tests.exams.takers import as_posted

# A multiple choice without option weights (the exam's rule decides its
# partial credit: one of its two right options is half right), and the essay.
HALF_RIGHT_BANK = """# 部分得分题库

## str-pc-1
type: multiple
points: 4

以下哪些属于客户尽职调查的内容？

- [x] 识别客户身份
- [x] 了解交易目的
- [ ] 推荐理财产品
- [ ] 办理信用卡

解析：前两项。
"""
DRAW = "draw:\n  - {count: 3, type: single}\n  - {questions: [str-002, str-003, str-004, str-005, str-006, str-007]}\n"


@pytest.fixture
def half_right_exam(live, runner):
    """exam-aml-str drawing two questions: the multiple choice (4 points) and the essay str-006 (10 points)."""
    (live / "courses/aml-str/questions/partial.md").write_text(HALF_RIGHT_BANK, encoding="utf-8")
    _edit(live, EXAM_FILE, DRAW, "draw:\n  - {questions: [str-pc-1, str-006]}\n")
    _publish(runner)
    return live


def _set_partial_credit(root, before: str, after: str) -> None:
    _edit(root, EXAM_FILE, f"partial_credit: {before}", f"partial_credit: {after}")


def _answer_half_right_and_submit(client, attempt: Attempt) -> None:
    for item in attempt.items:
        version = item.question_version
        form = {f"a-{item.id}": ["A"]} if version.type == "multiple" else {f"a-{item.id}": "记录身份，按流程报告。"}
        saved = client.post(f"/attempts/{attempt.id}/items/{item.id}", data=as_posted(item, form),
                            headers={"HX-Request": "true"})
        assert saved.status_code == 200, saved.text
    assert client.post(f"/attempts/{attempt.id}/submit").status_code == 302


def _multiple(attempt: Attempt):
    db.session.refresh(attempt)
    return next(i for i in attempt.items if i.question_version.type == "multiple")


def _grade_essay(client, grader, attempt: Attempt, points: str) -> None:
    sign_in(client, grader)
    for item in [i for i in attempt.items if i.needs_grading]:
        assert client.post(f"/grading/items/{item.id}", data={"points": points}).status_code == 302


def test_partial_credit_turned_off_mid_week_still_scores_the_attempts_started_under_it(
        app, client, runner, half_right_exam, make_user, make_branch):
    branch = make_branch("B01")
    sitting, later = (make_user(("learner",), branch=branch, position="rm_junior") for _ in range(2))
    grader = make_user(("trainer",), employee_no="trainer-2")
    attempt = _start(client, sitting, _exam())
    assert _exam().partial_credit is True

    _set_partial_credit(half_right_exam, "true", "false")
    planned = runner.invoke(args=["content", "plan"])
    assert planned.exit_code == 0, planned.output
    assert "考试 exam-aml-str：多选部分得分 是 → 否。1 份进行中的答卷保留原来的试题、截止时间、及格线和部分得分规则；" \
        in planned.output
    _publish(runner)
    assert _exam().partial_credit is False

    sign_in(client, sitting)
    _answer_half_right_and_submit(client, attempt)
    assert _multiple(attempt).awarded == 2.0  # half of 4: was 0, the rule published after the start

    # The essay graded after the change: the total keeps the partial credit.
    _grade_essay(client, grader, attempt, "6")
    db.session.refresh(attempt)
    assert (attempt.state, attempt.score, attempt.max_score, attempt.passed) == ("finalised", 8.0, 14.0, False)
    sign_in(client, sitting)
    result = client.get(f"/attempts/{attempt.id}/result").text
    assert "得分 8 / 满分 14" in result and "57.1%" in result

    # Someone who starts after publishing: no partial credit.
    fresh = _start(client, later, _exam())
    assert fresh.partial_credit is False
    _answer_half_right_and_submit(client, fresh)
    assert _multiple(fresh).awarded == 0.0


def test_partial_credit_turned_on_mid_week_does_not_reach_the_attempts_started_without_it(
        app, client, runner, half_right_exam, make_user, make_branch):
    _set_partial_credit(half_right_exam, "true", "false")
    _publish(runner)
    branch = make_branch("B01")
    sitting, later = (make_user(("learner",), branch=branch, position="rm_junior") for _ in range(2))
    grader = make_user(("trainer",), employee_no="trainer-2")
    attempt = _start(client, sitting, _exam())

    _set_partial_credit(half_right_exam, "false", "true")
    _publish(runner)
    assert _exam().partial_credit is True

    sign_in(client, sitting)
    _answer_half_right_and_submit(client, attempt)
    assert _multiple(attempt).awarded == 0.0  # was 2 of 4: the rule published after the start
    _grade_essay(client, grader, attempt, "10")
    db.session.refresh(attempt)
    assert (attempt.state, attempt.score, attempt.max_score) == ("finalised", 10.0, 14.0)

    fresh = _start(client, later, _exam())
    _answer_half_right_and_submit(client, fresh)
    assert _multiple(fresh).awarded == 2.0
    assert db.session.scalar(select(Attempt.partial_credit).where(Attempt.id == fresh.id)) is True
