"""A trainer who sat the exam does not decide on their own result: when the
corrected key (tests/content/test_key_regrade.py) changes the score of their
own submitted attempt, their publish is refused at the question's file and
line, whichever the decision; another trainer publishes it."""
from __future__ import annotations

from lms.extensions import db
from tests.content.test_key_regrade import BANK, REASON, _exam, _fix_key, _take, _versions, course  # noqa: F401


def test_a_trainer_does_not_regrade_or_keep_their_own_attempt(app, client, runner, course, make_user,  # noqa: F811
                                                               make_branch):
    branch = make_branch("B01")
    trainer = make_user(("trainer", "learner"), branch=branch, position="rm_junior", name="丙培训师",
                        employee_no="T0009")
    own = _take(client, trainer, "false")
    assert own.passed
    _fix_key(course)
    # Keeping the result they have is deciding it as much as re-grading it (the rule does not look at the choice).
    refused = runner.invoke(args=["content", "publish", "--as", "T0009", "--keep-results", "--reason", REASON])
    assert refused.exit_code == 1
    assert (f"{BANK}:30: 试题 pl-003：更正后的答案会改变您本人答卷（丙培训师 (T0009) exam-pl-week #1）的得分，"
            "请由另一位培训师决定并发布此更改。") in refused.output, refused.output
    assert _versions() == [1]
    db.session.refresh(own)
    assert own.passed and own.percent == 71.43
    done = runner.invoke(args=["content", "publish", "--as", "trainer-pl", "--regrade", "--reason", REASON])
    assert done.exit_code == 0, done.output
    db.session.refresh(own)
    assert _versions() == [1, 2] and not own.passed


def test_a_trainer_does_not_correct_the_key_under_their_own_open_attempt(app, client, runner, course,  # noqa: F811
                                                                        make_user, make_branch):
    """An attempt still open is graded at submit with the key of then: a trainer
    sitting the exam would decide their own result by publishing the corrected
    key before submitting. Refused, naming the attempt; another trainer publishes."""
    from lms.exams.models import Attempt
    from tests.conftest import sign_in
    from tests.exams.takers import as_posted

    branch = make_branch("B01")
    trainer = make_user(("trainer", "learner"), branch=branch, position="rm_junior", name="丙培训师",
                        employee_no="T0009")
    sign_in(client, trainer)
    exam = _exam()
    started = client.post(f"/exams/{exam.id}/start")
    attempt = db.session.get(Attempt, int(started.headers["Location"].rstrip("/").split("/")[-1]))
    item = next(i for i in attempt.items if i.question_version.question.slug == "pl-003")
    saved = client.post(f"/attempts/{attempt.id}/items/{item.id}", data=as_posted(item, {f"a-{item.id}": "true"}),
                        headers={"HX-Request": "true"})
    assert saved.status_code == 200, saved.text
    _fix_key(course)
    refused = runner.invoke(args=["content", "publish", "--as", "T0009"])
    assert refused.exit_code == 1
    assert (f"{BANK}:30: 试题 pl-003：您提交本人进行中的答卷（丙培训师 (T0009) exam-pl-week #1）时会按更正后的答案评分，"
            "请由另一位培训师发布此更改。") in refused.output, refused.output
    assert _versions() == [1]
    done = runner.invoke(args=["content", "publish", "--as", "trainer-pl"])
    assert done.exit_code == 0, done.output
    assert _versions() == [1, 2]
