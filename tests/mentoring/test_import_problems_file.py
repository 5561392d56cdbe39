"""The pairing import hands a file with refused rows back as the people import
does (lms.imports.problems_file): the uploaded file with a column naming each
bad row's problems, which the import ignores when the corrected file comes back."""
from __future__ import annotations

import io
import re
from html import unescape

import pytest
from flask_babel import force_locale
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from lms.extensions import db
from lms.mentoring.models import Pairing
from tests.conftest import sign_in
from tests.mentoring.pairing_world import make_world

HEADERS = ["师傅工号", "徒弟工号", "开始日期", "计划结束日期", "带教目标"]


@pytest.fixture
def w(app, clock, make_user, make_branch):
    world = make_world(make_user, make_branch)
    with app.test_request_context(), force_locale("en"):
        yield world


def _pairings() -> list[tuple[str, str]]:
    from lms.org.models import User

    apprentice = db.aliased(User)
    return db.session.execute(select(User.employee_no, apprentice.employee_no)
                              .join(Pairing, Pairing.mentor_id == User.id)
                              .join(apprentice, Pairing.apprentice_id == apprentice.id)
                              .order_by(apprentice.employee_no)).all()


def _upload(client, body: bytes, name: str):
    return client.post("/mentoring/admin/import", data={"file": (io.BytesIO(body), name)},
                       content_type="multipart/form-data")


def _xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_pairing_file_with_problems_comes_back_marked_and_imports_once_corrected(client, w):
    rows = [HEADERS,
            ["M001", "L001", "2026-03-02", "2026-09-01", "贷前调查"],
            ["M001", "L009", "2026-03-02", "2026-09-01", ""],       # row 3: nobody is L009
            ["M002", "L005", "2026-03-02", "soon", "@电话回访"]]  # row 4: not a date
    sign_in(client, w.hr)
    page = _upload(client, _xlsx(rows), "结对.xlsx").text
    assert "2 problems: nothing was imported." in page
    href = unescape(re.search(r'href="(/mentoring/admin/import/[^"]+/problems\.xlsx)"', page).group(1))
    download = client.get(href)
    assert download.status_code == 200 and db.session.scalar(select(func.count()).select_from(Pairing)) == 0
    sheet = load_workbook(io.BytesIO(download.data)).active
    table = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert table[0] == [*HEADERS, "Problems"]
    assert [row[:4] for row in table[1:]] == [row[:4] for row in rows[1:]]
    assert table[1][5] is None
    assert table[2][5] == "“徒弟工号”: no one has the employee number “L009”."
    assert table[3][5] == "“计划结束日期”: “soon” is not a date; write it as YYYY-MM-DD."
    assert sheet.cell(4, 5).value == "@电话回访" and sheet.cell(4, 5).data_type == "s"  # text, never a formula

    table[2][1], table[3][3] = "L002", "2026-12-31"
    preview = _upload(client, _xlsx(table), "结对.xlsx").text
    assert "3 pairings will be made." in preview
    token = preview.split('name="token" value="')[1].split('"')[0]
    assert client.post("/mentoring/admin/import/confirm", data={"token": token}).status_code == 302
    assert _pairings() == [("M001", "L001"), ("M001", "L002"), ("M002", "L005")]


def test_someone_elses_staged_pairing_file_is_not_found(app, client, w, make_user):
    sign_in(client, w.hr)
    page = _upload(client, ("\t".join(HEADERS) + "\nM001\tL009\t2026-03-02\t2026-09-01\t\n").encode("utf-16"),
                   "结对.txt").text
    href = unescape(re.search(r'href="(/mentoring/admin/import/[^"]+/problems\.csv)"', page).group(1))
    mine = client.get(href)
    assert mine.headers["Content-Type"] == "text/csv; charset=utf-16"
    assert mine.data.decode("utf-16").splitlines()[0] == "\t".join([*HEADERS, "Problems"])
    other = app.test_client()
    sign_in(other, make_user(("hr",), employee_no="hr09", name="另一人事"))
    assert other.get(href).status_code == 404
