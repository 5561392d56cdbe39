"""The demo's results (lms.exams.demo_results, hook 40) on a small programme:
every learner has passed the week that fell due — at moments inside that
week, some after a retake, the essays graded by the demo trainer — and this
week's exam is taken by part of them, its essays waiting in the grading
queue; the attempts feed the item analysis. Loading twice changes nothing."""
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from lms.content.models import Programme, ProgrammeItem
from lms.exams.demo_results import take_demo_exams
from lms.exams.models import Attempt, AttemptItem
from lms.extensions import db
from lms.programmes.services import this_week
from tests.conftest import sign_in

MONDAY = date(2026, 3, 2)  # the clock fixture's day: week 2 of the programme below


def _programme(week1, week2) -> Programme:
    programme = Programme(slug="rm-foundation", title="基础培训", audience_json='{"roles": ["learner"]}')
    programme.items = [
        ProgrammeItem(key=f"week-{n}", kind="week", number=n, title=f"第 {n} 周", exam_id=exam.id,
                      opens_on=MONDAY - timedelta(days=7 * (2 - n)), due_on=MONDAY - timedelta(days=7 * (2 - n) - 6))
        for n, exam in ((1, week1), (2, week2))]
    db.session.add(programme)
    db.session.commit()
    return programme


def test_demo_results_pass_the_due_week_and_fill_the_queue_and_the_analysis(app, client, clock, make_user,
                                                                              make_question, make_exam):
    for n, qtype in enumerate(("single", "multiple", "truefalse", "case", "essay"), start=1):
        make_question(qtype, slug=f"d-{n}")
    week1 = make_exam([{"questions": ["d-1", "d-2", "d-3", "d-4", "d-5"]}], slug="exam-week-01", open_to_all=False,
                      cooldown_minutes=10)
    week2 = make_exam([{"questions": ["d-1", "d-5"]}], slug="exam-week-02", open_to_all=False)
    programme = _programme(week1, week2)
    week1_item = next(i for i in programme.items if i.number == 1)
    make_user(("trainer",), employee_no="trainer")
    people = [make_user(("learner",), employee_no=f"E{1001 + n}", position="teller",
                        position_start=date(2024, 1, 1)) for n in range(8)]
    clock.freeze(datetime(2026, 3, 3, 10, 0))  # Tuesday 18:00 in Shanghai, week 2 open

    take_demo_exams("unused")
    count = db.session.scalar(select(func.count()).select_from(Attempt))
    take_demo_exams("unused")
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == count

    # Nobody is overdue: week 1 passed by everyone, inside its week, at different moments.
    for person in people:
        [mine] = this_week(person)
        assert mine.overdue == [], person.employee_no
    week1_attempts = db.session.scalars(select(Attempt).where(Attempt.exam_id == week1.id)).all()
    assert {a.user_id for a in week1_attempts if a.passed} == {p.id for p in people}
    first, last = (datetime.combine(d, datetime.min.time()) - timedelta(hours=8)
                   for d in (week1_item.opens_on, week1_item.due_on + timedelta(days=1)))
    assert all(first <= a.started_at < last for a in week1_attempts)
    assert len({a.started_at.date() for a in week1_attempts}) >= 3  # spread over the week, not all at load time
    assert len({a.percent for a in week1_attempts}) >= 2  # scores vary (a five-question paper: few values)
    # The essays of week 1 were graded by the trainer (so the week could be passed).
    assert db.session.scalar(select(func.count()).select_from(AttemptItem).join(Attempt).where(
        Attempt.exam_id == week1.id, AttemptItem.needs_grading.is_(True), AttemptItem.awarded.is_(None))) == 0

    # This week: part of them have taken it; their essays wait for the trainer.
    waiting = db.session.scalar(select(func.count()).select_from(AttemptItem).join(Attempt).where(
        Attempt.exam_id == week2.id, AttemptItem.needs_grading.is_(True), AttemptItem.awarded.is_(None)))
    assert 0 < waiting < len(people)
    sign_in(client, make_user(("trainer",), locale="en"))
    assert f"Answers waiting for grading: {waiting}" in client.get("/grading/").text
    assert "d-2" in client.get(f"/analysis/exams/{week1.id}").text
