"""A people import of hundreds of rows, as HR sees it: the preview counts every
kind and lists the first rows of each with "and N more"; the confirmation
creates or changes everyone with their audit trail (the chain still verifies);
and a row refused at the last moment leaves nothing of the file behind."""
import base64
import io
from datetime import date

import pytest
from flask_babel import force_locale

from lms.audit import services as audit
from lms.extensions import db
from lms.imports.table import PREVIEW_ROWS, RowRefused
from lms.org import imports, services
from lms.org.models import PositionRecord, User, UserRole
from tests.conftest import sign_in
from tests.org.conftest import events

HEADER = "工号,姓名,支行,岗位,入职日期,角色\n"
N = PREVIEW_ROWS + 250


def _file(n=N, branch=lambda i: "天元支行" if i % 2 else "芦淞支行", extra="") -> bytes:
    lines = [f"E5{i:04d},员工{i},{branch(i)},{'柜员' if i % 3 else '实习生'},2024-0{1 + i % 9}-15,"
             f"{'学员、师傅' if i % 7 == 0 else '学员'}\n" for i in range(n)]
    return (HEADER + "".join(lines) + extra).encode()


def _upload(client, data: bytes):
    return client.post("/org/people/import", data={"file": (io.BytesIO(data), "big.csv")},
                       content_type="multipart/form-data")


def _count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_a_big_file_previews_counts_and_the_first_rows_then_creates_everyone(app, client, org, clock):
    sign_in(client, org.hr)
    preview = _upload(client, _file())
    page = preview.text
    assert preview.status_code == 200 and _count(User) == 2  # nothing yet
    counts = page.split('id="import-counts"')[1].split("</div>\n</div>")[0]
    assert f'<div class="stat">{N}</div><div class="muted">待新增</div>' in counts
    assert '<div class="stat">0</div><div class="muted">待更新</div>' in counts
    listed = page.split('id="import-rows-create"')[1].split("</section>")[0]
    assert listed.count('<tr class="import-create">') == PREVIEW_ROWS
    assert f"<td>{PREVIEW_ROWS + 1}</td><td>E5{PREVIEW_ROWS - 1:04d}</td>" in listed  # the last row listed
    assert f"E5{PREVIEW_ROWS:04d}" not in page
    assert f"另有 {N - PREVIEW_ROWS} 行未在此列出。" in listed

    token = page.split('name="token" value="')[1].split('"')[0]
    done = client.post("/org/people/import/confirm", data={"token": token})
    assert done.status_code == 200
    assert _count(User) == 2 + N and _count(PositionRecord) == N
    assert _count(UserRole) == 2 + N + len(range(0, N, 7))  # 学员 each, 师傅 every seventh
    href = done.text.split('href="data:text/csv;charset=utf-8;base64,')[1].split('"')[0]
    rows = base64.b64decode(href).decode("utf-8-sig").splitlines()[1:]
    assert [r.split(",")[0] for r in rows] == [f"E5{i:04d}" for i in range(N)]  # in the file's order
    assert len({r.split(",")[2] for r in rows}) == N  # a password each
    last = db.session.scalar(db.select(User).where(User.employee_no == f"E5{N - 1:04d}"))
    assert last.name == f"员工{N - 1}" and last.must_change_password and last.branch.name == "天元支行"
    assert [(p.position, p.start_date) for p in last.positions] == [("teller", date(2024, 1 + (N - 1) % 9, 15))]
    password = next(r.split(",")[2] for r in rows if r.startswith(last.employee_no + ","))
    assert password not in last.password_hash

    # Each new person's trail, in the order one person's creation writes it, and the chain verifies.
    created, roles, moved = events("user.created"), events("user.roles_changed"), events("user.position_changed")
    assert len(created) == len(roles) == len(moved) == N
    mine = [e for e in (*created, *roles, *moved) if e.object_id == str(last.id)]
    assert [e.action for e in sorted(mine, key=lambda e: e.seq)] == [
        "user.created", "user.roles_changed", "user.position_changed"]
    assert created[-1].details_dict == {"employee_no": last.employee_no, "name": last.name, "branch": "ZZ0101"}
    assert moved[-1].details_dict["note"] == "由 big.csv 导入" and moved[-1].actor_label == "hr01 周人事"
    assert events("people.imported")[0].details_dict == {"file": "big.csv", "created": N, "updated": 0,
                                                         "unchanged": 0}
    assert audit.verify().ok


def test_a_big_file_of_changes_updates_everyone_and_the_chain_verifies(app, client, org, clock):
    with app.test_request_context(), force_locale("zh_CN"):
        imports.apply_import(imports.plan_import(_file(), "big.csv"))
    sign_in(client, org.hr)
    preview = _upload(client, _file(branch=lambda i: "株洲分行"))  # everyone moves to the city branch
    counts = preview.text.split('id="import-counts"')[1].split("</div>\n</div>")[0]
    assert f'<div class="stat">{N}</div><div class="muted">待更新</div>' in counts
    assert preview.text.split('id="import-rows-update"')[1].count('<tr class="import-update">') == PREVIEW_ROWS
    token = preview.text.split('name="token" value="')[1].split('"')[0]
    done = client.post("/org/people/import/confirm", data={"token": token})
    assert done.status_code == 200 and 'id="initial-passwords"' not in done.text
    assert db.session.scalars(db.select(User.branch_id).where(User.employee_no.like("E5%")).distinct()).all() == [
        org.city.id]
    updated = events("user.updated")
    assert len(updated) == N and updated[0].actor_label == "hr01 周人事"
    assert updated[0].details_dict["branch"] == {"before": "ZZ0102", "after": "ZZ01"}
    assert audit.verify().ok


def test_a_preview_with_refused_rows_counts_them_and_names_each_row_and_column(client, org, clock):
    sign_in(client, org.hr)
    bad = _file(extra="E6001,错行,天元支行,柜台,2024-01-15,学员\nE6002,错行二,某支行,柜员,2024-01-15,学员\n")
    page = _upload(client, bad).text
    counts = page.split('id="import-counts"')[1].split("</div>\n</div>")[0]
    assert f'<div class="stat">{N}</div><div class="muted">待新增</div>' in counts
    assert '<div class="stat error">2</div><div class="muted">不予导入</div>' in counts
    assert f"第 {N + 2} 行“岗位”：未知岗位“柜台”" in page and f"第 {N + 3} 行“支行”：未知支行“某支行”" in page
    assert 'name="token"' not in page and _count(User) == 2


def test_a_row_refused_at_the_last_moment_leaves_nothing_of_the_file(app, org, make_user, clock):
    """Between the check and the write, another HR officer moved the person of the
    file's last row: that row fails after every new person was written, and the
    whole file is rolled back — no person, no position, no audit event of it."""
    moved = make_user(employee_no="E7001", name="老员工", branch=org.tianyuan, position="teller",
                      position_start=date(2020, 1, 1))
    data = _file(extra="E7001,老员工,天元支行,实习生,2020-01-01,学员\n")
    with app.test_request_context(), force_locale("zh_CN"):
        plan = imports.plan_import(data, "big.csv")
        assert plan.ok and plan.count("create") == N and plan.count("update") == 1
        services.change_position(moved, "manager", clock.today())  # the other officer, committed
        users, positions, trail = _count(User), _count(PositionRecord), len(events("user.position_changed"))
        with pytest.raises(RowRefused) as refused:
            imports.apply_import(plan)
    assert refused.value.problem.row == N + 2 and "新岗位的起始日期必须晚于现岗位" in str(refused.value)
    assert (_count(User), _count(PositionRecord), len(events("user.position_changed"))) == (users, positions, trail)
    assert not events("user.created") and not events("people.imported")
    assert db.session.scalar(db.select(User).where(User.employee_no == "E50000")) is None
    assert audit.verify().ok
