"""工号 that look like another person's: typed full-width (Ｅ１００１, a Chinese
input method's full-width mode) they are that person's 工号, on every path; with
a Cyrillic or Greek letter, or the same but for upper and lower case, they are
refused, so that no two people read the same on a register, a certificate or
the audit log. Nor may two branches read the same (a Kangxi radical ⾏ for 行)."""
from __future__ import annotations

import io

import pytest

from lms.extensions import db
from lms.org.models import User
from tests.conftest import TEST_PASSWORD, sign_in
from tests.test_auth import post_login

HEADER = "工号,姓名,支行,岗位,入职日期,角色\n"


def _numbers() -> list[str]:
    return db.session.scalars(db.select(User.employee_no).order_by(User.employee_no)).all()


def _new_person(client, org, employee_no):
    return client.post("/org/people/new", data={
        "employee_no": employee_no, "name": "新员工", "branch_id": org.city.id, "position": "teller",
        "roles": ["learner"], "locale": "zh_CN"})


@pytest.mark.parametrize("typed, says", [
    ("Ｅ1001", "该工号已被使用"),  # full-width: E1001 itself
    ("E１００１", "该工号已被使用"),
    ("e1001", "该工号已被使用，写作 E1001"),
    ("Е1001", "“Е1001”含有 Е (U+0415)"),  # Cyrillic Е
    ("E1ΟΟ1", "“E1ΟΟ1”含有 Ο (U+039F)"),  # Greek Ο
])
def test_hr_cannot_create_a_look_alike_of_an_existing_employee_number(client, org, make_user, typed, says):
    make_user(employee_no="E1001", branch=org.city)
    sign_in(client, org.hr)
    answer = _new_person(client, org, typed)
    assert answer.status_code == 200 and 'id="field-employee_no"' in answer.text
    assert says in answer.text
    assert _numbers() == ["E1001", "admin01", "hr01"]


def test_a_full_width_employee_number_is_stored_as_typed_in_english_mode(client, org):
    sign_in(client, org.hr)
    assert _new_person(client, org, "Ｅ２００１").status_code == 200
    assert "E2001" in _numbers()


def test_the_import_reads_full_width_as_the_person_and_refuses_look_alikes_naming_the_row(client, org, make_user):
    make_user(employee_no="E1001", name="张伟", branch=org.tianyuan)
    sign_in(client, org.hr)
    rows = ("Ｅ1001,张伟,天元支行,柜员,2025-07-01,学员\n"  # E1001 itself: an update, no new person
            "Е1002,黎思远,天元支行,柜员,2025-07-01,学员\n"  # Cyrillic
            "e1001,李娜,天元支行,柜员,2025-07-01,学员\n")  # E1001 but for case: a second 张伟 to the eye
    preview = client.post("/org/people/import", data={"file": (io.BytesIO((HEADER + rows).encode()), "people.csv")},
                          content_type="multipart/form-data")
    assert preview.status_code == 200
    assert "第 3 行“工号”：“Е1002”含有 Е (U+0415)" in preview.text
    assert "第 4 行“工号”：“e1001”与 E1001（张伟）只有大小写不同" in preview.text
    assert 'name="token"' not in preview.text  # nothing of the file can be confirmed
    assert _numbers() == ["E1001", "admin01", "hr01"]


def test_sign_in_typed_full_width_is_the_person_and_counts_against_the_same_throttle(client, make_user, clock):
    make_user(employee_no="E1001")
    assert post_login(client, "Ｅ１００１", TEST_PASSWORD).status_code == 302
    client.post("/logout")
    # Spellings of one 工号 share one count: four failures spread over them delay the fifth try.
    for typed in ("E1001", "Ｅ1001", "E１001", "E1００1"):
        assert post_login(client, typed, "nope-nope-nope").status_code == 401
    assert post_login(client, "E10０1", TEST_PASSWORD).status_code == 429


def test_the_pairing_import_reads_full_width_as_the_person(app, client, clock, make_user, make_branch):
    from flask_babel import force_locale

    from lms.mentoring.models import Pairing
    from tests.mentoring.pairing_world import make_world
    from tests.mentoring.test_import import HEAD, upload

    w = make_world(make_user, make_branch)
    sign_in(client, w.hr)
    with app.test_request_context(), force_locale("en"):
        preview = upload(client, (HEAD + "Ｍ００１,Ｌ001,2026-03-02,2026-09-01,独立完成贷前调查\n").encode(), "结对.csv")
    assert "1 pairing will be made." in preview.text and "no one has" not in preview.text
    token = preview.text.split('name="token" value="')[1].split('"')[0]
    client.post("/mentoring/admin/import/confirm", data={"token": token})
    [pairing] = db.session.scalars(db.select(Pairing)).all()
    assert (pairing.mentor_id, pairing.apprentice_id) == (w.mentor.id, w.learners[0].id)


def test_create_admin_refuses_a_look_alike(app):
    from lms.org.cli import create_admin

    runner = app.test_cli_runner()
    made = runner.invoke(create_admin, ["--employee-no", "ops01", "--name", "运维", "--password", TEST_PASSWORD])
    assert made.exit_code == 0, made.output
    for typed, says in (("ＯＰＳ01", "employee number ops01 exists already"), ("орs01", "U+043E")):
        refused = runner.invoke(create_admin, ["--employee-no", typed, "--name", "运维", "--password", TEST_PASSWORD])
        assert refused.exit_code == 2 and says in refused.output
    assert _numbers() == ["ops01"]


@pytest.mark.parametrize("typed", ["天元支⾏", "天元 支行"])  # ⾏: the Kangxi radical U+2F8F
def test_a_branch_cannot_be_named_as_another_reads(client, org, typed):
    from lms.org.models import Branch

    sign_in(client, org.hr)
    made = client.post("/org/branches", data={"code": "ZZ0103", "name": typed, "parent_id": org.city.id})
    assert "名为天元支行的机构已存在" in made.text
    renamed = client.post(f"/org/branches/{org.lusong.id}/rename", data={"name": typed})
    assert "名为天元支行的机构已存在" in renamed.text
    assert db.session.scalars(db.select(Branch.name).order_by(Branch.code)).all() == ["株洲分行", "天元支行", "芦淞支行"]


# --- one person named by 工号 in a form: full-width and spaces read as every lookup reads them ----------------

SPACED = ("M 001", " Ｍ００１ ", "Ｍ　００１")  # a space inside, spaces around, a full-width space inside


def test_sign_in_with_spaces_in_the_employee_number_is_the_person_and_counts_against_the_same_throttle(
        client, make_user, clock):
    make_user(employee_no="E1001")
    assert post_login(client, "E 1001", TEST_PASSWORD).status_code == 302
    client.post("/logout")
    for typed in ("E 1001", " E1001", "E10 01", "Ｅ　１００１"):
        assert post_login(client, typed, "nope-nope-nope").status_code == 401
    assert post_login(client, "E1001", TEST_PASSWORD).status_code == 429


@pytest.mark.parametrize("mentor_no", SPACED)
def test_the_pairing_form_finds_a_mentor_typed_with_spaces_or_full_width(client, clock, make_user, make_branch,
                                                                          mentor_no):
    from lms.mentoring.models import Pairing
    from tests.mentoring.pairing_world import make_world

    w = make_world(make_user, make_branch)
    sign_in(client, w.hr)
    made = client.post("/mentoring/admin/pair", data={
        "mentor_no": mentor_no, "apprentice_no": f" {w.learners[0].employee_no[0]} {w.learners[0].employee_no[1:]}",
        "start_date": "2026-03-02", "planned_end_date": "2026-09-01", "goals": ""})
    assert made.status_code == 302, made.text
    [pairing] = db.session.scalars(db.select(Pairing)).all()
    assert (pairing.mentor_id, pairing.apprentice_id) == (w.mentor.id, w.learners[0].id)


def test_the_capacity_form_and_a_wrong_number_name_the_employee_number_as_read(client, clock, make_user, make_branch):
    from lms.mentoring import settings
    from tests.mentoring.pairing_world import make_world

    w = make_world(make_user, make_branch)
    sign_in(client, w.hr)
    assert client.post("/mentoring/admin/settings/capacity",
                       data={"capacity-mentor_no": "M 001", "capacity-capacity": "5"}).status_code == 302
    assert settings.capacity_of(w.mentor) == 5
    refused = client.post("/mentoring/admin/pair", data={
        "mentor_no": "M 999", "apprentice_no": "L001", "start_date": "2026-03-02", "planned_end_date": "2026-09-01"})
    assert "No one has the employee number “M999”." in refused.text


def test_the_pairing_import_reads_spaces_inside_an_employee_number_as_the_person(app, client, clock, make_user,
                                                                                  make_branch):
    from flask_babel import force_locale

    from tests.mentoring.pairing_world import make_world
    from tests.mentoring.test_import import HEAD, upload

    w = make_world(make_user, make_branch)
    sign_in(client, w.hr)
    with app.test_request_context(), force_locale("en"):
        preview = upload(client, (HEAD + "M 001,Ｌ　001,2026-03-02,2026-09-01,独立完成贷前调查\n").encode(), "结对.csv")
    assert "1 pairing will be made." in preview.text and "no one has" not in preview.text


def test_a_new_employee_number_with_a_space_inside_is_still_refused(client, org):
    """Making a 工号 is not finding one: E 2001 would be stored as typed, so the form names the space."""
    sign_in(client, org.hr)
    answer = _new_person(client, org, "E 2001")
    assert answer.status_code == 200 and "“E 2001”含有" in answer.text and "(U+0020)" in answer.text
    assert _numbers() == ["admin01", "hr01"]
