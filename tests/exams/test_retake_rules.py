"""Retakes: cooldown, max attempts, best vs latest, a retake prefers unseen
questions and missed knowledge points; versions stay pinned; wrong answers go
to the notebook."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from lms.content.models import QuestionVersion
from lms.exams import (
    answers as exam_answers,
    attempts as exam_attempts,
    errors as exam_errors,
    results as exam_results,
    retakes as exam_retakes,
)
from lms.exams.models import NotebookEntry
from lms.extensions import db
from tests.exams.takers import learner  # noqa: F401


def _take(user, exam, answers_right: bool, clock):
    attempt = exam_attempts.start_attempt(user, exam)
    for item in attempt.items:
        data = item.question_version.data
        exam_answers.save_answer(attempt, item, data["correct"][0] if answers_right else "A", clock.now())
    return exam_attempts.submit(attempt, user)


@pytest.fixture
def small_exam(make_question, make_exam):
    def make(**settings):
        qs = [make_question("single", tags=(f"知识点{i}",)) for i in range(2)]
        settings.setdefault("max_attempts", None)
        return make_exam([{"questions": [q.slug for q in qs]}], pass_mark=60, **settings)

    return make


def test_cooldown_between_attempts(app, clock, learner, small_exam):
    exam = small_exam(cooldown_minutes=10)
    _take(learner, exam, False, clock)
    verdict = exam_retakes.eligibility(learner, exam)
    ok, reason = verdict.ok, verdict.reason
    with app.test_request_context():
        assert not ok and "补考" in str(reason)
    with pytest.raises(exam_errors.ExamError):
        exam_attempts.start_attempt(learner, exam)
    clock.advance(timedelta(minutes=9, seconds=59))
    assert exam_retakes.eligibility(learner, exam).ok is False
    clock.advance(timedelta(seconds=1))
    verdict = exam_retakes.eligibility(learner, exam)
    assert (verdict.ok, verdict.reason) == (True, "")
    assert exam_attempts.start_attempt(learner, exam).number == 2


def test_max_attempts(app, clock, learner, small_exam):
    exam = small_exam(max_attempts=2)
    _take(learner, exam, False, clock)
    _take(learner, exam, False, clock)
    verdict = exam_retakes.eligibility(learner, exam)
    ok, reason = verdict.ok, verdict.reason
    with app.test_request_context():
        assert not ok and "2 次" in str(reason)
    with pytest.raises(exam_errors.ExamError):
        exam_attempts.start_attempt(learner, exam)


def test_closed_and_withdrawn_exams_cannot_be_started(clock, learner, small_exam):
    closed = small_exam(closes_at=clock.now())
    assert exam_retakes.eligibility(learner, closed).ok is False
    withdrawn = small_exam(retired=True)
    assert exam_retakes.eligibility(learner, withdrawn).ok is False


@pytest.mark.parametrize("scoring, expected_passed", [("best", True), ("latest", False)])
def test_best_or_latest_decides_the_result(clock, learner, small_exam, scoring, expected_passed):
    exam = small_exam(scoring=scoring)
    _take(learner, exam, True, clock)
    clock.advance(timedelta(minutes=1))
    _take(learner, exam, False, clock)
    result = exam_results.exam_result(learner, exam)
    assert result.passed is expected_passed
    assert result.percent == (100.0 if expected_passed else 0.0)


def test_retake_prefers_unseen_questions_and_missed_knowledge_points(clock, learner, make_question, make_exam):
    missed = make_question("single", tags=("存款保险",))
    same_point = make_question("single", tags=("存款保险",))
    others = [make_question("single", tags=("理财",)) for _ in range(4)]
    first_exam = make_exam([{"questions": [missed.slug]}])
    first = exam_attempts.start_attempt(learner, first_exam)
    exam_answers.save_answer(first, first.items[0], "A", clock.now())  # wrong (the key is B)
    exam_attempts.submit(first, learner)
    weekly = make_exam([{"count": 1, "type": "single"}], max_attempts=None, pass_mark=60)
    for _ in range(5):  # whatever the seed: unseen, on the missed knowledge point
        attempt = exam_attempts.start_attempt(learner, weekly)
        assert attempt.items[0].question_version.question_id == same_point.id
        db.session.delete(attempt)
        db.session.commit()
    # Once every question on that point has been seen, unseen questions come first.
    seen = exam_attempts.start_attempt(learner, make_exam([{"questions": [same_point.slug]}]))
    exam_attempts.submit(seen, learner)
    attempt = exam_attempts.start_attempt(learner, weekly)
    assert attempt.items[0].question_version.question_id in {q.id for q in others}


def test_draw_never_repeats_and_skips_retired_questions(clock, learner, make_question, make_exam):
    qs = [make_question("single", tags=("存款",)) for _ in range(4)]
    qs[0].retired = True
    db.session.commit()
    exam = make_exam([{"count": 2, "tags": ["存款"]}, {"questions": [qs[1].slug, qs[2].slug, qs[0].slug]},
                      {"count": 5, "type": "single"}], max_attempts=None)
    attempt = exam_attempts.start_attempt(learner, exam)
    ids = [i.question_version.question_id for i in attempt.items]
    assert len(ids) == len(set(ids)) == 3
    assert qs[0].id not in ids


def test_a_new_version_published_after_start_does_not_change_the_attempt(clock, learner, make_question, make_exam):
    question = make_question("single")
    exam = make_exam([{"questions": [question.slug]}])
    attempt = exam_attempts.start_attempt(learner, exam)
    pinned = attempt.items[0].question_version_id
    new = QuestionVersion(question_id=question.id, version=2, type="single", stem_md="新题干", stem_html="<p>新题干</p>",
                          data_json=json.dumps({"options": [{"key": "A", "text": "x"}, {"key": "B", "text": "y"}],
                                                "correct": ["A"]}), content_hash="v2")
    db.session.add(new)
    db.session.flush()
    question.current_version_id = new.id
    db.session.commit()
    exam_answers.save_answer(attempt, attempt.items[0], "B", clock.now())  # right for version 1, wrong for 2
    attempt = exam_attempts.submit(attempt, learner)
    assert attempt.items[0].question_version_id == pinned
    assert attempt.items[0].correct is True and attempt.passed


def test_wrong_answers_go_to_the_notebook_and_are_bumped(clock, learner, small_exam):
    exam = small_exam()
    _take(learner, exam, False, clock)
    entries = db.session.scalars(db.select(NotebookEntry).where(NotebookEntry.user_id == learner.id)).all()
    assert len(entries) == 2 and all(e.times_wrong == 1 for e in entries)
    entries[0].cleared_at = clock.now()
    db.session.commit()
    clock.advance(timedelta(minutes=5))
    _take(learner, exam, False, clock)
    entries = db.session.scalars(db.select(NotebookEntry).where(NotebookEntry.user_id == learner.id)).all()
    assert sorted(e.times_wrong for e in entries) == [2, 2]
    assert all(e.cleared_at is None for e in entries)


def test_focus_loss_past_the_limit_submits(client, clock, learner, small_exam):
    from tests.conftest import sign_in

    exam = small_exam(focus_loss_limit=2)
    attempt = exam_attempts.start_attempt(learner, exam)
    sign_in(client, learner)
    for _ in range(2):
        response = client.post(f"/attempts/{attempt.id}/focus", data={"kind": "hidden"}, headers={"HX-Request": "true"})
        assert response.status_code == 200 and "离开考试页面" in response.text
    response = client.post(f"/attempts/{attempt.id}/focus", data={"kind": "hidden"}, headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"].endswith(f"/attempts/{attempt.id}/result")
    result = client.get(f"/attempts/{attempt.id}/result")
    assert "离开考试页面超过 2 次" in result.text
    db.session.refresh(attempt)
    assert attempt.end_reason == "integrity" and attempt.focus_losses == 3
    from lms.audit.models import AuditEvent

    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "exam.submitted_for_integrity"))
    assert event.object_id == str(attempt.id) and '"focus_losses": 3' in event.details


def test_draw_rules_filter_by_type_tags_difficulty_and_course(clock, learner, make_question, make_exam, make_course):
    products = make_course("products")
    credit = make_course("credit", title="授信", track="credit")
    hard_multi = make_question("multiple", difficulty="hard", tags=("对公",), course=products)
    make_question("multiple", difficulty="easy", tags=("对公",), course=products)
    tagged = make_question("single", tags=("存款保险", "理财"), course=products)
    make_question("single", tags=("贷款",), course=products)
    case = make_question("case", course=credit)
    make_question("single", tags=("存款保险",), course=credit)  # outside the exam's course
    exam = make_exam([{"count": 1, "type": "multiple", "difficulty": "hard"},
                      {"count": 5, "type": "single", "tags": ["存款保险"]},
                      {"count": 1, "type": "case", "course": "credit"}], course=products)
    attempt = exam_attempts.start_attempt(learner, exam)
    drawn = [i.question_version.question_id for i in attempt.items]
    assert drawn == [hard_multi.id, tagged.id, case.id]
    assert attempt.max_score == sum(i.points for i in attempt.items) == 1 + 1 + 5
    assert attempt.items[2].option_order == {"a": attempt.items[2].option_order["a"]}
    assert sorted(attempt.items[2].option_order["a"]) == ["A", "B"]
