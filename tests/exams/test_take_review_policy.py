"""The result page shows the key and explanations only as the exam's review
policy allows: after submit, after pass, after close, never."""
from __future__ import annotations

from datetime import timedelta

import pytest

from lms.exams import answers as exam_answers, attempts as exam_attempts
from tests.conftest import sign_in
from tests.exams.takers import learner  # noqa: F401


def _finish(user, exam, right: bool, clock):
    attempt = exam_attempts.start_attempt(user, exam)
    exam_answers.save_answer(attempt, attempt.items[0], "B" if right else "A", clock.now())
    return exam_attempts.submit(attempt, user)


@pytest.fixture
def exam_with(make_question, make_exam, clock):
    def make(policy, **settings):
        question = make_question("single", explanation="复核解析文字")
        return make_exam([{"questions": [question.slug]}], review_policy=policy, pass_mark=60, max_attempts=None,
                         **settings)

    return make


def _shows_key(client, attempt):
    text = client.get(f"/attempts/{attempt.id}/result").text
    return "复核解析文字" in text and "正确答案" in text


def test_after_submit(client, clock, learner, exam_with):
    attempt = _finish(learner, exam_with("after_submit"), False, clock)
    sign_in(client, learner)
    assert _shows_key(client, attempt)


def test_after_pass(client, clock, learner, exam_with):
    exam = exam_with("after_pass")
    failed = _finish(learner, exam, False, clock)
    sign_in(client, learner)
    text = client.get(f"/attempts/{failed.id}/result").text
    assert "复核解析文字" not in text and "通过该考试后可查看答案与解析" in text
    _finish(learner, exam, True, clock)
    assert _shows_key(client, failed)  # once passed, earlier attempts can be reviewed too


def test_after_close(client, clock, learner, exam_with):
    exam = exam_with("after_close", closes_at=clock.now() + timedelta(days=1))
    attempt = _finish(learner, exam, True, clock)
    sign_in(client, learner)
    assert not _shows_key(client, attempt)
    clock.advance(timedelta(days=1, seconds=30))  # closed, and the grace of those still sitting it is over
    assert _shows_key(client, attempt)


def test_never(client, clock, learner, exam_with):
    attempt = _finish(learner, exam_with("never"), True, clock)
    sign_in(client, learner)
    text = client.get(f"/attempts/{attempt.id}/result").text
    assert "100%" in text and "已通过" in text
    assert "复核解析文字" not in text and "该考试不公布答案" in text


def test_after_close_waits_for_the_grace_of_those_still_sitting(client, clock, learner, make_user, exam_with):
    """The exam closes at 10:00, but a learner who started at 09:50 may still
    save and submit until 10:00 plus the grace (EXAM_GRACE_SECONDS, 30 s):
    the key must not be on anybody's result page while it is still accepted."""
    exam = exam_with("after_close", closes_at=clock.now() + timedelta(hours=1), time_limit_minutes=60)
    attempt = _finish(learner, exam, True, clock)
    clock.advance(timedelta(minutes=50))
    other = make_user(("learner",))
    sitting = exam_attempts.start_attempt(other, exam)
    clock.advance(timedelta(minutes=10, seconds=10))  # closed 10 s ago: within the grace
    exam_answers.save_answer(sitting, sitting.items[0], "B", clock.now())  # still accepted
    sign_in(client, learner)
    text = client.get(f"/attempts/{attempt.id}/result").text
    assert "复核解析文字" not in text and "考试关闭后可查看答案与解析" in text
    clock.advance(timedelta(seconds=21))  # the grace is over: nobody's answer is accepted any more
    assert _shows_key(client, attempt)
