"""The overdue list says "nobody is overdue" only about someone: a branch nobody of the programme
is in says that nobody here is on the roster yet."""
from __future__ import annotations

from lms.extensions import db
from tests.conftest import sign_in
from tests.reports.helpers import add_attempt
from tests.reports.test_roster_pages import bank  # noqa: F401  (fixture)
from tests.test_labels import visible_text

NOBODY_ON_ROSTER = "这里还没有人在该培训计划的名单上。"
NOBODY_OVERDUE = "没有逾期。"


def _list(client, programme) -> str:
    page = client.get(f"/reports/overdue?programme={programme.id}").text
    return visible_text(page.split('id="report-table"', 1)[1])


def test_an_empty_branch_is_not_told_nobody_is_overdue(client, bank, make_user, make_branch):  # noqa: F811
    programme = bank["programme"]
    empty = make_branch("ZZ0103", "荷塘支行", parent=bank["city"])
    sign_in(client, make_user(("branch_manager",), employee_no="bm-empty", branch=empty))
    listing = _list(client, programme)
    assert NOBODY_ON_ROSTER in listing and NOBODY_OVERDUE not in listing

    sign_in(client, make_user(("branch_manager",), employee_no="bm-tianyuan", branch=bank["tianyuan"]))
    assert ">T1<" in client.get(f"/reports/overdue?programme={programme.id}").text  # week 2 is past due
    for person in ("T1", "T2", "T3"):  # everyone of 天元 passes week 2: nobody there is overdue
        add_attempt(bank["people"][person], bank["weeks"][1], 95)
    db.session.expire_all()
    listing = _list(client, programme)
    assert NOBODY_OVERDUE in listing and NOBODY_ON_ROSTER not in listing
