"""A name other people read — on pages, in notifications, the audit log,
exports and certificates — holds no invisible character: a zero-width space
makes two people who look the same ("李学员", "李\u200b学员"), a right-to-left
override turns round whatever follows the name in a sentence. HR is told
which character, in which field or row and column, and nothing is saved."""
from __future__ import annotations

import io

import pytest

from lms.extensions import db
from lms.org.models import Branch, User
from tests.conftest import sign_in

HIDDEN = [("李\u200b学员", "U+200B"), ("李学员\u202e", "U+202E"), ("\u2066李学员", "U+2066"), ("李\ufeff学员", "U+FEFF"),
          ("李学员\n王师傅", "U+000A")]  # a one-line name: the browser sends no line break, a crafted form does


def _count(**where) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(User).filter_by(**where))


@pytest.mark.parametrize("name, code", HIDDEN)
def test_a_new_person_named_with_an_invisible_character_is_refused(client, org, clock, name, code):
    sign_in(client, org.hr)
    response = client.post("/org/people/new", data={
        "employee_no": "E4001", "name": name, "branch_id": org.lusong.id, "hire_date": "2026-02-01",
        "position": "teller", "roles": ["learner"], "locale": "zh_CN"})
    assert response.status_code == 200 and 'class="secret"' not in response.text
    assert f"含有不可见字符或文字方向控制符 ({code})" in response.text
    assert 'id="field-name"' in response.text
    assert _count(employee_no="E4001") == 0


def test_renaming_a_person_with_a_right_to_left_override_changes_nothing(client, org, make_user):
    user = make_user(employee_no="E1001", name="张伟", branch=org.tianyuan)
    sign_in(client, org.hr)
    response = client.post(f"/org/people/{user.id}/edit", data={
        "name": "张\u202e伟", "branch_id": org.tianyuan.id, "locale": "zh_CN"})
    assert response.status_code == 200 and "U+202E" in response.text
    db.session.refresh(user)
    assert user.name == "张伟"


def test_a_branch_name_with_a_zero_width_space_is_refused(client, org):
    sign_in(client, org.hr)
    response = client.post("/org/branches", data={"code": "ZZ0103", "name": "天元\u200b支行", "parent_id": org.city.id})
    assert "U+200B" in response.text
    assert db.session.scalar(db.select(Branch).where(Branch.code == "ZZ0103")) is None
    client.post(f"/org/branches/{org.lusong.id}/rename", data={"name": "芦淞\u202e支行"})
    db.session.refresh(org.lusong)
    assert org.lusong.name == "芦淞支行"


def test_the_people_import_names_the_row_and_imports_nobody(client, org, clock):
    sign_in(client, org.hr)
    data = ("工号,姓名,支行,岗位,入职日期,角色\n"
            "E5001,王五,天元支行,柜员,2025-07-01,学员\nE5002,李\u200b四,天元支行,柜员,2025-07-01,学员\n")
    preview = client.post("/org/people/import", data={"file": (io.BytesIO(data.encode("utf-8")), "people.csv")},
                          content_type="multipart/form-data")
    assert "第 3 行“姓名”：含有不可见字符或文字方向控制符 (U+200B)" in preview.text
    assert 'name="token"' not in preview.text
    assert _count(employee_no="E5001") == 0 and _count(employee_no="E5002") == 0


def test_an_employee_number_with_a_text_direction_mark_is_refused(client, org, clock):
    """The 工号 is in download names (the evidence pack) and every list: "E1\u202efdp" is no 工号."""
    sign_in(client, org.hr)
    response = client.post("/org/people/new", data={
        "employee_no": "E1\u202efdp", "name": "王五", "branch_id": org.lusong.id, "hire_date": "2026-02-01",
        "position": "teller", "roles": ["learner"], "locale": "zh_CN"})
    assert "U+202E" in response.text and 'class="secret"' not in response.text
    assert _count(name="王五") == 0
    data = "工号,姓名,支行,岗位,入职日期,角色\nE\u200b5001,王五,天元支行,柜员,2025-07-01,学员\n"
    preview = client.post("/org/people/import", data={"file": (io.BytesIO(data.encode("utf-8")), "people.csv")},
                          content_type="multipart/form-data")
    assert "第 2 行“工号”：含有不可见字符或文字方向控制符 (U+200B)" in preview.text
    assert _count(name="王五") == 0


def test_a_text_direction_control_in_any_column_of_an_import_is_refused(client, org, clock):
    """Not only names: every column of every import (lms.imports.table) — a
    branch or a position with U+202E would be read by HR reversed."""
    sign_in(client, org.hr)
    data = "工号,姓名,支行,岗位,入职日期,角色\nE5001,王五,天元\u202e支行,柜员,2025-07-01,学员\n"
    preview = client.post("/org/people/import", data={"file": (io.BytesIO(data.encode("utf-8")), "people.csv")},
                          content_type="multipart/form-data")
    assert "第 2 行“支行”：含有文字方向控制符 (U+202E)" in preview.text
    assert "未知支行" not in preview.text  # one problem for the cell, not two
    assert 'name="token"' not in preview.text
    assert _count(employee_no="E5001") == 0


def test_create_admin_refuses_a_name_or_number_with_an_invisible_character(runner, app):
    for option, value in (("--name", "管\u202e理员"), ("--employee-no", "A\u200b001")):
        args = {"--employee-no": "A001", "--name": "管理员", option: value}
        result = runner.invoke(args=["create-admin", *[x for pair in args.items() for x in pair],
                                     "--password", "Correct-Horse-42-long"])
        assert result.exit_code == 2 and option in result.output and "U+20" in result.output, result.output
    assert _count(employee_no="A001") == 0
    ok = runner.invoke(args=["create-admin", "--employee-no", "A001", "--name", "管理员",
                             "--password", "Correct-Horse-42-long"])
    assert ok.exit_code == 0, ok.output
    assert _count(employee_no="A001") == 1
