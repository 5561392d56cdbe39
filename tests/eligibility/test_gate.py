"""The position gate: a move into a position a rule guards needs
eligibility, or HR's override with a reason (audited); the web form and the
people import obey the same rule."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from lms.audit.models import AuditEvent
from lms.extensions import db
from lms.org import imports, services
from lms.org.models import User
from tests.conftest import sign_in


def _events(action):
    return db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == action)).all()


def test_an_ineligible_move_is_refused_naming_the_unmet_conditions(world, english):
    with pytest.raises(services.OrgError) as refused:
        services.change_position(world.teller, "rm_junior", date(2026, 3, 2), actor=world.hr)
    message = str(refused.value)
    assert "not eligible for Junior RM" in message
    assert "no 客户经理上岗资格" in message and "Months as Teller: 9 (12 needed, reached on 2026-05-20)" in message
    assert "no mentor sign-off" in message
    db.session.rollback()
    assert db.session.get(User, world.teller.id).current_position.position == "teller"
    assert not _events("user.position_changed")


def test_an_eligible_person_moves_without_a_reason(world, english, give_certificate, give_signoff):
    world.teller.positions[0].start_date = date(2025, 1, 1)
    db.session.commit()
    give_certificate(world.teller, world.rmq)
    give_signoff(world.teller, world.mentor)
    services.change_position(world.teller, "rm_junior", date(2026, 3, 2), actor=world.hr)
    db.session.commit()
    assert world.teller.current_position.position == "rm_junior"
    assert not _events("user.eligibility_override")


def test_ungated_positions_and_retired_rules_do_not_stop_anyone(world, english, clock):
    services.change_position(world.teller, "rm_intermediate", date(2026, 3, 2), actor=world.hr)  # no rule
    world.rule.retired = True
    db.session.commit()
    clock.advance(timedelta(days=1))  # a change is recorded on its day: the next one the day after
    services.change_position(world.teller, "rm_junior", date(2026, 3, 3), actor=world.hr)
    db.session.commit()
    assert world.teller.current_position.position == "rm_junior"


def test_hr_overrides_with_a_reason_and_the_audit_log_keeps_the_unmet_conditions(world, english):
    services.change_position(world.teller, "rm_junior", date(2026, 3, 2), actor=world.hr,
                             override_reason="总行特批：网点急需")
    db.session.commit()
    assert world.teller.current_position.position == "rm_junior"
    (event,) = _events("user.eligibility_override")
    assert event.actor_id == world.hr.id and event.object_id == str(world.teller.id)
    assert event.details_dict["reason"] == "总行特批：网点急需" and event.details_dict["after"] == "rm_junior"
    assert any("no mentor sign-off" in line for line in event.details_dict["unmet"])


def test_only_hr_may_override(world, english, make_user):
    trainer = make_user(("trainer",), employee_no="tr01")
    with pytest.raises(services.NotAllowed):
        services.change_position(world.teller, "rm_junior", date(2026, 3, 2), actor=trainer,
                                 override_reason="我说可以")
    db.session.rollback()
    assert not _events("user.eligibility_override")


def test_a_new_person_straight_into_a_gated_post_needs_the_override_too(world, english):
    with pytest.raises(services.OrgError):
        services.create_user("n01", "新员工", branch=world.tianyuan, position="rm_junior",
                             hire_date=date(2026, 3, 1), actor=world.hr)
    db.session.rollback()
    assert db.session.scalar(db.select(User).where(User.employee_no == "n01")) is None
    services.create_user("n01", "新员工", branch=world.tianyuan, position="rm_junior", hire_date=date(2026, 3, 1),
                         actor=world.hr, override_reason="社会招聘，持他行资格证")
    db.session.commit()
    assert len(_events("user.eligibility_override")) == 1


# --- HR's person page -------------------------------------------------------------------

def test_the_person_page_checks_the_chosen_position_and_shows_the_conditions(world, client):
    sign_in(client, world.hr)
    page = client.get(f"/org/people/{world.teller.id}").get_data(as_text=True)
    # The next step of a teller is rm_junior: gated, not eligible.
    assert 'id="position-gate"' in page and "无客户经理上岗资格" in page and 'name="override_reason"' in page
    check = client.get(f"/org/people/{world.teller.id}/position/check?position=manager",
                       headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'id="position-gate"' in check and 'name="override_reason"' not in check
    check = client.get(f"/org/people/{world.teller.id}/position/check?position=rm_junior",
                       headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "9/12" in check or "9" in check
    assert 'name="override_reason"' in check


def test_the_web_form_refuses_without_a_reason_and_records_with_one(world, client):
    sign_in(client, world.hr)
    url = f"/org/people/{world.teller.id}/position"
    answer = client.post(url, data={"position": "rm_junior", "start_date": "2026-03-02"},
                         headers={"HX-Request": "true"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "无客户经理上岗资格" in html and 'name="override_reason"' in html
    assert db.session.get(User, world.teller.id).current_position.position == "teller"
    answer = client.post(url, data={"position": "rm_junior", "start_date": "2026-03-02",
                                    "override_reason": "总行特批"}, headers={"HX-Request": "true"})
    assert answer.status_code == 200
    db.session.expire_all()
    assert db.session.get(User, world.teller.id).current_position.position == "rm_junior"
    (event,) = _events("user.eligibility_override")
    assert event.details_dict["reason"] == "总行特批"


# --- the people import ---------------------------------------------------------------------

HEADER = "工号,姓名,支行,岗位,入职日期,角色"


def _plan(text, actor=None):
    return imports.plan_import(text.encode("utf-8"), "people.csv", actor=actor, today=date(2026, 3, 2))


def test_an_import_row_into_a_gated_post_is_a_problem_naming_row_column_and_conditions(world, chinese):
    plan = _plan(HEADER + "\n"
                 "t01,李学员,天元支行,初级客户经理,2025-05-20,学员\n"
                 "x02,钱新人,天元支行,柜员,2026-02-01,学员\n", actor=world.hr)
    assert [(p.row, p.column) for p in plan.problems] == [(2, "岗位")]
    text = str(plan.problems[0])
    assert text.startswith("第 2 行") or "2" in text
    assert "无客户经理上岗资格" in text and "准入例外原因" in text
    with pytest.raises(services.OrgError):
        imports.apply_import(plan, actor=world.hr)


def test_the_override_column_lets_the_row_through_audited(world, chinese):
    plan = _plan(HEADER + ",准入例外原因\n"
                 "t01,李学员,天元支行,初级客户经理,2025-05-20,学员,总行特批\n"
                 "x02,钱新人,天元支行,柜员,2026-02-01,学员,\n", actor=world.hr)
    assert not plan.problems
    assert ("准入例外原因", "—", "总行特批") in plan.rows[0].changes
    imports.apply_import(plan, actor=world.hr, today=date(2026, 3, 2))
    db.session.commit()
    assert db.session.get(User, world.teller.id).current_position.position == "rm_junior"
    (event,) = _events("user.eligibility_override")
    assert event.details_dict["reason"] == "总行特批"


def test_a_new_person_imported_into_a_gated_post_needs_the_override(world, chinese):
    plan = _plan(HEADER + ",准入例外原因\nx03,孙社招,天元支行,初级客户经理,2026-02-01,学员,\n", actor=world.hr)
    assert [(p.row, p.column) for p in plan.problems] == [(2, "岗位")]
    plan = _plan(HEADER + ",准入例外原因\nx03,孙社招,天元支行,初级客户经理,2026-02-01,学员,社会招聘\n",
                 actor=world.hr)
    assert not plan.problems
    imports.apply_import(plan, actor=world.hr, today=date(2026, 3, 2))
    db.session.commit()
    assert len(_events("user.eligibility_override")) == 1


def test_a_chinese_refusal_reads_with_chinese_punctuation(world, client):
    """HR creating a new RM read "客户经理岗位准入: 有效的客户经理上岗资格: 无客户经理上岗资格;
    任柜员满 12 个月: …": English colons and semicolons through a Chinese
    sentence. In Chinese: ：and ；; in English: and ; stay."""
    import re

    from flask_babel import force_locale

    sign_in(client, world.hr)
    html = client.post(f"/org/people/{world.teller.id}/position", data={"position": "rm_junior",
                       "start_date": "2026-03-02"}, headers={"HX-Request": "true"}).get_data(as_text=True)
    sentence = re.search(r"不符合[^<]*的准入条件：([^<]*)。", html).group(1)
    assert "：无客户经理上岗资格；" in sentence, sentence
    assert not re.search(r"[:;] ", sentence), sentence
    with force_locale("en"), pytest.raises(services.OrgError) as refused:
        services.change_position(world.teller, "rm_junior", date(2026, 3, 2), actor=world.hr)
    assert re.search(r": no 客户经理上岗资格; ", str(refused.value)), str(refused.value)
    db.session.rollback()
