"""Bulk pairing from CSV/XLSX (lms.mentoring.imports): preview first, then
all or nothing; every problem names its row and column; each pairing made is
audited with the file's name."""
from __future__ import annotations

import io
import json

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.extensions import db
from lms.mentoring import imports
from lms.mentoring.models import Pairing
from tests.conftest import sign_in
from tests.mentoring.pairing_world import make_world

HEAD = "师傅工号,徒弟工号,开始日期,计划结束日期,带教目标\n"


@pytest.fixture
def w(app, clock, make_user, make_branch):
    world = make_world(make_user, make_branch)
    with app.test_request_context(), force_locale("en"):
        yield world


def pairings() -> int:
    return db.session.scalar(select(func.count()).select_from(Pairing))


def upload(client, body: bytes, name: str):
    return client.post("/mentoring/admin/import", data={"file": (io.BytesIO(body), name)},
                       content_type="multipart/form-data")


def test_a_good_file_is_previewed_then_made_and_audited_per_pairing(client, w):
    body = (HEAD + "M001,L001,2026-03-02,2026-09-01,独立完成贷前调查\nM002,L005,2026/3/9,2026/12/31,\n").encode("utf-8-sig")
    sign_in(client, w.hr)
    preview = upload(client, body, "结对.csv")
    assert preview.status_code == 200 and "2 pairings will be made." in preview.text
    assert pairings() == 0  # nothing yet
    token = preview.text.split('name="token" value="')[1].split('"')[0]
    done = client.post("/mentoring/admin/import/confirm", data={"token": token})
    assert done.status_code == 302
    assert pairings() == 2
    made = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "pairing.created")).all()
    assert [json.loads(e.details)["file"] for e in made] == ["结对.csv", "结对.csv"]
    # The same token cannot be used twice.
    again = client.post("/mentoring/admin/import/confirm", data={"token": token})
    assert again.status_code == 302 and pairings() == 2


def test_one_bad_row_refuses_the_whole_file_with_row_and_column(client, w):
    body = (HEAD + "M001,L001,2026-03-02,2026-09-01,\n"
                   "M003,L002,2026-03-02,2026-09-01,\n"      # row 3: 14 of 24 months
                   "M001,L009,2026-03-02,2026-09-01,\n"      # row 4: unknown apprentice
                   "M001,L001,2026-03-02,2026-09-01,\n"      # row 5: L001 twice
                   "M002,L003,2026-03-02,soon,\n").encode()  # row 6: not a date
    sign_in(client, w.hr)
    page = upload(client, body, "bad.csv")
    assert "4 problems: nothing was imported." in page.text
    for line in ("Row 3, column “师傅工号”: 张三 (M003) has 14 of 24 months at Senior RM or above.",
                 "Row 4, column “徒弟工号”: no one has the employee number “L009”.",
                 "Row 5, column “徒弟工号”: 学员1 (L001) appears already in row 2.",
                 "Row 6, column “计划结束日期”: “soon” is not a date; write it as YYYY-MM-DD."):
        assert line.replace("“", "&#34;").replace("”", "&#34;") in page.text or line in page.text, line
    assert 'name="token"' not in page.text
    assert pairings() == 0


def test_capacity_counts_the_files_own_rows(w):
    rows = "".join(f"M001,L00{i},2026-03-02,2026-09-01,\n" for i in range(1, 5))
    plan = imports.plan_import((HEAD + rows).encode(), "four.csv")
    assert [str(p) for p in plan.problems] == [
        "Row 5, column “师傅工号”: 王师傅 (M001) already has 3 apprentices (capacity 3)."]


def test_english_headers_and_xlsx_work(w):
    from openpyxl import Workbook

    from lms.mentoring.pairing import history_of

    book = Workbook()
    book.active.append(["Mentor employee no", "Apprentice employee no", "Start date", "Planned end date", "Goals"])
    from datetime import datetime
    book.active.append(["M002", "L006", datetime(2026, 3, 2), datetime(2026, 8, 31), "对私业务"])
    out = io.BytesIO()
    book.save(out)
    plan = imports.plan_import(out.getvalue(), "pairs.xlsx")
    assert plan.ok, [str(p) for p in plan.problems]
    imports.apply_import(plan, actor=w.hr)
    [made] = history_of(w.learners[5])[0]
    assert (made.mentor_id, made.goals) == (w.mentor2.id, "对私业务")


def test_missing_columns_and_unreadable_files_are_named(w):
    plan = imports.plan_import("师傅工号,开始日期\nM001,2026-03-02\n".encode(), "x.csv")
    assert [str(p) for p in plan.problems] == [
        "Row 1, column “徒弟工号”: this column is missing from the header row (accepted headers: “徒弟工号”, "
        "“徒弟”, “徒弟员工编号”, “学员工号”, “被带教人工号”, “Apprentice employee no”).",
        "Row 1, column “计划结束日期”: this column is missing from the header row (accepted headers: "
        "“计划结束日期”, “结束日期”, “Planned end date”).",
    ]
    assert not imports.plan_import(b"PK\x03\x04garbage", "x.xlsx").ok


def test_a_rule_broken_between_preview_and_confirm_changes_nothing(client, w):
    from datetime import date

    from lms.mentoring import pairing as rules

    body = (HEAD + "M001,L001,2026-03-02,2026-09-01,\nM001,L002,2026-03-02,2026-09-01,\n").encode()
    sign_in(client, w.hr)
    preview = upload(client, body, "late.csv")
    token = preview.text.split('name="token" value="')[1].split('"')[0]
    rules.pair(w.mentor2, w.learners[1], date(2026, 3, 2), date(2026, 9, 1), actor=w.hr)  # L002 paired meanwhile
    page = client.post("/mentoring/admin/import/confirm", data={"token": token})
    assert page.status_code == 200 and "nothing was imported" in page.text
    assert pairings() == 1


def test_the_template_has_the_headers(client, w):
    sign_in(client, w.hr)
    csv_body = client.get("/mentoring/admin/import/template.csv").data.decode("utf-8-sig")
    assert csv_body.strip() == "师傅工号,徒弟工号,开始日期,计划结束日期,带教目标"
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(client.get("/mentoring/admin/import/template.xlsx").data))
    assert [c.value for c in book.active[1]] == list(imports.HEADERS)
