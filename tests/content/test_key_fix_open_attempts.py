"""A corrected answer key published while a learner has the exam open
(tests/content/fixtures/post_loan; pl-003 "逾期 30 天以内的贷款应立即起诉",
key 错 corrected to 对; see tests/content/test_key_regrade.py).

乙 has the exam open and has answered pl-003 对 (right under the corrected
key): 5 of 7 points (71 %, pass mark 60) when graded with the corrected key,
4 of 7 (57 %, fail) with the wrong one."""
from __future__ import annotations

import json

from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.exams.models import Attempt
from lms.extensions import db
from lms.notify.models import Notification
from tests.conftest import sign_in
from tests.content.test_key_regrade import (  # noqa: F401  (fixtures)
    BANK, KEY_AFTER, KEY_BEFORE, REASON, _exam, _fix_key, _take, answer_without_submitting, course,
)
from tests.content.test_live_course_changes import live  # noqa: F401  (fixture)

STEM_BEFORE = "逾期 30 天以内的贷款应立即起诉。"
STEM_AFTER = "逾期 30 天以内的贷款，应先电话、短信提醒。"


def _submit(client, learner, attempt) -> Attempt:
    sign_in(client, learner)
    assert client.post(f"/attempts/{attempt.id}/submit").status_code == 302
    db.session.expire_all()
    return db.session.get(Attempt, attempt.id)


def _pl003_version(attempt_id: int) -> int:
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    return next(i.question_version.version for i in attempt.items if i.question_version.question.slug == "pl-003")


def _edit_stem(root) -> None:
    path = root / BANK
    data = path.read_bytes().decode("utf-8")
    assert STEM_BEFORE in data
    path.write_bytes(data.replace(STEM_BEFORE, STEM_AFTER).encode("utf-8"))


def _learners(make_user, make_branch):
    branch = make_branch("B01")
    return [make_user(("learner",), branch=branch, position="rm_junior", name=name, employee_no=no)
            for name, no in (("甲学员", "E0001"), ("乙学员", "E0002"))]


def test_a_key_only_fix_moves_the_open_attempt_so_its_submit_is_graded_right(
        app, client, runner, course, make_user, make_branch):
    """Before: 乙's open attempt kept version 1 and submitting after the
    correction graded 对 as wrong (57 %, failed) although the trainer had just
    fixed the key. The learner saw the same question in both versions, so the
    publish moves the open attempt to version 2: it is graded right — whatever
    the trainer decided for the submitted attempts (here: keep them)."""
    first, second = _learners(make_user, make_branch)
    passed = _take(client, first, "false")
    still_open = answer_without_submitting(client, second, "true")
    _fix_key(course)

    planned = runner.invoke(args=["content", "plan"])
    assert planned.exit_code == 0, planned.output
    assert "试题 pl-003：1 份已交卷的答卷抽到的是第 1 版，仍按该版本评分" in planned.output, planned.output
    assert "试题 pl-003：1 份进行中的答卷看到的题目与新版本相同（只改了答案、权重或解析）：发布时即改用新版本" \
        in planned.output

    kept = runner.invoke(args=["content", "publish", "--as", "trainer-pl", "--keep-results", "--reason",
                               "已交卷的按原答案认定"])
    assert kept.exit_code == 0, kept.output
    assert _pl003_version(still_open.id) == 2
    assert _pl003_version(passed.id) == 1
    release = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "content.published")
                                .order_by(AuditEvent.seq.desc()).limit(1))
    assert json.loads(release.details)["open_attempts"] == {"moved": 1, "kept": 0, "regrade_at_submit": False}

    done = _submit(client, second, still_open)
    assert (done.passed, done.percent) == (True, 71.43)
    assert db.session.get(Attempt, passed.id).passed is True  # kept, as the trainer chose
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "attempt.regraded")) is None


def test_an_open_attempt_shown_another_text_keeps_it_and_is_regraded_at_submit_when_the_trainer_chose_to(
        app, client, runner, course, make_user, make_branch):
    """The trainer rewrote pl-003's statement and its key together while 乙
    was answering the old statement: 乙 keeps the text they were shown
    (version 1). With --regrade, 乙's submit is graded and then re-graded with
    the new version, as a submitted attempt would have been: audited with the
    reason, the learner told."""
    first, second = _learners(make_user, make_branch)
    still_open = answer_without_submitting(client, second, "true")
    _fix_key(course)
    _edit_stem(course)

    planned = runner.invoke(args=["content", "plan"])
    assert "试题 pl-003：1 份进行中的答卷、0 份已交卷的答卷抽到的是第 1 版" in planned.output, planned.output
    assert "如选择重新评分 (--regrade)，他们交卷时即按新版本重新评分" in planned.output

    published = runner.invoke(args=["content", "publish", "--as", "trainer-pl", "--regrade", "--reason", REASON])
    assert published.exit_code == 0, published.output
    assert _pl003_version(still_open.id) == 1
    release = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "content.published")
                                .order_by(AuditEvent.seq.desc()).limit(1))
    assert json.loads(release.details)["open_attempts"] == {"moved": 0, "kept": 1, "regrade_at_submit": True}

    done = _submit(client, second, still_open)
    assert (done.passed, done.percent, done.state) == (True, 71.43, "finalised")
    assert _pl003_version(still_open.id) == 2
    events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "attempt.regraded")))
    assert [e.object_id for e in events] == [str(still_open.id)]
    details = json.loads(events[0].details)
    assert (details["reason"], details["passed_before"], details["passed_after"]) == (REASON, False, True)
    assert events[0].actor_label.startswith("trainer-pl")  # the trainer who chose to re-grade, not the learner
    assert db.session.scalar(select(Notification).where(Notification.kind == "regraded",
                                                        Notification.recipient_id == second.id)) is not None
    # A later attempt of someone else is not touched by that release.
    fresh = _take(client, first, "true")
    assert _pl003_version(fresh.id) == 2 and (fresh.passed, fresh.percent) == (True, 71.43)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "attempt.regraded",
                                                      AuditEvent.object_id == str(fresh.id))) is None


def test_an_open_attempt_shown_another_text_is_graded_on_it_when_the_trainer_keeps_results(
        app, client, runner, course, make_user, make_branch):
    first, second = _learners(make_user, make_branch)
    passed = _take(client, first, "false")
    still_open = answer_without_submitting(client, second, "true")
    _fix_key(course)
    _edit_stem(course)
    kept = runner.invoke(args=["content", "publish", "--as", "trainer-pl", "--keep-results", "--reason",
                               "考试已开始，按原题认定"])
    assert kept.exit_code == 0, kept.output
    done = _submit(client, second, still_open)
    assert _pl003_version(still_open.id) == 1
    assert (done.passed, done.percent) == (False, 57.14)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "attempt.regraded")) is None
    assert db.session.get(Attempt, passed.id).passed is True


def test_a_submitted_attempt_waiting_for_its_essay_is_regraded_and_keeps_waiting(
        app, client, runner, live, make_user, make_branch):
    """tests/content/fixtures/aml_str: the exam has an essay, so a submitted
    attempt waits for a trainer. Its str-003 answer (right under the old key)
    is re-graded to 0 with the new version; the attempt still waits (no
    result yet: the audit event says none) and the trainer's grading then
    decides against the corrected score."""
    from tests.content.test_live_course_changes import KEY_AFTER as AML_AFTER
    from tests.content.test_live_course_changes import KEY_BEFORE as AML_BEFORE
    from tests.content.test_live_course_changes import _answer_all_right_and_submit, _edit, _exam, _start

    learner = make_user(("learner",), branch=make_branch("B01"), position="rm_junior")
    attempt = _start(client, learner, _exam())
    _answer_all_right_and_submit(client, attempt)
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt.id)
    assert attempt.state == "grading"
    item = next(i for i in attempt.items if i.question_version.question.slug == "str-003")
    assert item.awarded == item.points

    _edit(live, "courses/aml-str/questions/basics.md", AML_BEFORE, AML_AFTER)
    published = runner.invoke(args=["content", "publish", "--as", "trainer-aml", "--regrade", "--reason", REASON])
    assert published.exit_code == 0, published.output
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt.id)
    item = next(i for i in attempt.items if i.question_version.question.slug == "str-003")
    assert (attempt.state, attempt.percent, attempt.passed) == ("grading", None, None)
    assert (item.question_version.version, item.awarded, item.correct) == (2, 0.0, False)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "attempt.regraded"))
    details = json.loads(event.details)
    assert (details["percent_after"], details["passed_after"], details["items"][0]["after"]) == (None, None, 0.0)

    sign_in(client, make_user(("trainer",), employee_no="grader-aml"))
    for waiting in [i for i in attempt.items if i.needs_grading and i.awarded is None]:
        assert client.post(f"/grading/items/{waiting.id}", data={"points": str(waiting.points)}).status_code == 302
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt.id)
    assert attempt.state == "finalised"
    assert attempt.score == sum(i.points for i in attempt.items) - item.points  # only str-003 missed
