"""HR's people screens through HTTP: list, person page, create, edit, actions."""
from datetime import date

import pytest

from lms.extensions import db
from lms.org.models import User
from tests.conftest import TEST_PASSWORD, sign_in
from tests.org.conftest import events


def _people(client, **params):
    return client.get("/org/people", query_string=params)


def test_search_matches_name_or_employee_number(client, org, make_user):
    make_user(employee_no="E1001", name="张伟", branch=org.tianyuan)
    make_user(employee_no="E1002", name="李娜", branch=org.lusong)
    sign_in(client, org.hr)
    by_name = _people(client, q="张伟").text
    assert "E1001" in by_name and "E1002" not in by_name
    by_number = _people(client, q="E1002").text
    assert "李娜" in by_number and "张伟" not in by_number


def test_search_reads_an_employee_number_typed_full_width_or_with_spaces(client, org, make_user):
    """HR's Chinese input method in full-width mode types Ｅ１００１: it is E1001, as everywhere else."""
    make_user(employee_no="E1001", name="张伟", branch=org.tianyuan)
    make_user(employee_no="E1002", name="李娜", branch=org.lusong)
    sign_in(client, org.hr)
    for typed in ("Ｅ１００１", "e 1001", "E\u30001001", "１００１"):
        found = _people(client, q=typed).text
        assert "张伟" in found and "李娜" not in found, typed
    assert "张伟" not in _people(client, q="E1009").text


def test_filters_branch_with_sub_branches_role_position_status(client, org, make_user):
    make_user(employee_no="E1001", name="天元柜员", branch=org.tianyuan, position="teller")
    make_user(("mentor", "learner"), employee_no="E1002", name="芦淞师傅", branch=org.lusong, position="rm_senior")
    make_user(employee_no="E1003", name="离职人员", branch=org.lusong, active=False)
    sign_in(client, org.hr)
    city = _people(client, branch=org.city.id).text
    assert "天元柜员" in city and "芦淞师傅" in city  # the city branch includes its sub-branches
    assert "芦淞师傅" not in _people(client, branch=org.tianyuan.id).text
    mentors = _people(client, role="mentor").text
    assert "芦淞师傅" in mentors and "天元柜员" not in mentors
    tellers = _people(client, position="teller").text
    assert "天元柜员" in tellers and "芦淞师傅" not in tellers
    assert "离职人员" not in _people(client).text  # active people by default
    inactive = _people(client, status="inactive").text
    assert "离职人员" in inactive and "天元柜员" not in inactive


def test_pagination_keeps_the_filter(client, org, make_user):
    for i in range(30):
        make_user(employee_no=f"E{2000 + i}", branch=org.tianyuan)
    sign_in(client, org.hr)
    first = _people(client, branch=org.tianyuan.id).text
    assert "E2000" in first and "E2029" not in first
    assert f"branch={org.tianyuan.id}" in first and "page=2" in first
    second = _people(client, branch=org.tianyuan.id, page=2).text
    assert "E2029" in second and "E2000" not in second


def test_htmx_gets_only_the_rows_and_the_url_varies_on_it(client, org, make_user):
    make_user(employee_no="E1001", name="张伟")
    sign_in(client, org.hr)
    full = _people(client, q="张")
    partial = client.get("/org/people?q=张", headers={"HX-Request": "true"})
    for response in (full, partial):
        assert "HX-Request" in [v.strip() for v in response.headers["Vary"].split(",")]
    assert "<html" in full.text and 'id="people-filter"' in full.text
    assert "<html" not in partial.text and partial.text.lstrip().startswith('<div id="people-rows"')
    assert "张伟" in partial.text
    assert 'hx-trigger="search, keyup changed delay:200ms"' in full.text


def test_person_page_shows_facts_roles_positions_and_events(client, org, make_user, clock):
    user = make_user(employee_no="E1001", name="张伟", branch=org.tianyuan, position="teller",
                     position_start=date(2024, 1, 10))
    sign_in(client, org.hr)
    client.post(f"/org/people/{user.id}/position", data={"position": "rm_junior", "start_date": "2025-07-01"})
    page = client.get(f"/org/people/{user.id}").text
    assert "株洲分行 / 天元支行" in page
    assert "柜员" in page and "初级客户经理" in page
    assert "<td>17</td>" in page  # 2024-01-10 → 2025-06-30: 17 whole months as teller
    assert "<td>8</td>" in page   # 2025-07-01 → 2026-03-02: 8 months as junior RM so far
    # The history reads as a sentence, not the stored code (issue 11: no raw codes).
    assert "调整了 张伟 (E1001) 的岗位" in page and "user.position_changed" not in page
    assert client.get("/org/people/99999").status_code == 404


def test_create_person_shows_a_temporary_password_once(client, org, clock):
    sign_in(client, org.hr)
    response = client.post("/org/people/new", data={
        "employee_no": "E3001", "name": "新员工", "branch_id": org.lusong.id, "hire_date": "2026-02-01",
        "position": "teller", "roles": ["learner", "mentor"], "locale": "zh_CN"})
    assert response.status_code == 200 and "临时密码" in response.text
    user = db.session.scalar(db.select(User).where(User.employee_no == "E3001"))
    assert user.must_change_password and user.roles == {"learner", "mentor"}
    assert user.current_position.position == "teller" and user.current_position.start_date == date(2026, 2, 1)
    password = response.text.split('class="secret"><code>')[1].split("</code>")[0]
    assert password not in user.password_hash and "$m=512," in user.password_hash  # light: see services
    client.post("/logout")
    login = client.post("/login", data={"employee_no": "E3001", "password": password})
    assert login.headers["Location"] == "/account/password"
    # The light hash of the random temporary password gets the full Argon2 setting at sign-in.
    from lms.auth.passwords import needs_rehash

    db.session.refresh(user)
    assert not needs_rehash(user.password_hash)
    assert [e.object_id for e in events("user.created")] == [str(user.id)]


def test_create_person_refuses_a_taken_employee_number_with_a_field_error(client, org, make_user):
    make_user(employee_no="E1001")
    sign_in(client, org.hr)
    response = client.post("/org/people/new", data={
        "employee_no": "E1001", "name": "重复", "branch_id": org.city.id, "position": "teller",
        "roles": ["learner"], "locale": "zh_CN"})
    assert response.status_code == 200
    assert 'id="field-employee_no"' in response.text and "该工号已被使用" in response.text
    assert db.session.scalar(db.select(db.func.count()).select_from(User).where(User.name == "重复")) == 0


def test_inline_validation_answers_with_the_one_field(client, org, make_user):
    make_user(employee_no="E1001")
    sign_in(client, org.hr)
    taken = client.post("/org/people/new/check", data={"employee_no": "E1001"},
                        headers={"HX-Request": "true", "HX-Trigger-Name": "employee_no"})
    assert taken.text.lstrip().startswith('<div class="field has-error" id="field-employee_no"')
    assert "该工号已被使用" in taken.text and "<html" not in taken.text
    free = client.post("/org/people/new/check", data={"employee_no": "E9999"},
                       headers={"HX-Request": "true", "HX-Trigger-Name": "employee_no"})
    assert "has-error" not in free.text and 'value="E9999"' in free.text
    # Only fields of the form can be asked about.
    assert client.post("/org/people/new/check", data={}, headers={"HX-Trigger-Name": "password_hash"}).status_code == 400


def test_edit_validates_and_records_what_changed(client, org, make_user, clock):
    user = make_user(employee_no="E1001", name="张伟", branch=org.tianyuan)
    sign_in(client, org.hr)
    bad = client.post(f"/org/people/{user.id}/edit", data={"name": "", "branch_id": org.lusong.id,
                                                            "hire_date": "2030-01-01", "locale": "zh_CN"})
    assert bad.status_code == 200 and "日期不能晚于今天" in bad.text and "has-error" in bad.text
    db.session.refresh(user)
    assert user.name == "张伟" and user.branch_id == org.tianyuan.id
    ok = client.post(f"/org/people/{user.id}/edit", data={"name": "张伟民", "branch_id": org.lusong.id,
                                                           "hire_date": "2020-05-01", "locale": "en"})
    assert ok.status_code == 302
    db.session.refresh(user)
    assert (user.name, user.branch_id, user.hire_date, user.locale) == ("张伟民", org.lusong.id, date(2020, 5, 1), "en")
    [event] = events("user.updated")
    assert event.details_dict["branch"] == {"before": "ZZ0101", "after": "ZZ0102"}
    assert event.actor_label == "hr01 周人事"


def test_deactivation_needs_a_reason_and_ends_the_persons_sessions(app, client, org, make_user):
    user = make_user(employee_no="E1001")
    their_client = app.test_client()
    sign_in(their_client, user)
    assert their_client.get("/").status_code == 200
    sign_in(client, org.hr)
    no_reason = client.post(f"/org/people/{user.id}/deactivate", data={"reason": " "})
    assert no_reason.status_code == 200 and "has-error" in no_reason.text
    db.session.refresh(user)
    assert user.active
    assert client.post(f"/org/people/{user.id}/deactivate", data={"reason": "离职"}).status_code == 302
    db.session.refresh(user)
    assert not user.active
    assert their_client.get("/").status_code == 302  # signed out everywhere
    assert events("user.deactivated")[0].details_dict == {"reason": "离职"}
    client.post(f"/org/people/{user.id}/reactivate", data={"reason": "返聘"})
    db.session.refresh(user)
    assert user.active and events("user.reactivated")[0].details_dict == {"reason": "返聘"}


def test_nobody_deactivates_themselves(client, org):
    sign_in(client, org.hr)
    client.post(f"/org/people/{org.hr.id}/deactivate", data={"reason": "试试"})
    db.session.refresh(org.hr)
    assert org.hr.active and not events("user.deactivated")
    assert "不能停用自己的账户" in client.get(f"/org/people/{org.hr.id}").text


def test_reset_password_forces_a_change_before_anything_else(app, client, org, make_user):
    user = make_user(employee_no="E1001")
    their_client = app.test_client()
    sign_in(their_client, user)
    sign_in(client, org.hr)
    response = client.post(f"/org/people/{user.id}/password")
    assert response.status_code == 200
    password = response.text.split('class="secret"><code>')[1].split("</code>")[0]
    assert their_client.get("/").status_code == 302  # the old session ended
    db.session.refresh(user)
    assert user.must_change_password and events("user.password_reset")[0].actor_label == "hr01 周人事"

    person = app.test_client()
    assert person.post("/login", data={"employee_no": "E1001", "password": password}).headers["Location"] == "/account/password"
    assert person.get("/").headers["Location"] == "/account/password"
    assert person.get("/me").headers["Location"] == "/account/password"
    assert person.get("/", headers={"HX-Request": "true"}).headers["HX-Redirect"] == "/account/password"
    assert person.get("/account/password").status_code == 200
    changed = person.post("/account/password", data={"current_password": password, "new_password": "Fresh-Ledger-2026",
                                                     "confirm": "Fresh-Ledger-2026"})
    assert changed.status_code == 302
    assert person.get("/").status_code == 200


def test_roles_change_is_audited_and_htmx_gets_the_section(client, org, make_user):
    user = make_user(employee_no="E1001")
    sign_in(client, org.hr)
    response = client.post(f"/org/people/{user.id}/roles", data={"roles": ["learner", "mentor"]},
                           headers={"HX-Request": "true"})
    assert response.text.lstrip().startswith('<section class="card" id="person-roles"')
    db.session.refresh(user)
    assert user.roles == {"learner", "mentor"}
    assert events("user.roles_changed")[0].details_dict == {"before": ["learner"], "after": ["learner", "mentor"]}
    empty = client.post(f"/org/people/{user.id}/roles", data={}, headers={"HX-Request": "true"})
    assert "请至少选择一个角色" in empty.text


def test_only_an_administrator_grants_or_touches_the_admin_role(client, org, make_user):
    user = make_user(employee_no="E1001")
    sign_in(client, org.hr)
    refused = client.post(f"/org/people/{user.id}/roles", data={"roles": ["learner", "admin"]})
    assert "只有系统管理员才能授予或取消系统管理员角色" in refused.text
    db.session.refresh(user)
    assert user.roles == {"learner"}
    # HR cannot take over an administrator's account either.
    page = client.get(f"/org/people/{org.admin.id}").text
    assert "只有系统管理员才能修改" in page and "重置密码" not in page
    client.post(f"/org/people/{org.admin.id}/password")
    client.post(f"/org/people/{org.admin.id}/deactivate", data={"reason": "x"})
    db.session.refresh(org.admin)
    assert org.admin.active and not org.admin.must_change_password
    assert not events("user.password_reset")
    new_admin = client.post("/org/people/new", data={
        "employee_no": "E3001", "name": "想当管理员", "branch_id": org.city.id, "position": "teller",
        "roles": ["admin"], "locale": "zh_CN"})
    assert "只有系统管理员才能授予系统管理员角色" in new_admin.text
    assert db.session.scalar(db.select(User).where(User.employee_no == "E3001")) is None

    sign_in(client, org.admin)
    client.post(f"/org/people/{user.id}/roles", data={"roles": ["learner", "admin"]})
    db.session.refresh(user)
    assert user.roles == {"learner", "admin"}
    # An administrator keeps their own admin role (nobody locks the bank out).
    client.post(f"/org/people/{org.admin.id}/roles", data={"roles": ["hr"]})
    db.session.refresh(org.admin)
    assert org.admin.roles == {"admin"}


def test_position_change_closes_the_previous_stint(client, org, make_user, clock):
    user = make_user(employee_no="E1001", position="teller", position_start=date(2024, 3, 1))
    sign_in(client, org.hr)
    too_early = client.post(f"/org/people/{user.id}/position", data={"position": "rm_junior", "start_date": "2024-02-01"})
    assert "新岗位的起始日期必须晚于现岗位的起始日期" in too_early.text
    response = client.post(f"/org/people/{user.id}/position",
                           data={"position": "rm_junior", "start_date": "2025-03-01", "note": "通过准入考试"})
    assert response.status_code == 302
    db.session.refresh(user)
    teller, junior = user.positions
    assert teller.end_date == date(2025, 2, 28) and junior.end_date is None
    assert user.months_in("teller") == 11 and user.current_position.position == "rm_junior"
    [event] = events("user.position_changed")
    assert event.details_dict["before"] == "teller" and event.details_dict["note"] == "通过准入考试"
    same = client.post(f"/org/people/{user.id}/position", data={"position": "rm_junior", "start_date": "2025-06-01"},
                       headers={"HX-Request": "true"})
    assert "这已是其现任岗位" in same.text and 'id="person-positions"' in same.text


def test_branches_can_be_created_and_renamed(client, org):
    sign_in(client, org.hr)
    response = client.post("/org/branches", data={"code": "ZZ0103", "name": "荷塘支行", "parent_id": org.city.id})
    assert response.status_code == 302
    page = client.get("/org/branches").text
    assert "荷塘支行" in page
    duplicate = client.post("/org/branches", data={"code": "ZZ0103", "name": "另一个", "parent_id": 0})
    assert "机构代码 ZZ0103 已存在" in duplicate.text
    client.post(f"/org/branches/{org.lusong.id}/rename", data={"name": "芦淞区支行"})
    db.session.refresh(org.lusong)
    assert org.lusong.name == "芦淞区支行"
    taken = client.post(f"/org/branches/{org.lusong.id}/rename", data={"name": "天元支行"})
    assert "名为天元支行的机构已存在" in taken.text
    assert [e.details_dict["name"] for e in events("branch.created")] == ["荷塘支行"]
    assert events("branch.renamed")[0].details_dict == {"code": "ZZ0102", "before": "芦淞支行", "after": "芦淞区支行"}


def test_a_branch_code_differing_only_in_case_is_refused_naming_the_branch(client, org, make_user):
    """ZZ01 beside zz01: the people import reads a code either way, so the second would never be found."""
    from lms.org import branches
    from lms.org.models import Branch
    from lms.org.services import OrgError

    sign_in(client, org.hr)
    refused = client.post("/org/branches", data={"code": "zz0101", "name": "新天元支行", "parent_id": org.city.id})
    assert refused.status_code == 200
    assert "机构代码 zz0101 与天元支行的代码 ZZ0101 仅有大小写之别" in refused.text
    sign_in(client, make_user(roles=("hr",), locale="en"))
    refused = client.post("/org/branches", data={"code": "Zz01", "name": "Another city", "parent_id": 0})
    assert "Branch code Zz01 differs from ZZ01, the code of 株洲分行, only in upper and lower case" in refused.text
    with pytest.raises(OrgError):
        branches.create_branch("zz0102", "另一个芦淞")
    assert db.session.scalars(db.select(Branch.code).order_by(Branch.code)).all() == ["ZZ01", "ZZ0101", "ZZ0102"]
    assert events("branch.created") == []


def test_hr_panel_counts_and_links(client, org, make_user):
    make_user(employee_no="E1001", position="teller", branch=org.tianyuan)
    make_user(employee_no="E1002", active=False)
    sign_in(client, org.hr)
    home = client.get("/").text
    panel = home.split('id="hr-panel"')[1].split("</section>")[0]
    assert "/org/people/import" in panel and "/org/branches" in panel and "/org/people?position=teller" in panel
    assert '<a href="/org/people?status=inactive">1</a>' in panel
    assert TEST_PASSWORD not in home


def test_reset_password_asks_before_it_ends_the_persons_password(client, org, make_user):
    """On the person page 重置密码 was a one-click submit: a slip of the mouse ended the person's
    password and sessions. It now opens a confirmation that names them; the submit is inside it."""
    user = make_user(employee_no="E1001", name="钱多多")
    sign_in(client, org.hr)
    page = client.get(f"/org/people/{user.id}").text
    form = page.split(f'action="/org/people/{user.id}/password"', 1)[1].split("</form>", 1)[0]
    confirm = form.split('<details id="reset-password-confirm">', 1)[1].split("</details>", 1)[0]
    assert "<summary" in confirm and "重置密码" in confirm
    assert "钱多多现在的密码将立即失效。" in confirm
    assert '<button type="submit" class="danger">确认重置密码</button>' in confirm
    assert form.count('type="submit"') == 1  # no submit outside the confirmation


def _edit_page_form(html: str) -> dict:
    """What the edit page sends when saved unchanged (its inputs and selected options)."""
    import html as markup
    import re

    form = re.search(r'<form method="post" action="/org/people/\d+/edit".*?</form>', html, re.S).group(0)
    data = {name: markup.unescape(value)
            for name, value in re.findall(r'<input[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"', form)}
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        data[name] = re.search(r'<option(?=[^>]*\bselected\b)[^>]*\bvalue="([^"]*)"', body).group(1)
    return data


def test_an_edit_page_opened_before_an_import_does_not_undo_it(client, org, make_user, clock):
    """HR opens 张伟's edit page to add an e-mail; meanwhile the HR import moves
    him to 芦淞支行. Saving the page keeps the import's branch (the page did not
    touch it) and saves the e-mail; a field both changed is not saved, and the
    page says what it is now."""
    from lms.org import imports

    user = make_user(employee_no="E1001", name="张伟", branch=org.tianyuan, position="rm_junior")
    sign_in(client, org.hr)
    data = _edit_page_form(client.get(f"/org/people/{user.id}/edit").text)
    assert data["branch_id"] == str(org.tianyuan.id) and data["name"] == "张伟"
    plan = imports.plan_import("工号,姓名,支行,岗位,入职日期,角色\nE1001,张伟,芦淞支行,初级客户经理,2024-01-01,学员\n"
                               .encode(), "people.csv", actor=org.hr)
    assert not plan.problems, plan.problems
    imports.apply_import(plan, actor=org.hr)
    db.session.commit()
    saved = client.post(f"/org/people/{user.id}/edit", data={**data, "email": "zhangwei@bank.example"})
    assert saved.status_code == 302
    db.session.refresh(user)
    assert (user.branch_id, user.email) == (org.lusong.id, "zhangwei@bank.example")
    # The same page's user also renamed him while another HR user renamed him differently.
    data = _edit_page_form(client.get(f"/org/people/{user.id}/edit").text)
    from lms.org import services

    services.update_user(user, actor=org.admin, name="张伟明")
    refused = client.post(f"/org/people/{user.id}/edit", data={**data, "name": "张维"})
    assert refused.status_code == 409 and "它现在是“张伟明”" in refused.text
    db.session.refresh(user)
    assert user.name == "张伟明"
    again = client.post(f"/org/people/{user.id}/edit", data=_edit_page_form(refused.text))
    assert again.status_code == 302
    db.session.refresh(user)
    assert user.name == "张维"


def _roles_form(html: str) -> dict:
    import re

    form = re.search(r'<section class="card" id="person-roles">.*?</form>', html, re.S).group(0)
    ticked = re.findall(r'<input[^>]*?checked[^>]*?value="([^"]+)"|<input[^>]*?value="([^"]+)"[^>]*?checked', form)
    return {"seen": re.search(r'name="seen" value="([^"]*)"', form).group(1),
            "roles": sorted({a or b for a, b in ticked})}


def test_a_roles_form_opened_before_another_change_keeps_that_change(client, org, make_user):
    """HR opens 张伟's page (学员); meanwhile the HR import makes him 师傅 too. HR
    ticks 支行负责人 on the page as it was: he is 学员, 师傅 and 支行负责人 — the
    page's form no longer takes away the role it never showed."""
    from lms.org import imports

    user = make_user(employee_no="E1001", name="张伟", branch=org.tianyuan, position="rm_junior")
    sign_in(client, org.hr)
    form = _roles_form(client.get(f"/org/people/{user.id}").text)
    assert form == {"seen": "learner", "roles": ["learner"]}
    plan = imports.plan_import("工号,姓名,支行,岗位,入职日期,角色\nE1001,张伟,天元支行,初级客户经理,2024-01-01,学员、师傅\n"
                               .encode(), "people.csv", actor=org.hr)
    assert not plan.problems, plan.problems
    imports.apply_import(plan, actor=org.hr)
    db.session.commit()
    db.session.refresh(user)
    assert user.roles == {"learner", "mentor"}
    response = client.post(f"/org/people/{user.id}/roles", data={**form, "roles": ["learner", "branch_manager"]})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.roles == {"learner", "mentor", "branch_manager"}


def test_search_takes_percent_and_underscore_as_typed(client, org, make_user):
    """``%`` and ``_`` are not SQL wildcards: ``50%`` finds "50%", not every "50"; ``_`` is an underscore."""
    make_user(employee_no="E1001", name="利率50%专员", branch=org.tianyuan)
    make_user(employee_no="E1002", name="利率500专员", branch=org.tianyuan)
    make_user(employee_no="E_1003", name="下划线", branch=org.tianyuan)
    make_user(employee_no="EX1004", name="无下划线", branch=org.tianyuan)
    sign_in(client, org.hr)
    percent = _people(client, q="50%").text
    assert "E1001" in percent and "E1002" not in percent
    underscore = _people(client, q="E_1").text
    assert "E_1003" in underscore and "EX1004" not in underscore
    assert "E1001" not in _people(client, q="\\").text  # a backslash is a character too, not an escape
