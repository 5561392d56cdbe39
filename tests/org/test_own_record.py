"""Nobody decides their own case (lms.own_case): HR does not change their own
name, branch, hire date or position, nor reactivate themselves — not on their
person page, not in a row of their own import; a colleague still may. The
last active administrator keeps the role and the account, whoever asks."""
from datetime import date

import pytest

from lms.extensions import db
from lms.org import imports, services
from lms.org.models import PositionRecord, User
from tests.conftest import sign_in
from tests.org.conftest import events


pytestmark = pytest.mark.usefixtures("in_chinese")  # services called directly speak zh_CN, as on the web


def _fresh(user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def test_hr_cannot_change_their_own_name_branch_or_hire_date_on_their_page(client, org, make_user):
    sign_in(client, org.hr)
    for field, value, said in (("name", "周大人事", "不能修改您本人的姓名"),
                               ("branch_id", org.lusong.id, "不能修改您本人的支行"),
                               ("hire_date", "2001-01-01", "不能修改您本人的入职日期")):
        data = {"name": "周人事", "branch_id": org.city.id, "hire_date": "", "locale": "zh_CN", field: value}
        answer = client.post(f"/org/people/{org.hr.id}/edit", data=data)
        assert answer.status_code == 403 and said in answer.text and "has-error" in answer.text
        hr = _fresh(org.hr)
        assert (hr.name, hr.branch_id, hr.hire_date) == ("周人事", org.city.id, None)
    assert not events("user.updated")
    # Their e-mail address decides nothing: they keep it up to date themselves.
    ok = client.post(f"/org/people/{org.hr.id}/edit", data={"name": "周人事", "branch_id": org.city.id,
                                                            "locale": "zh_CN", "email": "zhou@example.com"})
    assert ok.status_code == 302 and _fresh(org.hr).email == "zhou@example.com"
    # A colleague changes what they may not.
    colleague = make_user(("hr",), employee_no="hr02", name="吴人事", branch=org.city)
    sign_in(client, colleague)
    done = client.post(f"/org/people/{org.hr.id}/edit", data={"name": "周人事", "branch_id": org.lusong.id,
                                                              "locale": "zh_CN"})
    assert done.status_code == 302 and _fresh(org.hr).branch_id == org.lusong.id


def test_hr_cannot_change_or_backdate_their_own_position(client, org, make_user):
    sign_in(client, org.hr)
    data = {"position": "rm_senior", "start_date": "2010-01-01"}
    page = client.post(f"/org/people/{org.hr.id}/position", data=data)
    assert page.status_code == 403 and "不能变更您本人的岗位，请另一位人力资源同事办理。" in page.text
    section = client.post(f"/org/people/{org.hr.id}/position", data=data, headers={"HX-Request": "true"})
    assert section.status_code == 200 and "不能变更您本人的岗位" in section.text
    assert _fresh(org.hr).current_position is None and not events("user.position_changed")
    sign_in(client, make_user(("hr",), employee_no="hr02", branch=org.city))
    assert client.post(f"/org/people/{org.hr.id}/position", data=data).status_code == 302
    assert _fresh(org.hr).current_position.position == "rm_senior"


def test_nobody_reactivates_themselves(org):
    org.hr.active = False
    db.session.commit()
    with pytest.raises(services.NotAllowed, match="不能重新启用自己"):
        services.reactivate(org.hr, "我回来了", actor=org.hr)
    db.session.rollback()
    assert not _fresh(org.hr).active and not events("user.reactivated")
    services.reactivate(org.hr, "复职", actor=org.admin)
    db.session.commit()
    assert _fresh(org.hr).active


def test_the_importers_own_row_is_refused_at_the_preview_by_row_and_column(org):
    text = ("工号,姓名,支行,岗位,入职日期,角色,邮箱\n"
            "hr01,周人事,芦淞支行,高级客户经理,2001-01-01,人力资源,zhou@example.com\n")
    plan = imports.plan_import(text.encode(), "people.csv", actor=org.hr, today=date(2026, 3, 2))
    assert [(p.row, p.column) for p in plan.problems] == [(2, "支行"), (2, "岗位"), (2, "入职日期")]
    assert "这一行是您本人" in str(plan.problems[0])
    with pytest.raises(services.OrgError):
        imports.apply_import(plan, actor=org.hr)
    db.session.rollback()
    hr = _fresh(org.hr)
    assert (hr.branch_id, hr.hire_date, hr.current_position) == (org.city.id, None, None)
    assert not events("user.updated") and not events("user.position_changed")
    # Only their e-mail address: nothing of their post, so the row goes through.
    hr.hire_date, hr.positions = date(2020, 1, 6), [PositionRecord(position="teller", start_date=date(2020, 1, 6))]
    db.session.commit()
    same = "工号,姓名,支行,岗位,入职日期,角色,邮箱\nhr01,周人事,株洲分行,柜员,2020-01-06,人力资源,zhou@example.com\n"
    plan = imports.plan_import(same.encode(), "people.csv", actor=org.hr, today=date(2026, 3, 2))
    assert not plan.problems, plan.problems
    imports.apply_import(plan, actor=org.hr)
    db.session.commit()
    assert _fresh(org.hr).email == "zhou@example.com"
    # A colleague's file (here an administrator's) changes the same row.
    plan = imports.plan_import(text.encode(), "people.csv", actor=org.admin, today=date(2026, 3, 2))
    assert not plan.problems, plan.problems


def test_the_last_active_administrator_keeps_the_role_and_the_account(org, make_user):
    with pytest.raises(services.OrgError, match="最后一位"):
        services.set_roles(org.admin, ["hr"], actor=None)
    db.session.rollback()
    with pytest.raises(services.OrgError, match="最后一位"):
        services.deactivate(org.admin, "离职", actor=None)
    db.session.rollback()
    admin = _fresh(org.admin)
    assert admin.roles == {"admin"} and admin.active and not events("user.deactivated")
    # By the command line's import (no actor): named by row and column.
    left = "工号,姓名,支行,岗位,入职日期,角色,在职状态\nadmin01,系统管理员,株洲分行,柜员,2020-01-06,人力资源,在职\n"
    plan = imports.plan_import(left.encode(), "people.csv", today=date(2026, 3, 2))
    assert [(p.row, p.column) for p in plan.problems] == [(2, "角色")]
    gone = "工号,姓名,支行,岗位,入职日期,角色,在职状态\nadmin01,系统管理员,株洲分行,柜员,2020-01-06,系统管理员,离职\n"
    plan = imports.plan_import(gone.encode(), "people.csv", today=date(2026, 3, 2))
    assert [(p.row, p.column) for p in plan.problems] == [(2, "在职状态")]
    # With a second administrator, either goes through.
    make_user(("admin",), employee_no="admin02", branch=org.city)
    services.set_roles(org.admin, ["hr"], actor=None)
    db.session.commit()
    assert _fresh(org.admin).roles == {"hr"}
