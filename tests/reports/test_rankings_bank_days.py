"""A rankings period is made of the bank's days: "from 2026-03-01 to
2026-03-31" is 1 March 00:00 to 31 March 24:00 China time (16:00 UTC the
day before each), on the page and in its download; "this month" and "this
quarter" turn at midnight in China."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest

from lms.reports import rankings as rules
from tests.conftest import sign_in
from tests.reports.helpers import add_attempt, make_programme

# Finalised ten minutes after these moments (tests/reports/helpers.add_attempt).
MOMENTS = {
    "EARLY": datetime(2026, 2, 28, 16, 20),  # 1 March 00:30 in Shanghai: in March
    "LATE": datetime(2026, 3, 31, 15, 40),  # 31 March 23:50 in Shanghai: in March
    "APRIL": datetime(2026, 3, 31, 16, 20),  # 1 April 00:30 in Shanghai: not in March
    "FEB": datetime(2026, 2, 28, 15, 40),  # 28 February 23:50 in Shanghai: not in March
}


def _setup(make_user):
    p = make_programme(9)  # 16 February to 19 April
    for no, at in MOMENTS.items():
        add_attempt(make_user(employee_no=no), p.items[1], 90, at=at)
    return p


def test_a_range_is_whole_days_in_china(app, clock, make_user, client):
    p = _setup(make_user)
    march = rules.rankings(p, None, date(2026, 3, 1), date(2026, 3, 31))
    assert sorted(r.member.user.employee_no for r in march.learners) == ["EARLY", "LATE"]
    april = rules.rankings(p, None, date(2026, 4, 1), date(2026, 4, 30))
    assert [r.member.user.employee_no for r in april.learners] == ["APRIL"]
    one_day = rules.rankings(p, None, date(2026, 3, 31), date(2026, 3, 31))
    assert [r.member.user.employee_no for r in one_day.learners] == ["LATE"]

    sign_in(client, make_user(("hr",), employee_no="HR1"))
    query = f"programme={p.id}&period=range&from=2026-03-01&to=2026-03-31&top=all"
    page = client.get(f"/reports/rankings?{query}").text
    assert "EARLY" in page and "LATE" in page and "APRIL" not in page and "FEB" not in page
    body = client.get(f"/reports/export/rankings-learners.csv?{query}").data.decode("utf-8-sig")
    numbers = {cell for row in csv.reader(io.StringIO(body)) for cell in row}
    assert {"EARLY", "LATE"} <= numbers and not {"APRIL", "FEB"} & numbers


@pytest.mark.parametrize("at, month, quarter", [
    (datetime(2026, 3, 31, 15, 59, 59), date(2026, 3, 1), date(2026, 1, 1)),  # 31 March 23:59:59
    (datetime(2026, 3, 31, 16, 0, 0), date(2026, 4, 1), date(2026, 4, 1)),  # 1 April 00:00:00
    (datetime(2026, 12, 31, 16, 0, 0), date(2027, 1, 1), date(2027, 1, 1)),  # 1 January 00:00:00
])
def test_this_month_and_quarter_turn_at_midnight_in_china(app, clock, at, month, quarter):
    p = make_programme(2)
    clock.freeze(at)
    assert rules.period_dates("month", p)[0] == month
    assert rules.period_dates("quarter", p)[0] == quarter


@pytest.mark.parametrize("url", ["/reports/rankings", "/reports/export/rankings-learners.csv"])
def test_a_range_beyond_the_calendar_is_refused_by_name(app, clock, make_user, client, url):
    p = make_programme(9)
    sign_in(client, make_user(("hr",), employee_no="HR1", locale="en"))
    far = client.get(url, query_string={"programme": p.id, "period": "range", "from": "2026-03-01", "to": "9999-12-31"})
    assert far.status_code == 400 and "The date “to” (9999-12-31) lies outside 1900-01-01 to 2999-12-31." in far.text
    bad = client.get(url, query_string={"programme": p.id, "period": "range", "from": "2026-02-30", "to": "2026-03-31"})
    assert bad.status_code == 400 and "The date “from” (“2026-02-30”) is not a day of the calendar." in bad.text
