"""A quarterly requirement (警示教育) in the roster, the overdue list, their downloads and the
branch manager's panel: each quarter a column (done on a day / missed / due by the quarter's
last day / not yet due), a missed quarter an overdue line, the quarter turning at the bank's
midnight (Asia/Shanghai), not UTC's."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta

import openpyxl

from tests.conftest import sign_in
from tests.reports.helpers import add_attempt
from tests.reports.test_panel_and_demo import _warning_education
from tests.reports.test_roster_pages import bank  # noqa: F401  (fixture)
from tests.statements import statements_of
from tests.test_labels import visible_text

# UTC instants (the database's); the bank is eight hours ahead.
LAST_EVENING_OF_Q1 = datetime(2026, 3, 31, 15, 30)  # 2026-03-31 23:30 in the bank
FIRST_NIGHT_OF_Q2 = datetime(2026, 3, 31, 16, 30)  # 2026-04-01 00:30 in the bank (UTC: still 31 March)


def _people(bank, make_user):
    """天元支行: T2 passed in February; T4 passed on Q1's last evening (23:10 in the bank);
    T5 took it at 00:20 on 1 April in the bank (still 31 March in UTC: Q2's, not Q1's);
    T6 never took it. 芦淞支行: L2 passed in February."""
    warning = _warning_education()
    item = warning.items[0]
    tianyuan = bank["tianyuan"]
    people = {no: bank["people"][no] for no in ("T2", "L2")}
    for no, name in (("T4", "赵敏"), ("T5", "孙丽"), ("T6", "周杰")):
        people[no] = make_user(employee_no=no, name=name, branch=tianyuan, position="rm_senior")
    add_attempt(people["T2"], item, 90, at=datetime(2026, 2, 10, 2, 0))
    add_attempt(people["L2"], item, 88, at=datetime(2026, 2, 11, 2, 0))
    add_attempt(people["T4"], item, 85, at=datetime(2026, 3, 31, 15, 0))  # submitted 23:10 on 31 March, bank time
    add_attempt(people["T5"], item, 95, at=datetime(2026, 3, 31, 16, 10))  # submitted 00:20 on 1 April, bank time
    return warning, people


def _row(html: str, employee_no: str) -> list[str]:
    """The visible cells of one person's row of a table."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    row = next(r for r in body.split("<tr>")[1:] if f'">{employee_no}</a>' in r)
    return [visible_text(cell).strip() for cell in re.split(r"<td[^>]*>", row)[1:]]


def test_the_roster_has_a_column_per_quarter_across_the_bank_midnight(client, bank, make_user, clock):  # noqa: F811
    """The roster of 警示教育 had no column at all: who missed a quarter was nowhere on it."""
    warning, _people_ = _people(bank, make_user)
    sign_in(client, make_user(("hr",), employee_no="hr"))

    clock.freeze(LAST_EVENING_OF_Q1)  # Q1 is still running: T6 is due, not late
    html = client.get(f"/reports/roster?programme={warning.id}").text
    head = visible_text(html.split("<thead>", 1)[1].split("</thead>", 1)[0])
    assert "2026 年第 1 季度" in head and "2026 年第 4 季度" in head and "第 1 周" not in head
    assert _row(html, "T2")[4:6] == ["已完成 2026-02-10", "未到期"]
    assert _row(html, "T4")[4:6] == ["已完成 2026-03-31", "未到期"]
    assert _row(html, "T5")[4] == "2026-03-31 前完成"  # its attempt of 00:20 on 1 April is Q2's
    assert _row(html, "T6")[4:8] == ["2026-03-31 前完成", "未到期", "未到期", "未到期"]

    clock.freeze(FIRST_NIGHT_OF_Q2)  # UTC still says 31 March; the bank is in Q2
    html = client.get(f"/reports/roster?programme={warning.id}").text
    assert _row(html, "T4")[4:6] == ["已完成 2026-03-31", "2026-06-30 前完成"]
    assert _row(html, "T5")[4:6] == ["逾期未完成 · 未开始", "已完成 2026-04-01"]
    assert _row(html, "T6")[4:6] == ["逾期未完成 · 未开始", "2026-06-30 前完成"]
    assert 'id="quarterly-columns"' in html and 'id="quarterly-notice"' not in html

    missed = client.get(f"/reports/roster?programme={warning.id}&state=overdue").text
    assert re.findall(r'/reports/people/\d+">(T\d)</a></td>\s*<td><a', missed) == ["T5", "T6"]


def test_a_late_pass_and_a_later_joiner(client, bank, make_user, clock):  # noqa: F811
    """Failed in Q1 and passed in Q2: Q1 stays missed (a pass counts for its own quarter only);
    someone who joined in Q2 is not asked for Q1."""
    warning, people = _people(bank, make_user)
    item = warning.items[0]
    add_attempt(people["T6"], item, 50, at=datetime(2026, 3, 20, 2, 0))
    add_attempt(people["T6"], item, 90, at=datetime(2026, 4, 20, 2, 0))
    make_user(employee_no="T7", name="吴迪", branch=bank["tianyuan"], position="rm_junior",
              position_start=date(2026, 4, 15))
    clock.freeze(datetime(2026, 5, 6, 2, 0))
    sign_in(client, make_user(("hr",), employee_no="hr", locale="en"))
    html = client.get(f"/reports/roster?programme={warning.id}").text
    assert _row(html, "T6")[4:7] == ["Missed · Failed ×1", "Done 2026-04-20", "Not yet due"]
    assert _row(html, "T7")[4:6] == ["—", "Due by 2026-06-30"]
    assert 'title="Not required (joined later)"' in html


def test_the_overdue_list_has_a_line_per_person_and_missed_quarter(client, bank, make_user, clock):  # noqa: F811
    warning, people = _people(bank, make_user)
    sign_in(client, make_user(("trainer",), employee_no="trainer"))
    clock.freeze(LAST_EVENING_OF_Q1)
    assert "没有逾期。" in client.get(f"/reports/overdue?programme={warning.id}").text

    clock.freeze(datetime(2026, 5, 6, 2, 0))  # 36 days after Q1's last day
    html = client.get(f"/reports/overdue?programme={warning.id}").text
    assert "2 项季度逾期" in html and "<th>季度</th>" in html
    assert _row(html, "T5") == ["T5", "孙丽", "天元支行", "2026 年第 1 季度", "2026-03-31", "36",
                                "逾期未完成 · 未开始"]
    assert _row(html, "T6")[3:6] == ["2026 年第 1 季度", "2026-03-31", "36"]
    assert "赵敏" not in html and "王芳" not in html  # done in Q1; Q2 is not over

    clock.freeze(datetime(2026, 7, 2, 2, 0))  # Q2 over too: T6 has two lines, T5 one
    html = client.get(f"/reports/overdue?programme={warning.id}").text
    assert html.count('">T6</a>') == 2 and html.count('">T5</a>') == 1


def test_the_downloads_say_the_same_in_both_languages(client, bank, make_user, clock):  # noqa: F811
    warning, _people_ = _people(bank, make_user)
    clock.freeze(FIRST_NIGHT_OF_Q2)
    sign_in(client, make_user(("hr",), employee_no="hr", locale="en"))
    rows = list(csv.reader(io.StringIO(
        client.get(f"/reports/export/roster.csv?programme={warning.id}").data.decode("utf-8-sig"))))
    assert rows[0][4:] == ["2026 Q1", "2026 Q2", "2026 Q3", "2026 Q4"]
    by_no = {r[0]: r for r in rows[1:]}
    assert by_no["T4"][4:6] == ["Done 2026-03-31", "Due by 2026-06-30"]
    assert by_no["T5"][4:6] == ["Missed · Not started", "Done 2026-04-01"]
    assert by_no["T6"][4:] == ["Missed · Not started", "Due by 2026-06-30", "Not yet due", "Not yet due"]
    late = list(csv.reader(io.StringIO(
        client.get(f"/reports/export/overdue.csv?programme={warning.id}").data.decode("utf-8-sig"))))
    assert late[0][4:7] == ["Quarter", "Due", "Days overdue"]
    assert sorted((r[0], r[4], r[5], r[6]) for r in late[1:]) == [("T5", "2026 Q1", "2026-03-31", "1"),
                                                                   ("T6", "2026 Q1", "2026-03-31", "1")]

    sign_in(client, make_user(("hr",), employee_no="hr-zh"))
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/reports/export/roster.xlsx?programme={warning.id}").data))
    sheet = [[c.value for c in row] for row in book.active.iter_rows()]
    assert sheet[0][4:6] == ["2026 年第 1 季度", "2026 年第 2 季度"]
    t5 = next(r for r in sheet if r[0] == "T5")
    assert t5[4:6] == ["逾期未完成 · 未开始", "已完成 2026-04-01"]
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/reports/export/overdue.xlsx?programme={warning.id}").data))
    sheet = [[c.value for c in row] for row in book.active.iter_rows()]
    assert sheet[0][4] == "季度"
    assert sorted((r[0], r[4], r[6]) for r in sheet[1:]) == [("T5", "2026 年第 1 季度", 1),
                                                             ("T6", "2026 年第 1 季度", 1)]


def test_a_branch_manager_sees_only_their_branches(client, bank, make_user, clock):  # noqa: F811
    warning, people = _people(bank, make_user)
    add_attempt(make_user(employee_no="L3", name="郑凯", branch=bank["lusong"], position="rm_senior"),
                warning.items[0], 40, at=datetime(2026, 2, 12, 2, 0))  # 芦淞: missed Q1
    clock.freeze(datetime(2026, 5, 6, 2, 0))
    sign_in(client, make_user(("branch_manager",), employee_no="manager", branch=bank["tianyuan"]))
    roster = client.get(f"/reports/roster?programme={warning.id}").text
    # The 工号 as a cell shows it (>L2<): the page's random CSRF token may hold the letters L2.
    assert ">T6<" in roster and ">L2<" not in roster and ">L3<" not in roster
    overdue = client.get(f"/reports/overdue?programme={warning.id}").text
    assert "周杰" in overdue and "郑凯" not in overdue
    for url in (f"/reports/export/roster.csv?programme={warning.id}",
                f"/reports/export/overdue.csv?programme={warning.id}"):
        text = client.get(url).data.decode("utf-8-sig")
        assert "T6" in text and "L2" not in text and "L3" not in text, url
    assert client.get(f"/reports/roster?programme={warning.id}&branch={bank['lusong'].id}").status_code == 404
    assert client.get(f"/reports/export/overdue.csv?programme={warning.id}&branch={bank['lusong'].id}"
                      ).status_code == 404

    panel = visible_text(client.get("/").text.split('id="branch-manager-panel"', 1)[1].split("</section>", 1)[0])
    block = panel.split("警示教育（季度必修）", 1)[1]
    # 天元支行's RMs: T2, T4, T5, T6; in Q2 only T5 has passed; T5 and T6 missed Q1 (L3 is not theirs).
    assert "本季度（2026 年第 2 季度）：4 人中 1 人已通过" in block
    assert "2 人有逾期未完成的季度" in block


def test_the_panel_costs_the_same_statements_for_8_or_40_people(client, bank, make_user, clock):  # noqa: F811
    """The branch manager's panel worked out every programme for every person of their branches
    to count one quarterly requirement; it now reads a fixed number of statements."""
    warning = _warning_education()
    manager = make_user(("branch_manager",), employee_no="manager", branch=bank["city"])
    branches = [bank["tianyuan"], bank["lusong"]]

    def add(start, stop):
        for i in range(start, stop):
            u = make_user(employee_no=f"R{i:03d}", branch=branches[i % 2], position="rm_junior")
            if i % 3:
                add_attempt(u, warning.items[0], 70 + i % 30, at=datetime(2026, 2, 1 + i % 27, 2, 0))
            add_attempt(u, bank["weeks"][0], 85)

    add(0, 8)
    sign_in(client, manager)
    client.get("/")
    few, html = statements_of(client, "/")
    assert "警示教育（季度必修）" in html
    add(8, 40)
    many, html = statements_of(client, "/")
    assert "42 人中" in visible_text(html)  # 40 and the fixture's two RMs (T2, L2)
    assert many == few


def test_the_demo_overdue_list_names_the_missed_quarter(app, client):
    """The demo's 董强 (E1028, 石峰支行) missed last quarter's 警示教育: before, only his own
    record said so. HR now finds him on the overdue list and the roster's missed filter; 赵行长
    (天元支行) does not, nor anyone outside 天元支行, on the page or in the download."""
    from sqlalchemy import select

    from lms import clock
    from lms.content.models import Programme
    from lms.extensions import db
    from lms.org.models import User
    from lms.programmes.services import quarter_label, quarter_of
    from tests.conftest import load_demo_copy

    load_demo_copy()
    warning = db.session.scalar(select(Programme).where(Programme.recurring == "quarterly"))
    last = quarter_of(quarter_of(clock.today())[0] - timedelta(days=1))
    sign_in(client, db.session.scalar(select(User).where(User.employee_no == "hr")))
    html = client.get(f"/reports/overdue?programme={warning.id}").text
    row = _row(html, "E1028")
    assert row[3:6] == [quarter_label(last[0]), last[1].isoformat(), str((clock.today() - last[1]).days)]
    assert "E1028" in client.get(f"/reports/roster?programme={warning.id}&state=overdue").text

    manager = db.session.scalar(select(User).where(User.employee_no == "manager"))
    mine = set(manager.branch.subtree_ids())
    sign_in(client, manager)
    for url in (f"/reports/roster?programme={warning.id}", f"/reports/overdue?programme={warning.id}",
                f"/reports/export/roster.csv?programme={warning.id}",
                f"/reports/export/overdue.csv?programme={warning.id}"):
        text = client.get(url).get_data().decode("utf-8-sig")
        shown = set(re.findall(r"E1\d{3}", text))
        outside = {u.employee_no for u in db.session.scalars(select(User).where(User.employee_no.in_(shown)))
                   if u.branch_id not in mine}
        assert not outside and "E1028" not in text, (url, outside)
        assert shown or "overdue" in url, url  # 天元支行's RMs are on its roster


def test_the_panel_costs_the_same_statements_for_2_or_12_branches(client, bank, make_user, make_branch):  # noqa: F811
    """A city-level manager's scope (``Branch.subtree_ids``) read each branch's sub-branches in
    turn: one statement a branch, on every page they open. It is one statement now."""
    warning = _warning_education()
    manager = make_user(("branch_manager",), employee_no="manager", branch=bank["city"])
    sign_in(client, manager)
    client.get("/")
    few, _html = statements_of(client, "/")
    for n in range(10):
        branch = make_branch(f"ZZ01{n + 10:02d}", f"新网点{n}", parent=bank["city"])
        u = make_user(employee_no=f"B{n:02d}", branch=branch, position="rm_junior")
        add_attempt(u, warning.items[0], 90, at=datetime(2026, 2, 3, 2, 0))
    many, html = statements_of(client, "/")
    assert "12 人中 10 人已通过" in visible_text(html)  # T2, L2 (not passed) and B00–B09 (passed)
    assert many == few
