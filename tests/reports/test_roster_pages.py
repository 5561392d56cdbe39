"""The roster, branch totals and overdue list through HTTP: filters (Chinese
branch names too), scope, paging, and the statement count that does not grow
with the number of learners."""
from __future__ import annotations

import pytest

from tests.conftest import sign_in
from tests.statements import statements_of
from tests.reports.helpers import add_attempt, make_programme


@pytest.fixture
def bank(app, clock, make_user, make_branch):
    """株洲分行 with 天元支行 and 芦淞支行; week 3 is open (the clock's Monday)."""
    city = make_branch("ZZ01", "株洲分行")
    tianyuan = make_branch("ZZ0101", "天元支行", parent=city)
    lusong = make_branch("ZZ0102", "芦淞支行", parent=city)
    p = make_programme(4)
    w1, w2, w3, _ = p.items
    people = {}
    for no, name, branch, position in [("T1", "张伟", tianyuan, "teller"), ("T2", "王芳", tianyuan, "rm_junior"),
                                       ("T3", "李娜", tianyuan, "teller"), ("L1", "刘洋", lusong, "teller"),
                                       ("L2", "陈静", lusong, "rm_junior")]:
        people[no] = make_user(employee_no=no, name=name, branch=branch, position=position)
    for u in people.values():
        add_attempt(u, w1, 90)
    add_attempt(people["T1"], w3, 40)
    add_attempt(people["T1"], w3, 60)       # 天元, week 3: failed ×2
    add_attempt(people["T2"], w3, 95)       # passed
    add_attempt(people["L1"], w3, 30)       # 芦淞, failed ×1
    add_attempt(people["L2"], w2, 85)
    return {"programme": p, "city": city, "tianyuan": tianyuan, "lusong": lusong, "people": people,
            "weeks": p.items}


def _rows(html: str) -> list[str]:
    import re

    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'/reports/people/\d+">([^<]+)</a></td>\s*<td><a', body)


def test_trainer_filters_to_tianyuan_week_3_failed(client, bank, make_user):
    sign_in(client, make_user(("trainer",), employee_no="trainer"))
    p, w3 = bank["programme"], bank["weeks"][2]
    everyone = client.get("/reports/roster")
    assert everyone.status_code == 200 and _rows(everyone.text) == ["T1", "T2", "T3", "L1", "L2"]
    page = client.get(f"/reports/roster?programme={p.id}&branch={bank['tianyuan'].id}&week={w3.id}&state=failed")
    assert _rows(page.text) == ["T1"]
    assert "未通过 ×2" in page.text
    by_text = client.get(f"/reports/roster?q=天元&week={w3.id}&state=failed", headers={"HX-Request": "true"})
    assert by_text.text.startswith('<div id="report-table"') and _rows(by_text.text) == ["T1"]
    assert _rows(client.get("/reports/roster?q=芦淞&state=failed").text) == ["L1"]
    assert _rows(client.get("/reports/roster?position=rm_junior").text) == ["T2", "L2"]
    assert _rows(client.get("/reports/roster?q=王芳").text) == ["T2"]
    assert _rows(client.get("/reports/roster", query_string={"q": "Ｌ１"}).text) == ["L1"]  # typed full-width
    assert _rows(client.get("/reports/roster", query_string={"q": "t 2"}).text) == ["T2"]


def test_branch_manager_sees_only_their_tree(client, bank, make_user):
    manager = make_user(("branch_manager",), employee_no="manager", branch=bank["tianyuan"])
    sign_in(client, manager)
    page = client.get("/reports/roster")
    assert _rows(page.text) == ["T1", "T2", "T3"]
    assert "芦淞支行" not in page.text  # not even among the filter's choices
    assert client.get(f"/reports/roster?branch={bank['lusong'].id}").status_code == 404
    assert client.get(f"/reports/people/{bank['people']['L1'].id}").status_code == 404
    assert client.get(f"/reports/people/{bank['people']['T1'].id}").status_code == 200
    assert "刘洋" not in client.get("/reports/overdue").text
    totals = client.get("/reports/totals").text
    assert "天元支行" in totals and "芦淞支行" not in totals


def test_branch_totals_per_week(client, bank, make_user):
    sign_in(client, make_user(("hr",), employee_no="hr", locale="en"))
    w1, w3 = bank["weeks"][0], bank["weeks"][2]
    page = client.get(f"/reports/totals?week={w3.id}")
    assert page.status_code == 200
    table = page.text.split('id="totals-week-3"', 1)[1].split("</table>", 1)[0]
    tianyuan = table.split("天元支行", 1)[1].split("</tr>", 1)[0]
    # 3 learners, 1 passed (33.3%); first tries: T1 failed, T2 passed → 50%; mean of results 60, 95 → 77.5
    cells = [c.split("<", 1)[0] for c in tianyuan.split("<td>")[1:]]
    assert cells[:5] == ["3", "1", "33.3%", "50%", "77.5"]
    all_weeks = client.get("/reports/totals").text
    assert 'id="totals-week-1"' in all_weeks and 'id="totals-week-4"' not in all_weeks  # not open yet


def test_overdue_list(client, bank, make_user):
    sign_in(client, make_user(("trainer",), employee_no="trainer", locale="en"))
    page = client.get("/reports/overdue").text
    body = page.split("<tbody>", 1)[1]
    # Week 2 was due 2026-03-01: everyone but L2 (passed it) is overdue; week 1 everyone passed.
    assert body.count("<tr>") == 4 and "陈静" not in body
    assert "第 2 周" in body and "第 1 周" not in body


def test_a_page_costs_the_same_statements_for_10_or_40_learners(app, client, clock, make_user, make_branch):
    branches = [make_branch("ZZ0101", "天元支行"), make_branch("ZZ0102", "芦淞支行")]
    p = make_programme(4)
    urls = ("/reports/roster", "/reports/roster?state=failed", f"/reports/roster?q=天元&week={p.items[2].id}",
            "/reports/totals", "/reports/overdue", "/reports/rankings")
    sign_in(client, make_user(("trainer",), employee_no="trainer"))

    def add_learners(start, stop):
        for i in range(start, stop):
            u = make_user(employee_no=f"N{i:03d}", branch=branches[i % 2], position="teller")
            add_attempt(u, p.items[0], 50 + i)
            if i % 2:
                add_attempt(u, p.items[2], 40)

    add_learners(0, 10)
    client.get("/reports/roster")  # the first request of an app loads more
    with_10 = {url: statements_of(client, url)[0] for url in urls}
    add_learners(10, 40)
    with_40 = {url: statements_of(client, url)[0] for url in urls}
    assert "N039" in client.get("/reports/roster").text
    assert with_10 == with_40
