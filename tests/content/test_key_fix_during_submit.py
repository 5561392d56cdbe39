"""A trainer publishes a corrected key (tests/content/test_key_regrade.py)
while a learner's submit is in flight: the submit has graded the attempt and
not committed yet. The attempt is graded once, with one key: the version its
answers point at is the one that graded them, so the result page, the 错题本
and anything reading the score agree; and an attempt submitted while the
publish planned is one the trainer decides about (re-grade or keep), as
about every other submitted attempt. On PostgreSQL (row locks; SQLite's
write lock already puts one after the other)."""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select, text

from lms import questions as question_types
from lms.exams import attempts as exam_attempts
from lms.audit.models import AuditEvent
from lms.content.models import Question
from lms.exams.models import Attempt
from lms.extensions import db
from tests.conftest import sign_in
from tests.content.test_key_regrade import REASON, _exam, _fix_key, course  # noqa: F401
from tests.exams.takers import as_posted


def _waiting_on_a_lock(app) -> bool:
    with db.engine.connect() as connection:
        return connection.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )).scalar() > 0


def _publish_during_submit(app, client, course, make_user, make_branch, monkeypatch, *publish_args):
    """The learner answers pl-003 错 (right by the old key, wrong by the
    corrected one) and submits; the submit grades and waits; the trainer
    publishes the corrected key meanwhile (planning reads the attempt as
    open), then the submit commits. Returns the publish's CLI result and the
    attempt and item ids."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's write lock orders a publish and a submit already")
    learner = make_user(("learner",), branch=make_branch("B01"), position="rm_junior", employee_no="E0001")
    sign_in(client, learner)
    started = client.post(f"/exams/{_exam().id}/start")
    attempt = db.session.get(Attempt, int(started.headers["Location"].rstrip("/").split("/")[-1]))
    item = next(i for i in attempt.items if i.question_version.question.slug == "pl-003")
    assert client.post(f"/attempts/{attempt.id}/items/{item.id}", data=as_posted(item, {f"a-{item.id}": "false"}),
                       headers={"HX-Request": "true"}).status_code == 200
    attempt_id, item_id, user_id = attempt.id, item.id, learner.id
    _fix_key(course)
    db.session.commit()

    graded, go, failures = threading.Event(), threading.Event(), []
    grade = exam_attempts.grade_attempt

    def grade_then_wait(attempt_):
        grade(attempt_)
        db.session.flush()  # the item rows are written (and locked) before the publish comes
        graded.set()
        assert go.wait(30)

    monkeypatch.setattr(exam_attempts, "grade_attempt", grade_then_wait)

    def in_thread(fn):
        def run():
            with app.app_context():
                try:
                    fn()
                except Exception as exc:  # noqa: BLE001 - reported below
                    failures.append(exc)
                finally:
                    db.session.remove()
        thread = threading.Thread(target=run)
        thread.start()
        return thread

    from lms.org.models import User

    submitting = in_thread(lambda: exam_attempts.submit(db.session.get(Attempt, attempt_id),
                                                        db.session.get(User, user_id)))
    assert graded.wait(30)
    outcome = {}
    publishing = in_thread(lambda: outcome.setdefault("publish", app.test_cli_runner().invoke(
        args=["content", "publish", "--as", "trainer-pl", *publish_args])))
    deadline = time.monotonic() + 20
    while not _waiting_on_a_lock(app) and time.monotonic() < deadline:
        time.sleep(0.01)  # until the publish (planned already) waits for the submit's locks
    go.set()
    submitting.join(30)
    publishing.join(30)
    assert not failures, failures
    db.session.expire_all()
    return outcome["publish"], attempt_id, item_id


def test_a_key_fixed_during_a_submit_grades_the_attempt_with_one_key(app, client, course,  # noqa: F811
                                                                     make_user, make_branch, monkeypatch):
    published, attempt_id, item_id = _publish_during_submit(app, client, course, make_user, make_branch,
                                                            monkeypatch, "--regrade", "--reason", REASON)
    assert published.exit_code == 0, published.output
    assert "1 份已交卷的答卷已重新评分" in published.output, published.output

    attempt = db.session.get(Attempt, attempt_id)
    item = next(i for i in attempt.items if i.id == item_id)
    version = item.question_version
    by_its_key = question_types.grade(version.type, version.data, item.answer, partial_credit=False).fraction
    assert attempt.state == "finalised"
    assert item.awarded == by_its_key * item.points, (version.version, item.awarded)
    # Re-graded with the corrected key, as the trainer decided, and on the record.
    assert version.id == db.session.scalar(select(Question).where(Question.slug == "pl-003")).current_version_id
    assert item.awarded == 0
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "attempt.regraded",
                                                      AuditEvent.object_id == str(attempt_id))) is not None


def test_an_attempt_submitted_while_the_publish_planned_asks_the_trainer(app, client, course,  # noqa: F811
                                                                          make_user, make_branch, monkeypatch):
    question = db.session.scalar(select(Question).where(Question.slug == "pl-003"))
    live_version = question.current_version_id
    published, attempt_id, item_id = _publish_during_submit(app, client, course, make_user, make_branch,
                                                            monkeypatch)
    assert published.exit_code == 1, published.output
    assert "basics.md:30: 试题 pl-003：更正后的答案会改变 1 份已交卷答卷的得分" in published.output
    assert "未发布任何内容。" in published.output
    db.session.expire_all()
    assert db.session.get(Question, question.id).current_version_id == live_version
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.state == "finalised"
    assert next(i for i in attempt.items if i.id == item_id).awarded == 1
