"""A people file with refused rows comes back to HR with a column 问题 naming each
bad row's column and reason (lms.imports.problems_file): in its own format and
encoding, every row in its place; corrected and uploaded again with the column
still there, it imports. Only its uploader may download it, and the download
writes nothing."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from html import unescape

import pytest
from openpyxl import Workbook, load_workbook

from lms.audit.models import AuditEvent
from lms.extensions import db
from lms.org.models import User
from tests.conftest import sign_in

HEADERS = ["工号", "姓名", "支行", "岗位", "入职日期", "角色"]
GOOD = [[f"E80{n:02d}", f"员工{n}", "天元支行", "柜员", "2024-03-01", "学员"] for n in range(1, 11)]
# File rows 4, 7 and 10 (the header is row 1): one wrong cell each.
MISTAKES = {4: ("岗位", "柜台"), 7: ("支行", "某支行"), 10: ("入职日期", "2024-13-45")}
REASONS = {4: "未知岗位“柜台”", 7: "未知支行“某支行”", 10: "“2024-13-45”不是有效日期"}


def _rows(mistakes=MISTAKES) -> list[list[str]]:
    rows = [list(r) for r in GOOD]
    for row_no, (column, value) in mistakes.items():
        rows[row_no - 2][HEADERS.index(column)] = value
    return rows


def _csv(rows, encoding: str, header=HEADERS) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return out.getvalue().encode(encoding)


def _xlsx(rows, header=HEADERS) -> bytes:
    book = Workbook()
    for row in [header, *rows]:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client, body: bytes, name: str):
    return client.post("/org/people/import", data={"file": (io.BytesIO(body), name)},
                       content_type="multipart/form-data")


def _problems_href(page: str) -> str:
    return unescape(re.search(r'href="(/org/people/import/[^"]+/problems\.\w+)"', page).group(1))


def _table(body: bytes, fmt: str, encoding: str) -> list[list[str]]:
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(body)).active
        return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    return [row for row in csv.reader(io.StringIO(body.decode(encoding), newline=""))]


def _counts():
    return (db.session.scalar(db.select(db.func.count()).select_from(User)),
            db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)))


@pytest.mark.parametrize(("fmt", "encoding"), [("csv", "utf-8-sig"), ("csv", "gbk"), ("xlsx", "")],
                         ids=["csv-utf8-bom", "csv-gbk", "xlsx"])
def test_three_bad_rows_of_ten_come_back_marked_then_the_corrected_file_imports(client, org, clock, fmt,
                                                                                 encoding):
    sign_in(client, org.hr)
    body = _xlsx(_rows()) if fmt == "xlsx" else _csv(_rows(), encoding)
    page = _upload(client, body, f"花名册.{fmt}").text
    assert "3 个问题，未导入任何数据。" in page and 'name="token"' not in page
    before = _counts()

    download = client.get(_problems_href(page))
    assert download.status_code == 200 and _counts() == before  # a download writes nothing
    assert "attachment" in download.headers["Content-Disposition"]
    assert "filename*=UTF-8''%E8%8A%B1%E5%90%8D%E5%86%8C-%E9%97%AE%E9%A2%98." + fmt in \
        download.headers["Content-Disposition"]  # 花名册-问题
    if fmt == "csv":
        charset = "utf-8" if encoding == "utf-8-sig" else "gb18030"
        assert download.headers["Content-Type"] == f"text/csv; charset={charset}"
        assert download.data.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    table = _table(download.data, fmt, encoding or "")
    assert table[0] == [*HEADERS, "问题"]
    assert [row[:6] for row in table[1:]] == _rows()  # every row, in its place, as it was
    for row_no, row in enumerate(table, start=1):
        if row_no in MISTAKES:
            column = MISTAKES[row_no][0]
            assert row[6].startswith(f"“{column}”：") and REASONS[row_no] in row[6], row
        elif row_no > 1:
            assert row[6] == "", row

    # HR corrects the three cells in the downloaded file and uploads it, the column 问题 still there.
    fixed = [[*GOOD[n - 2], row[6]] if n in MISTAKES else row for n, row in enumerate(table, start=1)]
    again = _xlsx(fixed[1:], header=fixed[0]) if fmt == "xlsx" else _csv(fixed[1:], encoding, header=fixed[0])
    preview = _upload(client, again, f"花名册-问题.{fmt}").text
    assert "问题，未导入任何数据" not in preview and 'name="token"' in preview
    token = preview.split('name="token" value="')[1].split('"')[0]
    done = client.post("/org/people/import/confirm", data={"token": token})
    assert done.status_code == 200 and '<div class="stat">10</div><div class="muted">新增</div>' in done.text
    made = db.session.scalars(db.select(User.employee_no).where(User.employee_no.like("E80%"))
                              .order_by(User.employee_no)).all()
    assert made == [row[0] for row in GOOD]


def test_the_downloaded_xlsx_keeps_the_sheet_and_holds_no_formula(client, org, clock):
    """A title above the header, a second sheet: all kept; a cell that starts like a formula
    stays text, and the problems column is written as text."""
    book = Workbook()
    sheet = book.active
    sheet.title = "人员"
    sheet.append(["2026年12月员工花名册"])
    sheet.append(HEADERS)
    sheet.append(["E8101", "=1+2", "天元支行", "柜台", "2024-03-01", "学员"])
    sheet.cell(3, 2).data_type = "s"  # the text "=1+2", as Excel keeps a typed '=1+2
    sheet.append(["E8102", "段明", "天元支行", "柜员", "2024-03-01", "学员"])
    book.create_sheet("说明").append(["请按表头填写"])
    out = io.BytesIO()
    book.save(out)
    sign_in(client, org.hr)
    page = _upload(client, out.getvalue(), "people.xlsx").text
    download = client.get(_problems_href(page))
    with zipfile.ZipFile(io.BytesIO(download.data)) as archive:
        sheets = [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
    assert sheets and not any(re.search(rb"<(\w+:)?f[ >]", xml) for xml in sheets)
    workbook = load_workbook(io.BytesIO(download.data))
    assert workbook.sheetnames == ["人员", "说明"] and workbook["说明"]["A1"].value == "请按表头填写"
    rows = list(workbook["人员"].iter_rows(values_only=True))
    assert rows[0][0] == "2026年12月员工花名册" and rows[1] == (*HEADERS, "问题")
    assert rows[2][:2] == ("E8101", "=1+2") and "未知岗位“柜台”" in rows[2][6] and rows[3][6] is None


def test_a_csv_cell_that_starts_like_a_formula_is_neutralised_and_read_back(client, org, clock):
    rows = [["E8201", "+86 柜员", "天元支行", "柜台", "2024-03-01", "学员"],
            ["E8202", "段明", "天元支行", "柜员", "2024-03-01", "学员"]]
    sign_in(client, org.hr)
    page = _upload(client, _csv(rows, "utf-8-sig"), "people.csv").text
    table = _table(client.get(_problems_href(page)).data, "csv", "utf-8-sig")
    assert table[1][1] == "'+86 柜员"  # Excel shows it as text, never runs it
    fixed = [table[0], [*rows[0][:3], "柜员", *rows[0][4:], table[1][6]], table[2]]
    preview = _upload(client, _csv(fixed[1:], "utf-8-sig", header=fixed[0]), "people.csv").text
    assert 'name="token"' in preview and "+86 柜员" in preview and "&#39;+86" not in preview


def test_the_problems_column_in_english_is_ignored_too(client, org, clock, make_user):
    hr = make_user(("hr",), employee_no="hr02", name="英文人事", branch=org.city, locale="en")
    sign_in(client, hr)
    page = _upload(client, _csv(_rows({4: ("岗位", "柜台")}), "utf-8-sig"), "people.csv").text
    table = _table(client.get(_problems_href(page)).data, "csv", "utf-8-sig")
    assert table[0][6] == "Problems" and table[3][6] == "“岗位”: unknown position “柜台”."
    table[3][3] = "柜员"
    preview = _upload(client, _csv(table[1:], "utf-8-sig", header=table[0]), "people.csv").text
    assert 'name="token"' in preview and "10" in preview.split('id="import-counts"')[1][:200]


def test_only_the_uploader_downloads_the_marked_file(app, client, org, clock, make_user):
    sign_in(client, org.hr)
    page = _upload(client, _csv(_rows(), "utf-8-sig"), "people.csv").text
    href = _problems_href(page)
    assert client.get(href).status_code == 200
    other = app.test_client()
    sign_in(other, make_user(("hr",), employee_no="hr03", name="另一人事", branch=org.city))
    assert other.get(href).status_code == 404  # another HR officer's staged file: not theirs
    assert client.get(href.replace(".csv", ".xlsx")).status_code == 404  # only in its own format
    assert client.get("/org/people/import/" + "x" * 32 + "/problems.csv").status_code == 404
    assert client.get("/org/people/import/../problems.csv").status_code == 404
    learner = app.test_client()
    sign_in(learner, make_user(("learner",), employee_no="L900", name="学员"))
    assert learner.get(href).status_code == 403


def test_a_file_over_the_limit_names_the_limit_and_its_rows_and_offers_no_download(client, org, clock,
                                                                                    monkeypatch):
    from lms.org import imports

    monkeypatch.setattr(imports, "MAX_ROWS", 20)
    rows = [[f"E9{n:03d}", f"员工{n}", "天元支行", "柜员", "2024-03-01", "学员"] for n in range(1, 101)]
    sign_in(client, org.hr)
    page = _upload(client, _csv(rows, "utf-8-sig"), "people.csv").text
    assert "文件中有 100 人，每个文件最多可导入 20 人。请将文件拆分为每个不超过 20 人的文件，逐个导入。" in page
    assert "/problems." not in page


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_rows_past_what_an_import_keeps_are_counted_not_held(app, fmt):
    from lms.imports.files import read_sheets

    rows = [[f"E{n}", f"员工{n}", "天元支行", "柜员", "2024-03-01", "学员"] for n in range(1000)]
    data = _xlsx(rows) if fmt == "xlsx" else _csv(rows, "utf-8-sig")
    [sheet] = read_sheets(data, f"people.{fmt}", keep=50)
    assert len(sheet.rows) == 50 and sheet.unread == 951 and sheet.rows[-1][0] == "E48"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_downloaded_file_uploaded_again_uncorrected_gets_its_column_filled_anew(client, org, clock, fmt):
    sign_in(client, org.hr)
    first = _xlsx(_rows()) if fmt == "xlsx" else _csv(_rows(), "utf-8-sig")
    once = client.get(_problems_href(_upload(client, first, f"people.{fmt}").text)).data
    table = _table(once, fmt, "utf-8-sig")
    table[3][HEADERS.index("岗位")] = "柜员"  # row 4, one of the three, corrected
    again = _xlsx(table[1:], header=table[0]) if fmt == "xlsx" else _csv(table[1:], "utf-8-sig", header=table[0])
    page = _upload(client, again, f"people.{fmt}").text
    assert "2 个问题，未导入任何数据。" in page
    twice = _table(client.get(_problems_href(page)).data, fmt, "utf-8-sig")
    assert twice[0] == [*HEADERS, "问题"] and all(len(row) == 7 for row in twice)
    assert [n for n, row in enumerate(twice, start=1) if n > 1 and row[6]] == [7, 10]


def test_a_sheet_formatted_down_to_its_last_row_is_marked_without_a_million_cells(app):
    """HR's sheets are often formatted to row 1,048,576 (a border, a fill): the marked file
    is written from the cells the import read a value in, not every cell down to the last
    formatted one (six columns of a million rows: over a gigabyte of cells)."""
    import tracemalloc

    from openpyxl.styles import Border, Side

    from lms.imports import problems_file
    from lms.imports.files import Problem
    from lms.imports.table import Body, Plan

    book = Workbook()
    sheet = book.active
    for row in [HEADERS, *_rows()]:
        sheet.append(row)
    for column in range(1, len(HEADERS) + 1):  # formatting only: no value
        sheet.cell(1_048_576, column).border = Border(bottom=Side(style="thin"))
    out = io.BytesIO()
    book.save(out)
    plan = Plan("people.xlsx", problems=[Problem(4, "岗位", "未知岗位“柜台”。")],
                body=Body("xlsx", sheet.title, 1, (len(GOOD) + 1, len(HEADERS))))
    with app.test_request_context():
        tracemalloc.start()
        try:
            marked = problems_file.annotated(out.getvalue(), plan)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 64 * 2**20, f"{peak / 2**20:.0f} MiB"
    result = load_workbook(io.BytesIO(marked)).active
    assert [cell.value for cell in result[1]] == [*HEADERS, "问题"]
    assert result.cell(4, 7).value == "“岗位”：未知岗位“柜台”。" and result.cell(5, 7).value is None
    assert result.cell(1_048_576, 1).border.bottom.style == "thin"  # the formatting kept
