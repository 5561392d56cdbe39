"""A new HR officer's first week: the files the bank's own HR system exports
(its header names, a totals row, long 工号, names padded to line up, branches
under the bank's full name, dates with a time) and Excel's "Unicode text"."""
from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook

from lms.extensions import db
from lms.org import imports
from lms.org.models import User
from tests.conftest import sign_in
from tests.org.conftest import events, xlsx_bytes

HEADER = ["工号", "姓名", "支行", "岗位", "入职日期", "角色"]


pytestmark = pytest.mark.usefixtures("in_chinese")  # services called directly speak zh_CN, as on the web


def _sheet(*rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    return xlsx_bytes(workbook)


def _texts(problems) -> list[str]:
    return [str(p) for p in problems]


def test_the_hr_systems_header_names_are_read(app, org, clock):
    data = _sheet(["员工编号", "员工姓名", "部门", "所属机构", "岗位名称", "入行日期", "角色"],
                  ["E5001", "宋佳", "个人金融部", "天元支行", "柜员", "2025-07-01", "学员"])
    plan = imports.plan_import(data, "花名册.xlsx")
    # 所属机构 is the branch, though 部门 (the department) stands before it
    assert not plan.problems, _texts(plan.problems)
    assert [(r.employee_no, r.name, r.branch.name) for r in plan.rows] == [("E5001", "宋佳", "天元支行")]

    plan = imports.plan_import("人员编码,姓名,岗位,入职日期,角色\nE5002,宋佳,柜员,2025-07-01,学员\n".encode(), "a.csv")
    assert _texts(plan.problems) == [
        "第 1 行“支行”：表头缺少此列（可用的列名：“支行”、“所属支行”、“所属机构”、“机构名称”、“所属网点”、“网点”、"
        "“机构”、“所属部门”、“部门”）"]


def test_a_totals_row_at_the_bottom_is_left_out_with_a_note(client, org, clock):
    data = _sheet(["2026年12月员工花名册"], [], HEADER,
                  ["E5101", "甘露", "天元支行", "柜员", "2025-07-01", "学员"],
                  ["合计：1 人"], [])
    plan = imports.plan_import(data, "花名册.xlsx")
    assert not plan.problems, _texts(plan.problems)
    assert [r.row for r in plan.rows] == [4]
    assert _texts(plan.notes) == ["第 5 行：“合计：1 人”是合计行，不导入"]
    # a 工号 that only starts like the word is a person
    person = imports.plan_import(_sheet(HEADER, ["TOTALE01", "甘霖", "天元支行", "柜员", "2025-07-01", "学员"]), "a.xlsx")
    assert [r.employee_no for r in person.rows] == ["TOTALE01"] and not person.notes
    sign_in(client, org.hr)
    page = client.post("/org/people/import", data={"file": (io.BytesIO(data), "花名册.xlsx")},
                       content_type="multipart/form-data")
    assert "第 5 行：“合计：1 人”是合计行，不导入" in page.text


def test_a_long_employee_number_excel_shortened_is_refused(app, org, clock):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append([123456789012345678, "龚平", "天元支行", "柜员", "2025-07-01", "学员"])
    sheet["A2"].value = float(123456789012345678)  # what Excel keeps of a typed 18-digit number
    plan = imports.plan_import(xlsx_bytes(workbook), "花名册.xlsx")
    assert _texts(plan.problems) == [
        "第 2 行“工号”：“1.23457E+17”是 Excel 只保留 15 位的长数字，后几位已丢失。请把此列设置为“文本”格式，再重新输入工号。"]
    plan = imports.plan_import("工号,姓名,支行,岗位,入职日期,角色\n1.23457E+17,龚平,天元支行,柜员,2025-07-01,学员\n"
                               .encode(), "花名册.csv")
    assert _texts(plan.problems) == [
        "第 2 行“工号”：“1.23457E+17”是 Excel 只保留 15 位的长数字，后几位已丢失。请把此列设置为“文本”格式，再重新输入工号。"]
    assert db.session.scalar(db.select(db.func.count()).select_from(User).where(User.name == "龚平")) == 0


def test_padded_and_dotted_names_are_read_as_meant_with_a_note(app, org, clock, make_user):
    make_user(("learner",), employee_no="E5201", name="李明", branch=org.tianyuan, position="teller",
              position_start=date(2024, 1, 2))
    db.session.get(User, db.session.scalar(db.select(User.id).where(User.employee_no == "E5201"))).hire_date = \
        date(2024, 1, 2)
    db.session.commit()
    data = _sheet(HEADER, ["E5201", "李　明 ", "天元支行", "柜员", "2024-01-02", "学员"],
                  ["E5202", "阿依古丽•买买提", "天元支行", "柜员", "2024-01-02", "学员"])
    plan = imports.plan_import(data, "花名册.xlsx")
    assert not plan.problems, _texts(plan.problems)
    assert [(r.name, r.action) for r in plan.rows] == [("李明", "unchanged"), ("阿依古丽·买买提", "create")]
    assert _texts(plan.notes) == [
        "第 2 行“姓名”：“李　明”读作“李明”：汉字之间的空格不计，姓名中的点写作“·”",
        "第 3 行“姓名”：“阿依古丽•买买提”读作“阿依古丽·买买提”：汉字之间的空格不计，姓名中的点写作“·”"]


def test_a_branch_under_the_banks_full_name_is_refused_naming_ours(app, org, clock):
    data = _sheet(HEADER, ["E5301", "程远", "株洲农商银行天元支行", "柜员", "2024-01-02", "学员"])
    plan = imports.plan_import(data, "花名册.xlsx")
    assert _texts(plan.problems) == [
        "第 2 行“支行”：未知支行“株洲农商银行天元支行”。如果是“天元支行”，请填写“天元支行”或其代码 ZZ0101。"]
    assert not plan.rows


def test_excels_unicode_text_and_dates_with_a_time(app, org, clock):
    text = "工号\t姓名\t支行\t岗位\t入职日期\t角色\r\nE5401\t闻笛\t芦淞支行\t柜员\t2025/3/1 9:30\t学员\r\n"
    plan = imports.plan_import(text.encode("utf-16"), "花名册.txt")
    assert not plan.problems, _texts(plan.problems)
    assert [(r.name, r.branch.name, r.hire_date) for r in plan.rows] == [("闻笛", "芦淞支行", date(2025, 3, 1))]
    imports.apply_import(plan)
    db.session.commit()
    assert events("people.imported")


def test_a_header_of_two_rows_with_merged_cells_is_read(app, org, clock):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["2026年12月员工花名册"])
    sheet.append(["工号", "姓名", "任职信息", None, None, "角色"])
    sheet.append([None, None, "支行", "岗位", "入职日期", None])
    for cells in ("A1:F1", "A2:A3", "B2:B3", "C2:E2", "F2:F3"):
        sheet.merge_cells(cells)
    sheet.append(["E5501", "卓然", "天元支行", "柜员", "2025-07-01", "学员"])
    sheet.append(["E5502", "", "天元支行", "柜员", "2025-07-01", "学员"])
    plan = imports.plan_import(xlsx_bytes(workbook), "花名册.xlsx")
    assert _texts(plan.problems) == ["第 5 行“姓名”：必填，但为空"]
    sheet["B5"] = "卓越"
    plan = imports.plan_import(xlsx_bytes(workbook), "花名册.xlsx")
    assert not plan.problems, _texts(plan.problems)
    assert [(r.row, r.employee_no, r.branch.name) for r in plan.rows] == [(4, "E5501", "天元支行"),
                                                                          (5, "E5502", "天元支行")]


def test_the_same_person_twice_is_read_once_and_with_other_data_is_refused(app, org, clock):
    data = _sheet(HEADER, ["E5601", "乔木", "天元支行", "柜员", "2025-07-01", "学员"],
                  ["E5601", "乔木", "天元支行", "柜员", "2025-07-01", "学员"])
    plan = imports.plan_import(data, "花名册.xlsx")
    assert not plan.problems, _texts(plan.problems)
    assert [r.row for r in plan.rows] == [2] and _texts(plan.notes) == ["第 3 行：与第 2 行相同，只读一次"]

    data = _sheet(["员工编号", "姓名", "所属机构", "岗位", "入职日期", "角色"],
                  ["E5601", "乔木", "天元支行", "柜员", "2025-07-01", "学员"],
                  ["E5601", "乔木", "芦淞支行", "初级客户经理", "2025-07-01", "学员"])
    plan = imports.plan_import(data, "花名册.xlsx")
    assert _texts(plan.problems) == [
        "第 3 行“员工编号”：工号“E5601”与第 2 行重复，且“所属机构”、“岗位”不同：请保留正确的一行，删除另一行"]


def test_dates_with_a_time_of_day_as_hr_systems_export_them(app, org, clock):
    """A date-time column saved as a number (46082.375 is 2026-03-01 09:00), or as text with a time."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    days = [46082.375, "46082.375", "2026-03-01 09:00:00", "2026/3/1 9:30", "2026年3月1日 08:00", "2026.3.1"]
    for n, day in enumerate(days, start=1):
        sheet.append([f"E57{n:02d}", f"测试{n}", "天元支行", "柜员", day, "学员"])
        sheet.cell(row=n + 1, column=5).number_format = "@"  # the column formatted as text
    sheet.append(["E5799", "测试99", "天元支行", "柜员", "2026/3/1 25:00", "学员"])
    plan = imports.plan_import(xlsx_bytes(workbook), "花名册.xlsx", today=date(2026, 12, 2))
    assert [r.hire_date for r in plan.rows] == [date(2026, 3, 1)] * len(days)
    assert _texts(plan.problems) == ["第 8 行“入职日期”：“2026/3/1 25:00”不是有效日期，请按 YYYY-MM-DD 填写"]
