"""Score overrides: a trainer changes one item's points with a required
reason; the change is kept, audited, and the result recomputed."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.exams import answers as exam_answers, attempts as exam_attempts, trainer_services
from lms.exams.models import Attempt, AttemptItem, IntegrityEvent, ScoreOverride
from lms.extensions import db
from tests.conftest import sign_in


@pytest.fixture
def failed_attempt(make_user, make_question, make_exam):
    """A finalised attempt through the engine: one right (1 pt), one wrong (1 pt), pass mark 100."""
    make_question("single", slug="q-right", explanation="五万元起存。")
    make_question("truefalse", slug="q-wrong", explanation="存款保险限额五十万元。")
    exam = make_exam([{"questions": ["q-right", "q-wrong"]}], pass_mark=100.0, shuffle_options=False)
    learner = make_user(("learner",), name="王学员")
    attempt = exam_attempts.start_attempt(learner, exam)
    for item in attempt.items:
        exam_answers.save_answer(attempt, item, "B" if item.question_version.type == "single" else False)
    attempt = exam_attempts.submit(attempt, learner)
    assert attempt.state == "finalised" and attempt.passed is False
    return attempt


def wrong_item(attempt) -> AttemptItem:
    return next(i for i in db.session.get(Attempt, attempt.id).items if i.question_version.type == "truefalse")


def test_override_with_reason_is_kept_audited_and_recomputed(app, client, clock, make_user, failed_attempt):
    trainer = make_user(("trainer",))
    item = wrong_item(failed_attempt)
    sign_in(client, trainer)
    response = client.post(f"/grading/attempts/{failed_attempt.id}/items/{item.id}/override",
                           data={"points": "1", "reason": "题目表述有歧义，按正确处理"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/grading/attempts/{failed_attempt.id}#item-{item.id}")

    override = db.session.scalar(select(ScoreOverride))
    assert (override.item_id, override.by_id, override.before, override.after) == (item.id, trainer.id, 0.0, 1.0)
    assert override.reason == "题目表述有歧义，按正确处理"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "attempt.score_overridden"))
    assert event.object_type == "attempt" and event.object_id == str(failed_attempt.id)
    assert event.details_dict["before"] == 0.0 and event.details_dict["after"] == 1.0
    assert event.details_dict["reason"] == "题目表述有歧义，按正确处理"
    attempt = db.session.get(Attempt, failed_attempt.id, populate_existing=True)
    assert attempt.score == 2.0 and attempt.percent == 100.0 and attempt.passed is True

    page = client.get(f"/grading/attempts/{failed_attempt.id}")
    assert "题目表述有歧义，按正确处理" in page.text
    # The item shows its points after the override, not the automatic grade.
    section = page.text.split(f'id="item-{item.id}"', 1)[1].split("</section>", 1)[0]
    assert "0 / 1" not in section and "1 / 1" in section


def test_override_without_reason_is_refused(app, client, make_user, failed_attempt):
    item = wrong_item(failed_attempt)
    sign_in(client, make_user(("trainer",), locale="en"))
    response = client.post(f"/grading/attempts/{failed_attempt.id}/items/{item.id}/override",
                           data={"points": "1", "reason": "   "})
    assert response.status_code == 200
    assert "Give the reason for the change." in response.text
    assert db.session.scalar(select(ScoreOverride)) is None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "attempt.score_overridden")) is None
    assert db.session.get(Attempt, failed_attempt.id, populate_existing=True).passed is False


def test_override_htmx_error_returns_the_form_only(app, client, make_user, failed_attempt):
    item = wrong_item(failed_attempt)
    sign_in(client, make_user(("trainer",), locale="en"))
    response = client.post(f"/grading/attempts/{failed_attempt.id}/items/{item.id}/override",
                           data={"points": "7", "reason": "x"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<form id="override-{item.id}"')
    assert "Points must be between 0 and 1." in response.text


def test_override_of_an_item_of_another_attempt_is_not_found(app, client, make_user, failed_attempt, make_exam):
    other = exam_attempts.start_attempt(make_user(("learner",)), db.session.get(Attempt, failed_attempt.id).exam)
    sign_in(client, make_user(("trainer",)))
    response = client.post(f"/grading/attempts/{failed_attempt.id}/items/{other.items[0].id}/override",
                           data={"points": "1", "reason": "x"})
    assert response.status_code == 404


def test_an_open_attempt_cannot_be_overridden(app, client, make_user, failed_attempt):
    exam = db.session.get(Attempt, failed_attempt.id).exam
    learner = db.session.get(Attempt, failed_attempt.id).user
    open_attempt = exam_attempts.start_attempt(learner, exam)
    sign_in(client, make_user(("trainer",), locale="en"))
    page = client.get(f"/grading/attempts/{open_attempt.id}")
    assert "override-" not in page.text
    response = client.post(f"/grading/attempts/{open_attempt.id}/items/{open_attempt.items[0].id}/override",
                           data={"points": "1", "reason": "x"})
    assert response.status_code == 200 and "still open" in response.text
    assert db.session.scalar(select(ScoreOverride)) is None


def test_attempt_page_shows_answers_keys_points_and_integrity(app, client, clock, make_user, failed_attempt):
    for minutes in (3, 7):
        db.session.add(IntegrityEvent(attempt_id=failed_attempt.id, at=clock.now() + timedelta(minutes=minutes),
                                      kind="hidden"))
    db.session.commit()
    sign_in(client, make_user(("trainer",), locale="en"))
    page = client.get(f"/grading/attempts/{failed_attempt.id}")
    assert page.status_code == 200
    assert "王学员" in page.text
    assert "correct answer" in page.text and "learner's answer" in page.text  # keys and answers, per the type's review
    assert "your answer" not in page.text  # the trainer reads the learner's answer, not their own
    assert "存款保险限额五十万元。" in page.text  # explanations too
    assert "1 / 1" in page.text and "0 / 1" in page.text
    assert "Integrity events" in page.text
    assert (clock.now() + timedelta(minutes=3, hours=8)).strftime("%H:%M:%S") in page.text  # shown in Shanghai time


@pytest.mark.parametrize("roles", [("learner",), ("mentor", "learner"), ("hr",)])
def test_only_trainers_see_and_override(app, client, make_user, failed_attempt, roles):
    item = wrong_item(failed_attempt)
    for who in (make_user(roles), db.session.get(Attempt, failed_attempt.id).user):
        sign_in(client, who)
        assert client.get(f"/grading/attempts/{failed_attempt.id}").status_code == 403
        assert client.post(f"/grading/attempts/{failed_attempt.id}/items/{item.id}/override",
                           data={"points": "1", "reason": "x"}).status_code == 403
    assert db.session.scalar(select(ScoreOverride)) is None


def test_attempt_page_in_chinese(app, client, make_user, failed_attempt):
    sign_in(client, make_user(("trainer",)))  # zh_CN, the default
    page = client.get(f"/grading/attempts/{failed_attempt.id}")
    assert page.status_code == 200 and "调整分数" in page.text and "及格线 100%" in page.text


def _override_form(html: str, item_id: int) -> dict:
    import re

    form = re.search(rf'<form id="override-{item_id}".*?</form>', html, re.S).group(0)
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))


def test_an_override_from_a_page_opened_before_another_trainers_is_refused(app, client, make_user, failed_attempt):
    """Two trainers open the attempt (the item shows 0 / 1). The first changes it
    to 1 with a reason; the second, from the page as it was, sends 0.5 for
    another reason: nothing is changed over the first one's head, the second is
    told the points are now 1; sent again from the page as it is now, it applies."""
    first, second = make_user(("trainer",)), make_user(("trainer",))
    item = wrong_item(failed_attempt)
    url = f"/grading/attempts/{failed_attempt.id}/items/{item.id}/override"
    sign_in(client, second)
    stale = _override_form(client.get(f"/grading/attempts/{failed_attempt.id}").text, item.id)
    assert stale["seen"] == trainer_services.points_seen(item)  # the page carries what it drew: 0 points
    other = app.test_client()
    sign_in(other, first)
    assert other.post(url, data={"points": "1", "reason": "题目表述有歧义"}).status_code == 302
    refused = client.post(url, data={**stale, "points": "0.5", "reason": "部分正确"}, headers={"HX-Request": "true"})
    assert refused.status_code == 200 and "现为 1" in refused.text
    db.session.expire_all()
    assert db.session.get(AttemptItem, item.id).awarded == 1.0
    assert len(db.session.scalars(select(ScoreOverride)).all()) == 1
    again = client.post(url, data={**_override_form(refused.text, item.id), "points": "0.5", "reason": "部分正确"})
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(AttemptItem, item.id).awarded == 0.5


def test_override_reason_with_a_text_direction_control_is_refused(app, client, make_user, failed_attempt):
    # "按正确处理 ‮收回" would read to HR and the audit log with its end turned around.
    item = wrong_item(failed_attempt)
    sign_in(client, make_user(("trainer",), locale="en"))
    response = client.post(f"/grading/attempts/{failed_attempt.id}/items/{item.id}/override",
                           data={"points": "1", "reason": "按正确处理 \u202e回收"})
    assert response.status_code == 200
    assert "contains a text-direction character (U+202E)" in response.text
    assert db.session.scalar(select(ScoreOverride)) is None
    assert db.session.get(Attempt, failed_attempt.id, populate_existing=True).passed is False
