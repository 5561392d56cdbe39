"""The pairing import with a workbook as HR makes it in Excel: a title above the
header, the data on the second sheet, 工号 typed as numbers (Excel dropped their
leading zeros), dates as Excel serial numbers."""
from __future__ import annotations

import io
from datetime import date

import pytest
from flask_babel import force_locale
from openpyxl import Workbook

from lms.extensions import db
from lms.mentoring import imports
from tests.conftest import sign_in
from tests.mentoring.pairing_world import make_world


@pytest.fixture
def w(app, clock, make_user, make_branch):
    world = make_world(make_user, make_branch)
    with app.test_request_context(), force_locale("en"):
        yield world


def _workbook(apprentice_no) -> bytes:
    workbook = Workbook()
    workbook.active.title = "说明"
    workbook.active.append(["结对名单见第二个工作表。"])
    sheet = workbook.create_sheet("结对")
    sheet.append(["2026年师徒结对表"])
    sheet.append(["师傅工号", "徒弟\n工号", "开始日期", "计划结束日期", "带教目标（选填）"])
    start, end = date(2026, 3, 9), date(2026, 9, 1)
    sheet.append(["M001", apprentice_no, (start - date(1899, 12, 30)).days, end, "独立完成贷前调查"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_numeric_employee_number_on_the_second_sheet_is_the_zero_padded_person(client, w):
    w.learners[0].employee_no = "000731"
    db.session.commit()
    plan = imports.plan_import(_workbook(731), "结对.xlsx")
    assert not plan.problems, [str(p) for p in plan.problems]
    [row] = plan.rows
    assert (row.row, row.apprentice.employee_no, row.start_date, row.planned_end_date) == (
        3, "000731", date(2026, 3, 9), date(2026, 9, 1))
    assert plan.sheet == "结对"

    sign_in(client, w.hr)
    page = client.post("/mentoring/admin/import", data={"file": (io.BytesIO(_workbook(732)), "结对.xlsx")},
                       content_type="multipart/form-data")
    assert "Read from the sheet “结对”; the row numbers are that sheet's." in page.text
    assert "Row 3, column “徒弟 工号”: no one has the employee number “732”." in page.text


def test_the_hr_systems_headers_and_a_totals_row_are_read(w):
    text = ("师傅员工编号\t徒弟员工编号\t开始日期\t计划结束日期\r\n"
            "M001\tL001\t2026-03-09 00:00:00\t2026/9/1\r\n"
            "合计：1 对\r\n")
    plan = imports.plan_import(text.encode("utf-16"), "结对.txt")
    assert not plan.problems, [str(p) for p in plan.problems]
    assert [(r.row, r.mentor.employee_no, r.apprentice.employee_no) for r in plan.rows] == [(2, "M001", "L001")]
    assert [str(n) for n in plan.notes] == ["Row 3: “合计：1 对” is a totals row: it is not imported."]
