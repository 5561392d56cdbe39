"""A people or pairing file refused as a whole says what is wrong and how to put it right, in
Chinese and in English: a damaged workbook, an empty file, the rows on a hidden sheet (which is
never read: it said "the file is empty", or listed the cover sheet's missing columns), hidden
rows, too many rows, a header that names no column."""
from __future__ import annotations

import io

import openpyxl
import pytest
from flask_babel import force_locale

from lms.mentoring import imports as pairing_imports
from lms.org import imports as people_imports

PEOPLE = ["工号", "姓名", "支行", "岗位", "入职日期", "角色"]
PAIRS = ["师傅工号", "徒弟工号", "开始日期", "计划结束日期", "带教目标"]


def _workbook(header, row, *, cover=False, hide_rows=()):
    book = openpyxl.Workbook()
    first = book.active
    if cover:
        first.title = "填表说明"
        first.append(["请按模板填写，每人一行"])
        sheet = book.create_sheet("花名册")
    else:
        sheet, sheet.title = first, "花名册"
    sheet.append(header)
    for _n in range(3):
        sheet.append(row)
    for number in hide_rows:
        sheet.row_dimensions[number].hidden = True
    if not hide_rows:
        sheet.sheet_state = "hidden"
        if not cover:
            book.create_sheet("Sheet2")
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


PERSON = ["E1", "张三", "天元支行", "柜员", "2025-01-01", "学员"]
PAIR = ["M001", "L001", "2026-03-02", "2026-09-01", ""]


def _problems(app, module, data, filename, locale):
    with app.test_request_context(), force_locale(locale):
        return [str(p) for p in module.plan_import(data, filename).problems]


@pytest.mark.parametrize("module, header, row", [(people_imports, PEOPLE, PERSON), (pairing_imports, PAIRS, PAIR)])
@pytest.mark.parametrize("cover", [False, True])
def test_rows_on_a_hidden_sheet_are_named_with_the_way_to_unhide_it(app, module, header, row, cover):
    data = _workbook(header, row, cover=cover)
    assert _problems(app, module, data, "名单.xlsx", "zh_CN") == [
        "第 1 行：数据行在工作表“花名册”上，该表在 Excel 中是隐藏的，而隐藏的工作表从不读取。"
        "请取消隐藏（右键单击工作表标签 → 取消隐藏），检查后重新上传文件。"]
    assert _problems(app, module, data, "名单.xlsx", "en") == [
        "Row 1: The rows are on the sheet “花名册”, which is hidden in Excel, and a hidden sheet is never read. "
        "Unhide it (right-click a sheet tab → Unhide), check it, and upload the file again."]


@pytest.mark.parametrize("module", [people_imports, pairing_imports])
def test_an_empty_file_and_a_damaged_workbook_say_what_to_do(app, module):
    assert _problems(app, module, b"", "x.csv", "en") == [
        "Row 1: The file is empty: no sheet has anything in it. Check that you chose the right file; the blank "
        "template on the upload page has the headers to fill in."]
    assert _problems(app, module, b"PK\x03\x04 not a zip", "x.xlsx", "zh_CN") == [
        "第 1 行：文件不是可读取的 XLSX 工作簿：文件已损坏，或不是用 Excel 或 WPS 保存的工作簿。"
        "请用 Excel 或 WPS 打开，“另存为”Excel 工作簿 (*.xlsx)，再上传该文件。"]
    assert _problems(app, module, b"PK\x03\x04 not a zip", "x.xlsx", "en") == [
        "Row 1: The file is not a readable XLSX workbook: it is damaged, or not a workbook saved by Excel or WPS. "
        "Open it in Excel or WPS, save it again as Excel Workbook (*.xlsx), and upload that file."]


@pytest.mark.parametrize("module, header, row", [(people_imports, PEOPLE, PERSON), (pairing_imports, PAIRS, PAIR)])
def test_a_visible_sheet_with_the_columns_is_read_whatever_is_hidden(app, module, header, row):
    """A hidden sheet beside the one that holds the columns (a lookup list) is no problem."""
    book = openpyxl.load_workbook(io.BytesIO(_workbook(header, row, cover=True)))
    book["花名册"].sheet_state = "visible"
    book["填表说明"].sheet_state = "hidden"
    data = io.BytesIO()
    book.save(data)
    problems = _problems(app, module, data.getvalue(), "名单.xlsx", "en")
    assert not [p for p in problems if "hidden" in p or "column" in p and "missing" in p]


@pytest.mark.parametrize("locale, says", [
    ("zh_CN", "第 3 行在 Excel 中是隐藏的（被隐藏、被筛选掉或折叠在分组中），但会被导入。不要导入的行请删除，"
              "否则请取消隐藏（清除筛选），然后重新上传文件。"),
    ("en", "Row 3 is hidden in Excel (hidden, filtered out or folded in a group), yet it would be imported. Delete "
           "the row if it is not to be imported, or unhide it (clear the filter), then upload the file again.")])
def test_hidden_rows_and_too_many_rows_name_the_rows_and_the_fix(app, locale, says):
    data = _workbook(PEOPLE, PERSON, hide_rows=(3,))
    assert _problems(app, people_imports, data, "名单.xlsx", locale) == [says]
    many = ",".join(PEOPLE) + "\n" + "".join(f"E{n},张三,天元支行,柜员,2025-01-01,学员\n" for n in range(5001))
    [too_many] = _problems(app, people_imports, many.encode(), "x.csv", locale)
    assert too_many.startswith(("第 1 行：文件中有 5,001 人，每个文件最多可导入 5,000 人。请将文件拆分",
                                "Row 1: The file has 5,001 people; at most 5,000 can be imported from one file. Split"))
