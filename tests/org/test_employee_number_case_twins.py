"""ZZ01 and zz01, both made before a 工号 that differs from another only in case was
refused: the bank keeps both, and nothing that finds one person by 工号 picks one of
them by the case it happens to be typed in. The people import refuses the row naming
both people, and says to merge or rename one first; ``flask people case-twins`` lists them."""
from __future__ import annotations

import io

import pytest
from flask_babel import force_locale

from lms.extensions import db
from lms.org import imports
from lms.org.cli import list_case_twins
from lms.org.models import User
from tests.conftest import sign_in

HEADER = "工号,姓名,支行,岗位,入职日期,角色\n"


@pytest.fixture
def twins(org, make_user):
    return (make_user(employee_no="ZZ01", name="张大明", branch=org.tianyuan, position="teller"),
            make_user(employee_no="zz01", name="李小红", branch=org.lusong, position="teller"))


def _state():
    return db.session.execute(db.select(User.employee_no, User.name, User.branch_id)
                              .order_by(User.employee_no)).all()


@pytest.mark.parametrize("typed", ["ZZ01", "zz01", "Zz01"])
def test_the_people_import_refuses_a_row_naming_both_and_changes_nothing(client, org, twins, typed):
    before = _state()
    sign_in(client, org.hr)
    rows = f"{typed},王新名,芦淞支行,柜员,2025-07-01,学员\nE2001,赵六,天元支行,柜员,2025-07-01,学员\n"
    preview = client.post("/org/people/import", data={"file": (io.BytesIO((HEADER + rows).encode()), "people.csv")},
                          content_type="multipart/form-data")
    assert preview.status_code == 200
    assert (f"第 2 行“工号”：“{typed}”可能是张大明 (ZZ01)、李小红 (zz01) 中的任何一人：他们的工号只有大小写不同。"
            "请先合并他们的记录或给其中一人改用别的工号") in preview.text
    assert 'name="token"' not in preview.text
    assert _state() == before


def test_the_message_in_english_names_both_people_and_the_way_out(app, org, twins):
    with app.test_request_context(), force_locale("en"):
        plan = imports.plan_import((HEADER + "zz01,李小红,芦淞支行,柜员,2025-07-01,学员\n").encode(), "people.csv")
        assert [str(p) for p in plan.problems] == [
            "Row 2, column “工号”: “zz01” could be any of 张大明 (ZZ01), 李小红 (zz01): their employee numbers "
            "differ only in upper and lower case. Merge their records or give one of them another employee number "
            "first (an administrator lists them with the command flask people case-twins and changes one with "
            "flask people renumber), then try again."]


def test_other_employee_numbers_are_read_as_before(app, org, twins, make_user):
    make_user(employee_no="E1001", name="张伟", branch=org.tianyuan, position="teller")
    with app.test_request_context():
        plan = imports.plan_import((HEADER + "E1001,张伟,天元支行,柜员,2025-07-01,学员\n").encode(), "people.csv")
    assert plan.ok and [r.user.name for r in plan.rows] == ["张伟"]


def test_flask_people_case_twins_lists_each_pair(app, org, twins, make_user):
    runner = app.test_cli_runner()
    make_user(employee_no="E1001", name="张伟", branch=org.tianyuan)
    listed = runner.invoke(list_case_twins)
    assert listed.exit_code == 1
    assert listed.output.splitlines()[0] == "ZZ01 张大明 [ZZ0101]  zz01 李小红 [ZZ0102]"
    assert "E1001" not in listed.output


def test_flask_people_case_twins_says_when_there_is_none(app, org):
    listed = app.test_cli_runner().invoke(list_case_twins)
    assert listed.exit_code == 0 and listed.output.startswith("0 ")


# --- the forms and the pairing file that find one person by 工号 -------------------------------

SAYS = "可能是张大明 (ZZ01)、李小红 (zz01) 中的任何一人：他们的工号只有大小写不同。"


def _count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


@pytest.mark.parametrize("typed", ["ZZ01", "zz01"])
def test_pairing_by_hand_refuses_either_of_the_two(client, org, twins, make_user, typed):
    from lms.mentoring.models import Pairing

    make_user(("mentor", "learner"), employee_no="M001", name="王师傅", branch=org.tianyuan, position="rm_senior")
    sign_in(client, org.hr)
    page = client.post("/mentoring/admin/pair", data={"mentor_no": "M001", "apprentice_no": typed,
                                                      "start_date": "2026-03-02", "planned_end_date": "2026-09-01"})
    assert page.status_code in (200, 400) and f"“{typed}”{SAYS}" in page.text
    assert _count(Pairing) == 0


def test_the_pairing_file_refuses_the_row_naming_the_cell(client, org, twins, make_user):
    from lms.mentoring.models import Pairing

    make_user(("mentor", "learner"), employee_no="M001", name="王师傅", branch=org.tianyuan, position="rm_senior")
    sign_in(client, org.hr)
    body = "师傅工号,徒弟工号,开始日期,计划结束日期,带教目标\nM001,zz01,2026-03-02,2026-09-01,\n".encode()
    preview = client.post("/mentoring/admin/import", data={"file": (io.BytesIO(body), "结对.csv")},
                          content_type="multipart/form-data")
    assert f"第 2 行“徒弟工号”：“zz01”{SAYS}" in preview.text and 'name="token"' not in preview.text
    assert _count(Pairing) == 0


def test_issuing_by_hand_refuses_them_in_the_preview_and_on_submit(client, org, twins):
    from lms.certificates.models import Certificate
    from lms.content.models import Certification

    rmq = Certification(slug="rm-qualification", title="客户经理上岗资格", serial_prefix="RMQ", validity_months=24,
                        renewal_window_days=90, requirements_json="{}")
    db.session.add(rmq)
    db.session.commit()
    sign_in(client, org.hr)
    preview = client.get("/certificates/issue", query_string={"employee_no": "ZZ01", "certification_id": rmq.id})
    assert f"“ZZ01”{SAYS}" in preview.text and "张大明 的发证条件" not in preview.text
    issued = client.post("/certificates/issue", data={"employee_no": "zz01", "certification_id": str(rmq.id),
                                                      "reason": "补发"})
    assert issued.status_code == 400 and f"“zz01”{SAYS}" in issued.text
    assert _count(Certificate) == 0


def test_adding_to_a_programme_refuses_them(client, org, twins):
    from lms.programmes.models import ProgrammeMember
    from tests.programmes.helpers import programme

    p = programme([], audience={"positions": ["rm_junior"]})
    sign_in(client, org.hr)
    added = client.post(f"/programmes/{p.id}/audience/add", data={"add-employee_no": "Zz01", "add-reason": "转岗"})
    assert added.status_code == 400 and f"“Zz01”{SAYS}" in added.text
    assert _count(ProgrammeMember) == 0


# --- the way out: flask people renumber --------------------------------------------------------

def test_renumber_tells_the_two_apart_and_the_import_then_finds_each(app, client, org, twins):
    from lms.audit.models import AuditEvent
    from lms.org.cli import renumber

    runner = app.test_cli_runner()
    done = runner.invoke(renumber, ["zz01", "ZZ01B", "--reason", "与 ZZ01 重号，按人事系统改正"])
    assert done.exit_code == 0, done.output
    assert done.output.strip() == "zz01 李小红 is now ZZ01B."
    assert [no for no, _n, _b in _state() if no.lower().startswith("zz01")] == ["ZZ01", "ZZ01B"]
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "user.renumbered"))
    assert event.object_id == str(twins[1].id) and '"before": "zz01"' in event.details
    assert runner.invoke(list_case_twins).exit_code == 0
    with app.test_request_context():
        plan = imports.plan_import((HEADER + "ZZ01,张大明,天元支行,柜员,2025-07-01,学员\n"
                                              "ZZ01B,李小红,芦淞支行,柜员,2025-07-01,学员\n").encode(), "people.csv")
        assert plan.ok and [r.user.name for r in plan.rows] == ["张大明", "李小红"]
    sign_in(client, org.hr)
    log = client.get("/audit/").text
    assert "修改了 李小红 (ZZ01B) 的工号" in log


@pytest.mark.parametrize("args, says", [
    (["zz01", "ZZ01", "--reason", "改"], "工号 ZZ01 已存在。"),
    (["zz01", "e1001", "--reason", "改"], "工号 E1001 已存在。"),
    (["zz01", "Е1002", "--reason", "改"], "U+0415"),  # Cyrillic Е
    (["Zz01", "ZZ01C", "--reason", "改"], "no one has the employee number Zz01 (written exactly so)"),
    (["zz01", "ZZ01C", "--reason", " "], "请填写更改工号的原因。"),
])
def test_renumber_refuses_what_would_make_another_look_alike(app, org, twins, make_user, args, says):
    from lms.org.cli import renumber

    make_user(employee_no="E1001", name="张伟", branch=org.tianyuan)
    before = _state()
    refused = app.test_cli_runner().invoke(renumber, args)
    assert refused.exit_code == 2 and says in refused.output
    assert _state() == before


@pytest.mark.parametrize("typed", ["zz 01", " Z Z 0 1 ", "ｚｚ　０１"])
def test_a_space_or_full_width_typed_inside_does_not_pick_one_of_the_two(client, org, twins, make_user, typed):
    """Lookups by 工号 leave out spaces and read full-width as ASCII (E 1001 is E1001); the check for
    two people whose 工号 differ only in case read the 工号 without taking the spaces out, so
    “zz 01” passed it and the pairing was made with whichever of the two the lookup found."""
    from lms.mentoring.models import Pairing
    from lms.org.models import CaseTwins, person_by_employee_no

    with pytest.raises(CaseTwins) as refused:
        person_by_employee_no(typed)
    assert [p.name for p in refused.value.people] == ["张大明", "李小红"]
    make_user(("mentor", "learner"), employee_no="M001", name="王师傅", branch=org.tianyuan, position="rm_senior")
    sign_in(client, org.hr)
    page = client.post("/mentoring/admin/pair", data={"mentor_no": "M001", "apprentice_no": typed,
                                                      "start_date": "2026-03-02", "planned_end_date": "2026-09-01"})
    named = {"zz 01": "zz01", " Z Z 0 1 ": "ZZ01", "ｚｚ　０１": "zz01"}[typed]  # as it would be looked up
    assert page.status_code in (200, 400) and f"“{named}”{SAYS}" in page.text
    assert _count(Pairing) == 0
