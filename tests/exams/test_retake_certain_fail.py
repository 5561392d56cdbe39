"""A retake once the fail is certain: an attempt waiting for a trainer that
cannot reach the pass mark whatever the trainer gives no longer holds the
retake back (the cool-down and the number of attempts still do). The grading
still happens and is recorded, and it never undoes a retake that passed in
the meantime — not the week, not the result that counts, not the 错题本."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from lms.content.models import Programme, ProgrammeItem
from lms.exams import (
    answers as exam_answers,
    attempts as exam_attempts,
    notebook,
    results as exam_results,
    retakes as exam_retakes,
    trainer_services,
)
from lms.exams.models import Attempt, AttemptItem, NotebookEntry
from lms.extensions import db
from lms.notify import kinds
from lms.notify.models import Notification
from lms.programmes import services as weeks
from tests.conftest import sign_in


@pytest.fixture
def setup(clock, make_user, make_question, make_exam):
    """Four single choices (1 point each, key B) and an essay (1 point), pass
    mark 80 %, in this week of a programme; ``take(right)`` hands in an attempt
    with the first ``right`` singles right and an essay."""
    singles = [make_question("single", slug=f"cf-{n}") for n in range(4)]
    essay = make_question("essay", slug="cf-essay")
    trainer = make_user(("trainer",))
    learner = make_user(("learner",))

    def build(**settings):
        settings.setdefault("max_attempts", None)
        exam = make_exam([{"questions": [q.slug for q in singles] + [essay.slug]}], pass_mark=80.0,
                         shuffle_options=False, open_to_all=False, **settings)
        today = clock.now().date()
        programme = Programme(slug=f"p-{exam.id}", title="新员工入职培训", audience_json="{}")
        programme.items = [ProgrammeItem(key="week-1", kind="week", number=1, title="第1周 存款", exam_id=exam.id,
                                         opens_on=today - timedelta(days=1), due_on=today + timedelta(days=5))]
        db.session.add(programme)
        db.session.commit()
        return exam, programme.items[0]

    def take(exam, right: int) -> Attempt:
        attempt = exam_attempts.start_attempt(learner, exam)
        singles_in = sorted((i for i in attempt.items if i.question_version.type == "single"),
                            key=lambda i: i.question_version.question.slug)
        for n, item in enumerate(singles_in):
            exam_answers.save_answer(attempt, item, "B" if n < right else "A", clock.now())
        essay_item = next(i for i in attempt.items if i.question_version.type == "essay")
        exam_answers.save_answer(attempt, essay_item, "贷前调查三要点……", clock.now())
        return exam_attempts.submit(attempt, learner)

    def grade(attempt: Attempt, points: float) -> Attempt:
        item = db.session.scalar(db.select(AttemptItem).where(AttemptItem.attempt_id == attempt.id,
                                                              AttemptItem.needs_grading.is_(True)))
        trainer_services.grade_essay(item, points, "", trainer)
        return db.session.get(Attempt, attempt.id)

    return learner, build, take, grade


@pytest.mark.parametrize("right, retake_now", [(0, True), (2, True), (3, False)])
def test_a_certain_fail_opens_the_retake_at_once(client, setup, right, retake_now):
    learner, build, take, _grade = setup
    exam, week = build()
    attempt = take(exam, right)
    assert attempt.state == "grading"
    verdict = exam_retakes.eligibility(learner, exam)
    assert verdict.ok is retake_now  # 3 right + the essay's point = 80 %: the essay still decides
    status = weeks.week_status(learner, week)
    assert status.status == (weeks.FAILED if retake_now else weeks.GRADING)
    sign_in(client, learner)
    result = client.get(f"/attempts/{attempt.id}/result").text
    assert ('id="result-retake"' in result) is retake_now
    assert ("无需等待阅卷即可补考" in result) is retake_now
    assert ("在此之前不能重考" in result) is not retake_now  # no page says both
    home = client.get("/").text
    assert ("未通过，需补考" in home) is retake_now and ("待阅卷" in home)  # the provisional score stays
    if retake_now:
        assert exam_attempts.start_attempt(learner, exam).number == 2


def test_the_cool_down_and_the_attempt_limit_still_apply(clock, setup):
    learner, build, take, _grade = setup
    exam, _week = build(cooldown_minutes=30)
    take(exam, 0)
    clock.advance(timedelta(minutes=29))
    assert not exam_retakes.eligibility(learner, exam).ok
    clock.advance(timedelta(minutes=1))
    assert exam_retakes.eligibility(learner, exam).ok
    limited, _week = build(max_attempts=1)
    take(limited, 0)
    verdict = exam_retakes.eligibility(learner, limited)
    assert not verdict.ok and "1" in str(verdict.reason)


@pytest.mark.parametrize("scoring", ["best", "latest"])
def test_the_late_grading_never_undoes_the_retake_that_passed(clock, setup, scoring):
    learner, build, take, grade = setup
    exam, week = build(scoring=scoring)
    first = take(exam, 0)
    clock.advance(timedelta(minutes=5))
    second = take(exam, 3)  # 3 of 4 right: passes at 80 % with the essay's point
    second = grade(second, 1)
    assert second.passed and weeks.week_status(learner, week).status == weeks.PASSED
    clock.advance(timedelta(hours=2))
    first = grade(first, 1)  # graded after the retake: recorded, 20 %
    assert first.state == "finalised" and first.percent == 20.0 and not first.passed
    assert exam_results.exam_result(learner, exam).id == second.id
    assert weeks.week_status(learner, week).status == weeks.PASSED
    graded = db.session.scalar(db.select(Notification).where(Notification.kind == "graded",
                                                             Notification.subject == f"attempt:{first.id}"))
    assert "您已在之后的一次作答中通过该考试" in kinds.text_of(graded)


def test_the_late_grading_does_not_reopen_what_the_learner_practised_since(clock, setup):
    learner, build, take, grade = setup
    exam, _week = build()
    first = take(exam, 0)
    clock.advance(timedelta(minutes=5))
    second = grade(take(exam, 3), 1)  # cf-3 wrong again: it enters the notebook now
    assert second.passed
    entry = db.session.scalar(db.select(NotebookEntry).where(NotebookEntry.user_id == learner.id))
    clock.advance(timedelta(minutes=5))
    assert notebook.practise(learner, entry, "B").cleared
    cleared_at = entry.cleared_at
    clock.advance(timedelta(hours=1))
    grade(first, 0)  # all four singles wrong in the first attempt, answered before the practice
    entries = {e.question_id: e for e in db.session.scalars(
        db.select(NotebookEntry).where(NotebookEntry.user_id == learner.id))}
    again = entries[entry.question_id]
    assert again.cleared_at == cleared_at and again.times_wrong == 2  # history counted, not reopened
    others = [e for q, e in entries.items() if q != entry.question_id]
    assert len(others) == 4 and all(e.cleared_at is None for e in others)  # three singles and the essay at 0
    answered = db.session.get(Attempt, first.id).submitted_at
    assert all(e.last_wrong_at == answered for e in others)  # wrong when answered, not when graded


def test_no_failed_twice_alert_once_a_retake_passed(clock, setup, make_user, make_branch):
    """Two certain fails graded after the third attempt passed: the branch manager used to hear that the
    learner 'has failed twice' about an exam the learner had passed hours before."""
    learner, build, take, grade = setup
    branch = make_branch("ZZ01", "天元支行")
    learner.branch = branch
    manager = make_user(("branch_manager",), name="赵行长", branch=branch)
    db.session.commit()
    exam, _week = build()
    first = take(exam, 0)
    second = take(exam, 1)  # also certain: 1 + 1 = 2 of 5
    third = grade(take(exam, 4), 1)
    assert third.passed
    grade(first, 0)
    grade(second, 0)
    alerts = db.session.scalars(db.select(Notification).where(Notification.kind == "learner_failed_twice")).all()
    assert [n.recipient_id for n in alerts] == []
    assert manager.id  # there was someone to alert
