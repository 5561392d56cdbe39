"""Bulk import of people: all or nothing, every problem named by row and column,
idempotent, CSV (UTF-8, BOM, GBK) and XLSX."""
import base64
import io
import threading
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from lms.extensions import db
from lms.org import imports
from lms.org.models import PositionRecord, User
from tests.conftest import sign_in
from tests.org.conftest import events

HEADER = "工号,姓名,支行,岗位,入职日期,角色\n"
GOOD = HEADER + (
    "E3001,黎思远,天元支行,柜员,2025-07-01,学员\n"
    "E3002,贺晓琳,ZZ0102,中级客户经理,2019/8/2,学员、师傅\n"
    "E3003,段明,株洲分行,rm_senior,2016-04-11,\"培训师, 学员\"\n"
)
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


pytestmark = pytest.mark.usefixtures("in_chinese")  # services called directly speak zh_CN, as on the web


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _people_count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(User))


def _plan(text_or_bytes, filename="people.csv", **kwargs):
    data = text_or_bytes.encode("utf-8") if isinstance(text_or_bytes, str) else text_or_bytes
    return imports.plan_import(data, filename, **kwargs)


def test_good_csv_creates_everyone_with_roles_positions_and_passwords(app, org, clock):
    plan = _plan(GOOD)
    assert not plan.problems and [r.action for r in plan.rows] == ["create"] * 3
    result = imports.apply_import(plan)
    db.session.commit()
    assert result.created == 3 and len(result.passwords) == 3
    he = db.session.scalar(db.select(User).where(User.employee_no == "E3002"))
    assert he.name == "贺晓琳" and he.branch.code == "ZZ0102" and he.hire_date == date(2019, 8, 2)
    assert he.roles == {"learner", "mentor"} and he.must_change_password
    assert [(p.position, p.start_date) for p in he.positions] == [("rm_intermediate", date(2019, 8, 2))]
    duan = db.session.scalar(db.select(User).where(User.employee_no == "E3003"))
    assert duan.roles == {"trainer", "learner"} and duan.branch.code == "ZZ01"
    for employee_no, _name, password in result.passwords:
        user = db.session.scalar(db.select(User).where(User.employee_no == employee_no))
        assert password not in user.password_hash
    [summary] = events("people.imported")
    assert summary.details_dict == {"file": "people.csv", "created": 3, "updated": 0, "unchanged": 0}
    assert len(events("user.created")) == 3 and len(events("user.position_changed")) == 3


def test_reimporting_the_same_file_changes_nothing(app, org, clock):
    imports.apply_import(_plan(GOOD))
    db.session.commit()
    before = (_people_count(), db.session.scalar(db.select(db.func.count()).select_from(PositionRecord)),
              len(events("user.roles_changed")))
    plan = _plan(GOOD)
    assert [r.action for r in plan.rows] == ["unchanged"] * 3
    result = imports.apply_import(plan)
    db.session.commit()
    assert (result.created, result.updated, result.unchanged, result.passwords) == (0, 0, 3, [])
    after = (_people_count(), db.session.scalar(db.select(db.func.count()).select_from(PositionRecord)),
             len(events("user.roles_changed")))
    assert before == after and len(events("people.imported")) == 1


def test_a_changed_row_updates_the_person_and_starts_a_position_today(app, org, clock):
    imports.apply_import(_plan(GOOD))
    db.session.commit()
    changed = GOOD.replace("E3001,黎思远,天元支行,柜员,2025-07-01,学员", "E3001,黎思远,芦淞支行,初级客户经理,2025-07-01,学员 师傅")
    plan = _plan(changed)
    assert [r.action for r in plan.rows] == ["update", "unchanged", "unchanged"]
    assert {what for what, _b, _a in plan.rows[0].changes} == {"支行", "岗位", "角色"}
    result = imports.apply_import(plan)
    db.session.commit()
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    li = db.session.scalar(db.select(User).where(User.employee_no == "E3001"))
    assert li.branch.code == "ZZ0102" and li.roles == {"learner", "mentor"}
    teller, junior = li.positions
    assert teller.end_date == date(2026, 3, 1) and junior.start_date == date(2026, 3, 2)  # the import day
    assert li.must_change_password  # untouched: still the initial password
    assert events("people.imported")[-1].details_dict["updated"] == 1


def test_every_bad_cell_is_reported_with_row_and_column_and_nothing_changes(app, org, make_user, clock):
    make_user(employee_no="E0001", name="老员工", branch=org.tianyuan, position="teller")
    before = _people_count()
    bad = HEADER + (
        "E3001,黎思远,天元支行,柜员,2025-07-01,学员\n"       # row 2: fine
        "E3002,贺晓琳,天元支行,柜台,2025-07-01,学员\n"       # row 3: unknown position
        "E3003,段明,不存在支行,柜员,2025-07-01,学员\n"       # row 4: unknown branch
        "E3004,易建军,天元支行,柜员,2025-13-01,学员\n"       # row 5: bad date
        "E3005,谭海燕,天元支行,柜员,2025-07-01,学员、老板\n"  # row 6: unknown role
        "E3001,重复人,天元支行,柜员,2025-07-01,学员\n"       # row 7: duplicate employee number
        ",,天元支行,柜员,2025-07-01,学员\n"                # row 8: empty required cells
        "E3008,未来人,天元支行,柜员,2027-01-01,学员\n"       # row 9: hire date in the future
        "E 3009,空格,天元支行,柜员,2025-07-01,学员\n"        # row 10: a space in the employee number
        "E3010,古人,天元支行,柜员,0001-01-01,学员\n"        # row 11: a year typed short (tenure of centuries)
    )
    plan = _plan(bad)
    messages = [str(p) for p in plan.problems]
    assert messages == [
        "第 3 行“岗位”：未知岗位“柜台”",
        "第 4 行“支行”：未知支行“不存在支行”",
        "第 5 行“入职日期”：“2025-13-01”不是有效日期，请按 YYYY-MM-DD 填写",
        "第 6 行“角色”：未知角色“老板”",
        "第 7 行“工号”：工号“E3001”与第 2 行重复，且“姓名”不同：请保留正确的一行，删除另一行",
        "第 8 行“工号”：必填，但为空",
        "第 8 行“姓名”：必填，但为空",
        "第 9 行“入职日期”：2027-01-01 晚于今天",
        "第 10 行“工号”：“E 3009”不是有效的工号（不能有空格，最多 32 个字符）",
        "第 11 行“入职日期”：0001-01-01 早于 1900-01-01，请检查年份",
    ]
    with pytest.raises(ValueError):
        imports.apply_import(plan)
    db.session.rollback()
    assert _people_count() == before


def test_missing_headers_are_named(app, org):
    plan = _plan("工号,姓名,支行,入职日期\nE1,张三,天元支行,2024-01-01\n")
    assert [str(p) for p in plan.problems] == [
        "第 1 行“岗位”：表头缺少此列（可用的列名：“岗位”、“岗位名称”、“现岗位”、“当前岗位”、“职位”）",
        "第 1 行“角色”：表头缺少此列（可用的列名：“角色”、“系统角色”）"]


def test_unreadable_and_empty_files(app, org):
    assert [str(p) for p in _plan(b"", "x.csv").problems] == [
        "第 1 行：文件为空：所有工作表都没有内容。请确认选对了文件；上传页面的空白模板中有需要填写的表头。"]
    assert [str(p) for p in _plan(HEADER, "x.csv").problems] == ["第 1 行：文件只有表头，没有人员数据。"]
    assert "不是可读取的 XLSX" in str(_plan(b"PK\x03\x04 not really a zip", "x.xlsx").problems[0])
    assert "请上传 .csv 或 .xlsx" in str(_plan(b"...", "x.pdf").problems[0])
    assert "GBK" in str(_plan(b"\xff\xfe\x00\xd8\x00\xdc\xff", "x.csv").problems[0])


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_utf8_with_or_without_bom_and_gbk(app, org, clock, encoding):
    plan = _plan(GOOD.encode(encoding))
    assert not plan.problems
    assert [(r.employee_no, r.name, r.branch.name) for r in plan.rows][0] == ("E3001", "黎思远", "天元支行")


def test_semicolon_separated_csv(app, org, clock):
    plan = _plan(GOOD.replace(",", ";").replace('"培训师; 学员"', "培训师、学员"))
    assert not plan.problems and plan.rows[2].roles == {"trainer", "learner"}


def test_xlsx_with_date_cells_and_numeric_employee_numbers(app, org, clock):
    data = _xlsx([
        ["工号", "姓名", "支行", "岗位", "入职日期", "角色", "备注"],
        [3001, "黎思远", "天元支行", "柜员", datetime(2025, 7, 1), "学员", "其他列被忽略"],
        [None, None, None, None, None, None],  # blank lines are skipped
        ["E3002", "贺晓琳", "ZZ0102", "高级客户经理", "2019/8/2", "师傅;学员"],
        ["E3003", "段明", "天元支行", "柜员", "去年", "学员"],
    ])
    plan = _plan(data, "people.xlsx")
    assert [str(p) for p in plan.problems] == ["第 5 行“入职日期”：“去年”不是有效日期，请按 YYYY-MM-DD 填写"]
    good = _plan(_xlsx([
        ["工号", "姓名", "支行", "岗位", "入职日期", "角色"],
        [3001, "黎思远", "天元支行", "柜员", datetime(2025, 7, 1), "学员"],
    ]), "people.xlsx")
    assert not good.problems and good.rows[0].employee_no == "3001" and good.rows[0].hire_date == date(2025, 7, 1)


def test_hr_cannot_grant_admin_by_import(app, org, clock):
    file = HEADER + "E3001,黎思远,天元支行,柜员,2025-07-01,管理员\n"
    plan = _plan(file, actor=org.hr)
    assert [str(p) for p in plan.problems] == ["第 2 行“角色”：只有系统管理员才能授予系统管理员角色"]
    assert not _plan(file, actor=org.admin).problems
    admin_row = HEADER + "admin01,系统管理员,天元支行,柜员,2025-07-01,学员\n"
    assert "只有系统管理员才能修改" in str(_plan(admin_row, actor=org.hr).problems[0])


# --- through the web ----------------------------------------------------------

def _upload(client, data: bytes, filename="people.csv"):
    return client.post("/org/people/import", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def _token(html: str) -> str:
    return html.split('name="token" value="')[1].split('"')[0]


def test_upload_preview_confirm_and_passwords_once(app, client, org, clock):
    from lms.org import settings

    # GOOD makes 段明 a trainer, which HR may do once an administrator allowed it.
    settings.set_flag(settings.HR_MAY_GRANT_TRAINER, True, actor=org.admin)
    db.session.commit()
    sign_in(client, org.hr)
    preview = _upload(client, GOOD.encode("gbk"))
    assert preview.status_code == 200 and "待新增" in preview.text
    assert _people_count() == 2  # nothing yet
    done = client.post("/org/people/import/confirm", data={"token": _token(preview.text)})
    assert done.status_code == 200 and _people_count() == 5
    assert done.headers["Cache-Control"] == "no-store"
    href = done.text.split('href="data:text/csv;charset=utf-8;base64,')[1].split('"')[0]
    rows = base64.b64decode(href).decode("utf-8-sig").splitlines()
    assert rows[0] == "工号,姓名,初始密码" and len(rows) == 4
    employee_no, _name, password = rows[1].split(",")
    assert password in done.text
    # The token is spent: confirming again imports nothing.
    again = client.post("/org/people/import/confirm", data={"token": _token(preview.text)})
    assert again.status_code == 302 and _people_count() == 5
    summary = events("people.imported")
    assert len(summary) == 1 and summary[0].actor_label == "hr01 周人事"
    # Nothing readable is left in the instance folder.
    stash = Path(app.instance_path) / "people-imports"
    assert not any(p.name.startswith(_token(preview.text)) for p in stash.iterdir())


def test_bad_upload_lists_problems_and_offers_no_confirmation(client, org, clock):
    sign_in(client, org.hr)
    response = _upload(client, (HEADER + "E3001,黎思远,天元支行,柜台,2025-07-01,学员\n").encode())
    assert "第 2 行“岗位”：未知岗位“柜台”" in response.text
    assert 'name="token"' not in response.text and _people_count() == 2


def test_confirm_needs_the_token_of_this_session(app, client, org, make_user, clock):
    from lms.org import settings

    settings.set_flag(settings.HR_MAY_GRANT_TRAINER, True, actor=org.admin)  # GOOD makes a trainer
    db.session.commit()
    sign_in(client, org.hr)
    token = _token(_upload(client, GOOD.encode()).text)
    other_hr = make_user(("hr",), employee_no="hr02")
    other = app.test_client()
    sign_in(other, other_hr)
    assert other.post("/org/people/import/confirm", data={"token": token}).status_code == 302
    assert other.post("/org/people/import/confirm", data={"token": "../../secret_key"}).status_code == 302
    assert _people_count() == 3
    assert client.post("/org/people/import/confirm", data={"token": token}).status_code == 200
    assert _people_count() == 6


def test_blank_templates_have_the_headers(client, org):
    sign_in(client, org.hr)
    xlsx = client.get("/org/people/import/template.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert [c.value for c in sheet[1]] == list(imports.HEADERS)
    csv_file = client.get("/org/people/import/template.csv")
    assert csv_file.data.decode("utf-8-sig").strip() == ",".join(imports.HEADERS)
    assert client.get("/org/people/import/template.pdf").status_code == 404


def test_command_line_import(app, runner, org, clock, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "E3001,黎思远,天元支行,柜台,2025-07-01,学员\n", encoding="utf-8")
    result = runner.invoke(args=["people", "import", str(bad)])
    assert result.exit_code == 1 and "第 2 行“岗位”：未知岗位“柜台”" in result.output
    assert _people_count() == 2
    good = tmp_path / "good.xlsx"
    good.write_bytes(_xlsx([list(imports.HEADERS), ["E3001", "黎思远", "天元支行", "柜员", datetime(2025, 7, 1), "学员"]]))
    result = runner.invoke(args=["people", "import", str(good)])
    assert result.exit_code == 0 and "1 created" in result.output
    assert _people_count() == 3
    result = runner.invoke(args=["people", "import", str(good)])
    assert "0 created, 0 updated, 1 unchanged" in result.output


def test_an_optional_e_mail_column_sets_addresses_and_a_bad_one_is_named(org):
    with_email = ("工号,姓名,支行,岗位,入职日期,角色,邮箱\n"
                  "E3001,黎思远,天元支行,柜员,2025-07-01,学员,lisiyuan@bank.example\n"
                  "E3002,贺晓琳,ZZ0102,中级客户经理,2019/8/2,学员,\n")
    imports.apply_import(_plan(with_email))
    by_no = {u.employee_no: u for u in User.query.filter(User.employee_no.in_(["E3001", "E3002"]))}
    assert by_no["E3001"].email == "lisiyuan@bank.example" and by_no["E3002"].email is None
    # A file without the column (or an empty cell) leaves the address as it is.
    imports.apply_import(_plan(GOOD))
    db.session.refresh(by_no["E3001"])
    assert by_no["E3001"].email == "lisiyuan@bank.example"
    changed = _plan(with_email.replace("lisiyuan@bank.example", "lsy@bank.example"))
    assert [r.changes for r in changed.rows if r.employee_no == "E3001"] == [
        [("邮箱", "lisiyuan@bank.example", "lsy@bank.example")]]
    bad = _plan(with_email.replace("lisiyuan@bank.example", "lisiyuan at bank"))
    assert [str(p) for p in bad.problems] == ["第 2 行“邮箱”：“lisiyuan at bank”不是电子邮件地址"]
    assert User.query.filter_by(email="lisiyuan at bank").count() == 0


def test_rows_are_numbered_as_in_the_file_when_blank_rows_stand_above_the_header(org, clock):
    # Excel users often leave a title line or two empty above the headers: row numbers must still match Excel's.
    plan = _plan("\n\n" + HEADER + "E3001,黎思远,天元支行,柜员,2025-07-01,学员\nE3002,贺晓琳,天元支行,柜员,2025-13-01,学员\n")
    assert [(p.row, p.column) for p in plan.problems] == [(5, "入职日期")]
    missing = _plan(",,\n工号,姓名\nE3001,黎思远\n")
    assert {(p.row, p.column) for p in missing.problems} == {(2, "支行"), (2, "岗位"), (2, "入职日期"), (2, "角色")}


def test_a_windows_path_sent_as_the_file_name_is_cut_to_the_name(client, org, clock):
    # Old browsers on Windows send "C:\fakepath\people.csv"; the import is known by the file's own name.
    sign_in(client, org.hr)
    response = _upload(client, (HEADER + "E3001,黎思远,天元支行,柜员,2025-07-01,学员\n").encode(),
                       "C:\\Users\\hr\\Desktop\\people.csv")
    assert response.status_code == 200 and "：people.csv</h1>" in response.text
    assert "Desktop" not in response.text
    client.post("/org/people/import/confirm", data={"token": _token(response.text)})
    [imported] = events("people.imported")
    assert imported.details_dict["file"] == "people.csv"


def test_confirming_twice_at_once_imports_once_and_tells_the_second(app, client, org, clock, monkeypatch):
    """HR double-clicks 确认导入 (or confirms in two tabs): both requests arrive
    together. One imports; the other is told, no server error, no second person.
    The first import to start waits until the other request has been answered,
    so the two overlap every run."""
    import threading

    sign_in(client, org.hr)
    preview = _upload(client, (HEADER + "E3001,黎思远,天元支行,柜员,2025-07-01,学员\n").encode())
    token = _token(preview.text)
    second = app.test_client()
    for key, cookie in client._cookies.items():
        second._cookies[key] = cookie
    db.session.commit()
    barrier, one_answered, lock = threading.Barrier(2), threading.Event(), threading.Lock()
    applying = []
    apply_import = imports.apply_import

    def slow_first_apply(*args, **kwargs):
        with lock:
            applying.append(threading.current_thread().name)
            first = len(applying) == 1
        if first:
            one_answered.wait(timeout=10)
        return apply_import(*args, **kwargs)

    monkeypatch.setattr(imports, "apply_import", slow_first_apply)
    answers, errors = {}, []

    def confirm(name, browser):
        with app.app_context():
            try:
                barrier.wait()
                answers[name] = browser.post("/org/people/import/confirm", data={"token": token})
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                db.session.remove()
                one_answered.set()

    threads = [threading.Thread(target=confirm, args=(name, b), name=name)
               for name, b in (("tab-1", client), ("tab-2", second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(applying) == 1  # the file was applied once
    assert sorted(a.status_code for a in answers.values()) == [200, 302]
    assert _people_count() == 3 and len(events("people.imported")) == 1
    told = next(name for name, a in answers.items() if a.status_code == 302)
    assert answers[told].headers["Location"].endswith("/org/people/import")
    page = (client if told == "tab-1" else second).get("/org/people/import").text
    assert "该文件已在导入" in page


def test_two_hr_officers_importing_the_same_file_at_once(app, client, org, make_user, clock, monkeypatch):
    """HR officer B confirms the file that HR officer A confirms at the same
    moment: B's check ran before A's people were committed, B's write after.
    B is shown the file again with the row that now exists named, and nothing
    of B's is written (no 500, no one made twice)."""
    file = (HEADER + "E3001,黎思远,天元支行,柜员,2025-07-01,学员\n").encode()
    first, second = app.test_client(), app.test_client()
    sign_in(first, org.hr)
    sign_in(second, make_user(("hr",), employee_no="hr02", branch=org.hr.branch))
    token_a, token_b = _token(_upload(first, file).text), _token(_upload(second, file).text)
    apply_import = imports.apply_import
    answers = {}

    def a_confirms():
        with app.app_context():
            try:
                answers["a"] = first.post("/org/people/import/confirm", data={"token": token_a})
            finally:
                db.session.remove()

    def a_confirms_first(*args, **kwargs):
        if not answers:  # B's confirmation, its file already checked: A's lands now
            answers["a"] = None
            db.session.commit()  # B's request ends its reads, as B's service would on SQLite
            worker = threading.Thread(target=a_confirms)
            worker.start()
            worker.join()
        return apply_import(*args, **kwargs)

    monkeypatch.setattr(imports, "apply_import", a_confirms_first)
    answer_b = second.post("/org/people/import/confirm", data={"token": token_b})
    assert answers["a"].status_code == 200 and "黎思远" in answers["a"].text
    assert answer_b.status_code == 200
    assert "第 2 行" in answer_b.text and "工号 E3001 已存在" in answer_b.text
    assert db.session.scalar(db.select(db.func.count()).select_from(User).where(User.employee_no == "E3001")) == 1
    assert len(events("people.imported")) == 1
