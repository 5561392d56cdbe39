"""``flask notify scan``: a week opened, due in two days, overdue (with an
alert to the branch manager), a retake available once the cool-down has
passed; running it again makes nothing twice; a passed week says nothing."""
from __future__ import annotations

from datetime import date, timedelta

from lms.content.models import Programme, ProgrammeItem
from lms.exams import answers as exam_answers, attempts as exam_attempts
from lms.extensions import db
from lms.notify.models import Notification
from lms.notify.scan import scan


def _programme(exam, opens: date, due: date):
    programme = Programme(slug="rm-foundation", title="客户经理基础培训", audience_json="{}")
    programme.items = [ProgrammeItem(key="week-3", kind="week", number=3, title="第3周 贷款", exam_id=exam.id,
                                     opens_on=opens, due_on=due)]
    db.session.add(programme)
    db.session.commit()
    return programme


def _kinds(user) -> list[str]:
    return sorted(n.kind for n in Notification.query.filter_by(recipient_id=user.id))


def _take(learner, exam, answer):
    attempt = exam_attempts.start_attempt(learner, exam)
    item = attempt.items[0]
    exam_answers.save_answer(attempt, item, answer)
    return exam_attempts.submit(attempt, learner)


def test_week_opened_and_due_soon_once_however_often_it_runs(runner, clock, make_user, make_branch, make_exam,
                                                             make_question):
    learner = make_user(("learner",), branch=make_branch("ZZ01", "天元支行"))
    hr = make_user(("hr",))  # not a learner: no training reminders
    question = make_question("single")
    exam = make_exam([{"questions": [question.slug]}], open_to_all=False)
    today = clock.today()
    _programme(exam, opens=today, due=today + timedelta(days=2))
    result = runner.invoke(args=["notify", "scan"])
    assert result.exit_code == 0 and "生成了 2 条通知：两天内截止 (1)、培训周开放 (1)" in result.output
    assert _kinds(learner) == ["due_soon", "week_opened"] and _kinds(hr) == []
    opened = Notification.query.filter_by(kind="week_opened").one()
    assert opened.params["week"] == "第3周 贷款" and opened.params["due_on"] == (today + timedelta(days=2)).isoformat()
    assert "生成了 0 条通知" in runner.invoke(args=["notify", "scan"]).output
    clock.advance(timedelta(hours=5))
    assert scan().total == 0 and Notification.query.count() == 2


def test_a_week_not_yet_due_in_two_days_is_only_opened(clock, make_user, make_exam, make_question):
    learner = make_user(("learner",))
    exam = make_exam([{"questions": [make_question("single").slug]}], open_to_all=False)
    _programme(exam, opens=clock.today(), due=clock.today() + timedelta(days=6))
    scan()
    assert _kinds(learner) == ["week_opened"]


def test_overdue_tells_the_learner_and_alerts_the_branch_manager(clock, make_user, make_branch, make_exam,
                                                                 make_question):
    branch = make_branch("ZZ01", "天元支行")
    learner = make_user(("learner",), name="李学员", employee_no="E3001", branch=branch)
    manager = make_user(("branch_manager",), branch=branch)
    passed = make_user(("learner",), branch=branch)
    question = make_question("single")
    exam = make_exam([{"questions": [question.slug]}], open_to_all=False, pass_mark=60)
    _programme(exam, opens=clock.today() - timedelta(days=7), due=clock.today() - timedelta(days=1))
    _take(passed, exam, "B")  # right: the week is passed
    result = scan()
    assert _kinds(learner) == ["overdue"] and _kinds(passed) == ["passed"]  # from the exam, not the scan
    assert _kinds(manager) == ["learner_overdue"]
    alert = Notification.query.filter_by(kind="learner_overdue").one()
    assert alert.params["learner"] == "李学员" and alert.params["week"] == "第3周 贷款"
    assert result.made == {"overdue": 1, "learner_overdue": 1}
    assert scan().total == 0


def test_a_scan_missed_for_days_still_tells_an_overdue_week_once(clock, make_user, make_exam, make_question):
    """The timer did not run for six days (README, Running it): the next run catches up."""
    learner = make_user(("learner",))
    exam = make_exam([{"questions": [make_question("single").slug]}], open_to_all=False)
    _programme(exam, opens=clock.today() - timedelta(days=13), due=clock.today() - timedelta(days=6))
    assert scan().made == {"overdue": 1} and _kinds(learner) == ["overdue"]
    clock.advance(timedelta(days=1))
    assert scan().total == 0


def test_weeks_long_overdue_are_not_reported_by_a_first_scan(clock, make_user, make_exam, make_question):
    learner = make_user(("learner",))
    exam = make_exam([{"questions": [make_question("single").slug]}], open_to_all=False)
    _programme(exam, opens=clock.today() - timedelta(days=30), due=clock.today() - timedelta(days=23))
    assert scan().total == 0 and _kinds(learner) == []


def test_a_retake_is_announced_when_the_cool_down_has_passed(clock, make_user, make_exam, make_question):
    learner = make_user(("learner",))
    exam = make_exam([{"questions": [make_question("single").slug]}], open_to_all=False, pass_mark=60,
                     cooldown_minutes=60, max_attempts=None)
    _programme(exam, opens=clock.today(), due=clock.today() + timedelta(days=6))
    attempt = _take(learner, exam, "A")
    assert attempt.passed is False
    scan()
    assert "retake_available" not in _kinds(learner)
    clock.advance(timedelta(minutes=61))
    scan()
    retake = Notification.query.filter_by(kind="retake_available").one()
    assert retake.subject == f"attempt:{attempt.id}" and retake.params["exam_id"] == exam.id
    assert scan().total == 0
