"""The exam page reads a fixed number of statements, however many questions
the exam draws: each question's version (and its tags) came in two queries
of its own as the page first touched it, 20 extra statements for a paper of
ten."""
from __future__ import annotations

from lms.exams import attempts as exam_attempts
from lms.extensions import db
from tests.conftest import sign_in
from tests.exams.takers import learner  # noqa: F401
from tests.statements import statements_of


def _attempt_of(learner, make_question, make_exam, questions: int) -> int:
    slugs = [make_question("single", data={"options": [{"key": "A", "text": "甲"}, {"key": "B", "text": "乙"}],
                                           "correct": ["B"]}, tags=[f"知识点{n}"]).slug for n in range(questions)]
    exam = make_exam([{"questions": slugs}], time_limit_minutes=30)
    attempt = exam_attempts.start_attempt(learner, exam)
    db.session.commit()
    return attempt.id


def test_the_exam_page_reads_as_many_statements_for_ten_questions_as_for_two(
        app, client, clock, learner, make_question, make_exam):
    sign_in(client, learner)
    two = _attempt_of(learner, make_question, make_exam, 2)
    small, page = statements_of(client, f"/attempts/{two}")
    assert page.count('name="a-') >= 2
    ten = _attempt_of(learner, make_question, make_exam, 10)
    large, page = statements_of(client, f"/attempts/{ten}")
    assert page.count('name="a-') >= 10
    assert large == small, (small, large)


def test_the_review_before_submitting_reads_as_many_statements_for_ten_questions_as_for_two(
        app, client, clock, learner, make_question, make_exam):
    """It asked each question's version for 'answered or not' one at a time."""
    sign_in(client, learner)
    small, page = statements_of(client, f"/attempts/{_attempt_of(learner, make_question, make_exam, 2)}/review")
    large, page = statements_of(client, f"/attempts/{_attempt_of(learner, make_question, make_exam, 10)}/review")
    assert large == small, (small, large)


def test_the_result_page_reads_as_many_statements_for_ten_questions_as_for_two(
        app, client, clock, learner, make_question, make_exam):
    """The review of every question read each one's version (and its tags)
    as it first touched it: 20 more statements for a paper of ten."""
    sign_in(client, learner)
    sizes = {}
    for questions in (2, 10):
        attempt_id = _attempt_of(learner, make_question, make_exam, questions)
        attempt = db.session.get(exam_attempts.Attempt, attempt_id)
        exam_attempts.submit(attempt, learner)
        db.session.commit()
        sizes[questions], page = statements_of(client, f"/attempts/{attempt_id}/result")
        assert page.count('class="q-review') >= questions or page.count("乙") >= questions, page[:2000]
    assert sizes[10] == sizes[2], sizes
