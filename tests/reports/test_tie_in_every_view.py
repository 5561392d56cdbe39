"""A pass and a fail at the same best percent, the pass mark changed between them: the earlier
attempt decides (``lms.exams.results.counting_attempt``). 先挂 failed 75 % under the pass mark 80,
then scored 75 % again under 70: week 1 is failed (and overdue). 先过 the mirror: passed 75 % under
70, then 75 % failed under 80: passed. The learner's own page, HR's roster page, its CSV and XLSX,
the state filter and the person page all say so."""
from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from lms.extensions import db
from lms.programmes import services as week_rules
from tests.conftest import sign_in
from tests.reports.helpers import add_attempt, make_programme
from tests.test_labels import visible_text


def _at(user, item, percent: float, pass_mark: float) -> None:
    attempt = add_attempt(user, item, percent)
    attempt.pass_mark, attempt.passed = pass_mark, percent >= pass_mark
    db.session.commit()


@pytest.fixture
def tie(app, clock, make_user, make_branch):
    branch = make_branch("ZZ0101", "天元支行")
    programme = make_programme(4)
    week = programme.items[0]  # due 2026-02-22: past due today
    first_fail = make_user(employee_no="R01", name="先挂", branch=branch)
    first_pass = make_user(employee_no="R02", name="先过", branch=branch)
    _at(first_fail, week, 75, 80)
    _at(first_fail, week, 75, 70)
    _at(first_pass, week, 75, 70)
    _at(first_pass, week, 75, 80)
    return programme, week, first_fail, first_pass


def _week(html: str, week_id: int) -> str:
    """The learner's own page: the text of one week's entry."""
    return visible_text(html.split(f'id="week-{week_id}"', 1)[1].split('<li class="week', 1)[0])


def _row(html: str, key: str) -> str:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return visible_text(next(r for r in body.split("<tr") if f">{key}<" in r))


def test_the_earlier_of_a_tied_pass_and_fail_decides_in_every_view(client, make_user, tie):
    programme, week, first_fail, first_pass = tie
    assert week_rules.week_status(first_fail, week).status == week_rules.FAILED
    assert week_rules.week_status(first_pass, week).status == week_rules.PASSED

    sign_in(client, first_fail)
    mine = _week(client.get(f"/programmes/{programme.id}").text, week.id)
    assert "未通过" in mine and "已通过" not in mine and "逾期" in mine
    sign_in(client, first_pass)
    mine = _week(client.get(f"/programmes/{programme.id}").text, week.id)
    assert "已通过" in mine and "未通过" not in mine and "逾期" not in mine

    sign_in(client, make_user(("hr",), employee_no="hr"))
    roster = client.get(f"/reports/roster?programme={programme.id}").text
    assert "逾期 · 未通过 ×2" in _row(roster, "R01") and "已通过" not in _row(roster, "R01")
    assert "已通过 75%" in _row(roster, "R02") and "未通过" not in _row(roster, "R02")

    rows = {r[0]: r for r in csv.reader(io.StringIO(client.get(
        f"/reports/export/roster.csv?programme={programme.id}").data.decode("utf-8-sig")))}
    assert (rows["R01"][4], rows["R02"][4]) == ("逾期 · 未通过 ×2", "已通过 75%（2 次）")
    sheet = load_workbook(io.BytesIO(client.get(f"/reports/export/roster.xlsx?programme={programme.id}").data)).active
    in_sheet = {r[0]: r[4] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert (in_sheet["R01"], in_sheet["R02"]) == ("逾期 · 未通过 ×2", "已通过 75%（2 次）")

    for state, who in (("failed", ">R01<"), ("overdue", ">R01<"), ("passed", ">R02<")):
        page = client.get(f"/reports/roster?programme={programme.id}&week={week.id}&state={state}").text
        other = ">R02<" if who == ">R01<" else ">R01<"
        assert who in page and other not in page, state

    person = visible_text(client.get(f"/reports/people/{first_fail.id}").text)
    assert "未通过" in person and "已通过" not in person
