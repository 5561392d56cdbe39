"""The server owns time: saves and submits after deadline + grace are refused
and the attempt is finalised with what was saved; abandoned attempts are
finalised on access and by `flask exams finalise-expired`."""
from __future__ import annotations

from datetime import datetime, timedelta

from lms.exams import answers as exam_answers, attempts as exam_attempts, errors as exam_errors
from lms.exams.models import Attempt
from lms.extensions import db
from tests.conftest import sign_in
from tests.exams.takers import as_posted, every_type_exam, item_of, learner  # noqa: F401

HX = {"HX-Request": "true"}


def test_deadline_is_set_on_the_server_and_never_after_closing(clock, learner, every_type_exam):
    exam = every_type_exam(time_limit_minutes=30)
    attempt = exam_attempts.start_attempt(learner, exam)
    assert attempt.deadline == clock.now() + timedelta(minutes=30)
    closing = every_type_exam(time_limit_minutes=30, closes_at=clock.now() + timedelta(minutes=10))
    assert exam_attempts.start_attempt(learner, closing).deadline == clock.now() + timedelta(minutes=10)


def test_save_within_grace_is_accepted_after_it_refused_and_finalised(client, clock, learner, every_type_exam):
    exam = every_type_exam(time_limit_minutes=30)
    attempt = exam_attempts.start_attempt(learner, exam)
    single = item_of(attempt, "single")
    sign_in(client, learner)
    clock.advance(timedelta(minutes=30, seconds=29))  # deadline + 29 s: inside the grace
    ok = client.post(f"/attempts/{attempt.id}/items/{single.id}", data=as_posted(single, {f"a-{single.id}": "B"}),
                     headers=HX)
    assert ok.status_code == 200 and "已保存" in ok.text
    clock.advance(timedelta(seconds=2))  # deadline + 31 s
    late = client.post(f"/attempts/{attempt.id}/items/{single.id}", data=as_posted(single, {f"a-{single.id}": "A"}),
                       headers=HX)
    assert late.status_code == 409
    assert "考试时间已到" in late.text and f"/attempts/{attempt.id}/result" in late.text
    attempt = db.session.get(Attempt, attempt.id, populate_existing=True)
    assert attempt.state != "open" and attempt.end_reason == "timeout"
    assert attempt.submitted_at == attempt.deadline
    assert item_of(attempt, "single").answer == "B"  # the answer saved in time counts, the late one does not
    assert item_of(attempt, "single").correct is True


def test_submit_after_grace_is_refused_with_a_clear_message(client, clock, learner, every_type_exam):
    exam = every_type_exam()
    attempt = exam_attempts.start_attempt(learner, exam)
    sign_in(client, learner)
    single = item_of(attempt, "single")
    exam_answers.save_answer(attempt, single, "B", clock.now())
    clock.advance(timedelta(minutes=31))
    response = client.post(f"/attempts/{attempt.id}/submit", follow_redirects=True)
    # Opening the attempt finalised it with what was saved; the learner lands on
    # the result, which says why, and the late submit counts for nothing.
    assert response.request.path == f"/attempts/{attempt.id}/result"
    assert "考试时间已到，已按您保存的答案交卷。" in response.text
    attempt = db.session.get(Attempt, attempt.id, populate_existing=True)
    assert attempt.end_reason == "timeout" and attempt.submitted_at == attempt.deadline
    assert item_of(attempt, "single").answer == "B"


def test_service_submit_after_grace_raises_time_up(clock, learner, every_type_exam):
    attempt = exam_attempts.start_attempt(learner, every_type_exam())
    clock.advance(timedelta(minutes=30, seconds=31))
    try:
        exam_attempts.submit(attempt, learner)
    except exam_errors.TimeUp as err:
        assert err.attempt.end_reason == "timeout"
    else:
        raise AssertionError("a submit after deadline + grace must be refused")


def test_grace_is_a_setting(app, clock, learner, every_type_exam):
    app.config["EXAM_GRACE_SECONDS"] = 5
    attempt = exam_attempts.start_attempt(learner, every_type_exam())
    item = attempt.items[0]
    clock.advance(timedelta(minutes=30, seconds=6))
    try:
        exam_answers.save_answer(attempt, item, "A", clock.now())
    except exam_errors.TimeUp:
        pass
    else:
        raise AssertionError("grace of 5 s exceeded")


def test_abandoned_attempt_is_finalised_on_next_access(client, clock, learner, every_type_exam):
    exam = every_type_exam()
    attempt = exam_attempts.start_attempt(learner, exam)
    single = item_of(attempt, "single")
    exam_answers.save_answer(attempt, single, "B", clock.now())
    clock.advance(timedelta(hours=2))
    sign_in(client, learner)
    page = client.get(f"/attempts/{attempt.id}")
    assert page.status_code == 302 and page.headers["Location"].endswith("/result")
    attempt = db.session.get(Attempt, attempt.id, populate_existing=True)
    assert attempt.state == "grading" and attempt.end_reason == "timeout"  # the essay waits
    assert item_of(attempt, "single").awarded == 1.0


def test_cli_finalises_expired_attempts_only(runner, clock, learner, make_user, every_type_exam):
    exam = every_type_exam()
    expired = exam_attempts.start_attempt(learner, exam)
    other = make_user(("learner",))
    clock.advance(timedelta(minutes=20))
    fresh = exam_attempts.start_attempt(other, exam)
    clock.advance(timedelta(minutes=11))  # the first is past deadline + grace, the second is not
    result = runner.invoke(args=["exams", "finalise-expired"])
    assert result.exit_code == 0 and result.output == "已为 1 份超时答卷交卷。\n"
    assert db.session.get(Attempt, expired.id, populate_existing=True).state != "open"
    assert db.session.get(Attempt, fresh.id, populate_existing=True).state == "open"
    assert runner.invoke(args=["exams", "finalise-expired"]).output == "已为 0 份超时答卷交卷。\n"


def test_countdown_reads_the_server_deadline(client, clock, learner, every_type_exam):
    exam = every_type_exam(time_limit_minutes=45)
    attempt = exam_attempts.start_attempt(learner, exam)
    sign_in(client, learner)
    clock.advance(timedelta(minutes=5))
    page = client.get(f"/attempts/{attempt.id}").text
    assert 'data-deadline="2026-03-02T01:45:00Z"' in page
    assert 'data-server-now="2026-03-02T01:05:00Z"' in page
    assert "js/exam.js" in page and "<script>" not in page
