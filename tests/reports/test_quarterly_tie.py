"""A tie in a quarter of 警示教育: the pass mark changed between two attempts of the same percent
inside one quarter, and the earlier decides (``lms.exams.results.counting_attempt``), as for a week.
T6 failed 75 % under the pass mark 80, then scored 75 % under 70 in Q1: Q1 is missed. T7 the
mirror (passed 75 % under 70 first): Q1 is done. The learner's own page, HR's roster, its CSV,
the state filter and the certificate requirement's count of quarters say the same."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime

from lms.extensions import db
from lms.programmes import services as week_rules
from lms.programmes.progress import progress
from tests.conftest import sign_in
from tests.reports.helpers import add_attempt
from tests.reports.test_panel_and_demo import _warning_education
from tests.reports.test_roster_pages import bank  # noqa: F401  (fixture)
from tests.test_labels import visible_text

IN_Q2 = datetime(2026, 4, 2, 2, 0)


def _at(user, item, percent: float, pass_mark: float, at: datetime) -> None:
    attempt = add_attempt(user, item, percent, at=at)
    attempt.pass_mark, attempt.passed = pass_mark, percent >= pass_mark
    db.session.commit()


def test_the_earlier_of_a_tied_pass_and_fail_decides_a_quarter(client, bank, make_user, clock):  # noqa: F811
    warning = _warning_education()
    item = warning.items[0]
    fail_first = make_user(employee_no="T6", name="周杰", branch=bank["tianyuan"], position="rm_senior")
    pass_first = make_user(employee_no="T7", name="吴昊", branch=bank["tianyuan"], position="rm_senior")
    _at(fail_first, item, 75, 80, datetime(2026, 3, 10, 2, 0))
    _at(fail_first, item, 75, 70, datetime(2026, 3, 12, 2, 0))
    _at(pass_first, item, 75, 70, datetime(2026, 3, 10, 2, 0))
    _at(pass_first, item, 75, 80, datetime(2026, 3, 12, 2, 0))
    clock.freeze(IN_Q2)

    def q1(user):
        return next(w for w in week_rules.programme_weeks(user, warning) if w.opens_on.month == 1)

    assert (q1(fail_first).status, q1(pass_first).status) == ("failed", "passed")
    # The certificate requirement counts quarters by the learner's rule: T6 has none passed, T7 one.
    assert progress(week_rules.programme_weeks(fail_first, warning)).passed == 0
    assert progress(week_rules.programme_weeks(pass_first, warning)).passed == 1

    sign_in(client, fail_first)
    page = client.get(f"/programmes/{warning.id}").text
    mine = visible_text(page.split(f'id="week-{item.id}-2026-01-01"', 1)[1].split('<li class="week', 1)[0])
    assert "未通过" in mine and "已通过" not in mine
    sign_in(client, pass_first)
    page = client.get(f"/programmes/{warning.id}").text
    mine = visible_text(page.split(f'id="week-{item.id}-2026-01-01"', 1)[1].split('<li class="week', 1)[0])
    assert "已通过" in mine and "未通过" not in mine

    sign_in(client, make_user(("hr",), employee_no="hr"))
    html = client.get(f"/reports/roster?programme={warning.id}").text
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]

    def cells(no):
        row = next(r for r in body.split("<tr>")[1:] if f'">{no}</a>' in r)
        return [visible_text(c).strip() for c in re.split(r"<td[^>]*>", row)[1:]]

    assert cells("T6")[4] == "逾期未完成 · 未通过 ×2" and cells("T7")[4] == "已完成 2026-03-10"
    rows = {r[0]: r for r in csv.reader(io.StringIO(client.get(
        f"/reports/export/roster.csv?programme={warning.id}").data.decode("utf-8-sig")))}
    assert (rows["T6"][4], rows["T7"][4]) == ("逾期未完成 · 未通过 ×2", "已完成 2026-03-10")
    missed = client.get(f"/reports/roster?programme={warning.id}&quarter=2026-Q1&state=overdue").text
    assert '">T6</a>' in missed and '">T7</a>' not in missed
    done = client.get(f"/reports/roster?programme={warning.id}&quarter=2026-Q1&state=passed").text
    assert '">T7</a>' in done and '">T6</a>' not in done
