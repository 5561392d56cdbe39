"""A paper waiting for a trainer whose fail is already certain (full points on the essay still to
grade would stay under the pass mark) reads "failed — retake" on the learner's own page and the
retake is open (``lms.exams.retakes``). HR's roster, the overdue list, the person page, the branch
manager's view and every download say the same for that week: failed, not "waiting for grading".
One paper that could still pass stays "waiting for grading"."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook

from lms.exams.models import Attempt, AttemptItem
from lms.extensions import db
from lms.programmes import services as week_rules
from lms.reports import cells as cell_rules, cells_sql, state_filter
from lms.reports.members import roster_members
from tests.conftest import sign_in
from tests.reports.helpers import add_attempt, make_programme
from tests.statements import counting_statements
from tests.test_labels import visible_text


def _waiting(user, item, question_version_id: int, right: int) -> Attempt:
    """A paper handed in for ``item``'s exam (pass mark 80 %): four single choices of 1 point,
    ``right`` of them right, and an essay of 1 point waiting for a trainer — as
    ``lms.exams.results.grade_attempt`` leaves it."""
    at = datetime.combine(item.opens_on, datetime.min.time()) + timedelta(hours=3)
    attempt = Attempt(exam_id=item.exam_id, user_id=user.id, programme_item_id=item.id, number=1, seed=1,
                      state="grading", started_at=at, deadline=at + timedelta(minutes=30),
                      submitted_at=at + timedelta(minutes=10), end_reason="submitted", max_score=5.0, pass_mark=80.0)
    attempt.items = [AttemptItem(position=n, question_version_id=question_version_id, points=1.0,
                                 answer_json='"B"', awarded=1.0 if n < right else 0.0, correct=n < right)
                     for n in range(4)]
    attempt.items.append(AttemptItem(position=4, question_version_id=question_version_id, points=1.0,
                                     answer_json='"三要点"', needs_grading=True))
    db.session.add(attempt)
    db.session.commit()
    return attempt


@pytest.fixture
def four(app, clock, make_user, make_branch, make_question):
    """Week 1 (due 2026-02-22, overdue today): 必挂 waits with 2 of 4 right (at most 60 %: a
    certain fail), 待阅 waits with 3 of 4 right (80 % if the essay gets its point), 通过 passed,
    未过 failed."""
    branch = make_branch("ZZ0101", "天元支行")
    programme = make_programme(4)
    week = programme.items[0]
    version = make_question("single", slug="cf-single").versions[0]
    people = {name: make_user(employee_no=no, name=name, branch=branch)
              for no, name in (("R01", "必挂"), ("R02", "待阅"), ("R03", "通过"), ("R04", "未过"))}
    _waiting(people["必挂"], week, version.id, right=2)
    _waiting(people["待阅"], week, version.id, right=3)
    add_attempt(people["通过"], week, 90)
    add_attempt(people["未过"], week, 50)
    return programme, week, people, branch


def _row(html: str, employee_no: str) -> str:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return visible_text(next(r for r in body.split("<tr") if f">{employee_no}<" in r))


def test_every_hr_view_and_download_agrees_with_the_learners_page(client, clock, make_user, four):
    programme, week, people, _branch = four
    assert week_rules.week_status(people["必挂"], week).status == week_rules.FAILED  # the learner's own page
    assert week_rules.week_status(people["待阅"], week).status == week_rules.GRADING
    sign_in(client, make_user(("hr",), employee_no="hr"))
    roster = client.get(f"/reports/roster?programme={programme.id}").text
    assert "未通过 ×1" in _row(roster, "R01") and "待阅卷" not in _row(roster, "R01")
    assert "待阅卷" in _row(roster, "R02")
    assert "已通过 90%" in _row(roster, "R03") and "未通过 ×1" in _row(roster, "R04")

    rows = {r[0]: r for r in csv.reader(io.StringIO(client.get(
        f"/reports/export/roster.csv?programme={programme.id}").data.decode("utf-8-sig")))}
    assert rows["R01"][4] == "逾期 · 未通过 ×1"
    assert rows["R02"][4] == "逾期 · 待阅卷"
    assert rows["R03"][4] == "已通过 90%" and rows["R04"][4] == "逾期 · 未通过 ×1"
    sheet = load_workbook(io.BytesIO(client.get(f"/reports/export/roster.xlsx?programme={programme.id}").data)).active
    in_sheet = {r[0]: r[4] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert in_sheet["R01"] == "逾期 · 未通过 ×1" and in_sheet["R02"] == "逾期 · 待阅卷"

    overdue = client.get(f"/reports/overdue?programme={programme.id}").text
    assert "未通过 ×1" in _row(overdue, "R01") and "待阅卷" in _row(overdue, "R02")
    lines = {(r[0], r[4]): r[-1] for r in csv.reader(io.StringIO(client.get(
        f"/reports/export/overdue.csv?programme={programme.id}").data.decode("utf-8-sig")))}
    assert lines[("R01", "第 1 周")] == "逾期 · 未通过 ×1"
    assert lines[("R02", "第 1 周")] == "逾期 · 待阅卷"

    # The roster filtered by a state (decided by the database) keeps the same people.
    waiting = client.get(f"/reports/roster?programme={programme.id}&week={week.id}&state=grading").text
    assert ">R02<" in waiting and ">R01<" not in waiting
    failed = client.get(f"/reports/roster?programme={programme.id}&week={week.id}&state=failed").text
    assert ">R01<" in failed and ">R04<" in failed and ">R02<" not in failed

    person = client.get(f"/reports/people/{people['必挂'].id}").text
    assert "未通过，需补考" in person and "待阅卷" not in visible_text(person)


def test_the_branch_managers_roster_says_the_same(client, make_user, four):
    programme, week, _people, branch = four
    sign_in(client, make_user(("branch_manager",), employee_no="bm", branch=branch))
    page = client.get(f"/reports/roster?programme={programme.id}&week={week.id}&state=failed").text
    assert ">R01<" in page and ">R04<" in page and ">R02<" not in page
    assert "未通过 ×1" in _row(page, "R01")


def test_the_certain_fails_are_read_in_one_statement_for_everyone(app, clock, four):
    """The database's sums (downloads, overdue list) and the cells of the page agree, and the
    waiting papers' items are read once, not once per person."""
    programme, _week, _people, _branch = four
    members = roster_members(programme, None)
    weeks = cell_rules.roster_weeks(programme)
    with counting_statements() as statements:
        got = cells_sql.cells_for(members, weeks, clock.today())
    assert len([s for s in statements if "attempt_item" in s]) == 1
    assert got == cell_rules.cells_for(members, weeks, clock.today())
    kept = state_filter.matching(members, weeks[:1], week_rules.GRADING, clock.today())
    assert [m.user.employee_no for m in kept] == ["R02"]


def test_a_quarterly_requirements_quarter_says_failed_too(client, clock, make_user, make_branch, make_question):
    """警示教育: this quarter's paper waits with a certain fail (the roster's quarter cell)."""
    from tests.reports.test_panel_and_demo import _warning_education

    warning = _warning_education()
    version = make_question("single", slug="cf-warning").versions[0]
    branch = make_branch("ZZ0101", "天元支行")
    certain = make_user(employee_no="Q01", name="必挂", branch=branch, position="rm_junior")
    could = make_user(employee_no="Q02", name="待阅", branch=branch, position="rm_junior")
    _waiting(certain, warning.items[0], version.id, right=2)
    _waiting(could, warning.items[0], version.id, right=3)
    sign_in(client, make_user(("hr",), employee_no="hr"))
    page = client.get(f"/reports/roster?programme={warning.id}").text
    assert "未通过 ×1" in _row(page, "Q01") and "待阅卷" not in _row(page, "Q01")
    assert "待阅卷" in _row(page, "Q02")
