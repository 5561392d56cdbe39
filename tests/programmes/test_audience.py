"""A programme's audience: the file's rule plus HR's changes person by person
(added by HR, removed by HR: removal wins), on a page HR and trainers open;
every change audited; members() in a constant number of queries."""
from __future__ import annotations

import json
from datetime import date

from sqlalchemy import event, select

from lms.audit.models import AuditEvent
from lms.extensions import db
from lms.programmes import audience as programme_audience
from lms.programmes import services
from lms.programmes.access import exam_access
from lms.programmes.models import ProgrammeMember
from tests.conftest import sign_in
from tests.programmes.helpers import programme


def _exam(make_question, make_exam):
    return make_exam([{"questions": [make_question("single").slug]}], open_to_all=False)


def test_hr_adds_someone_outside_the_rule_with_a_reason(client, clock, make_user, make_question, make_exam):
    exam = _exam(make_question, make_exam)
    p = programme([exam] * 5, audience={"positions": ["rm_junior"]})
    hr = make_user(("hr",))
    teller = make_user(("learner",), employee_no="A001", name="柜员甲", position="teller")
    assert services.programmes_for(teller) == [] and not exam_access(teller, exam).ok
    sign_in(client, hr)
    response = client.post(f"/programmes/{p.id}/audience/add",
                           data={"add-employee_no": "A001", "add-reason": "转岗前提前参训"})
    assert response.status_code == 302
    [member] = programme_audience.members(p)
    assert (member.user.employee_no, member.source, member.enrolled_on) == ("A001", "added", date(2026, 3, 2))
    assert services.programmes_for(teller) == [p] and exam_access(teller, exam).ok
    page = client.get(f"/programmes/{p.id}/audience").text
    assert "柜员甲" in page and "HR 添加" in page and "转岗前提前参训" in page
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "programme.member_added"))
    assert json.loads(audit.details)["employee_no"] == "A001" and audit.actor_id == hr.id


def test_removal_wins_over_the_rule(client, clock, make_user, make_question, make_exam):
    exam = _exam(make_question, make_exam)
    p = programme([exam] * 5, audience={"positions": ["rm_junior"]})
    hr = make_user(("hr",))
    rm = make_user(("learner",), employee_no="R001", name="客户经理乙", position="rm_junior")
    assert services.programmes_for(rm) == [p]
    sign_in(client, hr)
    assert client.post(f"/programmes/{p.id}/audience/remove",
                       data={"remove-employee_no": "R001", "remove-reason": "长期病假"}).status_code == 302
    assert programme_audience.members(p) == [] and services.programmes_for(rm) == []
    access = exam_access(rm, exam)
    assert not access.ok and "不属于您参加的任何培训计划" in access.reason
    page = client.get(f"/programmes/{p.id}/audience").text
    assert "HR 移出" in page and "长期病假" in page
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "programme.member_removed"))
    # Adding them back restores the rule.
    client.post(f"/programmes/{p.id}/audience/add", data={"add-employee_no": "R001", "add-reason": "病愈返岗"})
    assert [m.source for m in programme_audience.members(p)] == ["rule"]
    assert db.session.scalar(select(ProgrammeMember)) is None


def test_hr_cannot_take_themselves_out_of_a_programme(client, clock, make_user, make_question, make_exam):
    """Leaving a programme the rule puts you in is an exemption from its weeks
    (overdue weeks, which hold back a sign-off and a certificate, go with it):
    a second person's judgement, as an eligibility override is."""
    p = programme([_exam(make_question, make_exam)], audience={"positions": ["rm_junior"]})
    hr = make_user(("hr", "learner"), employee_no="H001", name="人事兼客户经理", position="rm_junior")
    sign_in(client, hr)
    refused = client.post(f"/programmes/{p.id}/audience/remove",
                          data={"remove-employee_no": "H001", "remove-reason": "工作忙"})
    assert refused.status_code == 400
    assert "不能把自己移出培训对象，请另一位人力资源同事办理。" in refused.text
    assert services.programmes_for(hr) == [p] and db.session.scalar(select(ProgrammeMember)) is None
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "programme.member_removed")) is None


def test_bad_input_names_the_field_and_changes_nothing(client, clock, make_user, make_question, make_exam):
    p = programme([_exam(make_question, make_exam)], audience={"positions": ["rm_junior"]})
    make_user(("learner",), employee_no="R002", position="rm_junior")
    sign_in(client, make_user(("hr",)))
    unknown = client.post(f"/programmes/{p.id}/audience/add", data={"add-employee_no": "X999", "add-reason": "试"})
    assert unknown.status_code == 400 and "没有工号为 X999 的人员" in unknown.text
    twice = client.post(f"/programmes/{p.id}/audience/add", data={"add-employee_no": "R002", "add-reason": "试"})
    assert twice.status_code == 400 and "已在培训对象中" in twice.text
    no_reason = client.post(f"/programmes/{p.id}/audience/remove", data={"remove-employee_no": "R002"})
    assert no_reason.status_code == 400 and 'id="audience-remove"' in no_reason.text
    assert db.session.scalar(select(ProgrammeMember)) is None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action.like("programme.%"))) is None


def test_trainers_read_the_audience_page_without_the_forms(client, make_user, make_question, make_exam):
    p = programme([_exam(make_question, make_exam)])
    make_user(("learner",), employee_no="L001", name="学员丙")
    sign_in(client, make_user(("trainer",)))
    page = client.get(f"/programmes/{p.id}/audience").text
    assert "学员丙" in page and "机构/岗位规则" in page and 'id="audience-add"' not in page
    assert client.post(f"/programmes/{p.id}/audience/add",
                       data={"add-employee_no": "L001", "add-reason": "x"}).status_code == 403


def test_any_of_several_rules_and_position_wildcards(make_user, make_question, make_exam):
    p = programme([_exam(make_question, make_exam)],
                  audience={"any": [{"positions": ["rm_*"]}, {"roles": ["mentor"]}]})
    senior = make_user(("learner",), employee_no="S1", position="rm_senior")
    mentor = make_user(("mentor",), employee_no="S2", position="manager")
    make_user(("learner",), employee_no="S3", position="teller")
    assert [m.user.id for m in programme_audience.members(p)] == [senior.id, mentor.id]


def test_members_takes_the_same_number_of_queries_for_any_number_of_people(make_user, make_branch, make_question,
                                                                           make_exam):
    branch = make_branch("ZZ01", parent=make_branch("ZZ"))
    p = programme([_exam(make_question, make_exam)], audience={"branches": ["ZZ"], "roles": ["learner"]})

    def count_queries() -> tuple[int, int]:
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            db.session.expire_all()
            found = programme_audience.members(p)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(found), len(statements)

    for n in range(3):
        make_user(("learner",), branch=branch, position="rm_junior")
    few, few_queries = count_queries()
    for n in range(12):
        make_user(("learner",), branch=branch, position="rm_junior")
    many, many_queries = count_queries()
    assert (few, many) == (3, 15)
    assert many_queries == few_queries


def test_the_audience_rule_reads_in_words_not_the_files_codes(client, make_user, make_branch, make_question,
                                                               make_exam):
    make_branch("ZZ0101", "天元支行")
    p = programme([_exam(make_question, make_exam)],
                  audience={"any": [{"branches": ["ZZ0101"], "positions": ["teller", "rm_*"], "roles": ["learner"]},
                                    {"roles": ["mentor"]}]})
    sign_in(client, make_user(("trainer",)))
    rule = client.get(f"/programmes/{p.id}/audience").text.split('id="audience-rule"')[1].split("</section>")[0]
    assert "机构：天元支行" in rule and "角色：学员" in rule and "机构：全部" in rule
    assert "岗位：柜员、初级客户经理、中级客户经理、高级客户经理、资深客户经理" in rule
    assert "teller" not in rule and "rm_" not in rule and "ZZ0101" not in rule and "learner" not in rule


def test_hr_adds_someone_by_an_employee_number_typed_with_spaces_or_full_width(client, clock, make_user,
                                                                                make_question, make_exam):
    p = programme([_exam(make_question, make_exam)] * 5, audience={"positions": ["rm_junior"]})
    teller = make_user(("learner",), employee_no="A001", name="柜员甲", position="teller")
    sign_in(client, make_user(("hr",)))
    response = client.post(f"/programmes/{p.id}/audience/add",
                           data={"add-employee_no": "Ａ　001 ", "add-reason": "转岗前提前参训"})
    assert response.status_code == 302
    assert [m.user.id for m in programme_audience.members(p)] == [teller.id]
