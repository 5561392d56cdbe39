"""本周培训: programmes by audience; per week the learner's status; a week
counts only when its exam is passed; overdue weeks in red; the home panel."""
from __future__ import annotations

from datetime import date, timedelta

from lms.content.models import Programme, ProgrammeItem
from lms.exams import answers as exam_answers, attempts as exam_attempts
from lms.extensions import db
from lms.programmes import services
from tests.conftest import sign_in


def _programme(exam, *, audience="{}", opens=date(2026, 3, 2), due=date(2026, 3, 8), slug="rm-foundation"):
    programme = Programme(slug=slug, title="客户经理基础培训", audience_json=audience)
    programme.items = [
        ProgrammeItem(key="week-1", kind="week", number=1, title="第1周 存款", exam_id=exam.id,
                      opens_on=opens - timedelta(days=7), due_on=due - timedelta(days=7)),
        ProgrammeItem(key="week-2", kind="week", number=2, title="第2周 贷款", exam_id=exam.id,
                      opens_on=opens, due_on=due),
        ProgrammeItem(key="week-3", kind="week", number=3, title="第3周 理财", exam_id=None,
                      opens_on=opens + timedelta(days=7), due_on=due + timedelta(days=7)),
        ProgrammeItem(key="week-4", kind="week", number=4, title="第4周 已撤下", exam_id=exam.id,
                      opens_on=opens, due_on=due, retired=True),
    ]
    db.session.add(programme)
    db.session.commit()
    return programme


def test_audience_by_branch_tree_position_and_role(make_user, make_branch, make_exam):
    city = make_branch("ZZ", "株洲分行")
    sub = make_branch("ZZ01", "荷塘支行", parent=city)
    other = make_branch("CS", "长沙分行")
    exam = make_exam([])
    everyone = _programme(exam, slug="everyone")
    targeted = _programme(exam, slug="targeted",
                          audience='{"branches": ["ZZ"], "positions": ["teller"], "roles": ["learner"]}')
    teller_in_sub = make_user(("learner",), branch=sub, position="teller")
    teller_elsewhere = make_user(("learner",), branch=other, position="teller")
    rm_in_sub = make_user(("learner",), branch=sub, position="rm_junior")
    hr_teller = make_user(("hr",), branch=sub, position="teller")
    assert {p.slug for p in services.programmes_for(teller_in_sub)} == {everyone.slug, targeted.slug}
    assert {p.slug for p in services.programmes_for(teller_elsewhere)} == {everyone.slug}
    assert {p.slug for p in services.programmes_for(rm_in_sub)} == {everyone.slug}
    assert {p.slug for p in services.programmes_for(hr_teller)} == {everyone.slug}


def test_week_status_moves_from_not_started_to_passed(clock, make_user, make_question, make_exam):
    learner = make_user(("learner",))
    question = make_question("single")
    exam = make_exam([{"questions": [question.slug]}], pass_mark=60, max_attempts=None)
    programme = _programme(exam)
    week2 = programme.items[1]
    assert services.week_status(learner, week2).status == services.NOT_STARTED
    attempt = exam_attempts.start_attempt(learner, exam)
    assert services.week_status(learner, week2).status == services.IN_PROGRESS
    exam_answers.save_answer(attempt, attempt.items[0], "A", clock.now())
    exam_attempts.submit(attempt, learner)
    failed = services.week_status(learner, week2)
    assert failed.status == services.FAILED and not failed.done
    retake = exam_attempts.start_attempt(learner, exam)
    exam_answers.save_answer(retake, retake.items[0], "B", clock.now())
    exam_attempts.submit(retake, learner)
    assert services.week_status(learner, week2).status == services.PASSED


def test_essay_week_waits_for_grading(clock, make_user, make_question, make_exam):
    learner = make_user(("learner",))
    exam = make_exam([{"questions": [make_question("essay").slug]}])
    programme = _programme(exam)
    exam_attempts.submit(exam_attempts.start_attempt(learner, exam), learner)
    assert services.week_status(learner, programme.items[1]).status == services.GRADING


def test_overdue_weeks_and_the_home_panel(client, clock, make_user, make_question, make_exam):
    learner = make_user(("learner",))
    exam = make_exam([{"questions": [make_question("single").slug]}], title="第2周测验")
    programme = _programme(exam)
    [overview] = services.this_week(learner)
    assert [w.item.key for w in overview.current] == ["week-2"]
    assert [w.item.key for w in overview.overdue] == ["week-1"]  # last week, not passed
    assert (overview.passed, overview.total) == (0, 2)  # weeks opened so far; week 3 has not, week 4 is retired
    sign_in(client, learner)
    home = client.get("/").text
    assert 'id="this-week-panel"' in home and "本周培训" in home
    assert "第2周 贷款" in home and "第1周 存款" in home and "已逾期" in home
    assert "第4周 已撤下" not in home  # retired items are not offered
    assert f"/exams/{exam.id}?item=" in home
    page = client.get(f"/programmes/{programme.id}").text
    assert "第3周 理财" in page and "尚未开放" in page and 'class="week overdue"' in page


def test_closed_exam_is_not_offered(client, clock, make_user, make_question, make_exam):
    learner = make_user(("learner",))
    exam = make_exam([{"questions": [make_question("single").slug]}], closes_at=clock.now() - timedelta(hours=1))
    _programme(exam)
    sign_in(client, learner)
    home = client.get("/").text
    assert "考试已关闭" in home and f"/exams/{exam.id}?item=" not in home


def test_programme_outside_the_audience_is_404(client, make_user, make_branch, make_exam):
    learner = make_user(("learner",), branch=make_branch("CS"))
    programme = _programme(make_exam([]), audience='{"branches": ["ZZ"]}')
    sign_in(client, learner)
    assert client.get(f"/programmes/{programme.id}").status_code == 404


def test_starting_from_the_week_links_the_attempt_to_it(client, clock, make_user, make_question, make_exam):
    from lms.exams.models import Attempt

    learner = make_user(("learner",))
    exam = make_exam([{"questions": [make_question("single").slug]}])
    week = _programme(exam).items[1]
    sign_in(client, learner)
    intro = client.get(f"/exams/{exam.id}?item={week.id}").text
    assert f'name="item" type="hidden" value="{week.id}"' in intro
    client.post(f"/exams/{exam.id}/start", data={"item": str(week.id)})
    assert db.session.scalar(db.select(Attempt.programme_item_id)) == week.id
