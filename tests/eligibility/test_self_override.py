"""An eligibility override is a second person's judgement: HR overrides a
rule for someone else, never for themselves — not through the service, not
on their own person page, not through a row of the people import."""
from __future__ import annotations

from datetime import date

import pytest

from lms.audit.models import AuditEvent
from lms.extensions import db
from lms.org import imports, services
from lms.org.models import PositionRecord, User, UserRole
from tests.conftest import sign_in


@pytest.fixture
def hr_teller(world):
    """HR who is a teller too (HR staff are employees with a post of their own)."""
    world.hr.role_rows = [UserRole(role="hr"), UserRole(role="learner")]
    world.hr.positions = [PositionRecord(position="teller", start_date=date(2025, 12, 1))]
    db.session.commit()
    return world.hr


def _overrides():
    return db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "user.eligibility_override")).all()


def _position(user):
    db.session.expire_all()
    return db.session.get(User, user.id).current_position.position


def test_hr_cannot_override_a_rule_for_themselves(world, english, hr_teller):
    with pytest.raises(services.NotAllowed, match="your own position"):
        services.change_position(hr_teller, "rm_junior", date(2026, 3, 2), actor=hr_teller,
                                 override_reason="我自己批准自己")
    db.session.rollback()
    assert _position(hr_teller) == "teller" and not _overrides()
    # Another HR colleague may, with a reason.
    colleague = User(employee_no="hr02", name="吴人事", role_rows=[UserRole(role="hr")])
    db.session.add(colleague)
    db.session.commit()
    services.change_position(hr_teller, "rm_junior", date(2026, 3, 2), actor=colleague, override_reason="总行特批")
    db.session.commit()
    assert _position(hr_teller) == "rm_junior" and len(_overrides()) == 1


def test_the_own_person_page_refuses_the_override(world, client, hr_teller):
    sign_in(client, hr_teller)
    answer = client.post(f"/org/people/{hr_teller.id}/position",
                         data={"position": "rm_junior", "start_date": "2026-03-02", "override_reason": "急需"})
    assert answer.status_code == 403 and "不能变更您本人的岗位" in answer.text
    assert _position(hr_teller) == "teller" and not _overrides()


def test_an_import_row_overriding_for_the_importer_is_a_problem(world, chinese, hr_teller):
    text = ("工号,姓名,支行,岗位,入职日期,角色,准入例外原因\n"
            f"hr01,周人事,株洲分行,初级客户经理,2025-12-01,人力资源、学员,我自己批准自己\n")
    plan = imports.plan_import(text.encode("utf-8"), "people.csv", actor=hr_teller, today=date(2026, 3, 2))
    assert [(p.row, p.column) for p in plan.problems] == [(2, "岗位"), (2, "入职日期")]
    assert "这一行是您本人" in str(plan.problems[0])
    with pytest.raises(services.OrgError):
        imports.apply_import(plan, actor=hr_teller)
    db.session.rollback()
    assert _position(hr_teller) == "teller" and not _overrides()
