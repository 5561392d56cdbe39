"""Waiting for grading: the learner sees the provisional score of the
automatically graded part, keeps the link to the attempt, and is offered no
retake before the trainer's grading is known; then the retake comes back."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from lms.content.models import Programme, ProgrammeItem
from lms.exams import answers as exam_answers, attempts as exam_attempts, retakes as exam_retakes
from lms.exams import trainer_services
from lms.extensions import db
from tests.conftest import sign_in


@pytest.fixture
def waiting(clock, make_user, make_question, make_exam):
    """A learner whose attempt (single right 1 point, single wrong 1 point,
    an essay of 2 points) waits for grading, in this week of a programme."""
    learner = make_user(("learner",))
    right, wrong = make_question("single"), make_question("single")
    essay = make_question("essay", points=2.0)
    exam = make_exam([{"questions": [right.slug, wrong.slug, essay.slug]}], title="第2周测验", pass_mark=60,
                     max_attempts=None)
    today = clock.now().date()
    programme = Programme(slug="p", title="客户经理基础培训", audience_json="{}")
    programme.items = [ProgrammeItem(key="week-2", kind="week", number=2, title="第2周 贷款", exam_id=exam.id,
                                     opens_on=today - timedelta(days=1), due_on=today + timedelta(days=5))]
    db.session.add(programme)
    db.session.commit()
    attempt = exam_attempts.start_attempt(learner, exam)
    by_slug = {i.question_version.question.slug: i for i in attempt.items}
    exam_answers.save_answer(attempt, by_slug[right.slug], "B", clock.now())
    exam_answers.save_answer(attempt, by_slug[wrong.slug], "A", clock.now())
    exam_answers.save_answer(attempt, by_slug[essay.slug], "三个要点……", clock.now())
    exam_attempts.submit(attempt, learner)
    return learner, exam, attempt, by_slug[essay.slug]


def test_no_retake_while_an_attempt_waits_for_grading(waiting, make_user):
    learner, exam, attempt, essay_item = waiting
    verdict = exam_retakes.eligibility(learner, exam)
    assert not verdict.ok and "等待培训师阅卷" in str(verdict.reason)
    trainer = make_user(("trainer",))
    trainer_services.grade_essay(db.session.get(type(essay_item), essay_item.id), 0, "", trainer)
    assert exam_retakes.eligibility(learner, exam).ok  # graded, failed (1 of 4): the retake is offered


def test_pages_show_the_provisional_score_and_what_happens_next(client, waiting):
    learner, exam, attempt, _ = waiting
    sign_in(client, learner)
    home = client.get("/").text
    assert "客观题得分 1 / 2 分，主观题待阅卷" in home
    assert f"/attempts/{attempt.id}/result" in home  # the link to the attempt stays
    assert "重考" not in home
    result = client.get(f"/attempts/{attempt.id}/result").text
    assert "客观题得分 1 / 2 分，主观题待阅卷" in result and "阅卷完成后" in result
    intro = client.get(f"/exams/{exam.id}").text
    assert "客观题得分 1 / 2 分" in intro and "等待培训师阅卷" in intro
    assert f'action="/exams/{exam.id}/start"' not in intro  # no start / retake button
    started = client.post(f"/exams/{exam.id}/start", data={})
    assert started.status_code in (302, 303, 400)
    from lms.exams.models import Attempt

    assert db.session.scalar(db.select(db.func.count()).select_from(Attempt)) == 1  # nothing was started


def test_calculation_questions_get_the_calculator(client, make_user, make_question, make_exam):
    """The exam page offers the built-in calculator with numeric questions and
    cases with a numeric part, not with the others."""
    from lms.exams import attempts as exam_attempts

    learner = make_user(("learner",))
    single, numeric, case = make_question("single"), make_question("numeric"), make_question("case")
    exam = make_exam([{"questions": [single.slug, numeric.slug, case.slug]}], shuffle_options=False)
    attempt = exam_attempts.start_attempt(learner, exam)
    sign_in(client, learner)
    page = client.get(f"/attempts/{attempt.id}").text
    by_type = {i.question_version.type: i.id for i in attempt.items}
    assert f'id="calc-{by_type["numeric"]}"' in page and f'id="calc-{by_type["case"]}"' in page
    assert f'id="calc-{by_type["single"]}"' not in page
    assert f'data-target="input-a-{by_type["numeric"]}"' in page and f'id="input-a-{by_type["numeric"]}"' in page
    assert "js/calculator.js" in page


def test_readers_see_no_more_than_the_learner_while_grading_waits(client, clock, waiting, make_user):
    """While the essay waits, the learner sees only the provisional total: the
    mentor, HR and a branch manager see the same, not which auto-graded
    question was right; once graded, each answer's outcome shows for all."""
    from lms.mentoring.models import Pairing

    learner, exam, attempt, essay_item = waiting
    mentor = make_user(("mentor", "learner"))
    db.session.add(Pairing(mentor_id=mentor.id, apprentice_id=learner.id, start_date=clock.now().date()))
    db.session.commit()
    hr = make_user(("hr",))
    pages = {mentor: f"/mentoring/apprentices/{learner.id}/attempts/{attempt.id}",
             hr: f"/programmes/people/{learner.id}/attempts/{attempt.id}"}
    sign_in(client, learner)
    own = client.get(f"/attempts/{attempt.id}/result").text
    assert "正确" not in own and "错误" not in own
    for reader, url in pages.items():
        sign_in(client, reader)
        page = client.get(url).text
        answers = page.split('id="attempt-answers"')[1]
        assert "客观题得分 1 / 2 分，主观题待阅卷" in page, url
        assert "正确" not in answers and "错误" not in answers, url
        assert "阅卷完成后" in answers, url
    trainer_services.grade_essay(db.session.get(type(essay_item), essay_item.id), 2, "", make_user(("trainer",)))
    for reader, url in pages.items():
        sign_in(client, reader)
        answers = client.get(url).text.split('id="attempt-answers"')[1]
        assert answers.count('outcome">正确') == 2 and answers.count('outcome">错误') == 1, url


def test_the_mentors_desk_shows_this_week_as_the_apprentice_sees_it_while_grading_waits(client, clock, waiting,
                                                                                         make_user):
    """A retake waits for the trainer after a failed attempt: the apprentice's 本周培训 shows the
    retake's provisional total, not the failed score; the mentor's desk says the same, and the
    mentor's attempt page says the mentor sees no more than the apprentice, not "the same"."""
    from lms.mentoring.models import Pairing

    learner, exam, first, essay_item = waiting
    trainer_services.grade_essay(db.session.get(type(essay_item), essay_item.id), 0, "", make_user(("trainer",)))
    retake = exam_attempts.start_attempt(learner, exam)
    for item in retake.items:
        answer = {"essay": "三个要点……"}.get(item.question_version.type, "B")
        exam_answers.save_answer(retake, item, answer, clock.now())
    exam_attempts.submit(retake, learner)
    mentor = make_user(("mentor",))
    db.session.add(Pairing(mentor_id=mentor.id, apprentice_id=learner.id, start_date=clock.now().date()))
    db.session.commit()
    sign_in(client, learner)
    home = client.get("/").text
    assert "客观题得分 2 / 2 分，主观题待阅卷" in home and "得分 25%" not in home
    sign_in(client, mentor)
    this_week = client.get("/mentoring/desk").text.split('class="desk-this-week"')[1].split("</div>")[0]
    assert "客观题得分 2 / 2 分，主观题待阅卷" in this_week and "25%" not in this_week
    page = client.get(f"/mentoring/apprentices/{learner.id}/attempts/{retake.id}").text
    assert "您看到的不会多于徒弟本人看到的" in page
