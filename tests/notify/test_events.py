"""Notifications that follow the exam engine's signals, sent only after its
transaction commits: passed, graded (with a link in the e-mail), and a
failure of the notifications never undoes a submit."""
from __future__ import annotations

import pytest

from lms.database import after_commit, transaction
from lms.exams import answers as exam_answers, attempts as exam_attempts, trainer_services
from lms.extensions import db
from lms.notify.models import Notification


def _kinds(user) -> list[str]:
    return sorted(n.kind for n in Notification.query.filter_by(recipient_id=user.id))


def test_after_commit_runs_once_committed_and_never_after_a_rollback(app):
    ran = []
    with pytest.raises(RuntimeError):
        with transaction():
            after_commit(lambda: ran.append("rolled back"))
            raise RuntimeError("boom")
    with transaction():
        after_commit(lambda: ran.append("committed"))
        assert ran == []
    assert ran == ["committed"]


def test_a_passed_exam_notifies_the_learner_once(clock, make_user, make_exam, make_question):
    learner = make_user(("learner",))
    exam = make_exam([{"questions": [make_question("single").slug]}], pass_mark=60, max_attempts=None)
    for _ in range(2):
        attempt = exam_attempts.start_attempt(learner, exam)
        exam_answers.save_answer(attempt, attempt.items[0], "B")
        exam_attempts.submit(attempt, learner)
    assert _kinds(learner) == ["passed"]
    passed = Notification.query.one()
    assert passed.params["exam_id"] == exam.id and passed.params["percent"] == 100.0


def test_a_graded_essay_notifies_the_learner_with_a_link_by_e_mail(app, runner, clock, make_user, make_exam,
                                                                   make_question, smtp_sink, enable_channel):
    app.config.update(NOTIFY_SMTP_HOST="127.0.0.1", NOTIFY_SMTP_PORT=smtp_sink.server_address[1],
                      NOTIFY_SMTP_SECURITY="none", NOTIFY_SMTP_FROM="academy@bank.example",
                      BASE_URL="https://intranet.bank.example/academy")
    trainer = make_user(("trainer",))
    enable_channel("email", ["graded"], actor=trainer)
    learner = make_user(("learner",))
    learner.email = "li@bank.example"
    db.session.commit()
    exam = make_exam([{"questions": [make_question("essay").slug]}], title="第4周测验", pass_mark=60)
    attempt = exam_attempts.start_attempt(learner, exam)
    exam_answers.save_answer(attempt, attempt.items[0], "贷前调查要点……")
    exam_attempts.submit(attempt, learner)
    assert _kinds(learner) == []  # waiting for a trainer
    trainer_services.grade_essay(attempt.items[0], "0.5", "", trainer)
    assert _kinds(learner) == ["graded"]
    graded = Notification.query.one()
    assert graded.subject == f"attempt:{attempt.id}" and graded.params["passed"] is False
    assert runner.invoke(args=["notify", "send"]).exit_code == 0
    [mail] = smtp_sink.messages
    text = mail.data.decode("utf-8", "replace")
    assert mail.recipients == ["li@bank.example"]
    assert f"https://intranet.bank.example/academy/attempts/{attempt.id}/result" in text


def test_a_failure_of_the_notifications_never_undoes_a_submit(monkeypatch, clock, make_user, make_exam,
                                                              make_question):
    from lms.notify import events

    def broken(*args, **kwargs):
        raise RuntimeError("notifications are down")

    monkeypatch.setattr(events, "notify", broken)
    learner = make_user(("learner",))
    exam = make_exam([{"questions": [make_question("single").slug]}], pass_mark=60)
    attempt = exam_attempts.start_attempt(learner, exam)
    exam_answers.save_answer(attempt, attempt.items[0], "B")
    attempt = exam_attempts.submit(attempt, learner)
    db.session.expire_all()
    assert attempt.state == "finalised" and attempt.passed is True
    assert Notification.query.count() == 0
