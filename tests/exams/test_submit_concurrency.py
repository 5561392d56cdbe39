"""Submitting twice, concurrently or from two tabs finalises exactly once;
two concurrent starts give one attempt. Threads with their own sessions, on
SQLite and PostgreSQL alike."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.audit.models import AuditEvent  # noqa: F401  (metadata complete)
from lms.exams import answers as exam_answers, attempts as exam_attempts, errors as exam_errors, models as exam_models
from lms.exams.models import Attempt, NotebookEntry
from lms.extensions import db
from tests.conftest import sign_in
from tests.exams.takers import item_of, learner  # noqa: F401


def _run_in_threads(app, fn, n=2):
    barrier = threading.Barrier(n)
    results, errors = [None] * n, []

    def worker(i):
        with app.app_context():
            try:
                barrier.wait()
                results[i] = fn()
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,), name=f"exam-worker-{i}") for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results


def _simple_exam(make_question, make_exam):
    q1 = make_question("single", tags=("存款",))
    q2 = make_question("single", tags=("贷款",))
    return make_exam([{"questions": [q1.slug, q2.slug]}], max_attempts=None, pass_mark=60)


def test_concurrent_submits_finalise_once(app, clock, learner, make_question, make_exam):
    exam = _simple_exam(make_question, make_exam)
    attempt = exam_attempts.start_attempt(learner, exam)
    exam_answers.save_answer(attempt, attempt.items[0], "A", clock.now())  # wrong: goes to the notebook
    attempt_id, user_id = attempt.id, learner.id
    db.session.commit()

    def submit():
        from lms.org.models import User

        mine = db.session.get(Attempt, attempt_id)
        return exam_attempts.submit(mine, db.session.get(User, user_id)).state

    states = _run_in_threads(app, submit)
    assert states == ["finalised", "finalised"]
    attempt = db.session.get(Attempt, attempt_id, populate_existing=True)
    assert attempt.state == "finalised" and attempt.end_reason == "submitted"
    # Finalised once: the wrong answer was noted once, not twice.
    entry = db.session.scalar(select(NotebookEntry).where(NotebookEntry.user_id == user_id))
    assert entry.times_wrong == 1


def test_two_tabs_submitting_get_the_same_answer(client, clock, learner, make_question, make_exam):
    exam = _simple_exam(make_question, make_exam)
    attempt = exam_attempts.start_attempt(learner, exam)
    sign_in(client, learner)
    first = client.post(f"/attempts/{attempt.id}/submit")
    second = client.post(f"/attempts/{attempt.id}/submit")
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    late_save = client.post(f"/attempts/{attempt.id}/items/{attempt.items[0].id}",
                            data={f"a-{attempt.items[0].id}": "B"}, headers={"HX-Request": "true"})
    assert late_save.status_code == 409 and "查看成绩" in late_save.text


def test_concurrent_starts_give_one_attempt(app, clock, learner, make_question, make_exam):
    exam = _simple_exam(make_question, make_exam)
    exam_id, user_id = exam.id, learner.id
    db.session.commit()  # the test holds no lock while the threads run

    def start():
        from lms.content.models import Exam
        from lms.org.models import User

        return exam_attempts.start_attempt(db.session.get(User, user_id), db.session.get(Exam, exam_id)).id

    ids = _run_in_threads(app, start, n=3)
    assert len(set(ids)) == 1
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1


def test_a_second_tab_continues_the_same_attempt(client, clock, learner, make_question, make_exam):
    exam = _simple_exam(make_question, make_exam)
    sign_in(client, learner)
    first = client.post(f"/exams/{exam.id}/start")
    second = client.post(f"/exams/{exam.id}/start")
    assert first.headers["Location"] == second.headers["Location"]


def _race_a_save_and_a_submit(app, learner, exam, save):
    """Three times: a fresh attempt, then ``save(attempt_id, item_id, user_id)``
    ("saved" or "refused") and a submit at the same moment. What the save
    reported must be what the graded attempt holds."""
    for _ in range(3):
        attempt = exam_attempts.start_attempt(learner, exam)
        attempt_id, item_id, user_id = attempt.id, attempt.items[0].id, learner.id
        db.session.commit()

        def submit():
            from lms.org.models import User

            exam_attempts.submit(db.session.get(Attempt, attempt_id), db.session.get(User, user_id))
            return "submitted"

        outcome = _run_in_threads(app, lambda: save(attempt_id, item_id, user_id)
                                  if threading.current_thread().name.endswith("0") else submit())
        attempt = db.session.get(Attempt, attempt_id, populate_existing=True)
        item = attempt.items[0]
        db.session.refresh(item)
        assert attempt.state == "finalised"
        if "saved" in outcome:
            assert item.answer == "B" and item.correct is True
        else:
            assert item.answer is None and item.correct is False


def test_a_save_racing_a_submit_is_either_graded_or_refused(app, clock, learner, make_question, make_exam):
    """What the browser was told is saved, is in the graded attempt."""

    def save(attempt_id, item_id, user_id):
        from lms.exams.models import AttemptItem

        mine = db.session.get(Attempt, attempt_id)
        try:
            exam_answers.save_answer(mine, db.session.get(AttemptItem, item_id), "B", clock.now())
            return "saved"
        except exam_errors.AttemptClosed:
            return "refused"

    _race_a_save_and_a_submit(app, learner, _simple_exam(make_question, make_exam), save)


def test_the_one_statement_autosave_racing_a_submit_is_either_graded_or_refused(
        app, clock, learner, make_question, make_exam):
    """The autosave (one conditional UPDATE) keeps the same promise."""

    def save(attempt_id, item_id, user_id):
        from lms.org.models import User

        try:
            exam_answers.autosave(db.session.get(User, user_id), attempt_id, item_id, lambda *_: "B", clock.now())
            return "saved"
        except (exam_errors.AttemptClosed, exam_errors.TimeUp):
            return "refused"

    _race_a_save_and_a_submit(app, learner, _simple_exam(make_question, make_exam), save)


def test_the_one_statement_autosave_refuses_another_learners_or_a_late_attempt(
        app, clock, learner, make_question, make_exam, make_user):
    exam = _simple_exam(make_question, make_exam)
    attempt = exam_attempts.start_attempt(learner, exam)
    attempt_id, item_id, minutes = attempt.id, attempt.items[0].id, exam.time_limit_minutes
    other = make_user(("learner",))
    db.session.commit()
    with pytest.raises(exam_errors.NotYourItem):
        exam_answers.autosave(other, attempt_id, item_id, lambda *_: "B", clock.now())
    clock.advance(timedelta(minutes=minutes, seconds=exam_models.DEFAULT_GRACE_SECONDS + 1))
    with pytest.raises(exam_errors.TimeUp):
        exam_answers.autosave(learner, attempt_id, item_id, lambda *_: "B", clock.now())
    attempt = db.session.get(Attempt, attempt_id, populate_existing=True)
    assert attempt.state != "open" and attempt.end_reason == "timeout"
    item = attempt.items[0]
    db.session.refresh(item)
    assert item.answer is None
