"""The 错题本 is no answer oracle for an exam in progress: while a retake
holds a question of the notebook, practising it (graded on the spot) is
refused, and the entry is practised again once the exam is submitted."""
from __future__ import annotations

from datetime import timedelta

from lms.exams import answers as exam_answers, attempts as exam_attempts
from lms.exams.models import NotebookEntry
from lms.extensions import db
from tests.conftest import sign_in

EXPLANATION = "个人通知存款最低起存金额为 5 万元。"


def _failed_once(make_user, make_question, make_exam, **exam_settings):
    question = make_question("single", slug="dep-101", tags=("个人存款",), explanation=EXPLANATION)
    exam = make_exam([{"questions": ["dep-101"]}], pass_mark=60.0, max_attempts=None, cooldown_minutes=0,
                     **exam_settings)
    learner = make_user(("learner",), locale="en")
    first = exam_attempts.start_attempt(learner, exam)
    exam_answers.save_answer(first, first.items[0], "A")
    exam_attempts.submit(first, learner)
    entry = db.session.query(NotebookEntry).filter_by(user_id=learner.id, question_id=question.id).one()
    return learner, exam, entry


def test_practice_refuses_a_question_of_the_exam_being_taken(app, client, make_user, make_question, make_exam):
    learner, exam, entry = _failed_once(make_user, make_question, make_exam, review_policy="after_submit")
    retake = exam_attempts.start_attempt(learner, exam)
    sign_in(client, learner)

    page = client.get(f"/notebook/practice/{entry.id}")
    assert page.status_code == 200
    assert "which you are taking now" in page.text
    assert 'name="answer"' not in page.text  # nothing to answer here while the exam is open

    for answer in ("A", "B", "C"):
        tried = client.post(f"/notebook/practice/{entry.id}", data={"answer": answer}, headers={"HX-Request": "true"})
        assert tried.status_code == 200
        assert "Correct!" not in tried.text and "Not right yet" not in tried.text and "Not quite" not in tried.text
        assert "which you are taking now" in tried.text
    plain = client.post(f"/notebook/practice/{entry.id}", data={"answer": "B"})
    assert plain.status_code == 302
    assert "Correct!" not in client.get(plain.headers["Location"]).text
    assert db.session.get(NotebookEntry, entry.id, populate_existing=True).cleared_at is None

    # Once the retake is submitted the question is practised as before.
    exam_attempts.submit(retake, learner)
    after = client.post(f"/notebook/practice/{entry.id}", data={"answer": "B"}, headers={"HX-Request": "true"})
    assert "Correct!" in after.text


def test_practice_of_other_questions_goes_on_during_an_exam(app, client, make_user, make_question, make_exam):
    learner, exam, entry = _failed_once(make_user, make_question, make_exam, review_policy="after_submit")
    other = make_question("single", slug="dep-102", tags=("个人存款",))
    make_exam([{"questions": ["dep-102"]}], slug="other-exam")
    from tests.exams.results_data import notebook_entry

    other_entry = notebook_entry(learner, other)
    exam_attempts.start_attempt(learner, exam)
    sign_in(client, learner)
    answered = client.post(f"/notebook/practice/{other_entry.id}", data={"answer": "B"},
                           headers={"HX-Request": "true"})
    assert "Correct!" in answered.text


def test_an_expired_attempt_does_not_hold_practice_back(app, client, clock, make_user, make_question, make_exam):
    learner, exam, entry = _failed_once(make_user, make_question, make_exam, review_policy="after_submit",
                                        time_limit_minutes=10)
    exam_attempts.start_attempt(learner, exam)
    clock.advance(timedelta(minutes=11))
    sign_in(client, learner)
    after = client.post(f"/notebook/practice/{entry.id}", data={"answer": "B"}, headers={"HX-Request": "true"})
    assert "Correct!" in after.text
