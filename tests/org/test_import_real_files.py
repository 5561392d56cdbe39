"""The people import with files as a real bank's HR system and Excel make them:
a title above the header, headers spelled with spaces, line breaks, full-width
brackets and notes, extra columns in another order, the data on another sheet
(hidden sheets never read), 工号 typed as numbers, dates as serial numbers and
Chinese text, Excel's error cells, an old .xls workbook."""
from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook
from openpyxl.styles import Font

from lms.extensions import db
from lms.org import imports
from lms.org.models import User
from tests.conftest import sign_in
from tests.org.conftest import events, xlsx_bytes


pytestmark = pytest.mark.usefixtures("in_chinese")  # services called directly speak zh_CN, as on the web


def _person(employee_no: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.employee_no == employee_no))


def _serial(day: date) -> int:
    return (day - date(1899, 12, 30)).days


def test_a_title_row_spelled_headers_extra_columns_and_trailing_empty_rows(app, org, clock):
    """The sheet an HR system exports: a merged title, the date it was made, then a
    header in another order with notes, line breaks and full-width brackets, a column
    the import does not know, and thousands of formatted but empty rows at the end."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "人员名单"
    sheet.append(["株洲分行2026年一季度新员工名单"])
    sheet.merge_cells("A1:H1")
    sheet.append(["导出时间：2026-03-01"])
    sheet.append([])
    sheet.append(["序号", "姓  名", "*工号", "地区\n（网点）", "岗位(必填)", "入职\n日期（YYYY-MM-DD）", "角色",
                  "身份证号"])
    sheet.append([1, "阿依古丽·买买提", "E4001", "天元支行", "柜员", "2025-07-01", "学员", "430202199001011234"])
    sheet.append([2, "𠮷田晓", "E4002", "芦淞支行", "初级客户经理", "2024/9/1", "学员", "430202199202021234"])
    for row in range(7, 3007):
        sheet.cell(row=row, column=1).font = Font(bold=True)  # empty, but written to the file
    plan = imports.plan_import(xlsx_bytes(workbook), "名单.xlsx")
    # 地区（网点） is not 支行: the problem names the header row and the headers the branch may stand under.
    assert [str(p) for p in plan.problems] == [
        "第 4 行“支行”：表头缺少此列（可用的列名：“支行”、“所属支行”、“所属机构”、“机构名称”、“所属网点”、“网点”、"
        "“机构”、“所属部门”、“部门”）"]

    sheet.cell(row=4, column=4).value = "支行\n（网点）"
    plan = imports.plan_import(xlsx_bytes(workbook), "名单.xlsx")
    assert not plan.problems, [str(p) for p in plan.problems]
    assert [(r.row, r.employee_no, r.name, r.branch.name, r.hire_date, r.action) for r in plan.rows] == [
        (5, "E4001", "阿依古丽·买买提", "天元支行", date(2025, 7, 1), "create"),
        (6, "E4002", "𠮷田晓", "芦淞支行", date(2024, 9, 1), "create")]
    imports.apply_import(plan)
    db.session.commit()
    assert _person("E4002").name == "𠮷田晓" and _person("E4001").name == "阿依古丽·买买提"

    # A problem names the row as Excel numbers it and the column as the file spells it.
    sheet.cell(row=6, column=4).value = "荷塘支行"
    plan = imports.plan_import(xlsx_bytes(workbook), "名单.xlsx")
    assert [str(p) for p in plan.problems] == ["第 6 行“支行 （网点）”：未知支行“荷塘支行”"]


def test_the_data_on_another_sheet_is_found_and_a_hidden_sheet_is_never_read(app, org, clock):
    workbook = Workbook()
    notes = workbook.active
    notes.title = "填写说明"
    notes.append(["请在第三个工作表填写人员；工号、姓名、支行、岗位、入职日期、角色均必填。"])
    old = workbook.create_sheet("旧名单")
    old.append(["工号", "姓名", "支行", "岗位", "入职日期", "角色"])
    old.append(["E4999", "不该导入", "天元支行", "柜员", "2020-01-01", "管理员"])
    old.sheet_state = "hidden"
    data = workbook.create_sheet("名单")
    data.append(["工号", "姓名", "支行", "岗位", "入职日期", "角色"])
    data.append(["E4003", "段明", "天元支行", "柜员", "2025-01-02", "学员"])
    plan = imports.plan_import(xlsx_bytes(workbook), "名单.xlsx")
    assert not plan.problems, [str(p) for p in plan.problems]
    assert plan.sheet == "名单" and [r.employee_no for r in plan.rows] == ["E4003"]


def test_dates_as_serial_numbers_chinese_text_and_date_times(app, org, clock):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["工号", "姓名", "支行", "岗位", "入职日期", "角色"])
    days = [_serial(date(2025, 3, 5)), "2025/3/5", "2025年3月5日", "2025-03-05 00:00:00", datetime(2025, 3, 5),
            "20250305", "2025.3.5", str(_serial(date(2025, 3, 5)))]
    for n, day in enumerate(days, start=1):
        sheet.append([f"E41{n:02d}", f"测试{n}", "天元支行", "柜员", day, "学员"])
    sheet.append(["E4199", "测试99", "天元支行", "柜员", "2025-13-05", "学员"])
    plan = imports.plan_import(xlsx_bytes(workbook), "名单.xlsx")
    assert [r.hire_date for r in plan.rows] == [date(2025, 3, 5)] * len(days)
    assert [str(p) for p in plan.problems] == ["第 10 行“入职日期”：“2025-13-05”不是有效日期，请按 YYYY-MM-DD 填写"]


def test_employee_numbers_typed_as_numbers_keep_their_leading_zeros(app, org, clock, make_user):
    """00123 typed into a number cell is 123 in the file: it is the existing 00123,
    not a new person; a number shown as 00456 by its cell format is 00456; 789.0 is 789."""
    make_user(("learner",), employee_no="00123", name="钟离·阿明", branch=org.tianyuan, position="teller",
              position_start=date(2024, 1, 2))
    existing = _person("00123")
    existing.hire_date = date(2024, 1, 2)
    db.session.commit()
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["工号", "姓名", "支行", "岗位", "入职日期", "角色"])
    sheet.append([123, "钟离·阿明", "天元支行", "柜员", "2024-01-02", "学员"])
    sheet.append([456, "欧阳娜", "天元支行", "柜员", "2025-02-03", "学员"])
    sheet["A3"].number_format = "00000"
    sheet.append([789.0, "司马青", "芦淞支行", "柜员", "2025-02-03", "学员"])
    plan = imports.plan_import(xlsx_bytes(workbook), "名单.xlsx")
    assert not plan.problems, [str(p) for p in plan.problems]
    assert [(r.employee_no, r.action) for r in plan.rows] == [
        ("00123", "unchanged"), ("00456", "create"), ("789", "create")]
    imports.apply_import(plan)
    db.session.commit()
    assert _person("123") is None and _person("00456").name == "欧阳娜"


def test_a_cell_showing_an_excel_error_is_named_not_imported(app, org, clock):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["工号", "姓名", "支行", "岗位", "入职日期", "角色"])
    sheet.append(["E4201", "柯南", "#N/A", "柜员", "2025-01-02", "学员"])  # a VLOOKUP that found nothing
    for _ in range(3):  # the VLOOKUP dragged down past the data: rows HR sees as empty
        sheet.append([None, None, "#N/A"])
    plan = imports.plan_import(xlsx_bytes(workbook), "名单.xlsx")
    assert [str(p) for p in plan.problems] == [
        "第 2 行“支行”：单元格显示 Excel 错误“#N/A”（公式出错），请更正或直接填写。"]
    assert not plan.rows


def test_an_old_xls_workbook_is_refused_naming_the_format(client, org, clock):
    xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    for name in ("花名册.xls", "花名册.csv"):
        plan = imports.plan_import(xls, name)
        assert [str(p) for p in plan.problems] == [
            "第 1 行：这是旧版 Excel 97–2003 工作簿 (.xls)，无法读取。请在 Excel 中“另存为”Excel 工作簿 (*.xlsx) "
            "或 CSV UTF-8，再上传该文件。"]
    sign_in(client, org.hr)
    page = client.post("/org/people/import", data={"file": (io.BytesIO(xls), "花名册.xls")},
                       content_type="multipart/form-data")
    assert page.status_code == 200 and "Excel 97–2003" in page.text
    assert not events("people.imported")


def test_formulas_are_read_by_their_saved_result_and_one_without_a_result_is_named(app, org, clock):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["工号", "姓名", "支行", "岗位", "入职日期", "角色"])
    sheet.append(["E4301", "=\"欧阳\"&\"娜\"", "天元支行", "柜员", "2025-01-02", "学员"])
    data = xlsx_bytes(workbook)
    # openpyxl, like an HR system's exporter, writes the formula without its result.
    plan = imports.plan_import(data, "名单.xlsx")
    assert [str(p) for p in plan.problems] == [
        "第 2 行“姓名”：单元格是公式 =\"欧阳\"&\"娜\"，但文件里没有它的计算结果；请用 Excel 或 WPS 打开后重新保存，"
        "或粘贴为数值。"]
    # Excel saves the result beside the formula: that result is the name.
    saved = _rewrite_sheet(data, lambda xml: xml.replace('<c r="B2"><f>', '<c r="B2" t="str"><f>').replace(
        "</f><v /></c>", "</f><v>欧阳娜</v></c>"))
    plan = imports.plan_import(saved, "名单.xlsx")
    assert not plan.problems and [r.name for r in plan.rows] == ["欧阳娜"]


def _rewrite_sheet(data: bytes, change) -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                changed = change(body.decode("utf-8"))
                assert changed != body.decode("utf-8")
                body = changed.encode("utf-8")
            target.writestr(info, body)
    return out.getvalue()


def test_an_hr_export_with_a_status_column_deactivates_who_left_and_creates_no_leaver(client, org, clock, make_user):
    """HR systems export everyone with their 在职状态: someone who left is deactivated
    (their other cells change nothing), a leaver unknown here is not created, someone
    at work again is reactivated; the preview says so before anything changes."""
    leaving = make_user(("learner",), employee_no="E4401", name="上官·婉", branch=org.tianyuan, position="teller",
                        position_start=date(2024, 1, 2))
    back = make_user(("learner",), employee_no="E4402", name="东方朔", branch=org.tianyuan, position="teller",
                     position_start=date(2024, 1, 2), active=False)
    for person in (leaving, back):
        person.hire_date = date(2024, 1, 2)
    db.session.commit()
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["工号", "姓名", "支行", "岗位", "入职日期", "角色", "人员状态"])
    sheet.append(["E4401", "上官·婉", "芦淞支行", "柜员", "2024-01-02", "学员", "离职"])
    sheet.append(["E4402", "东方朔", "天元支行", "柜员", "2024-01-02", "学员", "在职"])
    sheet.append(["E4403", "早已离职", "天元支行", "柜员", "2020-01-02", "学员", "已离职"])
    sheet.append(["E4404", "新同事", "天元支行", "柜员", "2025-01-02", "学员", ""])
    sheet.append(["E4405", "待定", "天元支行", "柜员", "2025-01-02", "学员", "停薪留职"])
    plan = imports.plan_import(xlsx_bytes(workbook), "hr-export.xlsx", actor=org.hr)
    assert [str(p) for p in plan.problems] == ["第 6 行“人员状态”：未知在职状态“停薪留职”，请填写“在职”或“离职”"]
    sheet.delete_rows(6)
    data = xlsx_bytes(workbook)
    plan = imports.plan_import(data, "hr-export.xlsx", actor=org.hr)
    assert not plan.problems, [str(p) for p in plan.problems]
    assert [(r.employee_no, r.action, r.changes) for r in plan.rows] == [
        ("E4401", "update", [("在职状态", "在职", "离职：停用账户")]),
        ("E4402", "update", [("在职状态", "已停用", "在职：重新启用账户")]),
        ("E4403", "unchanged", []),
        ("E4404", "create", [])]

    sign_in(client, org.hr)
    preview = client.post("/org/people/import", data={"file": (io.BytesIO(data), "hr-export.xlsx")},
                          content_type="multipart/form-data")
    assert "离职：停用账户" in preview.text and "已离职：不创建" in preview.text
    token = preview.text.split('name="token" value="')[1].split('"')[0]
    assert client.post("/org/people/import/confirm", data={"token": token}).status_code == 200
    db.session.expire_all()
    assert not _person("E4401").active and _person("E4401").branch_id == org.tianyuan.id  # nothing else changed
    assert _person("E4402").active and _person("E4403") is None and _person("E4404").active
    assert [e.details_dict["reason"] for e in events("user.deactivated")] == ["离职（从 hr-export.xlsx 导入）"]
    # The same file again changes nothing.
    plan = imports.plan_import(data, "hr-export.xlsx", actor=org.hr)
    assert [r.action for r in plan.rows] == ["unchanged", "unchanged", "unchanged", "unchanged"]


def test_a_csv_written_from_a_float_column_reads_123_0_as_the_employee_number(app, org, clock, make_user):
    make_user(("learner",), employee_no="00777", name="慕容复", branch=org.tianyuan, position="teller",
              position_start=date(2024, 1, 2))
    _person("00777").hire_date = date(2024, 1, 2)
    db.session.commit()
    body = ("工号,姓名,支行,岗位,入职日期,角色\n"
            "777.0,慕容复,天元支行,柜员,2024-01-02,学员\n"
            "888.0,王语嫣,天元支行,柜员,2024-01-02,学员\n").encode("gbk")
    plan = imports.plan_import(body, "人员.csv")
    assert not plan.problems, [str(p) for p in plan.problems]
    assert [(r.employee_no, r.action) for r in plan.rows] == [("00777", "unchanged"), ("888", "create")]
