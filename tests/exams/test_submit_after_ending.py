"""An ending that commits while a learner's submit is in flight (the form
posted and the sign-in checked, the submit not yet committed): the account
deactivated, the learner role taken away, the sessions ended, or the
learner taken out of the programme. Each ending commits on a connection of
its own, as another request would, on SQLite and PostgreSQL alike.

The submit asks again, under its lock, whether the sign-in it came with still
holds: when it does not, nothing is submitted and the learner is told why; a
learner taken out of a programme finishes the attempt they had open (README,
*Taking exams*), and it is recorded."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from lms.exams import attempts as exam_attempts
from lms.exams.models import Attempt
from lms.extensions import db
from lms.org import services as org_services
from lms.org.models import User
from lms.programmes import audience_admin
from tests.conftest import sign_in
from tests.programmes.helpers import programme


def _deactivate(hr_id, learner_id):
    org_services.deactivate(db.session.get(User, learner_id), "离职", actor=db.session.get(User, hr_id))


def _remove_role(hr_id, learner_id):
    org_services.set_roles(db.session.get(User, learner_id), ["mentor"], actor=db.session.get(User, hr_id))


def _end_sessions(hr_id, learner_id):
    org_services.reset_password(db.session.get(User, learner_id), actor=db.session.get(User, hr_id))


def _withdraw(hr_id, learner_id):
    from lms.content.models import Programme

    audience_admin.remove_person(db.session.scalar(select(Programme)), "R001", "调岗", db.session.get(User, hr_id))


def _in_flight(app, monkeypatch, ending, hr_id, learner_id):
    """Make the next submit meet ``ending``, committed by another connection
    after the request was signed in and before the submit's transaction."""
    submit = exam_attempts.submit
    failures = []

    def run_ending():
        with app.app_context():
            try:
                ending(hr_id, learner_id)
            except Exception as exc:  # noqa: BLE001 - reported below
                failures.append(exc)
            finally:
                db.session.remove()

    def submit_after_the_ending(*args, **kwargs):
        thread = threading.Thread(target=run_ending, name="ending")
        thread.start()
        thread.join()
        assert not failures, failures
        return submit(*args, **kwargs)

    monkeypatch.setattr(exam_attempts, "submit", submit_after_the_ending)


@pytest.fixture
def sitting(client, clock, make_user, make_question, make_exam):
    exam = make_exam([{"questions": [make_question("single").slug]}], open_to_all=False, time_limit_minutes=60,
                     max_attempts=3, pass_mark=60)
    programme([exam] * 5, audience={"positions": ["rm_junior"]})
    hr = make_user(("hr",), employee_no="H001")
    learner = make_user(("learner",), employee_no="R001", name="客户经理乙", position="rm_junior")
    sign_in(client, learner)
    assert client.post(f"/exams/{exam.id}/start").status_code == 302
    attempt = db.session.scalar(select(Attempt).where(Attempt.user_id == learner.id))
    return hr.id, learner.id, attempt.id


def _state(attempt_id) -> str:
    db.session.expire_all()
    return db.session.get(Attempt, attempt_id).state


@pytest.mark.parametrize("ending", [_deactivate, _end_sessions])
def test_a_sign_in_ended_during_the_submit_submits_nothing_and_says_so(app, client, monkeypatch, sitting, ending):
    hr_id, learner_id, attempt_id = sitting
    _in_flight(app, monkeypatch, ending, hr_id, learner_id)
    response = client.post(f"/attempts/{attempt_id}/submit")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _state(attempt_id) == "open"
    page = client.get(response.headers["Location"]).text
    assert "您的登录已在交卷前结束，答卷未提交。" in page


def test_a_learner_role_removed_during_the_submit_submits_nothing_and_says_so(app, client, monkeypatch, sitting):
    hr_id, learner_id, attempt_id = sitting
    _in_flight(app, monkeypatch, _remove_role, hr_id, learner_id)
    response = client.post(f"/attempts/{attempt_id}/submit")
    assert response.status_code == 403
    assert "您已不再担任学员角色，答卷未提交。" in response.text
    assert _state(attempt_id) == "open"


def test_a_learner_withdrawn_during_the_submit_finishes_the_attempt(app, client, monkeypatch, sitting):
    hr_id, learner_id, attempt_id = sitting
    _in_flight(app, monkeypatch, _withdraw, hr_id, learner_id)
    response = client.post(f"/attempts/{attempt_id}/submit")
    assert response.status_code == 302 and response.headers["Location"] == f"/attempts/{attempt_id}/result"
    assert _state(attempt_id) == "finalised"


@pytest.mark.parametrize("ending, note", [
    (_deactivate, "已在截止时间按已保存的答案交卷：学员在交卷前已被停用"),
    (_remove_role, "已在截止时间按已保存的答案交卷：交卷时该人员已不再担任学员角色"),
])
def test_an_attempt_left_open_by_an_ending_is_closed_at_its_deadline_and_noted(client, runner, clock, sitting,
                                                                              ending, note):
    """The learner could not submit any more; at the deadline the answers
    saved while they could are graded as for anyone whose time ran out, and
    HR reads in the audit log that the person had left before it closed."""
    from datetime import timedelta

    from lms.exams import answers as exam_answers
    from tests.test_labels import visible_text

    hr_id, learner_id, attempt_id = sitting
    attempt = db.session.get(Attempt, attempt_id)
    item = attempt.items[0]
    exam_answers.save_answer(attempt, item, "B", clock.now())
    ending(hr_id, learner_id)
    clock.advance(timedelta(hours=2))
    closed = runner.invoke(args=["exams", "finalise-expired"])
    assert closed.output == "已为 1 份超时答卷交卷。\n"
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.state == "finalised" and attempt.end_reason == "timeout" and attempt.items[0].answer == "B"

    sign_in(client, db.session.get(User, hr_id))
    log = visible_text(client.get("/audit/").text)
    assert f"客户经理乙 (R001) 的“{attempt.exam.title}”第 1 次作答{note}" in log, log[:2000]


def test_an_attempt_closed_at_its_deadline_of_a_learner_still_in_post_is_not_noted(runner, clock, sitting):
    from datetime import timedelta

    from lms.audit.models import AuditEvent

    _hr_id, _learner_id, attempt_id = sitting
    clock.advance(timedelta(hours=2))
    assert runner.invoke(args=["exams", "finalise-expired"]).output == "已为 1 份超时答卷交卷。\n"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action.like("exam.closed_after%"))) is None
