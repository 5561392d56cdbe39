"""A trainer who sat the exam does not decide on their own result: when the
corrected key (tests/content/test_key_regrade.py) changes the score of their
own submitted attempt, their publish is refused at the question's file and
line, whichever the decision; another trainer publishes it."""
from __future__ import annotations

from lms.extensions import db
from tests.content.test_key_regrade import BANK, REASON, _fix_key, _take, _versions, course  # noqa: F401


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
