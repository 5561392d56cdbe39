"""Every table downloads as XLSX and CSV with the page's filters and scope;
texts that look like formulas stay text."""
from __future__ import annotations

import csv
import io

import openpyxl

from lms.reports.exports import to_csv
from tests.conftest import sign_in
from tests.reports.test_roster_pages import bank  # noqa: F401  (fixture)


def _xlsx_rows(response) -> list[list]:
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    return [list(r) for r in book.active.iter_rows(values_only=True)]


def _csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200 and response.data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_the_filtered_roster_downloads_as_xlsx_and_csv(client, bank, make_user):  # noqa: F811
    sign_in(client, make_user(("trainer",), employee_no="trainer"))
    p, w3 = bank["programme"], bank["weeks"][2]
    query = f"programme={p.id}&branch={bank['tianyuan'].id}&week={w3.id}&state=failed"
    rows = _xlsx_rows(client.get(f"/reports/export/roster.xlsx?{query}"))
    assert rows[0][:4] == ["工号", "姓名", "机构", "岗位"] and rows[0][4:] == [f"第 {n} 周" for n in range(1, 5)]
    assert [r[0] for r in rows[1:]] == ["T1"]
    assert rows[1][2] == "天元支行" and rows[1][6] == "未通过 ×2"
    rows = _csv_rows(client.get(f"/reports/export/roster.csv?{query}"))
    assert [r[0] for r in rows[1:]] == ["T1"] and rows[1][6] == "未通过 ×2"
    whole = _xlsx_rows(client.get(f"/reports/export/roster.xlsx?programme={p.id}"))
    assert len(whole) == 1 + 5  # every row, not a page


def test_other_tables_download_too(client, bank, make_user):  # noqa: F811
    sign_in(client, make_user(("hr",), employee_no="hr"))
    totals = _csv_rows(client.get("/reports/export/totals.csv"))
    assert totals[0][:3] == ["机构", "培训周", "学员数"] and ["天元支行", "3", "3", "1", "33.3%", "50%", "77.5", "0"] in totals
    overdue = _xlsx_rows(client.get("/reports/export/overdue.xlsx"))
    assert len(overdue) == 1 + 4 and {r[1] for r in overdue[1:]} == {"张伟", "王芳", "李娜", "刘洋"}
    learners = _xlsx_rows(client.get("/reports/export/rankings-learners.xlsx"))
    assert learners[0][0] == "名次" and len(learners) == 1 + 5
    branches = _csv_rows(client.get("/reports/export/rankings-branches.csv"))
    assert {r[1] for r in branches[1:]} == {"天元支行", "芦淞支行"}
    assert client.get("/reports/export/people.csv").status_code == 404
    assert client.get("/reports/export/roster.pdf").status_code == 404


def test_a_branch_manager_downloads_only_their_people(client, bank, make_user):  # noqa: F811
    sign_in(client, make_user(("branch_manager",), employee_no="bm", branch=bank["lusong"]))
    rows = _csv_rows(client.get("/reports/export/roster.csv"))
    assert [r[0] for r in rows[1:]] == ["L1", "L2"]
    assert client.get(f"/reports/export/roster.csv?branch={bank['tianyuan'].id}").status_code == 404


def test_formula_like_texts_stay_text(client, bank, make_user):  # noqa: F811
    from lms.extensions import db

    bank["people"]["T3"].name = "=HYPERLINK(\"http://x\",\"点我\")"
    bank["people"]["L2"].name = "@SUM(A1)"
    db.session.commit()
    sign_in(client, make_user(("trainer",), employee_no="trainer"))
    rows = _csv_rows(client.get("/reports/export/roster.csv"))
    names = {r[0]: r[1] for r in rows[1:]}
    assert names["T3"] == "'=HYPERLINK(\"http://x\",\"点我\")" and names["L2"] == "'@SUM(A1)"
    book = openpyxl.load_workbook(io.BytesIO(client.get("/reports/export/roster.xlsx").data))
    cells = {row[0].value: row[1] for row in book.active.iter_rows(min_row=2)}
    assert cells["T3"].data_type == "s" and cells["T3"].value.startswith("=HYPERLINK")
    assert cells["L2"].data_type == "s"
    assert to_csv(["a"], [["-1+2"], ["+x"], ["\tx"], ["ok"]]).decode("utf-8-sig").split("\r\n")[1:5] == \
        ["'-1+2", "'+x", "'\tx", "ok"]
