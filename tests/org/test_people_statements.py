"""HR's people register reads as many statements for a bank of sixty
branches as for one of two: every branch of the filter's tree and the
branch of every row shown were each read on their own (99 statements for
50 people in 60 branches)."""
from __future__ import annotations

from tests.conftest import sign_in
from tests.statements import statements_of


def test_the_people_page_reads_as_many_statements_for_twelve_branches_as_for_two(client, make_user, make_branch):
    hr = make_user(("hr",), employee_no="HR01")
    city = make_branch("C", "压测分行")
    for n in range(2):
        make_user(("learner",), employee_no=f"P{n:02d}", branch=make_branch(f"C{n:02d}", f"第{n}支行", city))
    sign_in(client, hr)
    two, page = statements_of(client, "/org/people")
    assert "第1支行" in page
    for n in range(2, 12):
        make_user(("learner",), employee_no=f"P{n:02d}", branch=make_branch(f"C{n:02d}", f"第{n}支行", city))
    twelve, page = statements_of(client, "/org/people")
    assert all(f"P{n:02d}" in page for n in range(12))
    assert twelve == two
