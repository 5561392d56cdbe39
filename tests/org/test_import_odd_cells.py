"""Files made by a program, cut off, or sent to break the people and pairing
imports: a NUL in a cell (which PostgreSQL cannot store: the preview said
"ready" and the confirm failed, or SQLite stored 张\\x00三), a cell longer than
the csv module reads (a 500 error page) and a NUL in a 工号. Each is refused
in the preview, naming its row (and column), and nothing is imported."""
from __future__ import annotations

import io

from sqlalchemy import func, select

from lms.extensions import db
from lms.mentoring.models import Pairing
from lms.org.models import User
from tests.conftest import sign_in

HEADER = "工号,姓名,支行,岗位,入职日期,角色\n"


def _upload(client, body: str, url="/org/people/import"):
    return client.post(url, data={"file": (io.BytesIO(body.encode("utf-8")), "people.csv")},
                       content_type="multipart/form-data")


def _people() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_a_nul_in_a_cell_is_refused_naming_row_and_column(client, org):
    sign_in(client, org.hr)
    before = _people()
    preview = _upload(client, HEADER + "E1,黎思远,天元支行,柜员,2025-07-01,学员\nE2,张\x00三,天元支行,柜员,2025-07-01,学员\n")
    assert preview.status_code == 200
    assert "第 3 行“姓名”：含有控制字符 (U+0000)" in preview.text
    assert 'name="token"' not in preview.text and "\x00" not in preview.text
    assert _people() == before


def test_a_nul_in_an_employee_number_is_named_not_sent(client, org):
    sign_in(client, org.hr)
    preview = _upload(client, HEADER + "E\x001,黎思远,天元支行,柜员,2025-07-01,学员\n")
    assert "第 2 行“工号”：含有控制字符 (U+0000)" in preview.text and "\x00" not in preview.text


def test_an_overlong_cell_is_a_problem_of_its_row_not_an_error_page(client, org):
    sign_in(client, org.hr)
    before = _people()
    body = HEADER + "E1,黎思远,天元支行,柜员,2025-07-01,学员\n" + "E2,\"张" + "三" * 200_000 + ",天元支行,柜员,2025-07-01,学员\n"
    preview = _upload(client, body)
    assert preview.status_code == 200
    assert "第 3 行：此行有单元格超过 131,072 个字符" in preview.text and 'name="token"' not in preview.text
    assert _people() == before


def test_the_pairing_import_refuses_them_too(client, org, make_user):
    make_user(("mentor", "learner"), employee_no="M001", branch=org.tianyuan)
    make_user(employee_no="L001", branch=org.tianyuan)
    sign_in(client, org.hr)
    head = "师傅工号,徒弟工号,开始日期,计划结束日期,带教目标\n"
    nul = _upload(client, head + "M001,L001,2026-03-02,2026-09-01,独立\x00完成\n", "/mentoring/admin/import")
    assert "第 2 行“带教目标”：含有控制字符 (U+0000)" in nul.text
    long = _upload(client, head + "M001,L001,2026-03-02,2026-09-01,\"" + "长" * 140_000 + "\n", "/mentoring/admin/import")
    assert long.status_code == 200 and "第 2 行：此行有单元格超过 131,072 个字符" in long.text
    assert db.session.scalar(select(func.count()).select_from(Pairing)) == 0
