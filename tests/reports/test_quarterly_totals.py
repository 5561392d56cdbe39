"""A quarterly requirement (警示教育) in the branch totals, the rankings, their downloads and the
quarter filter: the unit is a quarter (done inside it, or missed), counted by one rule
(``lms.reports.quarters``) so that every number agrees with the roster, the overdue list and the
branch manager's panel.

The people (``test_quarterly_reports._people``), seen on 6 May 2026 (Q2 running):
天元支行 RMs T2 (done Q1, 90), T4 (done Q1, 85), T5 (missed Q1, done Q2 on 1 April, 95),
T6 (missed Q1, never sat it); 芦淞支行's RM L2 (done Q1, 88)."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime

import openpyxl

from tests.conftest import sign_in
from tests.reports.test_quarterly_reports import _people, _row
from tests.reports.test_roster_pages import bank  # noqa: F401  (fixture)
from tests.test_labels import visible_text

MAY_6 = datetime(2026, 5, 6, 2, 0)
JULY_2 = datetime(2026, 7, 2, 2, 0)  # Q2 over too


def _csv(client, url) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200, url
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def _table(html: str, table_id: str) -> dict[str, list[str]]:
    """A totals table: the first cell of each row → its other cells, as the page shows them."""
    body = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0].split("<tbody>", 1)[1]
    out = {}
    for row in body.split("<tr")[1:]:
        cells = [visible_text(c).strip() for c in re.split(r"<t[dh][^>]*>", row)[1:]]
        out[cells[0]] = cells[1:]
    return out


def _ranked(html: str, section: str) -> list[list[str]]:
    body = html.split(f'id="{section}"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [[visible_text(c).strip() for c in re.split(r"<td[^>]*>", row)[1:]] for row in body.split("<tr>")[1:]]


def test_the_branch_totals_count_quarters(client, bank, make_user, clock):  # noqa: F811
    """The totals of 警示教育 said only "this report does not count it": HR at quarter end had no
    per-branch count of who had done or missed a quarter. They count quarters now, on the page
    and in the downloads, and the numbers are the roster's and the overdue list's."""
    warning, _people_ = _people(bank, make_user)
    clock.freeze(MAY_6)
    sign_in(client, make_user(("hr",), employee_no="hr"))
    html = client.get(f"/reports/totals?programme={warning.id}").text
    assert 'id="quarterly-units"' in html and "2026 年第 1 季度" in html and "2026 年第 2 季度" in html
    assert 'id="totals-week-2026-Q3"' not in html  # not begun
    q1 = _table(html, "totals-week-2026-Q1")
    # Learners, passed, completion, first-try pass rate, mean score, overdue.
    assert q1["天元支行"] == ["4", "2", "50%", "100%", "87.5", "2"]  # T2, T4 done; T5, T6 missed without an attempt
    assert q1["芦淞支行"] == ["1", "1", "100%", "100%", "88", "0"]
    assert q1["全部机构"] == ["5", "3", "60%", "100%", "87.7", "2"]
    q2 = _table(html, "totals-week-2026-Q2")
    assert q2["天元支行"] == ["4", "1", "25%", "100%", "95", "0"]  # Q2 is running: nobody has missed it yet

    # The overdue list's lines per branch and quarter are the totals' overdue column.
    late = _csv(client, f"/reports/export/overdue.csv?programme={warning.id}")
    assert sorted((r[2], r[4]) for r in late[1:]) == [("天元支行", "2026 年第 1 季度")] * 2
    # The roster's 已完成 cells per quarter are the totals' passed column.
    roster = _csv(client, f"/reports/export/roster.csv?programme={warning.id}")
    assert sum(r[4].startswith("已完成") for r in roster[1:]) == 3
    assert sum(r[5].startswith("已完成") for r in roster[1:]) == 1

    rows = _csv(client, f"/reports/export/totals.csv?programme={warning.id}")
    assert rows[0][:3] == ["机构", "季度", "学员数"]
    assert ["天元支行", "2026 年第 1 季度", "4", "2", "50%", "100%", "87.5", "2"] in rows
    assert ["全部机构", "2026 年第 1 季度", "5", "3", "60%", "100%", "87.7", "2"] in rows

    sign_in(client, make_user(("hr",), employee_no="hr-en", locale="en"))
    book = openpyxl.load_workbook(io.BytesIO(
        client.get(f"/reports/export/totals.xlsx?programme={warning.id}&quarter=2026-Q1").data))
    sheet = [[c.value for c in row] for row in book.active.iter_rows()]
    assert sheet[0][:2] == ["Branch", "Quarter"]
    assert [r[:4] + [r[7]] for r in sheet[1:]] == [["天元支行", "2026 Q1", 4, 2, 2], ["芦淞支行", "2026 Q1", 1, 1, 0],
                                                   ["All branches", "2026 Q1", 5, 3, 2]]


def test_the_panel_and_the_totals_say_the_same_of_this_quarter(client, bank, make_user, clock):  # noqa: F811
    warning, _people_ = _people(bank, make_user)
    clock.freeze(MAY_6)
    sign_in(client, make_user(("branch_manager",), employee_no="manager", branch=bank["tianyuan"]))
    panel = visible_text(client.get("/").text.split('id="branch-manager-panel"', 1)[1].split("</section>", 1)[0])
    assert "本季度（2026 年第 2 季度）：4 人中 1 人已通过" in panel.split("警示教育（季度必修）", 1)[1]
    totals = _table(client.get(f"/reports/totals?programme={warning.id}").text, "totals-week-2026-Q2")
    assert totals["全部机构"][:2] == ["4", "1"] and "芦淞支行" not in totals  # the manager's own branch only


def test_the_rankings_count_quarters_done_and_missed(client, bank, make_user, clock):  # noqa: F811
    """The rankings of 警示教育 were empty (they counted weeks). A quarter done counts for, a
    missed one against; the rule on the page says so, and the download is the page."""
    warning, _people_ = _people(bank, make_user)
    clock.freeze(MAY_6)
    sign_in(client, make_user(("hr",), employee_no="hr"))
    html = client.get(f"/reports/rankings?programme={warning.id}&top=all").text
    assert "已完成的季度 ÷ 计入的季度" in html
    learners = _ranked(html, "rankings-learners")
    # Rank, 工号, name, branch, pass rate, first-try, mean, attempts, quarters counted.
    assert [r[1] for r in learners] == ["T2", "L2", "T4", "T5", "T6"]
    assert learners[3][4:] == ["50%", "100%", "95", "1", "2"]  # T5: missed Q1, done Q2
    assert learners[4][4:] == ["0%", "—", "—", "0", "1"]  # T6: missed Q1, never sat it
    branches = _ranked(html, "rankings-branches")
    assert [(r[1], r[3]) for r in branches] == [("芦淞支行", "100%"), ("天元支行", "60%")]  # 3 of 5 quarters
    assert 'id="completion-chart"' in html and "各机构每季度完成率" in html

    rows = _csv(client, f"/reports/export/rankings-learners.csv?programme={warning.id}&top=all")
    assert rows[0][-1] == "计入的季度"
    assert [[c or "—" for c in r[1:]] for r in rows[1:]] == [r[1:] for r in learners]  # blank there, — here

    # This quarter only: T5's Q2 counts; nobody has missed Q2 yet.
    html = client.get(f"/reports/rankings?programme={warning.id}&period=quarter&top=all").text
    assert [r[1] for r in _ranked(html, "rankings-learners")] == ["T5"]


def test_one_quarter_in_the_roster_and_the_overdue_list(client, bank, make_user, clock):  # noqa: F811
    """There was no way to ask "who missed Q2": the state filter took any quarter. The quarter
    filter is in the query string, the downloads follow it, and a branch manager's scope holds."""
    warning, _people_ = _people(bank, make_user)
    clock.freeze(JULY_2)
    sign_in(client, make_user(("hr",), employee_no="hr"))
    page = client.get(f"/reports/roster?programme={warning.id}&quarter=2026-Q2&state=overdue").text
    assert '<option value="2026-Q2" selected>' in page and 'class="chosen"' in page
    assert re.findall(r'/reports/people/\d+">(\w+)</a></td>\s*<td><a', page) == ["T2", "T4", "T6", "L2"]
    assert "quarter=2026-Q2" in page.split('class="downloads"', 1)[1].split("</p>", 1)[0]
    q1 = client.get(f"/reports/roster?programme={warning.id}&quarter=2026-Q1&state=overdue").text
    assert re.findall(r'/reports/people/\d+">(\w+)</a></td>\s*<td><a', q1) == ["T5", "T6"]

    overdue = _csv(client, f"/reports/export/overdue.csv?programme={warning.id}&quarter=2026-Q2")
    assert sorted(r[0] for r in overdue[1:]) == ["L2", "T2", "T4", "T6"]
    assert {r[4] for r in overdue[1:]} == {"2026 年第 2 季度"}
    html = client.get(f"/reports/overdue?programme={warning.id}&quarter=2026-Q1").text
    assert "2 项季度逾期" in html
    totals = _table(client.get(f"/reports/totals?programme={warning.id}&quarter=2026-Q2").text,
                    "totals-week-2026-Q2")
    assert totals["全部机构"][-1] == "4" and 'id="totals-week-2026-Q1"' not in client.get(
        f"/reports/totals?programme={warning.id}&quarter=2026-Q2").text

    sign_in(client, make_user(("branch_manager",), employee_no="manager", branch=bank["tianyuan"]))
    overdue = _csv(client, f"/reports/export/overdue.csv?programme={warning.id}&quarter=2026-Q2")
    assert sorted(r[0] for r in overdue[1:]) == ["T2", "T4", "T6"]
    roster = _csv(client, f"/reports/export/roster.csv?programme={warning.id}&quarter=2026-Q2&state=overdue")
    assert sorted(r[0] for r in roster[1:]) == ["T2", "T4", "T6"]
    # A quarter the requirement does not have is no filter (as an unknown week): every quarter.
    assert len(_csv(client, f"/reports/export/overdue.csv?programme={warning.id}&quarter=2031-Q9")) == 1 + 5
