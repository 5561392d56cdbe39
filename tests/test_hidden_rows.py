"""An imported workbook whose rows or columns Excel does not show: HR hid the
rows of people not to import (by hand, with a filter, or folded in a group),
and every importer that reads XLSX imported them like the others (openpyxl's
read-only mode does not say a row is hidden). Each importer now refuses the
file, naming the hidden rows as Excel numbers them (or the hidden column), and
imports nothing; the same file with the rows shown, or deleted, is read.

The importers: people (HR's page and ``flask people import``), mentoring
pairings, and questions from Excel (the console and ``flask content
import-xlsx``)."""
from __future__ import annotations

import io
from datetime import date

import pytest
from flask_babel import force_locale
from openpyxl import Workbook

from lms.content.importers.xlsx import read_xlsx
from lms.extensions import db
from lms.mentoring import imports as pairing_imports
from lms.org import imports as people_imports
from lms.org.models import User
from tests.conftest import sign_in
from tests.mentoring.pairing_world import make_world
from tests.org.conftest import org  # noqa: F401


def _save(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _people(hide=(), hide_column=None, filter_out=()) -> bytes:
    """Five people under a title row; ``hide``: Excel row numbers hidden by hand;
    ``filter_out``: rows an autofilter left out; ``hide_column``: a column letter."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "人员名单"
    sheet.append(["2026年新员工名单"])
    sheet.append(["工号", "姓名", "支行", "岗位", "入职日期", "角色"])
    for n in range(1, 6):
        sheet.append([f"E50{n:02d}", f"新员工{n}", "天元支行", "柜员", "2025-01-02", "学员"])
    _hide(sheet, hide, hide_column, filter_out)
    return _save(workbook)


def _hide(sheet, hide, hide_column, filter_out) -> None:
    for row in hide:
        sheet.row_dimensions[row].hidden = True
    if hide_column:
        sheet.column_dimensions[hide_column].hidden = True
    if filter_out:
        sheet.auto_filter.ref = f"A2:F{sheet.max_row}"
        sheet.auto_filter.add_filter_column(1, ["新员工1", "新员工2"])
        for row in filter_out:  # what Excel writes for the rows its filter leaves out
            sheet.row_dimensions[row].hidden = True


def _pairings(hide=(), hide_column=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "结对"
    sheet.append(["师傅工号", "徒弟工号", "开始日期", "计划结束日期", "带教目标"])
    for mentor, apprentice in (("M001", "L001"), ("M002", "L005"), ("M001", "L002")):
        sheet.append([mentor, apprentice, date(2026, 3, 9), date(2026, 9, 1), "独立完成贷前调查"])
    _hide(sheet, hide, hide_column, ())
    return _save(workbook)


def _questions(hide=(), hide_column=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "题库"
    sheet.append(["题型", "题干", "选项A", "选项B", "答案"])
    for n in range(1, 5):
        sheet.append(["单选", f"第{n}题？", "对", "错", "A"])
    _hide(sheet, hide, hide_column, ())
    return _save(workbook)


@pytest.fixture
def english(app):
    with app.test_request_context(), force_locale("en"):
        yield


@pytest.fixture
def people_world(org):
    return org


@pytest.fixture
def pairing_world(make_user, make_branch, clock):
    return make_world(make_user, make_branch)


def _plan_people(data):
    plan = people_imports.plan_import(data, "名单.xlsx")
    return [str(p) for p in plan.problems], len(plan.rows)


def _plan_pairings(data):
    plan = pairing_imports.plan_import(data, "结对.xlsx")
    return [str(p) for p in plan.problems], len(plan.rows)


def _plan_questions(data):
    result = read_xlsx(data, "题库.xlsx")
    return [p.message for p in result.problems], len(result.questions)


IMPORTERS = {
    "people": (_people, _plan_people, "people_world", 5, 4, "C"),
    "pairings": (_pairings, _plan_pairings, "pairing_world", 3, 3, "B"),
    "questions": (_questions, _plan_questions, None, 4, 3, "D"),
}
# (file maker, plan, world fixture, rows in the file, an Excel row to hide, a column read by the import)


@pytest.mark.parametrize("kind", IMPORTERS)
def test_hidden_rows_are_refused_by_every_xlsx_import(request, app, english, kind):
    make, plan, world, count, row, _column = IMPORTERS[kind]
    if world:
        request.getfixturevalue(world)
    problems, read = plan(make())
    assert (problems, read) == ([], count)

    problems, read = plan(make(hide=(row,)))
    assert read == 0
    assert [p for p in problems if "hidden" in p] == [
        f"Row {row} is hidden in Excel (hidden, filtered out or folded in a group), yet it would be imported. "
        "Delete the row if it is not to be imported, or unhide it (clear the filter), then upload the file again."]

    problems, read = plan(make(hide=(row - 1, row)))
    assert read == 0 and any(f"Rows {row - 1}–{row} are hidden in Excel" in p for p in problems), problems


@pytest.mark.parametrize("kind", IMPORTERS)
def test_a_hidden_column_the_import_reads_is_refused(request, app, english, kind):
    make, plan, world, count, _row, column = IMPORTERS[kind]
    if world:
        request.getfixturevalue(world)
    problems, read = plan(make(hide_column=column))
    assert read == 0
    assert len(problems) == 1 and "this column is hidden in Excel, yet it would be imported" in problems[0], problems


def test_a_hidden_column_the_import_does_not_read_is_no_problem(app, english, people_world):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["工号", "姓名", "支行", "岗位", "入职日期", "角色", "核对用（公式）"])
    sheet.append(["E5101", "新员工", "天元支行", "柜员", "2025-01-02", "学员", "=A2"])
    sheet.column_dimensions["G"].hidden = True
    sheet.row_dimensions[5].hidden = True  # an empty hidden row is no problem either
    problems, read = _plan_people(_save(workbook))
    assert (problems, read) == ([], 1)


def test_rows_filtered_out_and_hidden_above_the_header_in_chinese(app, people_world):
    """An autofilter left out rows 4 and 6 (Excel hides them); a hidden note
    above the header is not imported anyway."""
    with app.test_request_context(), force_locale("zh_CN"):
        problems, read = _plan_people(_people(filter_out=(4, 6), hide=(1,)))
    assert read == 0
    assert problems == ["第 4、6 行在 Excel 中是隐藏的（被隐藏、被筛选掉或折叠在分组中），但会被导入。不要导入的行请删除，"
                        "否则请取消隐藏（清除筛选），然后重新上传文件。"]


def test_hr_uploading_hidden_rows_sees_them_named_and_nothing_is_imported(client, people_world):
    sign_in(client, people_world.hr)
    page = client.post("/org/people/import", data={"file": (io.BytesIO(_people(hide=(5,))), "名单.xlsx")},
                       content_type="multipart/form-data")
    assert page.status_code == 200
    assert "第 5 行在 Excel 中是隐藏的" in page.text and 'name="token"' not in page.text
    assert db.session.scalar(db.select(User).where(User.employee_no.like("E50%"))) is None


def test_the_command_line_imports_refuse_hidden_rows(app, runner, tmp_path, people_world, make_user, make_course):
    people = tmp_path / "名单.xlsx"
    people.write_bytes(_people(hide=(3,)))
    result = runner.invoke(args=["people", "import", str(people)])
    assert result.exit_code == 1 and "第 3 行在 Excel 中是隐藏的" in result.output, result.output
    assert db.session.scalar(db.select(User).where(User.employee_no.like("E50%"))) is None

    make_user(("trainer",), employee_no="trainer-x")
    make_course("credit")
    bank = tmp_path / "题库.xlsx"
    bank.write_bytes(_questions(hide=(2, 3)))
    result = runner.invoke(args=["content", "import-xlsx", str(bank), "--course", "credit", "--as", "trainer-x"])
    assert result.exit_code == 1 and "第 2–3 行在 Excel 中是隐藏的" in result.output, result.output


def test_a_sheet_that_hides_every_row_below_its_data(app, english, people_world):
    """Excel's "hide every row below": rows are hidden by default
    (``zeroHeight``) and the visible ones carry a height of their own."""
    data = _people()
    import re
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(b'<sheetFormatPr baseColWidth="8" defaultRowHeight="15"',
                                    b'<sheetFormatPr baseColWidth="8" defaultRowHeight="15" zeroHeight="1"')
                body = re.sub(rb'<row r="(\d)">', lambda m: b'<row r="%s" ht="15" customHeight="1">' % m.group(1)
                              if m.group(1) != b"6" else m.group(0), body)
            archive.writestr(info, body)
    problems, read = _plan_people(out.getvalue())
    assert read == 0 and problems[0].startswith("Row 6 is hidden in Excel"), problems


def test_a_hidden_sheet_of_questions_is_refused_and_a_hidden_empty_one_is_no_problem(app, english):
    """The question import read its sheets by name, hidden or not (HR's imports
    never read a hidden sheet): a trainer's hidden 案例题 sheet of old cases was
    imported with the rest."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "题库"
    sheet.append(["题型", "题干", "选项A", "选项B", "答案"])
    sheet.append(["单选", "第1题？", "对", "错", "A"])
    cases = workbook.create_sheet("案例题")
    cases.append(["案例背景", "题型", "题干", "选项A", "选项B", "答案"])
    cases.sheet_state = "hidden"
    problems, read = _plan_questions(_save(workbook))
    assert (problems, read) == ([], 1)  # hidden but empty: nothing to import from it
    cases.append(["旧案例", "单选", "旧题？", "对", "错", "A"])
    problems, read = _plan_questions(_save(workbook))
    assert read == 0 and problems == [
        "The sheet 案例题 is hidden in Excel, yet its questions would be imported: unhide it (or delete it), then "
        "upload the file again."]
